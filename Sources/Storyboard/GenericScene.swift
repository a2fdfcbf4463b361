// Storyboard — scenes for the other ops: transposed-conv scatter, activations, linear, softmax, losses.
import Engine

/// A tensor slice drawn as a grid: an H×W plane, or a 1×F row for vectors (N×F×1×1).
struct TensorView {
    var grid: Grid
    /// Grid (row, column) of a tensor index, nil when it is not on this grid.
    let locate: @Sendable (Index4) -> (Int, Int)?
}

extension SceneContext {
    /// Plane (n, c) of `t`, or row n of a vector tensor.
    func view(_ t: KnownTensor, n: Int, c: Int, id: GridID, role: GridRole, title: String, symbol: String,
              position: GridPosition, joiner: String? = nil, constant: Bool = false) -> TensorView {
        if t.h == 1 && t.w == 1 && t.c > 1 {
            var cells: [Cell] = []
            for cc in 0..<t.c {
                let o = t.offset(n, cc, 0, 0)
                if constant || t.state[o] == 2 {
                    cells.append(Cell(value: t.values[o], text: text(t.values[o]), marks: constant ? [] : .done))
                } else if t.state[o] == 1 {
                    cells.append(Cell(value: t.values[o], text: text(t.values[o]), marks: .written))
                } else {
                    cells.append(Cell(value: nil, text: "", marks: .pending))
                }
            }
            let g = Grid(id: id, role: role, title: title, subtitle: t.n > 1 ? "sample \(n)" : "\(t.c) values",
                         symbol: symbol, rows: 1, columns: t.c, cells: cells, slice: TensorSlice(n: n, c: 0),
                         position: position, joiner: joiner)
            return TensorView(grid: g) { i in Int(i.n) == n ? (0, Int(i.c)) : nil }
        }
        let sub = t.c > 1 ? "channel \(c)" : "\(t.h)×\(t.w)"
        let g = constant
            ? constantPlane(t, n: n, c: c, id: id, role: role, title: title, subtitle: sub, symbol: symbol,
                            position: position, joiner: joiner)
            : plane(t, n: n, c: c, id: id, role: role, title: title, subtitle: sub, symbol: symbol,
                    position: position, joiner: joiner)
        return TensorView(grid: g) { i in Int(i.n) == n && Int(i.c) == c ? (Int(i.h), Int(i.w)) : nil }
    }
}

