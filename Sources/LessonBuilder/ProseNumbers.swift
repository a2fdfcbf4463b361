// LessonBuilder — the numbers a lesson's prose types in by hand, each checked against the engine's run
// of the block beside it (the rule is docs/lesson-prose.md).
import Engine
import Foundation
import Storyboard

/// Finds the numbers in a lesson's prose that nothing the engine computed backs.
///
/// A number in the text between two blocks is *backed* when it is an engine value of a neighbouring block
/// (the block just above or just below the text, a `<!-- convtrace -->` comment claim included): a number
/// of its spec, an operand or result tensor (entries and shape), a layer's stride, padding, dilation or
/// window, or — when the block is traced — a product or running sum of one of its trace events. Numbers that
/// are notation, not arithmetic, are skipped first: `{{KEY}}` substitutions (they are the engine's), fenced
/// code, HTML comments and tags, link targets, a heading's lesson number, list markers, lesson references
/// (`lesson 3`, `lessons 2, 3 and 8`), indices after a name (`x[1][0]`, `y[0,4]`), subscripts and
/// superscripts (`r_{l-1}`, `H_out`), and digits glued to letters (`conv2d`, `2p`, `CS231n`).
///
/// Equations written with numbers must hold, and so must equations naming tensor cells (`x[1][1] = 5`), each
/// cell read from a neighbouring block's run.
///
/// Matching: an integer must equal a value (within 1e-9 relative); a decimal with n digits after the point
/// must equal a value rounded to n digits. Signs are ignored (`8 − 3` writes a minus as an operator).
public enum ProseNumbers {
    /// One number no neighbouring block backs.
    public struct Finding: Equatable, Sendable, CustomStringConvertible {
        /// The lesson file.
        public var file: String
        /// 1-based line of the number in the file.
        public var line: Int
        /// The number as written.
        public var number: String
        /// The line it is on, trimmed.
        public var context: String
        /// Set when the number is the side of an equation that does not hold: what the other side gives.
        public var equation: String?

        public var description: String {
            if let equation {
                return "\(file):\(line): `\(number)` is written as equal to \(equation), which it is not; in: \(context)"
            }
            return "\(file):\(line): `\(number)` is typed in the prose but no neighbouring block's run computes it "
                + "(write {{KEY}}, or put a `<!-- convtrace -->` claim beside it); in: \(context)"
        }
    }

    /// A number written in the prose: where, and its value.
    struct Written: Equatable {
        var line: Int
        var text: String
        var value: Double
        var decimals: Int
        var context: String
    }

    /// Every unbacked number of `doc`.
    /// - Parameters:
    ///   - doc: the lesson.
    ///   - outcome: the run of the block with the given index in `doc.blocks`; `traced` asks for its events
    ///     too (only asked for when its untraced values back nothing). Nil when the block cannot be run.
    /// - Throws: what `outcome` throws; `LessonError` for a `{{KEY}}` the block above does not compute.
    public static func unbacked(_ doc: LessonDocument, outcome: (_ block: Int, _ traced: Bool) throws -> BlockOutcome?) throws -> [Finding] {
        var findings: [Finding] = []
        var line = 1
        var blockIndex = 0
        var cache: [Int: (values: [Double], traced: [Double]?)] = [:]
        let blocks = doc.blocks
        func numbers(_ i: Int, traced: Bool) throws -> [Double] {
            guard blocks.indices.contains(i) else { return [] }
            // A block is read once untraced; its events only when its values back nothing.
            if cache[i] == nil {
                let run = try outcome(i, false)
                cache[i] = (values: blockNumbers(blocks[i]) + (run.map(outcomeNumbers) ?? []), traced: nil)
            }
            guard traced else { return cache[i]!.values }
            if cache[i]!.traced == nil {
                let run = try outcome(i, true)
                cache[i]!.traced = (run?.events ?? []).flatMap { [$0.a, $0.b, $0.product, $0.acc] }
            }
            return cache[i]!.values + cache[i]!.traced!
        }
        for segment in doc.segments {
            switch segment {
            case .text(let text):
                let above = blockIndex > 0 ? try outcome(blockIndex - 1, false) : nil
                let substituted = try ProseValues.substitute(text, outcome: above, file: doc.file)
                let checked = equations(in: substituted, firstLine: line, file: doc.file)
                findings += checked.wrong
                let neighbours = try [blockIndex - 1, blockIndex].filter { blocks.indices.contains($0) }
                    .compactMap { i in try outcome(i, false).map { (blocks[i], $0) } }
                let wrongLines = Set(checked.wrong.map(\.line))
                findings += cellEquations(in: substituted, firstLine: line, file: doc.file, blocks: neighbours)
                    .filter { !wrongLines.contains($0.line) }
                let written = self.written(in: text, firstLine: line)
                for number in written {
                    if checked.derived.contains("\(number.line):\(number.text)") { continue }
                    if matches(number, try numbers(blockIndex - 1, traced: false) + numbers(blockIndex, traced: false)) { continue }
                    if matches(number, try numbers(blockIndex - 1, traced: true) + numbers(blockIndex, traced: true)) { continue }
                    findings.append(Finding(file: doc.file, line: number.line, number: number.text, context: number.context))
                }
                line += text.reduce(0) { $1 == "\n" || $1 == "\r\n" ? $0 + 1 : $0 }
            case .block(let block):
                if let comment = block.comment {
                    line = block.line + comment.reduce(0) { $1 == "\n" || $1 == "\r\n" ? $0 + 1 : $0 }
                } else {
                    line = block.line + block.source.split(separator: "\n", omittingEmptySubsequences: false).count + 2
                }
                blockIndex += 1
            }
        }
        return findings
    }

