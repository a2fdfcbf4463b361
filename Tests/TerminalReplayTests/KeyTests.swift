// TerminalReplayTests — key decoding: the bytes a terminal sends become the player's keys and commands.
import Testing
@testable import TerminalReplay

@Suite("Key decoding")
struct KeyTests {
    @Test("printable keys, space and Ctrl-C (byte 3)")
    func printable() {
        let (keys, pending) = Key.decode(Array("lnhpgG+- q".utf8) + [3])
        #expect(keys == [
            .character("l"), .character("n"), .character("h"), .character("p"), .character("g"),
            .character("G"), .character("+"), .character("-"), .character(" "), .character("q"), .interrupt,
        ])
        #expect(pending.isEmpty)
    }

    @Test("arrows in normal (ESC [ C) and application (ESC O D) cursor mode, with modifiers")
    func arrows() {
        let bytes: [UInt8] = [0x1B, 0x5B, 0x43, 0x1B, 0x5B, 0x44, 0x1B, 0x4F, 0x43, 0x1B, 0x4F, 0x44,
                              0x1B, 0x5B, 0x31, 0x3B, 0x35, 0x43, 0x1B, 0x5B, 0x48, 0x1B, 0x5B, 0x34, 0x7E]
        let (keys, pending) = Key.decode(bytes)
        #expect(keys == [.right, .left, .right, .left, .right, .home, .end])
        #expect(pending.isEmpty)
    }

    @Test("an escape sequence cut at the end of a read stays pending and completes with the next read")
    func splitSequence() {
        let first = Key.decode([UInt8(ascii: "l"), 0x1B, 0x5B])
        #expect(first.keys == [.character("l")])
        #expect(first.pending == [0x1B, 0x5B])
        let second = Key.decode(first.pending + [0x44])
        #expect(second.keys == [.left])
        #expect(second.pending.isEmpty)
    }

    @Test("a lone ESC is Escape only when no more bytes are coming")
    func loneEscape() {
        #expect(Key.decode([0x1B]).keys.isEmpty)
        #expect(Key.decode([0x1B]).pending == [0x1B])
        #expect(Key.decode([0x1B], final: true).keys == [.escape])
        // ESC followed by an ordinary byte: Escape, then that key.
        #expect(Key.decode([0x1B, UInt8(ascii: "q")]).keys == [.escape, .character("q")])
    }

    @Test("every binding of the help line maps to its command")
    func bindings() {
        let table: [(Key, PlayerCommand?)] = [
            (.character(" "), .togglePlay), (.right, .next), (.character("l"), .next), (.character("n"), .next),
            (.left, .previous), (.character("h"), .previous), (.character("p"), .previous),
            (.character("g"), .first), (.home, .first), (.character("G"), .last), (.end, .last),
            (.character("+"), .faster), (.character("-"), .slower),
            (.character("q"), .quit), (.interrupt, .quit), (.escape, .quit),
            (.character("x"), nil), (.up, nil), (.unknown, nil),
        ]
        for (key, command) in table { #expect(PlayerCommand(key: key) == command, "\(key)") }
    }
}
