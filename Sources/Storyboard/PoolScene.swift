// Storyboard — pooling scenes: max / average / global pooling forward, and where the gradient goes backward.
import Engine

/// Pooling frames: forward one per output cell (window, running max or sum, the selected maximum);
/// backward one per dY cell (max: routed to the argmax; average: spread over the window).
enum PoolScene {
    static func frame(_ ctx: SceneContext, group: [TraceEvent], current: Int?, state: TraceState) -> Frame? {
        guard let e0 = group.first, e0.layer < ctx.geometry.count else { return nil }
        let geo = ctx.geometry[e0.layer]
        var isMax = false, params: Pool2DParams?
        switch geo.layer {
        case .maxPool2d(let p): isMax = true; params = p
        case .avgPool2d(let p): params = p
        case .globalMaxPool: isMax = true
        case .globalAvgPool: break
        default: return nil
        }
        return e0.kind == .grad
            ? backward(ctx, group, current, state, isMax: isMax, params: params, geo: geo)
            : forward(ctx, group, current, state, isMax: isMax, params: params, geo: geo)
    }

    static func opTitle(_ isMax: Bool, _ params: Pool2DParams?) -> String {
        let name = params == nil ? (isMax ? "global max pool" : "global average pool") : (isMax ? "max pool" : "average pool")
        guard let p = params else { return name }
        var t = name + " \(p.kernelSize.y)×\(p.kernelSize.x)"
        let extra = SceneContext.paramText(stride: p.stride, padding: Padding(p.padding.y, p.padding.x), mode: nil,
                                           dilation: Pair(1))
        if p.stride != p.kernelSize || p.padding != Pair(0) { t += " · " + (extra.isEmpty ? "stride 1" : extra) }
        return t
    }

    /// The input grid (padded when the pool pads; max-pool padding reads −∞ and is skipped).
    static func inputGrid(_ ctx: SceneContext, _ X: KnownTensor, n: Int, c: Int, isMax: Bool, params: Pool2DParams?) -> Grid {
        let pad = params.map { Padding($0.padding.y, $0.padding.x) } ?? .zero
        let sub = X.c > 1 ? "channel \(c)" : nil
        guard pad != .zero else {
            return ctx.constantPlane(X, n: n, c: c, id: "input", role: .input, title: "input x", subtitle: sub, symbol: "x",
                                     position: GridPosition(row: 0, column: 0))
        }
        var g = ctx.paddedPlane(X, n: n, c: c, padding: pad, mode: .zeros, id: "input", role: .paddedInput,
                                title: "padded input x", subtitle: sub, symbol: "x", position: GridPosition(row: 0, column: 0))
        if isMax {
            for i in g.cells.indices where g.cells[i].role.isPadding {
                g.cells[i].value = nil
                g.cells[i].text = "−∞"
            }
        }
        return g
    }

    /// Window cells of output cell (y, x) in input-grid coordinates.
    static func window(_ params: Pool2DParams?, _ X: KnownTensor, y: Int, x: Int) -> [(Int, Int)] {
        guard let p = params else { return (0..<X.h).flatMap { h in (0..<X.w).map { (h, $0) } } }
        var out: [(Int, Int)] = []
        for i in 0..<p.kernelSize.y {
            for j in 0..<p.kernelSize.x {
                let r = y * p.stride.y + i, q = x * p.stride.x + j
                if r < X.h + 2 * p.padding.y, q < X.w + 2 * p.padding.x { out.append((r, q)) }
            }
        }
        return out
    }