/// Frames for ops without a dedicated scene: one grid per tensor involved, the event's arithmetic.
enum GenericScene {
    static func frame(_ ctx: SceneContext, group: [TraceEvent], current: Int?, state: TraceState) -> Frame? {
        guard let e0 = group.first else { return nil }
        let l = e0.layer
        if l < ctx.geometry.count, case .convTranspose2d(let p, let weight, _) = ctx.geometry[l].layer, e0.kind == .mac {
            return scatter(ctx, p, weight, group, current, state)
        }
        if e0.kind == .norm && e0.kernel.c != NormPart.normalize.rawValue {
            return NormStatisticScene.frame(ctx, group: group, current: current, state: state)
        }
        let isBatchNorm = l < ctx.geometry.count && { if case .batchNorm2d = ctx.geometry[l].layer { true } else { false } }()
        let isDropout = l < ctx.geometry.count && { if case .dropout = ctx.geometry[l].layer { true } else { false } }()
        let opName = l < ctx.geometry.count ? ctx.geometry[l].layer.opName : (ctx.source.network.loss?.opName ?? "loss")
        let inT = l < state.activations.count ? state.activations[l] : state.activations[state.activations.count - 1]
        let steps = group.indices.filter { FrameGrouper.isStep(group[$0]) }
        let curIndex = current ?? steps.last ?? 0
        let ce = group[curIndex]
        var grids: [Grid] = []
        var written: CellRef?
        var terms: [Term] = []
        var title = opName
        var caption = ""
        var scene = SceneKind.generic
        let backward = e0.kind == .grad
        let isLinear = l < ctx.geometry.count && { if case .linear = ctx.geometry[l].layer { true } else { false } }()
        let readIndex: (TraceEvent) -> Index4 = { $0.input }
        // Input (what the op reads).
        var inputView = ctx.view(inT, n: Int(readIndex(ce).n), c: Int(readIndex(ce).c), id: "input", role: .input,
                                 title: l < ctx.geometry.count ? "input x" : "prediction", symbol: "x",
                                 position: GridPosition(row: 0, column: 0), constant: true)
        if backward {
            let dX = e0.target == .input && e0.layer < state.gradInput.count ? state.gradInput[e0.layer] : nil
            let dY = l < ctx.geometry.count ? state.gradOutput(of: l) : nil
            var dYView = dY.map {
                ctx.view($0, n: Int(ce.output.n), c: Int(ce.output.c), id: "grad_output", role: .gradOutput,
                         title: "dY (gradient of y)", symbol: "dY", position: GridPosition(row: 0, column: 1), constant: true)
            }
            for (gi, e) in group.enumerated() {
                let st: TermState = current == nil ? .done : (gi < curIndex ? .done : (gi == curIndex ? .current : .pending))
                if let loc = dYView?.locate(e.output) { dYView?.grid.mark(loc.0, loc.1, st == .current ? [.contributor, .current] : .contributor) }
                if let loc = inputView.locate(readIndex(e)) { inputView.grid.mark(loc.0, loc.1, .window) }
                // What multiplies dY: the input value for a weight gradient, the weight for a linear
                // layer's input gradient, the local derivative f′(x) for an activation or a loss.
                let factor: String
                switch e.target {
                case .kernel where isBatchNorm: factor = ctx.label("x̂", readIndex(e), shape: inT.shape)
                case .kernel: factor = ctx.label("x", readIndex(e), shape: inT.shape)
                case .input where isLinear: factor = "w[\(e.kernel.n),\(e.kernel.c)]"
                case .input where isBatchNorm:
                    factor = ["γ/σ", "−γ/(σ·M)", "−γ·Σ(dY·x̂)/(σ·M)"][max(0, min(2, Int(e.kernel.c) - 1))]
                case .input where isDropout: factor = e.flags.contains(.selected) ? "1/(1−p)" : "0 (dropped)"
                default: factor = "∂"
                }
                // Batch norm's dX terms 2 and 3 read the channel sums Σ dY and x̂, not one dY cell.
                let firstLabel: String
                switch Int(e.kernel.c) {
                case 2 where isBatchNorm && e.target == .input: firstLabel = "ΣdY[c=\(e.kernel.n)]"
                case 3 where isBatchNorm && e.target == .input: firstLabel = ctx.label("x̂", readIndex(e), shape: inT.shape)
                default: firstLabel = dY.map { ctx.label("dY", e.output, shape: $0.shape) } ?? "dL"
                }
                let dYOperand = Operand(label: firstLabel, value: e.a, text: ctx.text(e.a))
                // db[k] = Σ dY[k]: each term is the dY value itself.
                terms.append(Term(operands: e.target == .bias ? [dYOperand]
                                      : [dYOperand, Operand(label: factor, value: e.b, text: ctx.text(e.b))],
                                  product: e.product, productText: ctx.text(e.product), state: st, traceStep: e.step))
            }
            grids.append(inputView.grid)
            if let v = dYView { grids.append(v.grid) }
            switch e0.target {
            case .input:
                if let dX {
                    var v = ctx.view(dX, n: Int(ce.input.n), c: Int(ce.input.c), id: "grad_input", role: .gradInput,
                                     title: "dX (input gradient)", symbol: "dX", position: GridPosition(row: 0, column: 2), joiner: "→")
                    if let loc = v.locate(ce.input) {
                        v.grid.mark(loc.0, loc.1, .written)
                        if current != nil { setCell(&v.grid, loc.0, loc.1, ce.acc, ctx) }
                        written = CellRef(grid: "grad_input", row: loc.0, column: loc.1)
                    }
                    grids.append(v.grid)
                }
                title = "\(opName) backward · input gradient"
                caption = isLinear
                    ? "dX[i] sums dY[o] · w[o,i] over every output o: the weights carry the gradient back."
                    : "Each term passes dY back through the op: dX += dY · (local derivative)."
                if isBatchNorm {
                    caption = group.count == 3
                        ? "dX = (γ/σ)·dY − (γ/(σM))·ΣdY − x̂·(γ/(σM))·Σ(dY·x̂): the direct path, then the paths "
                            + "through the mean and through the variance, which every cell of the channel feeds."
                        : "In evaluation the statistics are constants: dX = (γ/σ)·dY."
                } else if isDropout {
                    caption = ce.flags.contains(.selected)
                        ? "A kept unit passes its gradient scaled by the same factor as its value."
                        : "A dropped unit passes no gradient: its mask is 0."
                }
            case .kernel:
                if let dK = state.gradKernel[l] {
                    let isLinear = dK.h == 1 && dK.w == 1
                    var g = isLinear
                        ? matrix(ctx, dK, id: "grad_kernel", title: isBatchNorm ? "dγ (scale gradient)" : "dW (weight gradient)",
                                 position: GridPosition(row: 0, column: 2))
                        : ctx.plane(dK, n: Int(ce.kernel.n), c: Int(ce.kernel.c), id: "grad_kernel", role: .gradKernel,
                                    title: "dW (weight gradient)", subtitle: nil, symbol: "dW", position: GridPosition(row: 0, column: 2))
                    let (r, c) = isLinear ? (Int(ce.kernel.n), Int(ce.kernel.c)) : (Int(ce.kernel.h), Int(ce.kernel.w))
                    g.mark(r, c, .written)
                    if current != nil { setCell(&g, r, c, ce.acc, ctx) }
                    written = CellRef(grid: "grad_kernel", row: r, column: c)
                    g.joiner = "→"
                    grids.append(g)
                }
                title = "\(opName) backward · weight gradient"
                caption = isLinear ? "dW[o,i] = dY[o] · x[i]: each weight's gradient is one product per example."
                    : "dW accumulates dY · X over every place the weight was used."
                if isBatchNorm { title = "\(opName) backward · γ gradient"; caption = "dγ[c] = Σ dY·x̂ over the channel's cells." }
            case .bias:
                title = "\(opName) backward · bias gradient"
                caption = "db[\(ce.kernel.n)] sums the dY cells of its output."
                if isBatchNorm { title = "\(opName) backward · β gradient"; caption = "dβ[\(ce.kernel.n)] sums the dY cells of its channel." }
            case .none: break
            }
            if l < ctx.geometry.count, case .linear = ctx.geometry[l].layer { scene = .linear }
        } else {
            let outT = l + 1 < state.activations.count ? state.activations[l + 1] : nil
            for (gi, e) in group.enumerated() where FrameGrouper.isStep(e) {
                let st: TermState = current == nil ? .done : (gi < curIndex ? .done : (gi == curIndex ? .current : .pending))
                if let loc = inputView.locate(e.input), e.kind != .bias {
                    inputView.grid.mark(loc.0, loc.1, st == .current ? [.window, .current] : .window)
                }
                switch e.kind {
                case .activation:
                    terms.append(Term(operands: [Operand(label: ctx.label("x", e.input, shape: inT.shape), value: e.a,
                                                         text: ctx.text(e.a))],
                                      product: e.acc, productText: ctx.text(e.acc), state: st, traceStep: e.step))
                case .bias:
                    terms.append(Term(operands: [Operand(label: "b[\(e.output.c)]", value: e.b, text: ctx.text(e.b))],
                                      product: e.b, productText: ctx.text(e.b), state: st, traceStep: e.step))
                case .bias where isBatchNorm:
                    terms.append(Term(operands: [Operand(label: "β[\(e.kernel.n)]", value: e.b, text: ctx.text(e.b))],
                                      product: e.b, productText: ctx.text(e.b), state: st, traceStep: e.step))
                case .mac where isBatchNorm:
                    terms.append(Term(operands: [
                        Operand(label: ctx.label("x̂", e.input, shape: inT.shape), value: e.a, text: ctx.text(e.a)),
                        Operand(label: "γ[\(e.kernel.n)]", value: e.b, text: ctx.text(e.b)),
                    ], product: e.product, productText: ctx.text(e.product), state: st, traceStep: e.step))
                default:
                    terms.append(Term(operands: [
                        Operand(label: ctx.label("x", e.input, shape: inT.shape), value: e.a, text: ctx.text(e.a)),
                        Operand(label: e.kind == .loss ? "target" : "w[\(e.kernel.n),\(e.kernel.c)]", value: e.b, text: ctx.text(e.b)),
                    ], product: e.product, productText: ctx.text(e.product), state: st, traceStep: e.step))
                }
            }
            grids.append(inputView.grid)
            if isDropout, let mask = state.masks[l] {  // the mask as far as the trace has shown it
                var v = ctx.view(mask, n: Int(ce.input.n), c: Int(ce.input.c), id: "mask", role: .kernel,
                                 title: "mask m (1 keeps, 0 drops)", symbol: "m", position: GridPosition(row: 0, column: 1),
                                 joiner: "·")
                if let loc = v.locate(ce.input) { v.grid.mark(loc.0, loc.1, [.contributor, .current]) }
                grids.append(v.grid)
            }
            if l < ctx.geometry.count, case .linear(let w, _) = ctx.geometry[l].layer {
                var g = matrix(ctx, KnownTensor(final: w), id: "weight", title: "weights w", position: GridPosition(row: 0, column: 1))
                g.role = .kernel
                g.joiner = "·"
                for (gi, e) in group.enumerated() where e.kind == .mac {
                    g.mark(Int(e.kernel.n), Int(e.kernel.c), gi == curIndex && current != nil ? [.contributor, .current] : .contributor)
                }
                grids.append(g)
                scene = .linear
            }
            if let outT {
                var v = ctx.view(outT, n: Int(ce.output.n), c: Int(ce.output.c), id: "output", role: .output,
                                 title: "output y", symbol: "y", position: GridPosition(row: 0, column: 2), joiner: "=")
                if let loc = v.locate(ce.output) {
                    v.grid.mark(loc.0, loc.1, .written)
                    if current != nil { setCell(&v.grid, loc.0, loc.1, ce.acc, ctx) }
                    written = CellRef(grid: "output", row: loc.0, column: loc.1)
                }
                grids.append(v.grid)
            }
            switch e0.kind {
            case .activation:
                scene = .activation
                caption = "\(opName) applied to one element: \(ctx.label("x", ce.input, shape: inT.shape)) = \(ctx.text(ce.a)) → \(ctx.text(ce.acc))."
                if isDropout {
                    caption = ce.flags.contains(.selected)
                        ? "Kept (mask 1): \(ctx.label("x", ce.input, shape: inT.shape)) = \(ctx.text(ce.a)) × \(ctx.text(ce.b)) (= 1/(1−p)) → \(ctx.text(ce.acc))."
                        : "Dropped (mask 0): \(ctx.label("x", ce.input, shape: inT.shape)) = \(ctx.text(ce.a)) → 0."
                }
            case .loss:
                scene = .loss
                caption = "One loss term: prediction \(ctx.text(ce.a)), target \(ctx.text(ce.b)); running loss \(ctx.text(ce.acc))."
            default:
                caption = "Each output is the sum of its products (plus the bias)."
                if isBatchNorm, let n = group.first(where: { $0.kind == .norm }) {
                    title = "batch_norm2d · normalise, scale, shift · channel \(n.kernel.n)"
                    caption = "x̂ = (x − μ)/√(σ² + eps) = \(ctx.text(n.a)) × \(ctx.text(n.b)) = \(ctx.text(n.acc)); "
                        + "then y = γ·x̂ + β."
                }
            }
        }
        let res = group.last.map(\.acc)
        let finished = current == nil || curIndex >= (steps.last ?? 0)
        let targetLabel: String
        switch (backward, e0.target) {
        case (true, .kernel) where isBatchNorm: targetLabel = "dγ[\(ce.kernel.n)]"
        case (true, .bias) where isBatchNorm: targetLabel = "dβ[\(ce.kernel.n)]"
        case (true, .kernel): targetLabel = isLinear ? "dW[\(ce.kernel.n),\(ce.kernel.c)]" : ctx.label("dW", ce.kernel, shape: [1, 1, 1, 1])
        case (true, .bias): targetLabel = "db[\(ce.kernel.n)]"
        case (true, _): targetLabel = ctx.label("dX", ce.input, shape: inT.shape)
        default: targetLabel = ctx.label("y", ce.output, shape: l + 1 < state.activations.count ? state.activations[l + 1].shape : inT.shape)
        }
        let target = Operand(label: written != nil || (backward && e0.target == .bias) ? targetLabel : opName,
                             value: finished ? (res ?? 0) : ce.acc, text: finished ? ctx.text(res ?? 0) : "", ref: written)
        let eq = Equation(target: target, combine: e0.kind == .activation ? .apply : .sum, terms: terms,
                          result: finished ? res : nil, resultText: finished ? ctx.text(res ?? 0) : "",
                          function: e0.kind == .activation ? opName : nil)
        var running: RunningSum?
        if let cu = current, let pos = steps.firstIndex(of: cu), e0.kind != .activation {
            let before = pos > 0 ? group[steps[pos - 1]].acc : ce.acc - ce.product
            running = RunningSum(before: before, term: ce.acc - before, after: ce.acc, beforeText: ctx.text(before),
                                 termText: ctx.text(ce.acc - before), afterText: ctx.text(ce.acc),
                                 termsDone: pos + 1, termsTotal: steps.count)
        }
        return Frame(scene: scene, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                     title: title, caption: caption, grids: grids, written: written, equation: eq, runningSum: running,
                     legend: [LegendEntry(swatch: .window, label: "cells read"),
                              LegendEntry(swatch: .written, label: "being written")])
    }

