// TerminalReplayTests — screens as text: plain versus ANSI, markers, clipping, the colour conventions.
import Testing
@testable import TerminalReplay

@Suite("Screen")
struct ScreenTests {
    @Test("plain mode keeps markers and writes no escape; ANSI draws markers as coloured spaces")
    func modes() {
        var line = ScreenLine("x ")
        line.append("[", .window, plainOnly: true); line.append(" 3", .window); line.append("]", .window, plainOnly: true)
        let screen = Screen(lines: [line])
        #expect(screen.render(.plain) == "x [ 3]")
        let ansi = screen.render(.ansi)
        #expect(ansi == "x \u{1B}[1;30;48;5;222m \u{1B}[0m\u{1B}[1;30;48;5;222m 3\u{1B}[0m\u{1B}[1;30;48;5;222m \u{1B}[0m")
        #expect(!ansi.contains("["  + " 3"))
    }

    @Test("clipping keeps columns−1 columns and ends with …; short lines are untouched")
    func clipping() {
        let line = ScreenLine([Span("abc"), Span("defgh", .kernel)])
        #expect(line.clipped(to: 8).text == "abcdefgh")
        #expect(line.clipped(to: 5).text == "abcd…")
        #expect(line.clipped(to: 5).width == 5)
        #expect(line.clipped(to: 2).text == "a…")
    }

    @Test("NO_COLOR, --no-color, TERM=dumb and a non-terminal all mean plain")
    func colourConventions() {
        #expect(ColorMode.detect(environment: ["TERM": "xterm-256color"], noColorFlag: false, isTerminal: true) == .ansi)
        #expect(ColorMode.detect(environment: ["TERM": "xterm", "NO_COLOR": "1"], noColorFlag: false, isTerminal: true) == .plain)
        #expect(ColorMode.detect(environment: ["TERM": "xterm", "NO_COLOR": ""], noColorFlag: false, isTerminal: true) == .ansi)
        #expect(ColorMode.detect(environment: ["TERM": "xterm"], noColorFlag: true, isTerminal: true) == .plain)
        #expect(ColorMode.detect(environment: ["TERM": "dumb"], noColorFlag: false, isTerminal: true) == .plain)
        #expect(ColorMode.detect(environment: ["TERM": "xterm"], noColorFlag: false, isTerminal: false) == .plain)
    }

    @Test("repaint homes the cursor, clears each line's end, never writes more rows than the terminal has")
    func repaint() {
        let screen = Screen(lines: (1...5).map { ScreenLine("line \($0) is long") })
        let text = screen.repaint(columns: 8, rows: 3, mode: .plain)
        #expect(text == "\u{1B}[Hline 1 …\u{1B}[0m\u{1B}[K\r\nline 2 …\u{1B}[0m\u{1B}[K\r\nline 3 …\u{1B}[0m\u{1B}[K\u{1B}[J")
    }
}