    /// Every unbacked number of `doc`, running its blocks through `evaluator` (untraced first).
    /// - Throws: `LessonError` for a block the engine refuses or a `{{KEY}}` the block above does not compute.
    public static func unbacked(_ doc: LessonDocument, evaluator: any BlockEvaluator) throws -> [Finding] {
        let blocks = doc.blocks
        return try unbacked(doc) { i, traced in
            try evaluator.evaluate(spec: blocks[i].specForEngine, file: doc.file, line: blocks[i].line, traced: traced)
        }
    }

    /// The equations written with numbers in `text` (a built page, say) that do not hold.
    public static func wrongEquations(in text: String, file: String) -> [Finding] {
        equations(in: text, firstLine: 1, file: file).wrong
    }

    /// Whether a value of `pool` backs the written number.
    static func matches(_ n: Written, _ pool: [Double]) -> Bool {
        let target = abs(n.value)
        if n.decimals == 0 {
            return pool.contains { abs(abs($0) - target) <= 1e-9 * max(1, target) }
        }
        let half = 0.5 * pow(10, Double(-n.decimals)) * (1 + 1e-9)
        return pool.contains { abs(abs($0) - target) <= half }
    }

    /// Every number in a block's own text: its spec, recipe arguments and `expect:` values.
    static func blockNumbers(_ block: LessonBlock) -> [Double] {
        scan(block.source).map(\.value)
    }

    /// Every number the engine's run holds, untraced: results and their shapes, the input, each layer's
    /// weights, bias and flags, every activation's shape.
    static func outcomeNumbers(_ outcome: BlockOutcome) -> [Double] {
        var out: [Double] = []
        for tree in outcome.values.values { out += tree.flattened + tree.shape.map(Double.init) }
        out += outcome.input.data + outcome.input.shape.map(Double.init)
        if let given = outcome.problem?.folding.givenInputShape { out += given.map(Double.init) }
        for shape in outcome.activationShapes { out += shape.map(Double.init) }
        if let dY = outcome.problem?.gradOutput { out += dY.data + dY.shape.map(Double.init) }
        for layer in outcome.network.layers {
            switch layer {
            case .conv2d(_, let kernel, let bias), .convTranspose2d(_, let kernel, let bias), .linear(let kernel, let bias):
                out += kernel.data + kernel.shape.map(Double.init) + (bias?.data ?? [])
            default:
                break
            }
            out += scan(LessonViews.flagsText(layer)).map(\.value)
        }
        return out
    }

    // MARK: - Reading the prose