    /// A weight matrix (out × in) stored as out×in×1×1, drawn as a grid.
    static func matrix(_ ctx: SceneContext, _ t: KnownTensor, id: GridID, title: String, position: GridPosition) -> Grid {
        var cells: [Cell] = []
        for r in 0..<t.n {
            for c in 0..<t.c {
                let o = t.offset(r, c, 0, 0)
                cells.append(t.state[o] == 0 ? Cell(value: nil, text: "", marks: .pending)
                             : Cell(value: t.values[o], text: ctx.text(t.values[o])))
            }
        }
        return Grid(id: id, role: .gradKernel, title: title, subtitle: "\(t.n)×\(t.c)", symbol: "W", rows: t.n,
                    columns: t.c, cells: cells, position: position)
    }

    /// Transposed conv, scatter view: one input cell times the kernel, added into the output.
    static func scatter(_ ctx: SceneContext, _ p: ConvTranspose2DParams, _ weight: Tensor, _ group: [TraceEvent],
                        _ current: Int?, _ state: TraceState) -> Frame? {
        guard let e0 = group.first else { return nil }
        let l = e0.layer
        let X = state.activations[l], Y = state.activations[l + 1]
        let W = KnownTensor(final: weight)
        let n = Int(e0.input.n), ci = Int(e0.input.c), h = Int(e0.input.h), w = Int(e0.input.w)
        let Co = W.c
        var input = ctx.constantPlane(X, n: n, c: ci, id: "input", role: .input, title: "input x",
                                      subtitle: X.c > 1 ? "channel \(ci)" : "\(X.h)×\(X.w)", symbol: "x",
                                      position: GridPosition(row: 0, column: 0))
        input.mark(h, w, [.window, .current])
        var grids: [Grid] = [input]
        var outs: [Grid] = []
        for co in 0..<Co {
            var k = ctx.constantPlane(W, n: ci, c: co, id: GridID("kernel.k\(co)"), role: .kernel, title: "kernel k",
                                      subtitle: Co > 1 || W.n > 1 ? "in \(ci) → out \(co)" : nil, symbol: "w",
                                      position: GridPosition(row: co, column: 1), joiner: "×")
            for i in k.cells.indices { k.cells[i].marks.insert(.contributor) }
            grids.append(k)
            outs.append(ctx.plane(Y, n: n, c: co, id: GridID("output.k\(co)"), role: .output, title: "output y",
                                  subtitle: Co > 1 ? "channel \(co)" : "\(Y.h)×\(Y.w)", symbol: "y",
                                  position: GridPosition(row: co, column: 2), joiner: "+=", partialAsDone: true))
        }
        let curIndex = current ?? Int.max
        var terms: [Term] = []
        var notes: [String] = []
        var windowCells = [CellRef(grid: "input", row: h, column: w)]
        for (gi, e) in group.enumerated() where e.kind == .mac {
            let st: TermState = gi < curIndex ? .done : (gi == curIndex ? .current : .pending)
            let co = Int(e.output.c), oy = Int(e.output.h), ox = Int(e.output.w)
            let id = GridID("output.k\(co)")
            if let g = outs.firstIndex(where: { $0.id == id }) {
                outs[g].mark(oy, ox, st == .current ? [.window, .current] : .window,
                             annotation: "+" + ctx.text(e.product))
                if st == .pending { } else { setCell(&outs[g], oy, ox, e.acc, ctx) }
            }
            if st == .current, let g = grids.firstIndex(where: { $0.id == GridID("kernel.k\(co)") }) {
                grids[g].mark(Int(e.kernel.h), Int(e.kernel.w), .current)
            }
            windowCells.append(CellRef(grid: id, row: oy, column: ox))
            terms.append(Term(operands: [
                Operand(label: ctx.label("x", e.input, shape: X.shape), value: e.a, text: ctx.text(e.a),
                        ref: CellRef(grid: "input", row: h, column: w)),
                Operand(label: ctx.label("w", e.kernel, shape: W.shape), value: e.b, text: ctx.text(e.b),
                        ref: CellRef(grid: GridID("kernel.k\(co)"), row: Int(e.kernel.h), column: Int(e.kernel.w))),
            ], product: e.product, productText: ctx.text(e.product), state: st, traceStep: e.step))
            if st != .pending {
                notes.append("\(ctx.label("y", e.output, shape: Y.shape)) += \(Operand.wrapped(ctx.text(e.a)))·\(Operand.wrapped(ctx.text(e.b))) → \(ctx.text(e.acc))")
            }
        }
        grids += outs
        let xl = ctx.label("x", e0.input, shape: X.shape)
        let params = SceneContext.paramText(stride: p.stride, padding: Padding(p.padding.y, p.padding.x), mode: nil,
                                            dilation: p.dilation)
        let eq = Equation(target: Operand(label: "scatter \(xl)", value: e0.a, text: ctx.text(e0.a)), terms: terms,
                          result: nil, resultText: "")
        var running: RunningSum?
        if let cu = current {
            let e = group[cu]
            running = RunningSum(before: e.acc - e.product, term: e.product, after: e.acc,
                                 beforeText: ctx.text(e.acc - e.product), termText: ctx.text(e.product),
                                 afterText: ctx.text(e.acc), termsDone: cu + 1, termsTotal: group.count)
        }
        return Frame(scene: .transposedScatter, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                     title: "transposed conv · scatter" + (params.isEmpty ? "" : " · " + params),
                     caption: "\(xl) = \(ctx.text(e0.a)) times every kernel weight is added into the output, starting at (\(h)·\(p.stride.y) − \(p.padding.y), \(w)·\(p.stride.x) − \(p.padding.x)); overlapping footprints add up.",
                     grids: grids, window: WindowHighlight(cells: windowCells, bounds: []), written: nil, equation: eq,
                     runningSum: running, notes: Array(notes.suffix(12)),
                     legend: [LegendEntry(swatch: .current, label: "the input cell scattered"),
                              LegendEntry(swatch: .window, label: "where its products land (+product)"),
                              LegendEntry(swatch: .done, label: "already final")])
    }
}
