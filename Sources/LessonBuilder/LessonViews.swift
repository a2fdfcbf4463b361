// LessonBuilder — the text views of a block (table, equation, shape, trace, spec, result), all generated
// from the engine's results and events: no number here is typed by hand.
import Engine
import Foundation
import Storyboard

/// Generates the Markdown that replaces a block, view by view.
public enum LessonViews {
    /// The cell `table`/`equation` expand: the block's `cell:`, else the network output's first cell.
    static func chosenCell(_ block: LessonBlock, outcome: BlockOutcome) -> String {
        if let cell = block.cell { return cell }
        let shape = outcome.values["output"]?.shape ?? []
        return "output" + shape.map { _ in "[0]" }.joined()
    }

    /// The events that accumulate into `cell` (an `output[...]`, `grad_*[...]` key, optionally `layerN.`).
    static func terms(of cell: String, outcome: BlockOutcome) -> (name: String, layer: Int, events: [TraceEvent])? {
        guard let parsed = Claim.parseKey(cell) else { return nil }
        var quantity = parsed.quantity
        let lastLayer = max(0, outcome.network.layers.count - 1)
        var layer = quantity == "grad_input" ? 0 : lastLayer
        if quantity.hasPrefix("layer"), let dot = quantity.firstIndex(of: ".") {
            layer = Int(quantity[quantity.index(quantity.startIndex, offsetBy: 5)..<dot]) ?? 0
            quantity = String(quantity[quantity.index(after: dot)...])
        }
        // Given indices are the folded (as-written) ones; pad on the left to rank 4.
        var idx = parsed.indices
        if quantity == "grad_bias" {
            let k = idx.last ?? 0
            idx = [k, 0, 0, 0]
        } else {
            while idx.count < 4 { idx.insert(0, at: 0) }
        }
        let target = Index4(idx[0], idx[1], idx[2], idx[3])
        let selected: [TraceEvent]
        switch quantity {
        case "output":
            selected = outcome.events.filter { e in
                e.phase == .forward && e.layer == layer && e.output == target
                    && (e.kind == .mac || e.kind == .bias || e.kind == .pool || e.kind == .output || e.kind == .activation
                        || (e.kind == .add && e.kernel.c == AddPart.join.rawValue))
            }
        case "grad_input" where layer < outcome.network.layers.count && outcome.network.layers[layer].opName == Ops.add.name:
            // A residual join's input gradient as a picture: the sum at the fork (the block input's gradient).
            selected = outcome.events.filter { $0.phase == .backward && $0.layer == layer && $0.kind == .add
                && $0.kernel.c == AddPart.fork.rawValue && $0.input == target }
        case "grad_input":
            selected = outcome.events.filter { $0.phase == .backward && $0.layer == layer && $0.kind == .grad && $0.target == .input && $0.input == target }
        case "grad_kernel", "grad_weight":
            selected = outcome.events.filter { $0.phase == .backward && $0.layer == layer && $0.kind == .grad && $0.target == .kernel && $0.kernel == target }
        case "grad_bias":
            selected = outcome.events.filter { $0.phase == .backward && $0.layer == layer && $0.kind == .grad && $0.target == .bias && $0.kernel.n == target.n }
        default:
            return nil
        }
        return (cell, layer, selected)
    }

    static func cellText(_ i: Index4, rank: Int = 4) -> String {
        let all = [Int(i.n), Int(i.c), Int(i.h), Int(i.w)]
        return "[" + all.suffix(max(1, min(4, rank))).map(String.init).joined(separator: "][") + "]"
    }

    /// Ranks used to print the input, kernel and output (dY) cells of `layer`: as the spec wrote them —
    /// the input for the first layer, the output for the last (its rank as `eval` reports it) — else 4.
    static func ranks(_ outcome: BlockOutcome, layer: Int) -> (input: Int, kernel: Int, output: Int) {
        guard let problem = outcome.problem, layer < problem.layerInfos.count else { return (4, 4, 4) }
        let input = layer == 0 ? problem.givenInputRank : 4
        let isLast = layer == problem.layerInfos.count - 1
        let output = isLast ? (outcome.values["output"]?.shape.count ?? 4) : 4
        return (input, problem.layerInfos[layer].kernelShape?.count ?? 4, output)
    }

    /// Whether layer `layer` of the block's network is a max or average pool (no weights).
    static func isPoolLayer(_ outcome: BlockOutcome, _ layer: Int) -> Bool {
        guard outcome.network.layers.indices.contains(layer) else { return false }
        switch outcome.network.layers[layer] {
        case .maxPool2d, .avgPool2d, .globalMaxPool, .globalAvgPool: return true
        default: return false
        }
    }

    /// A number as a LaTeX operand: 6 significant digits, negative numbers in parentheses.
    static func latex(_ value: Double) -> String {
        let t = ValueFormat.significant(value, digits: 6)
        return value < 0 ? "(\(t))" : t
    }

