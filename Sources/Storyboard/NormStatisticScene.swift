// Storyboard — batch-norm statistics: one channel's mean or variance term by term, and the running update.
import Engine

/// Frames for the `norm` events that are not a cell of the output: the terms of a channel's batch mean
/// μ = Σ x·(1/M) or biased variance σ² = Σ (x − μ)·(x − μ)/M, drawn over the channel's input plane, and
/// the running-statistics update running = (1 − momentum)·running + momentum·batch.
enum NormStatisticScene {
    static let batchNorm = SceneKind(rawValue: "batch_norm")

    static func frame(_ ctx: SceneContext, group: [TraceEvent], current: Int?, state: TraceState) -> Frame? {
        guard let e0 = group.first, let part = NormPart(rawValue: e0.kernel.c) else { return nil }
        let l = e0.layer
        let channel = Int(e0.kernel.n)
        let curIndex = current ?? group.count - 1
        let ce = group[curIndex]
        let finished = current == nil || curIndex == group.count - 1
        let res = group.last?.acc ?? 0
        if part == .runningMean || part == .runningVar {
            let symbol = part == .runningMean ? "running_mean[\(channel)]" : "running_var[\(channel)]"
            let batch = part == .runningMean ? "μ[\(channel)]" : "σ²·M/(M−1)[\(channel)]"
            let keep = ce.acc - ce.product
            let momentum = ce.b == 0 ? 0 : ce.product / ce.b
            let terms = [
                Term(operands: [Operand(label: "(1 − momentum)", value: 1 - momentum, text: ctx.text(1 - momentum)),
                                Operand(label: "old", value: ce.a, text: ctx.text(ce.a))],
                     product: keep, productText: ctx.text(keep), state: .done, traceStep: ce.step),
                Term(operands: [Operand(label: "momentum", value: momentum, text: ctx.text(momentum)),
                                Operand(label: batch, value: ce.b, text: ctx.text(ce.b))],
                     product: ce.product, productText: ctx.text(ce.product), state: .done, traceStep: ce.step),
            ]
            let eq = Equation(target: Operand(label: symbol, value: ce.acc, text: ctx.text(ce.acc)), combine: .sum,
                              terms: terms, result: ce.acc, resultText: ctx.text(ce.acc))
            let caption = part == .runningMean
                ? "The running mean moves toward the batch mean by the momentum."
                : "The running variance moves toward the batch variance, taken unbiased (× M/(M−1)) as PyTorch does."
            return Frame(scene: batchNorm, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                         title: "batch_norm2d · \(part.name) · channel \(channel)", caption: caption, grids: [],
                         written: nil, equation: eq, runningSum: nil, legend: [])
        }
        let inT = l < state.activations.count ? state.activations[l] : state.activations[state.activations.count - 1]
        let m = group.count
        var views: [Int: TensorView] = [:]
        var terms: [Term] = []
        for (gi, e) in group.enumerated() {
            let st: TermState = current == nil ? .done : (gi < curIndex ? .done : (gi == curIndex ? .current : .pending))
            let n = Int(e.input.n)
            if views[n] == nil {
                views[n] = ctx.view(inT, n: n, c: channel, id: GridID(rawValue: "input_\(n)"), role: .input,
                                    title: inT.n > 1 ? "input X, sample \(n)" : "input X", symbol: "x",
                                    position: GridPosition(row: 0, column: n), constant: true)
            }
            if let loc = views[n]?.locate(e.input) {
                views[n]?.grid.mark(loc.0, loc.1, st == .current ? [.window, .current] : .window)
            }
            // Shown as (Σ x)/M and (Σ (x − μ)²)/M: the trace's terms carry the 1/M inside (b), which
            // a rounded 1/M would misrepresent in the picture.
            let x = ctx.label("x", e.input, shape: inT.shape)
            let (operands, product): ([Operand], Double) = part == .mean
                ? ([Operand(label: x, value: e.a, text: ctx.text(e.a))], e.a)
                : ([Operand(label: "(\(x) − μ)²", value: e.a * e.a, text: Operand.wrapped(ctx.text(e.a)) + "²")], e.a * e.a)
            terms.append(Term(operands: operands, product: product, productText: ctx.text(product), state: st,
                              traceStep: e.step))
        }
        let symbol = part == .mean ? "μ[\(channel)]" : "σ²[\(channel)]"
        let eq = Equation(target: Operand(label: symbol, value: finished ? res : ce.acc, text: finished ? ctx.text(res) : ""),
                          combine: .mean, terms: terms, divisor: Double(m), result: finished ? res : nil,
                          resultText: finished ? ctx.text(res) : "")
        var running: RunningSum?
        if current != nil {  // in units of the sum before the division by M
            let before = terms.prefix(curIndex).reduce(0) { $0 + $1.product }, term = terms[curIndex].product
            running = RunningSum(before: before, term: term, after: before + term, beforeText: ctx.text(before),
                                 termText: ctx.text(term), afterText: ctx.text(before + term),
                                 termsDone: curIndex + 1, termsTotal: m)
        }
        let caption = part == .mean
            ? "The batch mean of channel \(channel): every one of its M = \(m) values (all samples, all positions) over M."
            : "The batch variance of channel \(channel): the mean squared distance from μ (divided by M = \(m), not M − 1)."
        return Frame(scene: batchNorm, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                     title: "batch_norm2d · \(part.name) · channel \(channel)", caption: caption,
                     grids: views.keys.sorted().compactMap { views[$0]?.grid }, written: nil, equation: eq,
                     runningSum: running, legend: [LegendEntry(swatch: .window, label: "cells read")])
    }
}
