// LessonBuilder — the `operands` view: what a block computed with (input, kernel or weights, bias, dY, the
// flags that matter), as small grids, so a checked result never stands alone.
import Engine
import Foundation

extension LessonViews {
    /// The operands of the block's first layer as small Markdown grids, then one line of the flags that
    /// decide the arithmetic (cross-correlation or true convolution, stride, padding, dilation; pool window).
    ///
    /// Tensors are printed at the rank the spec wrote them: the input as given (a signal as a list, a
    /// one-channel image as one grid), a single kernel without its filter and channel axes.
    public static func operands(_ block: LessonBlock, outcome: BlockOutcome) -> String {
        let name = block.inputName ?? "x"
        var out = "**operands**\n\n"
        var items: [String] = []
        let given = outcome.problem?.givenInputRank ?? 4
        items.append("input `\(name)` " + grid(folded(outcome.input, rank: given)))
        guard let layer = outcome.network.layers.first else { return out + items.joined() }
        switch layer {
        case .conv2d(_, let kernel, let bias):
            items.append("kernel `\(block.kernelName ?? "k")` " + grid(folded(kernel, rank: foldedRank(kernel, given: given))))
            if let bias { items.append("bias `b` " + grid(NumberTree(Tensor(shape: [bias.count], data: bias.data)))) }
        case .convTranspose2d(_, let weight, let bias):
            items.append("weight `w` " + grid(folded(weight, rank: foldedRank(weight, given: given))))
            if let bias { items.append("bias `b` " + grid(NumberTree(Tensor(shape: [bias.count], data: bias.data)))) }
        case .linear(let weight, let bias):
            items.append("weight `W` " + grid(NumberTree(weight)))
            if let bias { items.append("bias `b` " + grid(NumberTree(Tensor(shape: [bias.count], data: bias.data)))) }
        default:
            break
        }
        if let dY = outcome.problem?.gradOutput {
            let rank = outcome.values["output"]?.shape.count ?? 4
            items.append("upstream gradient `dY` " + grid(folded(dY, rank: rank)))
        }
        out += items.joined()
        let flags = flagsText(layer, oneD: outcome.problem?.folding.oneD ?? false)
        if !flags.isEmpty { out += "Flags: " + flags + ".\n\n" }
        return out
    }

    /// The operands of a single op (`operands`), or for a network its input shape and layers (`layerList`).
    public static func operandsOrLayers(_ block: LessonBlock, outcome: BlockOutcome) -> String {
        outcome.problem?.op == "network" || outcome.network.layers.count != 1 ? layerList(outcome) : operands(block, outcome: outcome)
    }

    /// What a block computes, in words: "cross-correlation", "true convolution", else the op's name.
    static func kindWords(_ outcome: BlockOutcome) -> String {
        let op = outcome.problem?.op ?? "spec"
        if op != "network", case .conv2d(let p, _, _)? = outcome.network.layers.first {
            return p.flip ? "true convolution" : "cross-correlation"
        }
        return op
    }

    /// "cross-correlation (no flip), stride 2, padding 1, dilation 1" style words for a layer.
    /// - Parameter oneD: the input is a 1-D signal: only the width's numbers are printed.
    static func flagsText(_ layer: Layer, oneD: Bool = false) -> String {
        func pair(_ p: Pair) -> String { p.y == p.x || oneD ? "\(p.x)" : "\(p.y)×\(p.x)" }
        func padding(_ p: Padding) -> String {
            if oneD { return p.left == p.right ? "\(p.left)" : "left \(p.left), right \(p.right)" }
            if p.top == p.bottom && p.left == p.right { return p.top == p.left ? "\(p.top)" : "\(p.top)×\(p.left)" }
            return "top \(p.top), bottom \(p.bottom), left \(p.left), right \(p.right)"
        }
        switch layer {
        case .conv2d(let p, _, _):
            let kind = p.flip ? "true convolution (kernel rotated 180°, `flip: true`)" : "cross-correlation (no flip)"
            var s = "\(kind), stride \(pair(p.stride)), padding \(padding(p.padding))"
            if p.paddingMode != .zeros { s += " (\(p.paddingMode.rawValue))" }
            return s + ", dilation \(pair(p.dilation))"
        case .convTranspose2d(let p, _, _):
            return "transposed convolution, stride \(pair(p.stride)), padding \(pair(p.padding)), "
                + "output padding \(pair(p.outputPadding)), dilation \(pair(p.dilation))"
        case .maxPool2d(let p), .avgPool2d(let p):
            var s = "window \(p.kernelSize.y)×\(p.kernelSize.x), stride \(pair(p.stride)), padding \(pair(p.padding))"
            if p.ceilMode { s += ", ceil_mode" }
            return s
        default:
            return ""
        }
    }

    /// Rank to print a kernel at: without the filter and channel axes when both are 1, and as a list when
    /// the input was a signal.
    static func foldedRank(_ kernel: Tensor, given: Int) -> Int {
        guard kernel.shape.count == 4 else { return kernel.shape.count }
        if kernel.shape[0] != 1 { return 4 }
        if kernel.shape[1] != 1 { return 3 }
        return given == 1 && kernel.shape[2] == 1 ? 1 : 2
    }