    /// The numbers of a text segment that count (notation removed first), with their lines.
    static func written(in text: String, firstLine: Int) -> [Written] {
        var out: [Written] = []
        var fence: Character?
        var inComment = false
        let split = { (t: String) in t.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) }
        let originals = split(text)
        for (offset, raw) in split(quotesBlanked(text)).enumerated() {
            var line = String(raw)
            let trimmed = originals[offset].trimmingCharacters(in: .whitespaces)
            if let f = fence {
                if trimmed.hasPrefix(String(repeating: f, count: 3)) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { fence = trimmed.first; continue }
            if inComment {
                guard let end = line.range(of: "-->") else { continue }
                line = String(line[end.upperBound...])
                inComment = false
            }
            line = line.replacingOccurrences(of: #"<!--.*?-->"#, with: " ", options: .regularExpression)
            if let open = line.range(of: "<!--") {
                line = String(line[..<open.lowerBound])
                inComment = true
            }
            for number in scan(notationRemoved(line)) {
                out.append(Written(line: firstLine + offset, text: number.text, value: number.value,
                                   decimals: number.decimals, context: trimmed))
            }
        }
        return out
    }

    /// `text` with quoted statements (`"…"`, `“…”`) blanked, line breaks kept: the wrong claims that "find
    /// the mistake" exercises quote. A quote may span lines of one text segment.
    static func quotesBlanked(_ text: String) -> String {
        var out = ""
        var open: Character?
        for ch in text {
            if let o = open {
                if (o == "\"" && ch == "\"") || (o == "“" && ch == "”") { open = nil }
                out.append(ch == "\n" || ch == "\r\n" ? ch : " ")
            } else if ch == "\"" || ch == "“" {
                open = ch
                out.append(" ")
            } else {
                out.append(ch)
            }
        }
        return out
    }

    /// The patterns that are notation, not arithmetic, in the order they are removed.
    static let notation: [String] = [
        #"\{\{[^}]*\}\}"#,                                   // {{KEY}}: the engine's value
        #"<[^>]*>"#,                                         // HTML tags (<details>, <img src=…>)
        #"\]\([^)]*\)"#,                                     // link targets
        #"^\s{0,3}#+\s+\d+\."#,                              // a heading's lesson number
        #"^\s*\d+\.\s"#,                                     // an ordered-list marker
        #"\d+°"#,                                            // an angle (a 180° turn)
        #"[Ll]essons?\s+\d+(\s*(,|and|or|–)\s*\d+)*"#,       // lesson references
        #"(?<=[\p{L}\p{N}_\]\)])\[[^\[\]]*\]"#,             // indices after a name: x[1][0], y[0,4]
        #"[_^]\{[^}]*\}"#,                                   // subscripts, superscripts in math
        #"_[\p{L}\p{N}]+"#,                                  // H_out, r_0
    ]

    static func notationRemoved(_ line: String) -> String {
        var s = line
        for pattern in notation {
            // Indices repeat (`x[1][0]`): remove until nothing matches.
            while true {
                let next = s.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
                if next == s { break }
                s = next
            }
        }
        return s
    }

    /// The numbers in `text`: digits with an optional decimal part and exponent, not glued to letters,
    /// digits or `_` on either side.
    static func scan(_ text: String) -> [(text: String, value: Double, decimals: Int)] {
        guard let regex = try? NSRegularExpression(pattern: #"(?<![\p{L}\p{N}_.])\d+(\.\d+)?([eE][-+]?\d+)?(?![\p{L}\p{N}_])"#) else { return [] }
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { match in
            let token = ns.substring(with: match.range)
            guard let value = Double(token) else { return nil }
            let fraction = match.range(at: 1).location == NSNotFound ? 0 : match.range(at: 1).length - 1
            let exponent = match.range(at: 2).location == NSNotFound ? 0 : Int(ns.substring(with: match.range(at: 2)).dropFirst()) ?? 0
            return (token, value, max(0, fraction - exponent))
        }
    }

    // MARK: - Cells named in an equation

    /// The names a lesson gives tensor cells, and the tensor each names in a block's run.
    static let cellNames = ["x", "k", "w", "y", "dY", "dK", "dX", "db", "output", "grad_input", "grad_kernel", "grad_weight", "grad_bias"]

    /// The value of cell `name[indices]` in a block's run (indices at the rank the spec wrote the tensor), or nil
    /// when the block has no such tensor or cell. A network's cells are not looked up (which layer's?).
    static func cell(_ name: String, _ indices: [Int], block: LessonBlock, outcome: BlockOutcome) -> Double? {
        guard outcome.problem?.op != "network", outcome.network.layers.count == 1, let layer = outcome.network.layers.first else { return nil }
        let given = outcome.problem?.givenInputRank ?? 4
        let outputRank = outcome.values["output"]?.shape.count ?? 4
        var tree: NumberTree?
        var weights: Tensor?
        switch layer {
        case .conv2d(_, let kernel, _), .convTranspose2d(_, let kernel, _): weights = kernel
        default: break
        }
        let renamed: [String: String] = [block.inputName, block.kernelName, block.outputName].enumerated()
            .reduce(into: [:]) { map, item in if let n = item.element { map[n] = ["x", "k", "y"][item.offset] } }
        switch renamed[name] ?? name {
        case "x": tree = LessonViews.folded(outcome.input, rank: given)
        case "k", "w": tree = weights.map { LessonViews.folded($0, rank: LessonViews.foldedRank($0, given: given)) }
        case "y", "output": tree = outcome.values["output"]
        case "dY": tree = outcome.problem?.gradOutput.map { LessonViews.folded($0, rank: outputRank) }
        case "dK", "grad_kernel", "grad_weight": tree = outcome.values["grad_kernel"] ?? outcome.values["grad_weight"]
        case "dX", "grad_input": tree = outcome.values["grad_input"]
        case "db", "grad_bias": tree = outcome.values["grad_bias"]
        default: tree = nil
        }
        guard case .scalar(let v)? = tree?.at(indices) else { return nil }
        return v
    }

    /// Equations that name tensor cells (`x[0][0] + x[0][2] = 1 + 3`, `dK[1][1] = 1·5 = 5`): each cell is read
    /// from a neighbouring block's run and the equation must then hold, for one of the blocks that has every
    /// cell the line names. A line whose cells no neighbouring block has is not checked.
    static func cellEquations(in text: String, firstLine: Int, file: String, blocks: [(LessonBlock, BlockOutcome)]) -> [Finding] {
        let names = cellNames.sorted { $0.count > $1.count }.joined(separator: "|")
        guard let regex = try? NSRegularExpression(pattern: #"(?<![\p{L}\p{N}_])("# + names + #")((?:\[\d+(?:,\s*\d+)*\])+)"#) else { return [] }
        var out: [Finding] = []
        var fence = false
        let split = { (t: String) in t.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) }
        let originals = split(text)
        for (offset, raw) in split(quotesBlanked(text)).enumerated() {
            let trimmed = originals[offset].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { fence.toggle(); continue }
            guard !fence, raw.contains("=") || raw.contains("≈") else { continue }
            let line = String(raw)
            let ns = line as NSString
            let matches = regex.matches(in: line, range: NSRange(location: 0, length: ns.length))
            guard !matches.isEmpty else { continue }
            var verdicts: [[Finding]] = []
            for (block, outcome) in blocks {
                var substituted = line
                var complete = true
                for match in matches.reversed() {
                    let name = ns.substring(with: match.range(at: 1))
                    let indices = ns.substring(with: match.range(at: 2)).split(whereSeparator: { "[], ".contains($0) }).compactMap { Int($0) }
                    guard let v = cell(name, indices, block: block, outcome: outcome) else { complete = false; break }
                    let text = ValueFormat.significant(v, digits: 15)
                    guard let range = Range(match.range, in: substituted) else { complete = false; break }
                    substituted.replaceSubrange(range, with: v < 0 ? "(\(text))" : text)
                }
                guard complete else { continue }
                verdicts.append(equations(in: substituted, firstLine: firstLine + offset, file: file).wrong.map {
                    var f = $0
                    f.context = trimmed
                    return f
                })
            }
            if !verdicts.isEmpty, verdicts.allSatisfy({ !$0.isEmpty }) { out += verdicts[0] }
        }
        return out
    }

    // MARK: - Equations

    /// Equations written with numbers only (`1·2 + 2·3 = 8`, `⌊(6 + 2·1 − 3) / 2⌋ + 1 = 3`, `a ≈ b`) that do
    /// not hold: `/` is true division, `⌊⌋` and `⌈⌉` round, `·`, `×` multiply. A chain `a = b = c` checks each
    /// neighbouring pair. Text that is not such an equation (a name, a comma, two numbers in a row) is skipped.
    /// - Returns: the equations that do not hold, and the numbers (line, as written) that stand alone on a
    ///   side of a chain that holds — derived from the other sides, so checked by the arithmetic.
    static func equations(in text: String, firstLine: Int, file: String) -> (wrong: [Finding], derived: Set<String>) {
        var out: [Finding] = []
        var derived: Set<String> = []
        let split = { (t: String) in t.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) }
        let lines = split(quotesBlanked(text)), originals = split(text)
        guard let run = try? NSRegularExpression(pattern: #"[0-9.\s+\-−·×*/()⌊⌋⌈⌉=≈]+"#) else { return ([], []) }
        var fence = false
        for (offset, raw) in lines.enumerated() {
            let trimmed = originals[offset].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { fence.toggle(); continue }
            if fence { continue }
            let line = notationRemoved(String(raw))
            let ns = line as NSString
            for match in run.matches(in: line, range: NSRange(location: 0, length: ns.length)) {
                let chain = ns.substring(with: match.range)
                guard chain.contains(where: { $0 == "=" || $0 == "≈" }) else { continue }
                let split = chain.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "=" || $0 == "≈" })
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                var sides = split
                // A side cut off by a name (`F − 1 = 2`, `= 3 + x`) is not a whole expression: leave it out.
                let before = ns.substring(to: match.range.location).last(where: { !$0.isWhitespace })
                let after = ns.substring(from: match.range.location + match.range.length).first
                let glued: (Character?) -> Bool = { c in c.map { $0.isLetter || $0.isNumber || "]′'_}[".contains($0) } ?? false }
                if glued(before) { sides[0] = "" }
                if glued(after) { sides[sides.count - 1] = "" }
                var values: [(text: String, value: Double, decimals: Int)?] = sides.map { side -> (text: String, value: Double, decimals: Int)? in
                    guard !side.isEmpty, var parser = Arithmetic(side), let v = parser.parse() else { return nil }
                    return (text: side, value: v, decimals: scan(side).map(\.decimals).max() ?? 0)
                }
                if values.count < 2 { values = [] }
                var holds = values.compactMap { $0 }.count >= 2
                for i in values.indices.dropLast() {
                    guard let a = values[i], let b = values[i + 1] else { continue }
                    let decimals = max(a.decimals, b.decimals)
                    let scale = max(1, abs(a.value), abs(b.value))
                    let tolerance = 1e-9 * scale + (decimals > 0 ? 0.5 * pow(10, Double(-decimals)) * scale : 0)
                    if abs(a.value - b.value) > tolerance {
                        holds = false
                        out.append(Finding(file: file, line: firstLine + offset, number: b.text, context: trimmed,
                                           equation: "\(a.text) = \(ValueFormat.significant(a.value, digits: 10))"))
                    }
                }
                if holds {
                    for case let side? in values where scan(side.text).count == 1 && Double(side.text) != nil {
                        derived.insert("\(firstLine + offset):\(side.text)")
                    }
                }
            }
        }
        return (out, derived)
    }
}

