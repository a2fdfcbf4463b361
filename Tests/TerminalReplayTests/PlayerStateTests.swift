// TerminalReplayTests — the player state machine: stepping, bounds, play/pause, speed and timed playback.
import Testing
@testable import TerminalReplay

@Suite("Player state")
struct PlayerStateTests {
    @Test("stepping stays inside 0…total−1 and g/G jump to the ends")
    func stepping() {
        var s = PlayerState(total: 25)
        #expect(s.step == 0)
        let moved = s.apply(.previous)
        #expect(moved == false)      // already at the first step
        #expect(s.step == 0)
        s.apply(.next); s.apply(.next)
        #expect(s.step == 2)
        #expect(s.statusText.hasPrefix("step 3/25"))
        s.apply(.last)
        #expect(s.step == 24)
        let movedPastEnd = s.apply(.next)
        #expect(movedPastEnd == false)
        s.apply(.first)
        #expect(s.step == 0)
    }

    @Test("--start is clamped into the trace; an empty trace shows step 0/0")
    func start() {
        #expect(PlayerState(total: 25, start: 7).step == 7)
        #expect(PlayerState(total: 25, start: 99).step == 24)
        #expect(PlayerState(total: 25, start: -3).step == 0)
        let empty = PlayerState(total: 0)
        #expect(empty.step == 0)
        #expect(empty.statusText.hasPrefix("step 0/0"))
    }

    @Test("space plays and pauses; stepping by hand pauses; playing from the end restarts")
    func playPause() {
        var s = PlayerState(total: 5)
        s.apply(.togglePlay)
        #expect(s.isPlaying)
        s.apply(.togglePlay)
        #expect(!s.isPlaying)
        s.apply(.togglePlay); s.apply(.next)
        #expect(!s.isPlaying)
        #expect(s.step == 1)
        s.apply(.last); s.apply(.togglePlay)
        #expect(s.isPlaying)
        #expect(s.step == 0)
    }

    @Test("playback advances ⌊time·speed⌋ steps, keeps the remainder, and stops at the last step")
    func playback() {
        var s = PlayerState(total: 10, speed: 4, playing: true)
        // 0.2 s at 4 steps/s = 0.8 steps: nothing yet, 0.2 s owed to the next step.
        let early = s.advance(by: 0.2)
        #expect(early == false)
        #expect(s.step == 0)
        // +0.1 s = 0.3 s = 1.2 steps: one step, 0.05 s carried.
        let stepped = s.advance(by: 0.1)
        #expect(stepped)
        #expect(s.step == 1)
        #expect(abs(s.pendingTime - 0.05) < 1e-12)
        #expect(abs((s.secondsToNextStep ?? -1) - 0.2) < 1e-12)
        // 10 s would be 40 steps: stops at step 9 and pauses.
        s.advance(by: 10)
        #expect(s.step == 9)
        #expect(!s.isPlaying)
        #expect(s.secondsToNextStep == nil)
    }

    @Test("+/- double and halve the speed inside 0.25…1024 steps/s")
    func speed() {
        var s = PlayerState(total: 3, speed: 4)
        s.apply(.faster)
        #expect(s.speed == 8)
        for _ in 0..<20 { s.apply(.faster) }
        #expect(s.speed == 1024)
        for _ in 0..<30 { s.apply(.slower) }
        #expect(s.speed == 0.25)
        #expect(s.statusText == "step 1/3 · paused · 0.25 steps/s")
    }

    @Test("q asks to quit")
    func quit() {
        var s = PlayerState(total: 3, playing: true)
        s.apply(.quit)
        #expect(s.quit)
        #expect(!s.isPlaying)
    }
}