    /// The tensor with leading axes of extent 1 dropped down to `rank` (never dropping an axis above 1).
    static func folded(_ t: Tensor, rank: Int) -> NumberTree {
        var shape = t.shape
        while shape.count > max(1, rank), shape.first == 1 { shape.removeFirst() }
        return NumberTree(Tensor(shape: shape, data: t.data))
    }
}

extension LessonViews {
    /// A block that only checks: its operands (a single op on tensors), then each checked value labelled with
    /// what it is, e.g. `> Checked with convtrace (conv2d, cross-correlation): the input gradient dX, …`.
    ///   - operands: print the operands first (a block that shows no views); else only the line.
    static func checkedLine(_ block: LessonBlock, outcome: BlockOutcome, checks: [ClaimCheck], operands withOperands: Bool) -> String {
        let op = outcome.problem?.op ?? "spec"
        let tensorClaims = checks.allSatisfy { ["output", "grad_input", "grad_kernel", "grad_weight", "grad_bias"].contains($0.claim.quantity) }
        var s = ""
        var kind = "`\(op)`"
        if op != "network", case .conv2d(let p, _, _)? = outcome.network.layers.first {
            kind += p.flip ? ", true convolution" : ", cross-correlation"
        }
        if op != "network", tensorClaims, outcome.network.layers.first != nil {
            if withOperands { s += operands(block, outcome: outcome) }
        } else if withOperands {
            s += layerList(outcome)
        }
        s += "> Checked with convtrace (\(kind)): "
            + checks.map { check in
                let renamed = check.claim.quantity == "output" ? block.outputName.map { "the output, here \($0), " } : nil
                var words = renamed ?? meaning(check.claim.quantity)
                // A network's layer says which layer it is: "layer 1 (relu): the output y, ".
                if check.claim.quantity.hasPrefix("layer"), let dot = check.claim.quantity.firstIndex(of: "."),
                   let n = Int(check.claim.quantity.dropFirst(5).prefix(upTo: dot)), outcome.network.layers.indices.contains(n) {
                    words = "layer \(n) (\(outcome.network.layers[n].opName)): " + words
                }
                return "\(words)`\(check.claim.key)` = \(check.computedText)"
            }.joined(separator: "; ") + "\n"
        return s
    }

    /// "the input gradient dX, " style words naming a claimed quantity ("" when the key says enough).
    static func meaning(_ quantity: String) -> String {
        switch quantity.split(separator: ".").last.map(String.init) ?? quantity {
        case "output": return "the output y, "
        case "grad_input": return "the input gradient dX, "
        case "grad_kernel": return "the kernel gradient dK, "
        case "grad_weight": return "the weight gradient dW, "
        case "grad_bias": return "the bias gradient db, "
        case "loss": return "the loss L, "
        case "receptive_field": return "the receptive field, "
        case "output_shape": return "the output shape, "
        case "shapes": return "every layer's output shape, "
        case "parameters": return "the parameter count, "
        case "multiply_accumulates": return "the multiply-accumulates of the forward pass, "
        default: return ""
        }
    }
}

extension LessonViews {
    /// One line naming the input shape and every layer with the numbers that set its size, e.g.
    /// `Input 1×10×10; layers: conv2d 3×3 (cross-correlation, stride 1, padding 0, dilation 1) → …`.
    static func layerList(_ outcome: BlockOutcome) -> String {
        let shape = (outcome.problem?.folding.givenInputShape ?? outcome.input.shape).map(String.init).joined(separator: "×")
        let oneD = outcome.problem?.folding.oneD ?? false
        let layers = outcome.network.layers.map { layer -> String in
            let flags = flagsText(layer, oneD: oneD)
            let size = { (k: Tensor) in oneD ? "\(k.shape[3])" : "\(k.shape[2])×\(k.shape[3])" }
            switch layer {
            case .conv2d(let p, let k, _) where k.shape.count == 4 && p.padding == Padding(p.padding.top)
                && p.dilation.y == p.dilation.x && p.paddingMode == .zeros:
                // The kind is said once per line only when it is a true convolution.
                let filters = k.shape[0] > 1 ? ", \(k.shape[0]) filters" : ""
                let kind = p.flip ? "true convolution, " : ""
                return "conv2d \(size(k))\(filters) (\(kind)stride \(p.stride.y == p.stride.x ? "\(p.stride.y)" : "\(p.stride.y)×\(p.stride.x)"), "
                    + "padding \(p.padding.top), dilation \(p.dilation.y)" + (p.groups == 1 ? "" : ", groups \(p.groups)") + ")"
            case .conv2d(let p, let k, _) where k.shape.count == 4:
                return "conv2d \(size(k)) (\(flags)" + (p.groups == 1 ? "" : ", groups \(p.groups)") + ")"
            case .convTranspose2d(_, let k, _) where k.shape.count == 4:
                return "conv_transpose2d \(size(k)) (\(flags))"
            default:
                return flags.isEmpty ? layer.opName : "\(layer.opName) (\(flags))"
            }
        }
        return "Input \(shape); " + (layers.count == 1 ? "layer: " : "layers: ") + layers.joined(separator: " → ") + ".\n\n"
    }
}