    /// A Markdown table of every term of the chosen cell.
    public static func table(_ block: LessonBlock, outcome: BlockOutcome) -> String {
        let cell = chosenCell(block, outcome: outcome)
        guard let (name, layer, events) = terms(of: cell, outcome: outcome), !events.isEmpty else {
            return "_(no trace terms for `\(cell)`)_\n"
        }
        let f = { (v: Double) in ValueFormat.significant(v, digits: 6) }
        let (inRank, kRank, outRank) = ranks(outcome, layer: layer)
        let x = { (i: Index4) in (block.inputName ?? "x") + cellText(i, rank: inRank) }
        let k = { (i: Index4) in (block.kernelName ?? "k") + cellText(i, rank: kRank) }
        let yOut = { (i: Index4) in "dY" + cellText(i, rank: outRank) }
        var rows: [String] = []
        let isGrad = events.first?.kind == .grad
        let isPool = events.contains { $0.kind == .pool }
        if isGrad {
            rows.append("| term | dY cell | dY | × | operand | value | = product | running sum |")
            rows.append("|---:|---|---:|---|---|---:|---:|---:|")
            for (n, e) in events.enumerated() {
                let operandCell: String
                switch e.target {
                case .kernel: operandCell = x(e.input) + (e.flags.contains(.padding) ? " (padding)" : "")
                case .input where isPoolLayer(outcome, layer):
                    // Pooling has no weights: the operand is the window's share (1/N), or 1 for the maximum.
                    operandCell = e.b == 1 ? "1 (the maximum)" : "1/\(f(1 / e.b)) (its share of the window)"
                case .input: operandCell = k(e.kernel)
                default: operandCell = "1"
                }
                rows.append("| \(n + 1) | \(yOut(e.output)) | \(f(e.a)) | × | \(operandCell) | \(f(e.b)) | \(f(e.product)) | \(f(e.acc)) |")
            }
        } else if isPool {
            rows.append("| term | input cell | value | running result | chosen |")
            rows.append("|---:|---|---:|---:|---|")
            var n = 0
            for e in events where e.kind == .pool {
                n += 1
                let mark = e.flags.contains(.selected) ? "new max" : ""
                let pad = e.flags.contains(.padding) ? " (padding)" : ""
                rows.append("| \(n) | \(x(e.input))\(pad) | \(f(e.a)) | \(f(e.acc)) | \(mark) |")
            }
        } else {
            rows.append("| term | input cell | value | × | kernel cell | weight | = product | running sum |")
            rows.append("|---:|---|---:|---|---|---:|---:|---:|")
            var n = 0
            for e in events {
                switch e.kind {
                case .mac:
                    n += 1
                    let pad = e.flags.contains(.padding) ? " (padding)" : ""
                    rows.append("| \(n) | \(x(e.input))\(pad) | \(f(e.a)) | × | \(k(e.kernel)) | \(f(e.b)) | \(f(e.product)) | \(f(e.acc)) |")
                case .bias:
                    n += 1
                    rows.append("| \(n) | bias | | + | b[\(e.kernel.n)] | \(f(e.b)) | \(f(e.product)) | \(f(e.acc)) |")
                case .activation:
                    n += 1
                    rows.append("| \(n) | \(x(e.input)) | \(f(e.a)) | f | | | | \(f(e.acc)) |")
                default:
                    break
                }
            }
        }
        let final = events.last.map { f($0.acc) } ?? ""
        return "Every term of `\(name)`, in the order the engine added them (cells indexed as the spec writes its tensors):\n\n"
            + rows.joined(separator: "\n") + "\n\n`\(name)` = \(final)\n"
    }