    static func forward(_ ctx: SceneContext, _ group: [TraceEvent], _ current: Int?, _ state: TraceState,
                        isMax: Bool, params: Pool2DParams?, geo: LayerGeometry) -> Frame? {
        guard let e0 = group.first else { return nil }
        let l = e0.layer
        let X = state.activations[l], Y = state.activations[l + 1]
        let n = Int(e0.output.n), c = Int(e0.output.c), y = Int(e0.output.h), x = Int(e0.output.w)
        let padY = params?.padding.y ?? 0, padX = params?.padding.x ?? 0
        var input = inputGrid(ctx, X, n: n, c: c, isMax: isMax, params: params)
        var output = ctx.plane(Y, n: n, c: c, id: "output", role: .output, title: isMax ? "output (max)" : "output (mean)",
                               subtitle: Y.c > 1 ? "channel \(c)" : "\(Y.h)×\(Y.w)", symbol: "y",
                               position: GridPosition(row: 0, column: 1), joiner: "→")
        output.mark(y, x, .written)
        let win = window(params, X, y: y, x: x)
        var windowCells: [CellRef] = []
        for (r, q) in win {
            input.mark(r, q, .window)
            windowCells.append(CellRef(grid: "input", row: r, column: q))
        }
        let terms0 = group.indices.filter { group[$0].kind == .pool }
        let curIndex = current ?? Int.max
        // The selected maximum as of this frame.
        let selectedIndex = terms0.last { $0 <= curIndex && group[$0].flags.contains(.selected) }
        var terms: [Term] = []
        for gi in terms0 {
            let e = group[gi]
            let st: TermState = gi < curIndex ? .done : (gi == curIndex ? .current : .pending)
            let r = Int(e.input.h) + padY, q = Int(e.input.w) + padX
            if st == .current { input.mark(r, q, .current) }
            if gi == selectedIndex { input.mark(r, q, .selected) }
            let isPad = e.flags.contains(.padding)
            terms.append(Term(operands: [
                Operand(label: isPad ? "pad" : ctx.label("x", e.input, shape: X.shape), value: e.a, text: ctx.text(e.a),
                        ref: CellRef(grid: "input", row: r, column: q), isPadding: isPad),
            ], product: e.a, productText: ctx.text(e.a), isPadding: isPad, isSelected: gi == selectedIndex,
            state: st, traceStep: e.step))
        }
        let outEvent = group.last { $0.kind == .output }
        let finished = current == nil || curIndex >= (terms0.last ?? 0)
        let res: Double? = finished ? outEvent?.acc : nil
        if let cu = current { setCell(&output, y, x, isMax ? group[cu].acc : group[cu].acc, ctx) }
        if finished, let res { setCell(&output, y, x, res, ctx) }
        let label = ctx.label("y", e0.output, shape: Y.shape)
        let eq = Equation(target: Operand(label: label, value: res ?? 0, text: res.map(ctx.text) ?? "",
                                          ref: CellRef(grid: "output", row: y, column: x)),
                          combine: isMax ? .max : .mean, terms: terms, divisor: isMax ? nil : outEvent?.b,
                          result: res, resultText: res.map(ctx.text) ?? "")
        var running: RunningSum?
        if let cu = current, let pos = terms0.firstIndex(of: cu) {
            let e = group[cu]
            let before = pos > 0 ? group[terms0[pos - 1]].acc : (isMax ? -Double.infinity : 0)
            running = RunningSum(before: before, term: e.a, after: e.acc, beforeText: ctx.text(before),
                                 termText: ctx.text(e.a), afterText: ctx.text(e.acc), termsDone: pos + 1,
                                 termsTotal: terms0.count, combine: isMax ? .max : .sum)
        }
        var caption: String
        if isMax {
            caption = "\(label) is the largest value in its window"
            if let s = selectedIndex { caption += ": \(ctx.text(group[s].a)) at \(ctx.label("x", group[s].input, shape: X.shape))" }
            caption += "; ties keep the first maximum in row-major order."
        } else {
            let div = outEvent?.b ?? Double(terms.count)
            caption = "\(label) is the mean of its window: the sum of \(terms.count) value(s) divided by \(ctx.text(div))"
            caption += (params?.countIncludePad ?? true) && padY + padX > 0 ? " (padding cells count, as zeros)." : "."
        }
        var legend = [LegendEntry(swatch: .window, label: "window")]
        if isMax { legend.append(LegendEntry(swatch: .selected, label: "the maximum so far")) }
        if current != nil { legend.append(LegendEntry(swatch: .current, label: "this comparison")) }
        if padY + padX > 0 { legend.append(LegendEntry(swatch: .padding, label: isMax ? "padding (−∞: never the max)" : "padding (zeros)")) }
        legend.append(LegendEntry(swatch: .written, label: "being written"))
        legend.append(LegendEntry(swatch: .pending, label: "not computed yet"))
        let bounds = boundsOf(windowCells, grid: "input")
        return Frame(scene: .pooling, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                     title: opTitle(isMax, params), caption: caption, grids: [input, output],
                     window: WindowHighlight(cells: windowCells, bounds: bounds.map { [$0] } ?? []),
                     written: CellRef(grid: "output", row: y, column: x), equation: eq, runningSum: running,
                     legend: legend)
    }

