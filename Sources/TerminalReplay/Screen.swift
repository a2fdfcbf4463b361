// TerminalReplay — a screen as lines of styled spans, turned into text with or without ANSI escapes.

/// What a span of text means; the colour (or the absence of it) follows from the role.
public enum SpanRole: Sendable, Hashable {
    case plain, heading, dim, label
    case input, padding, kernel, output, gradient
    /// The window the kernel covers (input side) and the kernel cell in use.
    case window
    /// The cell being written.
    case cell
    /// The operand of the current multiply-accumulate / the term being added now.
    case current
    /// Max pooling: the selected maximum / where the gradient is routed.
    case selected
    /// The real input cell a padding value was copied from.
    case source
    /// Cells that take part in the equation besides the window (e.g. dY cells of a gradient term).
    case contributor
    case equation, sum, status, help
    /// The marker of a clipped grid (`…`).
    case clip
}

/// A run of text with one role.
public struct Span: Equatable, Sendable {
    public var text: String
    public var role: SpanRole
    /// A marker that only plain mode needs (e.g. the `[` `]` around a window cell): with colours it is
    /// drawn as spaces of the same width, so both modes line up the same way.
    public var plainOnly: Bool

    public init(_ text: String, _ role: SpanRole = .plain, plainOnly: Bool = false) {
        self.text = text; self.role = role; self.plainOnly = plainOnly
    }

    /// Terminal columns the span takes (every character convtrace draws is one column wide).
    public var width: Int { text.unicodeScalars.count }
}

/// One line of the screen.
public struct ScreenLine: Equatable, Sendable {
    public var spans: [Span]
    public init(_ spans: [Span] = []) { self.spans = spans }
    public init(_ text: String, _ role: SpanRole = .plain) { self.spans = [Span(text, role)] }

    /// Terminal columns the line takes.
    public var width: Int { spans.reduce(0) { $0 + $1.width } }

    /// The line's text without any styling.
    public var text: String { spans.map(\.text).joined() }

    public mutating func append(_ text: String, _ role: SpanRole = .plain, plainOnly: Bool = false) {
        spans.append(Span(text, role, plainOnly: plainOnly))
    }
    public mutating func append(contentsOf other: ScreenLine) { spans.append(contentsOf: other.spans) }

    /// The line cut to `columns` columns, the last kept column replaced by `…` when anything was cut.
    public func clipped(to columns: Int) -> ScreenLine {
        guard width > columns else { return self }
        guard columns > 0 else { return ScreenLine() }
        var out = ScreenLine()
        var room = columns - 1
        for span in spans where room > 0 {
            if span.width <= room { out.spans.append(span); room -= span.width; continue }
            let kept = String(String.UnicodeScalarView(span.text.unicodeScalars.prefix(room)))
            out.spans.append(Span(kept, span.role, plainOnly: span.plainOnly))
            room = 0
        }
        out.append("…", .clip)
        return out
    }
}

/// How text is written: with colours (ANSI SGR) or as plain text.
public enum ColorMode: Sendable, Equatable {
    case plain, ansi

    /// The colour convention: `NO_COLOR` (any non-empty value), `--no-color`, `TERM=dumb`, and
    /// output that is not a terminal all mean plain.
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - noColorFlag: `--no-color` or `--plain` was given.
    ///   - isTerminal: stdout is a terminal.
    public static func detect(environment: [String: String], noColorFlag: Bool, isTerminal: Bool) -> ColorMode {
        if noColorFlag || !isTerminal { return .plain }
        if let v = environment["NO_COLOR"], !v.isEmpty { return .plain }
        if let term = environment["TERM"], term == "dumb" { return .plain }
        return .ansi
    }
}

/// A whole screen: the lines a frame draws to.
public struct Screen: Equatable, Sendable {
    public var lines: [ScreenLine]
    public init(lines: [ScreenLine] = []) { self.lines = lines }

    /// The screen as text: lines joined by `\n` (no trailing newline), with SGR escapes in `.ansi`;
    /// plain lines lose their trailing spaces.
    public func render(_ mode: ColorMode) -> String {
        lines.map { line in
            var text = Self.render(line: line, mode)
            if mode == .plain { while text.last == " " { text.removeLast() } }
            return text
        }.joined(separator: "\n")
    }

    /// One line as text.
    public static func render(line: ScreenLine, _ mode: ColorMode) -> String {
        var out = ""
        for span in line.spans {
            switch mode {
            case .plain:
                out += span.text
            case .ansi:
                let text = span.plainOnly ? String(repeating: " ", count: span.width) : span.text
                if let sgr = sgr(span.role) { out += "\u{1B}[\(sgr)m" + text + "\u{1B}[0m" } else { out += text }
            }
        }
        return out
    }

    /// The SGR parameters of a role: a colour-blind-safe palette (Okabe–Ito hues on the 256-colour cube).
    static func sgr(_ role: SpanRole) -> String? {
        switch role {
        case .plain: nil
        case .heading: "1"
        case .dim, .help, .status: "2"
        case .label: "1;38;5;244"
        case .input: nil
        case .padding: "38;5;244"
        case .kernel: "38;5;208"            // orange
        case .output: "38;5;75"             // sky blue
        case .gradient: "38;5;170"          // reddish purple
        case .window: "1;30;48;5;222"       // black on light orange
        case .cell: "1;30;48;5;117"         // black on light sky blue
        case .current: "1;30;48;5;214"      // black on orange
        case .selected: "1;30;48;5;79"      // black on bluish green
        case .source: "4;38;5;244"          // underlined grey
        case .contributor: "4;38;5;170"     // underlined reddish purple
        case .equation: "1"
        case .sum: "1;38;5;75"
        case .clip: "2"
        }
    }

    /// The escapes that repaint the whole terminal with this screen, each line cut to `columns` and
    /// at most `rows` lines, without ever scrolling.
    public func repaint(columns: Int, rows: Int, mode: ColorMode) -> String {
        var out = "\u{1B}[H"
        let shown = lines.prefix(max(0, rows))
        for (i, line) in shown.enumerated() {
            out += Self.render(line: line.clipped(to: max(1, columns)), mode)
            out += "\u{1B}[0m\u{1B}[K"
            if i < shown.count - 1 { out += "\r\n" }
        }
        out += "\u{1B}[J"
        return out
    }
}