    /// The LaTeX sum of the chosen cell with the numbers in, as GitHub renders `$$…$$`.
    public static func equation(_ block: LessonBlock, outcome: BlockOutcome) -> String {
        let cell = chosenCell(block, outcome: outcome)
        guard let (name, _, events) = terms(of: cell, outcome: outcome), let last = events.last else {
            return "_(no trace terms for `\(cell)`)_\n"
        }
        let parsed = Claim.parseKey(cell)
        let base = parsed.map { q -> String in
            let symbol: String
            switch q.quantity.split(separator: ".").last.map(String.init) ?? "" {
            // The glossary's names: dX = ∂L/∂x, dK = ∂L/∂k, db = ∂L/∂b.
            case "grad_input": symbol = "dX"
            case "grad_kernel", "grad_weight": symbol = "dK"
            case "grad_bias": symbol = "db"
            default: symbol = "y"
            }
            return symbol + "_{" + q.indices.map(String.init).joined(separator: ",") + "}"
        } ?? name
        var parts: [String] = []
        let isPool = events.contains { $0.kind == .pool }
        if isPool {
            let values = events.filter { $0.kind == .pool }.map { latex($0.a) }
            let isMax = outcome.network.layers.indices.contains(events[0].layer)
                && { if case .maxPool2d = outcome.network.layers[events[0].layer] { return true } else { return false } }()
            let result = ValueFormat.significant(last.acc, digits: 6)
            if isMax {
                return "$$\n\(base) = \\max(" + values.joined(separator: ", ") + ") = \(result)\n$$\n"
            }
            let divisor = events.last { $0.kind == .output }.map { ValueFormat.significant($0.b, digits: 6) } ?? "?"
            return "$$\n\(base) = \\frac{" + values.joined(separator: " + ") + "}{\(divisor)} = \(result)\n$$\n"
        }
        for e in events {
            switch e.kind {
            case .mac, .grad: parts.append(latex(e.a) + " \\cdot " + latex(e.b))
            case .bias: parts.append(latex(e.b))
            default: break
            }
        }
        if parts.count > 12 {
            parts = Array(parts.prefix(5)) + ["\\cdots"] + Array(parts.suffix(5))
        }
        let sum = parts.isEmpty ? ValueFormat.significant(last.a, digits: 6) : parts.joined(separator: " + ")
        return "$$\n\(base) = \(sum) = \(ValueFormat.significant(last.acc, digits: 6))\n$$\n"
    }

    /// The output-size formula with the numbers in, per spatial layer and axis.
    public static func shape(_ block: LessonBlock, outcome: BlockOutcome) -> String {
        var lines: [String] = []
        let shapes = outcome.activationShapes
        for (i, layer) in outcome.network.layers.enumerated() where i < shapes.count {
            let input = shapes[i]
            guard input.count == 4 else { continue }
            let label = outcome.network.layers.count > 1 ? "layer \(i) (\(layer.opName))" : layer.opName
            // The op's own size formulas (conv, transposed conv, pools); other ops have none.
            guard let sizes = try? layer.descriptor.sizes(layer, input) else { continue }
            let axes = [("height", sizes.height), ("width", sizes.width)]
            // A 1-D signal has a height of 1 throughout: show only the width.
            let oneD = outcome.problem?.folding.oneD ?? false
            for (axis, size) in axes where !(oneD && axis == "height") {
                lines.append("- \(label), \(axis): \(size.description)")
            }
        }
        if lines.isEmpty { return "" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The quantities the `result` view can print.
    static let resultQuantities: Set<String> = ["output", "grad_input", "grad_kernel", "grad_weight", "grad_bias", "loss"]

    /// The computed tensors as Markdown grids: those the block's claims name, else all of them.
    public static func result(_ block: LessonBlock, outcome: BlockOutcome) -> String {
        var out = ""
        let all = ["output", "grad_input", "grad_kernel", "grad_weight", "grad_bias", "loss"]
        let named = all.filter { key in block.claims.contains { $0.quantity == key } }
        for key in named.isEmpty ? all : named {
            guard let value = outcome.values[key] else { continue }
            // Labelled with what it is: "**output** (the output y of the cross-correlation)".
            let words = (key == "output" ? block.outputName.map { "the output, here \($0)" } : nil)
                ?? String(meaning(key).dropLast(2))
            out += "**\(key)** (\(words), \(kindWords(outcome)))" + grid(value)
        }
        return out
    }

    /// A tensor as a small Markdown table per 2-D slice, rows and columns numbered (a scalar or vector inline).
    /// - Parameter path: the indices of the slice this grid is, printed before each 2-D table of a higher rank
    ///   (`[0][1]` is filter 0, channel 1 of a kernel).
    static func grid(_ value: NumberTree, path: String = "") -> String {
        let f = { (v: Double) in ValueFormat.significant(v, digits: 6) }
        switch value.shape.count {
        case 0: return "= " + f(value.flattened.first ?? 0) + "\n\n"
        case 1: return "= `[" + value.flattened.map(f).joined(separator: ", ") + "]`\n\n"
        case 2:
            guard case .list(let rows) = value, let width = rows.first?.shape.first else { return "\n" }
            // Row and column indices as the header and the first column, as in y[i,j].
            var s = "\n\n| |" + (0..<width).map { " \($0) |" }.joined() + "\n|---:|" + String(repeating: "---:|", count: width) + "\n"
            for (i, row) in rows.enumerated() { s += "| **\(i)** | " + row.flattened.map(f).joined(separator: " | ") + " |\n" }
            return s + "\n"
        default:
            guard case .list(let slices) = value else { return "\n" }
            return slices.enumerated().map { slice in
                let here = path + "[\(slice.offset)]"
                return (slice.element.shape.count == 2 ? "\n\n" + here : "") + grid(slice.element, path: here)
            }.joined()
        }
    }
}