    static func backward(_ ctx: SceneContext, _ group: [TraceEvent], _ current: Int?, _ state: TraceState,
                         isMax: Bool, params: Pool2DParams?, geo: LayerGeometry) -> Frame? {
        guard let e0 = group.first else { return nil }
        let l = e0.layer
        let X = state.activations[l]
        guard let dY = state.gradOutput(of: l) else { return nil }
        let dX = state.gradInput[l]
        let n = Int(e0.output.n), c = Int(e0.output.c), y = Int(e0.output.h), x = Int(e0.output.w)
        let padY = params?.padding.y ?? 0, padX = params?.padding.x ?? 0
        var input = inputGrid(ctx, X, n: n, c: c, isMax: isMax, params: params)
        var dYGrid = ctx.plane(dY, n: n, c: c, id: "grad_output", role: .gradOutput, title: "dY (gradient of y)",
                               subtitle: dY.c > 1 ? "channel \(c)" : nil, symbol: "dY",
                               position: GridPosition(row: 0, column: 1), showPendingAsDone: true)
        dYGrid.mark(y, x, [.contributor, .current])
        var dXGrid = ctx.plane(dX, n: n, c: c, id: "grad_input", role: .gradInput, title: "dX (input gradient)",
                               subtitle: dX.c > 1 ? "channel \(c)" : nil, symbol: "dX",
                               position: GridPosition(row: 0, column: 2), joiner: "→", partialAsDone: true)
        var windowCells: [CellRef] = []
        for (r, q) in window(params, X, y: y, x: x) {
            input.mark(r, q, .window)
            windowCells.append(CellRef(grid: "input", row: r, column: q))
        }
        var terms: [Term] = []
        let curIndex = current ?? Int.max
        for (gi, e) in group.enumerated() {
            let st: TermState = gi < curIndex ? .done : (gi == curIndex ? .current : .pending)
            let h = Int(e.input.h), w = Int(e.input.w)
            if isMax { input.mark(h + padY, w + padX, .selected) }
            if st != .pending { dXGrid.mark(h, w, .written) }
            if st == .current { setCell(&dXGrid, h, w, e.acc, ctx) }
            terms.append(Term(operands: [
                Operand(label: ctx.label("dY", e.output, shape: dY.shape), value: e.a, text: ctx.text(e.a),
                        ref: CellRef(grid: "grad_output", row: y, column: x)),
                Operand(label: isMax ? "1" : "1/\(ctx.text(1 / e.b))", value: e.b, text: ctx.text(e.b)),
            ], product: e.product, productText: ctx.text(e.product), isSelected: isMax, state: st, traceStep: e.step))
        }
        let dyLabel = ctx.label("dY", e0.output, shape: dY.shape)
        let target: Operand
        let caption: String
        if isMax, let e = group.first {
            let xl = ctx.label("x", e.input, shape: X.shape)
            target = Operand(label: ctx.label("dX", e.input, shape: dX.shape), value: e.acc, text: ctx.text(e.acc),
                             ref: CellRef(grid: "grad_input", row: Int(e.input.h), column: Int(e.input.w)))
            caption = "Max pooling routes \(dyLabel) = \(ctx.text(e.a)) to the maximum of its window, \(xl); the other window cells get nothing."
        } else {
            target = Operand(label: "spread \(dyLabel)", value: 0, text: "")
            let div = group.first.map { 1 / $0.b } ?? 1
            caption = "Average pooling spreads \(dyLabel) = \(ctx.text(e0.a)) evenly: each of the \(group.count) window cell(s) gets \(ctx.text(e0.a))/\(ctx.text(div)) = \(ctx.text(e0.product))."
        }
        var notes: [String] = []
        if isMax, let e = group.first, e.acc != e.product {
            notes.append("\(target.label) already held \(ctx.text(e.acc - e.product)) from an overlapping window: now \(ctx.text(e.acc)).")
        }
        let eq = Equation(target: target, terms: terms, result: isMax ? group.first?.product : nil,
                          resultText: isMax ? ctx.text(group.first?.product ?? 0) : "")
        var legend = [LegendEntry(swatch: .window, label: "the window of \(dyLabel)")]
        if isMax { legend.append(LegendEntry(swatch: .selected, label: "the maximum: receives the gradient")) }
        legend.append(LegendEntry(swatch: .current, label: "the dY cell passed back"))
        legend.append(LegendEntry(swatch: .written, label: "dX cells receiving it"))
        legend.append(LegendEntry(swatch: .pending, label: "no gradient yet"))
        let bounds = boundsOf(windowCells, grid: "input")
        return Frame(scene: .poolingBackward, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                     title: opTitle(isMax, params) + " · backward", caption: caption, grids: [input, dYGrid, dXGrid],
                     window: WindowHighlight(cells: windowCells, bounds: bounds.map { [$0] } ?? []),
                     written: group.first.map { CellRef(grid: "grad_input", row: Int($0.input.h), column: Int($0.input.w)) },
                     equation: eq, runningSum: nil, notes: notes, legend: legend)
    }
}