/// A tiny parser for the arithmetic a lesson writes: numbers, `+ − · × * /`, parentheses, `⌊⌋`, `⌈⌉`.
struct Arithmetic {
    var chars: [Character]
    var i = 0

    init?(_ text: String) {
        chars = Array(text.filter { !$0.isWhitespace })
        if chars.isEmpty { return nil }
    }

    /// The value, or nil when the text is not one whole expression.
    mutating func parse() -> Double? {
        guard let v = expression(), i == chars.count else { return nil }
        return v
    }

    mutating func expression() -> Double? {
        guard var v = term() else { return nil }
        while i < chars.count, "+-−".contains(chars[i]) {
            let op = chars[i]; i += 1
            guard let r = term() else { return nil }
            v = op == "+" ? v + r : v - r
        }
        return v
    }

    mutating func term() -> Double? {
        guard var v = unary() else { return nil }
        while i < chars.count, "·×*/".contains(chars[i]) {
            let op = chars[i]; i += 1
            guard let r = unary() else { return nil }
            v = op == "/" ? v / r : v * r
        }
        return v
    }

    mutating func unary() -> Double? {
        guard i < chars.count else { return nil }
        if "-−".contains(chars[i]) { i += 1; return unary().map { -$0 } }
        return primary()
    }

    mutating func primary() -> Double? {
        guard i < chars.count else { return nil }
        let closing: [Character: Character] = ["(": ")", "⌊": "⌋", "⌈": "⌉"]
        if let close = closing[chars[i]] {
            let open = chars[i]; i += 1
            guard let v = expression(), i < chars.count, chars[i] == close else { return nil }
            i += 1
            return open == "⌊" ? v.rounded(.down) : open == "⌈" ? v.rounded(.up) : v
        }
        let start = i
        while i < chars.count, chars[i].isNumber || chars[i] == "." { i += 1 }
        guard i > start else { return nil }
        return Double(String(chars[start..<i]))
    }
}
