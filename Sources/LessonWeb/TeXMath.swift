// LessonWeb — the TeX the lessons' equations use, typeset as MathML at build time (browsers render MathML natively).

/// Converts the small TeX subset the lessons write — identifiers, numbers, `+ − = ( ) ,`, `_{…}` and `^{…}`,
/// `\cdot`, `\times`, `\star` (⋆), `\ast` (∗), `\frac{…}{…}`, `\partial`, `\sum`, `\quad`, `\qquad`, `\left`/`\right` with `( ) [ ] \lfloor \rfloor
/// \lceil \rceil`, and the spaces `\,` `\;` `\!` — into MathML.
///
/// Anything else is refused with the command named, so a lesson never shows raw or half-typeset TeX.
struct TeXMath {
    let source: String
    private var chars: [Character]
    private var i = 0

    init(_ tex: String) { source = tex; chars = Array(tex) }

    /// `<math display="block">…</math>` for `tex`.
    /// - Throws: `TeXMathError` naming the unsupported command or the unbalanced brace.
    static func mathML(_ tex: String, display: Bool = true) throws -> String {
        var parser = TeXMath(tex)
        let row = try parser.sequence(until: nil)
        return "<math\(display ? " display=\"block\"" : "")><mrow>\(row)</mrow></math>"
    }

    /// Elements up to the closing `until` character (consumed) or the end.
    private mutating func sequence(until end: Character?) throws -> String {
        var out = ""
        while i < chars.count {
            let c = chars[i]
            if c == end { i += 1; return out }
            if c == "}" { throw TeXMathError("unbalanced } at character \(i + 1) of \(source)") }
            if c == " " || c == "\n" || c == "\t" { i += 1; continue }
            if c == "_" || c == "^" {
                i += 1
                let script = try group()
                guard let base = out.lastElementRange else { throw TeXMathError("\(c) with nothing before it in \(source)") }
                let tag = c == "_" ? "msub" : "msup"
                out = String(out[..<base.lowerBound]) + "<\(tag)>" + String(out[base]) + "<mrow>\(script)</mrow></\(tag)>"
                continue
            }
            out += try atom()
        }
        if let end { throw TeXMathError("missing \(end) in \(source)") }
        return out
    }

    /// `{…}` or a single atom.
    private mutating func group() throws -> String {
        guard i < chars.count else { throw TeXMathError("a sub- or superscript or a fraction is missing its argument in \(source)") }
        if chars[i] == "{" { i += 1; return try sequence(until: "}") }
        return try atom()
    }

    /// One number, identifier, operator or command.
    private mutating func atom() throws -> String {
        let c = chars[i]
        if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
            var s = ""
            while i < chars.count, chars[i].isNumber || chars[i] == "." { s.append(chars[i]); i += 1 }
            return "<mn>\(s)</mn>"
        }
        if c.isLetter { i += 1; return "<mi>\(c)</mi>" }
        if c == "{" { i += 1; return "<mrow>" + (try sequence(until: "}")) + "</mrow>" }
        if c == "\\" {
            i += 1
            var name = ""
            while i < chars.count, chars[i].isLetter { name.append(chars[i]); i += 1 }
            if name.isEmpty, i < chars.count, let width = TeXMath.spaces[chars[i]] {
                i += 1
                return "<mspace width=\"\(width)\"></mspace>"
            }
            if let delimiter = TeXMath.delimiters[name] { return "<mo>\(delimiter)</mo>" }
            switch name {
            case "cdot": return "<mo>·</mo>"
            case "times": return "<mo>×</mo>"
            case "partial": return "<mo>∂</mo>"
            case "sum": return "<mo>∑</mo>"
            case "star": return "<mo>⋆</mo>"
            case "ast": return "<mo>∗</mo>"
            case "quad": return "<mspace width=\"1em\"></mspace>"
            case "qquad": return "<mspace width=\"2em\"></mspace>"
            case "left", "right":
                // The delimiter that follows, drawn stretchy to the height of what it encloses.
                while i < chars.count, chars[i] == " " { i += 1 }
                guard i < chars.count else { throw TeXMathError("\\\(name) is missing its delimiter in \(source)") }
                let symbol: String
                if chars[i] == "\\" {
                    i += 1
                    var d = ""
                    while i < chars.count, chars[i].isLetter { d.append(chars[i]); i += 1 }
                    guard let s = TeXMath.delimiters[d] else {
                        throw TeXMathError("\\\(name)\\\(d) is not a delimiter the site typesets (\\lfloor \\rfloor \\lceil \\rceil ( ) [ ]) in \(source)")
                    }
                    symbol = s
                } else if "()[].".contains(chars[i]) {
                    symbol = chars[i] == "." ? "" : String(chars[i]); i += 1
                } else {
                    throw TeXMathError("\\\(name)\(chars[i]) is not a delimiter the site typesets in \(source)")
                }
                return symbol.isEmpty ? "" : "<mo stretchy=\"true\">\(symbol)</mo>"
            case "frac":
                let num = try group(), den = try group()
                return "<mfrac><mrow>\(num)</mrow><mrow>\(den)</mrow></mfrac>"
            case "sqrt":
                return "<msqrt><mrow>" + (try group()) + "</mrow></msqrt>"
            case "hat":
                return "<mover accent=\"true\"><mrow>" + (try group()) + "</mrow><mo>^</mo></mover>"
            case "leftarrow":
                return "<mo>←</mo>"
            default:
                throw TeXMathError("\\\(name) is not supported (the site typesets \\cdot, \\times, \\star, \\ast, \\frac, \\sqrt, \\hat, \\leftarrow, \\partial, \\sum, \\quad, \\qquad, \\left, \\right, \\lfloor, \\rfloor, \\lceil, \\rceil, \\, _ and ^) in \(source)")
            }
        }
        let operators: [Character: String] = [
            "+": "+", "-": "−", "−": "−", "=": "=", "(": "(", ")": ")", "[": "[", "]": "]", ",": ",", "/": "/",
            "<": "&lt;", ">": "&gt;", "·": "·", "←": "←", ":": ":",
        ]
        if let op = operators[c] { i += 1; return "<mo>\(op)</mo>" }
        throw TeXMathError("'\(c)' is not supported in \(source)")
    }
}

extension TeXMath {
    /// Floor and ceiling brackets by their TeX names.
    static let delimiters: [String: String] = ["lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉"]
    /// `\,` `\;` `\!`: thin, thick and negative thin space.
    static let spaces: [Character: String] = [",": "0.1667em", ";": "0.2778em", "!": "-0.1667em"]
}

/// Why a formula cannot be typeset.
struct TeXMathError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    /// The range of the last complete element (`<x>…</x>`) at the end of this MathML text.
    fileprivate var lastElementRange: Range<String.Index>? {
        guard hasSuffix(">"), let close = range(of: "</", options: .backwards) else { return nil }
        let name = self[index(close.lowerBound, offsetBy: 2)..<index(before: endIndex)]
        // Find the matching opening tag, counting nested elements of the same name.
        var depth = 0
        var end = close.lowerBound
        while let open = range(of: "<\(name)>", options: .backwards, range: startIndex..<end) {
            let closes = self[open.upperBound..<close.lowerBound].components(separatedBy: "</\(name)>").count - 1
            let opens = self[open.upperBound..<close.lowerBound].components(separatedBy: "<\(name)>").count - 1
            depth = closes - opens
            if depth == 0 { return open.lowerBound..<endIndex }
            end = open.lowerBound
        }
        return nil
    }
}
