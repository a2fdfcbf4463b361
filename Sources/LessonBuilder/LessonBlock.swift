// LessonBuilder — one ```convtrace block: the spec, what to show, and what the text claims.
import Foundation
import JSONText
import Specs
import Yams

/// A parsed ```convtrace block.
public struct LessonBlock: Sendable {
    /// 1-based line of the opening fence.
    public var line: Int
    /// The block's text between the fences, as written.
    public var source: String
    /// The spec handed to Specs: the block without its lesson keys, tensor generators expanded, as JSON.
    public var specJSON: String
    /// The block text with the lesson keys blanked out (line numbers kept), recipes as written.
    public var specText: String
    /// Whether the spec uses tensor recipes (then Specs gets `specJSON`, else `specText`).
    public var usesRecipes: Bool
    /// What Specs parses: `specText` when it can (so its line numbers match the file), else `specJSON`.
    public var specForEngine: String { usesRecipes ? specJSON : specText }
    public var show: [ShowKind]
    public var claims: [Claim]
    /// Absolute tolerance for claims; nil means 1e-9 relative to the largest magnitude.
    public var tolerance: Double?
    public var title: String?
    public var caption: String?
    /// Where a claims file found the claim (tutorial title and section).
    public var cite: String?
    /// One line: why the claimed number is wrong (claims files only).
    public var why: String?
    /// Which output cell or gradient entry `table`/`equation` expand, e.g. `output[1][2]`.
    public var cell: String?
    /// Which frames `frames` shows (1-based), default the first, middle and last; for `animation`, the
    /// steps the GIF shows (default all), each keeping its number.
    public var frameNumbers: [Int]?
    /// Which quantity the picture views draw (`frames_of:`), e.g. `grad_kernel` or `layer1.grad_input`:
    /// only the frames that write it, so a picture about a backward topic starts at that topic. Nil: every frame.
    public var framesOf: String?
    /// How the picture views draw a transposed convolution (`transposed_view:`): `scatter` (default, each
    /// input cell scatters a scaled kernel) or `direct` (conv_arithmetic's direct convolution over the
    /// zero-inserted, padded input with the kernel rotated 180°).
    public var transposedView: String?
    /// What the `table` view calls the input cells, default `x` (e.g. `dY` when a convolution runs on a gradient).
    public var inputName: String?
    /// What the views call the kernel (default `k`) and the output (default `y`), e.g. `dY` and `dK`.
    public var kernelName: String?
    public var outputName: String?
    /// Claims files: the tutorial's own words at `tutorialLine`, quoted exactly.
    public var quote: String?
    /// Claims files: the 1-based line of the tutorial file that `quote` comes from.
    public var tutorialLine: Int?
    /// Claims files: an assumption the claim makes where the tutorial is ambiguous.
    public var assume: String?
    /// Claims files: set when the tutorial prints a formula, not a number; says where this file evaluates it.
    /// The claimed value is then ours, not the tutorial's.
    public var evaluates: String?
    /// The whole `<!-- convtrace … -->` comment, as written, when the block is a claim hidden in an HTML
    /// comment (it is checked, and a lesson page keeps it as an invisible comment); nil for a fence.
    public var comment: String?
    /// For a block in a Jupyter notebook: the 1-based cell number (`line` is then the line in the cell).
    public var notebookCell: Int?

    /// `FILE:LINE` (or `FILE: cell N, line L` in a notebook) for messages about this block.
    public func place(in file: String) -> String {
        notebookCell.map { "\(file): cell \($0), line \(line)" } ?? "\(file):\(line)"
    }

    /// Keys a block may hold besides the spec.
    public static let lessonKeys: Set<String> = [
        "show", "expect", "tolerance", "title", "caption", "cite", "why", "shape_order", "cell", "frames", "frames_of",
        "input_name", "kernel_name", "output_name", "quote", "tutorial_line", "assume", "evaluates",
        "transposed_view",
    ]

    /// The quantities a picture's frame can write, as `cell:` and `frames_of:` name them.
    public static let pictureQuantities = ["output", "grad_input", "grad_kernel", "grad_weight", "grad_bias"]

    /// Parses the block text found at `line` of `file`.
    /// - Throws: `LessonError` (`.malformed`) naming the line and what is wrong.
    public init(source: String, line: Int, file: String) throws {
        self.line = line
        self.source = source
        func fail(_ message: String, at offset: Int? = nil) -> LessonError {
            LessonError(.malformed, file: file, line: offset.map { line + $0 } ?? line, message)
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: source) else { throw fail("empty convtrace block: expected a spec with an `op:` key") }
            let budget = YAMLExpansion.budget(forTextOfLength: source.utf8.count)
            if YAMLExpansion.exceeds(node, budget: budget) {
                throw fail("convtrace block " + YAMLExpansion.message(budget: budget))
            }
            root = node
        } catch let e as LessonError {
            throw e
        } catch {
            throw fail("convtrace block is not valid YAML: \(error)")
        }
        guard case .mapping(let mapping) = root else {
            throw fail("convtrace block must be a YAML mapping (`op: …`, `input: …`, `expect: …`)")
        }
        var specPairs: [(Node, Node)] = []
        var show: [ShowKind] = []
        var claims: [Claim] = []
        var expectNode: Node?
        var shapeOrder: String?
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw fail("block keys must be strings", at: keyNode.mark?.line) }
            let keyLine = keyNode.mark?.line
            switch key {
            case "show":
                let items: [Node]
                if case .sequence(let seq) = value { items = Array(seq) } else { items = [value] }
                for item in items {
                    guard let name = item.string, let kind = ShowKind(rawValue: name) else {
                        throw fail("show: unknown view `\(item.string ?? "?")`; valid: "
                            + ShowKind.allCases.map(\.rawValue).joined(separator: ", "), at: item.mark?.line ?? keyLine)
                    }
                    show.append(kind)
                }
            case "expect":
                expectNode = value
            case "tolerance":
                guard let t = value.float ?? value.int.map(Double.init), t >= 0, t.isFinite else {
                    throw fail("tolerance: expected a non-negative number, got `\(value.string ?? "?")`", at: keyLine)
                }
                tolerance = t
            case "shape_order":
                guard let s = value.string, !s.isEmpty, s.allSatisfy({ "NCHWF".contains($0) }) else {
                    throw fail("shape_order: expected axis letters from N, C, H, W (e.g. HWC)", at: keyLine)
                }
                shapeOrder = s
            case "frames":
                guard case .sequence(let seq) = value, let numbers = Optional(seq.compactMap(\.int)),
                      numbers.count == seq.count, numbers.allSatisfy({ $0 >= 1 }) else {
                    throw fail("frames: expected a list of 1-based frame numbers", at: keyLine)
                }
                frameNumbers = numbers
            case "frames_of":
                guard let s = value.string, let parsed = Claim.parseKey(s), parsed.indices.isEmpty,
                      LessonBlock.pictureQuantities.contains(parsed.quantity.split(separator: ".").last.map(String.init) ?? "") else {
                    throw fail("frames_of: expected one of " + LessonBlock.pictureQuantities.joined(separator: ", ")
                        + ", optionally after `layerN.` (e.g. `layer1.grad_input`)", at: keyLine)
                }
                framesOf = s
            case "transposed_view":
                guard let s = value.string, ["scatter", "direct"].contains(s) else {
                    throw fail("transposed_view: expected scatter (each input cell scatters the kernel) or direct "
                        + "(a convolution over the zero-inserted, padded input)", at: keyLine)
                }
                transposedView = s
            case "tutorial_line":
                guard let n = value.int, n >= 1 else {
                    throw fail("tutorial_line: expected the 1-based line number of the quoted tutorial text", at: keyLine)
                }
                tutorialLine = n
            case "input_name", "kernel_name", "output_name", "quote", "assume", "evaluates":
                guard let s = value.string, !s.isEmpty else { throw fail("\(key): expected text", at: keyLine) }
                switch key {
                case "input_name": inputName = s
                case "kernel_name": kernelName = s
                case "output_name": outputName = s
                case "quote": quote = s
                case "assume": assume = s
                default: evaluates = s
                }
            case "title", "caption", "cite", "why", "cell":
                guard let s = value.string else { throw fail("\(key): expected text", at: keyLine) }
                switch key {
                case "title": title = s
                case "caption": caption = s
                case "cite": cite = s
                case "why": why = s
                default:
                    guard let parsed = Claim.parseKey(s), LessonBlock.pictureQuantities
                        .contains(parsed.quantity.split(separator: ".").last.map(String.init) ?? "") else {
                        throw fail("cell: expected an entry such as `output[0][1]` or `grad_kernel[0][0]`", at: keyLine)
                    }
                    cell = s
                }
            default:
                specPairs.append((keyNode, value))
            }
        }
        self.show = show
        if let expectNode {
            guard case .mapping(let expectations) = expectNode else {
                throw fail("expect: expected a mapping such as `output: [3, 6, 5]`", at: expectNode.mark?.line)
            }
            for (keyNode, value) in expectations {
                let keyLine = line + (keyNode.mark?.line ?? 0)
                guard let key = keyNode.string, let parsed = Claim.parseKey(key) else {
                    throw fail("expect: unknown key `\(keyNode.string ?? "?")`; valid: "
                        + Claim.quantities.sorted().joined(separator: ", ")
                        + " (optionally `layerN.` before and `[i]` after)", at: keyNode.mark?.line)
                }
                let isShape = parsed.quantity.hasSuffix("output_shape") || parsed.quantity.hasSuffix("shapes")
                if case .scalar(let scalar) = value, scalar.style == .plain, ["", "~", "null"].contains(scalar.string) {
                    var claim = Claim(key: key, quantity: parsed.quantity, indices: parsed.indices, expected: .list([]),
                                      printed: "nothing", shapeOrder: isShape ? shapeOrder : nil, line: keyLine)
                    claim.isMissing = true
                    claims.append(claim)
                    continue
                }
                if isShape, let text = value.string, case .scalar = value, value.int == nil, value.float == nil {
                    let parts = text.split(whereSeparator: { $0 == "x" || $0 == "×" }).map { Int($0.trimmingCharacters(in: .whitespaces)) }
                    guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                        throw fail("expect: \(key): `\(text)` is not a shape like 15x15x2", at: keyNode.mark?.line)
                    }
                    if let order = shapeOrder, order.count != parts.count {
                        throw fail("expect: \(key): shape_order `\(order)` has \(order.count) axes but `\(text)` has \(parts.count)", at: keyNode.mark?.line)
                    }
                    claims.append(Claim(key: key, quantity: parsed.quantity, indices: parsed.indices,
                                        expected: NumberTree(ints: parts.map { $0! }), printed: text,
                                        shapeOrder: shapeOrder, line: keyLine))
                    continue
                }
                guard let tree = LessonBlock.numbers(value) else {
                    throw fail("expect: \(key): expected a number or a nested list of numbers", at: keyNode.mark?.line)
                }
                claims.append(Claim(key: key, quantity: parsed.quantity, indices: parsed.indices, expected: tree,
                                    printed: tree.text, line: keyLine))
            }
        }
        self.claims = claims
        let specNode = Node.mapping(Node.Mapping(specPairs))
        guard specPairs.contains(where: { $0.0.string == "op" }) else {
            throw fail("convtrace block has no `op:` key (e.g. `op: conv2d`)")
        }
        let expanded: Node
        do {
            expanded = try TensorGenerator.expand(specNode)
        } catch let e as TensorGenerator.Failure {
            throw fail(e.message, at: e.line)
        }
        // YAML → JSON by Specs' own scalar rules, so the JSON reads back as the YAML would have.
        let expandedJSON = SpecDocument.json(expanded)
        self.specJSON = expandedJSON.serialized()
        self.usesRecipes = expandedJSON != SpecDocument.json(specNode)
        self.specText = LessonBlock.specLines(source: source)
    }

    /// Every number of a YAML value, nested; nil when something is not a number.
    static func numbers(_ node: Node) -> NumberTree? {
        switch node {
        case .scalar:
            if let i = node.int { return .scalar(Double(i)) }
            if let f = node.float, f.isFinite { return .scalar(f) }
            return nil
        case .sequence(let seq):
            var items: [NumberTree] = []
            for item in seq {
                guard let t = numbers(item) else { return nil }
                items.append(t)
            }
            return .list(items)
        default:
            return nil
        }
    }

    /// The block's lines with top-level lesson keys (and their nested lines) blanked, so line numbers hold.
    static func specLines(source: String) -> String {
        var kept: [Substring] = []
        var skipping = false
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let indented = line.first == " " || line.first == "\t" || line.first == "-"
            if !indented, let colon = line.firstIndex(of: ":") {
                skipping = lessonKeys.contains(String(line[..<colon]).trimmingCharacters(in: .whitespaces))
            } else if !indented, !line.trimmingCharacters(in: .whitespaces).isEmpty {
                skipping = false
            }
            kept.append(skipping ? "" : line)
        }
        return kept.joined(separator: "\n")
    }
}
