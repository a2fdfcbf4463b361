// Storyboard — conv2d backward scenes: kernel gradient (dY ⋆ X), input gradient (padded dY ⋆ rotated K), bias gradient (Σ dY).
import Engine

/// conv2d backward frames, one per gradient cell (or per term at mac granularity).
enum ConvGradientScene {
    static func frame(_ ctx: SceneContext, group: [TraceEvent], current: Int?, state: TraceState) -> Frame? {
        guard let e0 = group.first, e0.layer < ctx.geometry.count,
              case .conv2d(let p, let kernelTensor, _) = ctx.geometry[e0.layer].layer
        else { return nil }
        switch e0.target {
        case .kernel: return kernelGradient(ctx, p, kernelTensor, group, current, state)
        case .input: return inputGradient(ctx, p, kernelTensor, group, current, state)
        case .bias: return biasGradient(ctx, group, current, state)
        case .none: return nil
        }
    }

    /// The state of term `gi` of a group of `grad` events at step `current`.
    static func termState(_ gi: Int, _ current: Int?) -> TermState {
        guard let c = current else { return .done }
        return gi < c ? .done : (gi == c ? .current : .pending)
    }

    static func result(_ ctx: SceneContext, _ group: [TraceEvent], _ current: Int?) -> Double? {
        guard let last = group.last else { return nil }
        if let c = current, c < group.count - 1 { return nil }
        return last.acc
    }

    // MARK: kernel gradient

    static func kernelGradient(_ ctx: SceneContext, _ p: Conv2DParams, _ kernelTensor: Tensor, _ group: [TraceEvent],
                               _ current: Int?, _ state: TraceState) -> Frame? {
        guard let e0 = group.first else { return nil }
        let l = e0.layer
        let X = state.activations[l]
        let Kt = KnownTensor(final: kernelTensor)
        guard let dY = state.gradOutput(of: l), let dK = state.gradKernel[l] else { return nil }
        // With groups the kernel channel c is within filter k's group; xc is the input channel it reads.
        let k = Int(e0.kernel.n), c = Int(e0.kernel.c), xc = Int(e0.padded.c)
        let padded = p.padding != .zero
        // dK sums over the batch: one input and one dY grid per sample the sum reads, one row each. The first
        // sample keeps the plain ids (`input`, `grad_output`), so a single-sample frame is as it always was.
        var samples: [Int] = []
        for e in group where !samples.contains(Int(e.output.n)) { samples.append(Int(e.output.n)) }
        let batch = samples.count > 1
        func inputID(_ n: Int) -> GridID { n == samples[0] ? "input" : GridID("input.n\(n)") }
        func dYID(_ n: Int) -> GridID { n == samples[0] ? "grad_output" : GridID("grad_output.n\(n)") }
        var inputs: [Grid] = [], dYGrids: [Grid] = []
        for (row, n) in samples.enumerated() {
            let sample = batch ? "sample \(n)" : nil
            let channel = X.c > 1 ? "channel \(xc)" : nil
            let inputSubtitle = [sample, channel].compactMap { $0 }.joined(separator: " · ")
            inputs.append(padded
                ? ctx.paddedPlane(X, n: n, c: xc, padding: p.padding, mode: p.paddingMode, id: inputID(n), role: .paddedInput,
                                  title: "padded input x", subtitle: inputSubtitle.isEmpty ? nil : inputSubtitle,
                                  symbol: "x", position: GridPosition(row: row, column: 0))
                : ctx.constantPlane(X, n: n, c: xc, id: inputID(n), role: .input, title: "input x",
                                    subtitle: inputSubtitle.isEmpty ? nil : inputSubtitle, symbol: "x",
                                    position: GridPosition(row: row, column: 0)))
            let filter = dY.c > 1 ? "filter \(k)" : nil
            let dYSubtitle = [sample, filter].compactMap { $0 }.joined(separator: " · ")
            dYGrids.append(ctx.plane(dY, n: n, c: k, id: dYID(n), role: .gradOutput, title: "dY (gradient of y)",
                                     subtitle: dYSubtitle.isEmpty ? nil : dYSubtitle, symbol: "dY",
                                     position: GridPosition(row: row, column: 1), joiner: "⋆", showPendingAsDone: true))
        }
        var dKGrid = ctx.plane(dK, n: k, c: c, id: "grad_kernel", role: .gradKernel, title: "dK (kernel gradient)",
                               subtitle: Kt.n > 1 || Kt.c > 1 ? "filter \(k) · channel \(c)" : nil, symbol: "dK",
                               position: GridPosition(row: 0, column: 2), joiner: "=", partialAsDone: true)
        let ki = Int(e0.kernel.h), kj = Int(e0.kernel.w)
        dKGrid.mark(ki, kj, .written)
        var terms: [Term] = []
        var windowCells: [CellRef] = []
        for (gi, e) in group.enumerated() {
            let st = termState(gi, current)
            let isCur = st == .current
            let r = Int(e.padded.h), q = Int(e.padded.w)
            guard let si = samples.firstIndex(of: Int(e.output.n)) else { continue }
            inputs[si].mark(r, q, isCur ? [.window, .current] : .window, annotation: "×" + ctx.text(e.a))
            dYGrids[si].mark(Int(e.output.h), Int(e.output.w), isCur ? [.contributor, .current] : .contributor)
            windowCells.append(CellRef(grid: inputID(samples[si]), row: r, column: q))
            let isPad = e.flags.contains(.padding)
            terms.append(Term(operands: [
                Operand(label: ctx.label("dY", e.output, shape: dY.shape), value: e.a, text: ctx.text(e.a),
                        ref: CellRef(grid: dYID(samples[si]), row: Int(e.output.h), column: Int(e.output.w))),
                Operand(label: isPad && p.paddingMode == .zeros ? "pad" : ctx.label("x", e.input, shape: X.shape),
                        value: e.b, text: ctx.text(e.b), ref: CellRef(grid: inputID(samples[si]), row: r, column: q),
                        isPadding: isPad),
            ], product: e.product, productText: ctx.text(e.product), isPadding: isPad, state: st, traceStep: e.step))
        }
        if let c = current { setCell(&dKGrid, ki, kj, group[c].acc, ctx) }
        let res = result(ctx, group, current)
        let label = ctx.label("dK", e0.kernel, shape: Kt.shape)
        let eq = Equation(target: Operand(label: label, value: res ?? 0, text: res.map(ctx.text) ?? "",
                                          ref: CellRef(grid: "grad_kernel", row: ki, column: kj)),
                          terms: terms, result: res, resultText: res.map(ctx.text) ?? "")
        let s = p.stride, d = p.dilation
        func expr(_ v: String, _ s: Int, _ off: Int) -> String {
            (s == 1 ? v : "\(v)·\(s)") + (off == 0 ? "" : " + \(off)")
        }
        let rowExpr = expr("a", s.y, ki * d.y - p.padding.top), colExpr = expr("b", s.x, kj * d.x - p.padding.left)
        let caption = batch
            ? "\(label) sums dY[n,a,b] · x[n, \(rowExpr), \(colExpr)] over every sample n and output cell (a,b): the weight is shared by the whole batch, so every sample's terms add up."
            : "\(label) sums dY[a,b] · x[\(rowExpr), \(colExpr)] over every output cell (a,b): the input cells that kernel tap (\(ki),\(kj)) touched, weighted by the gradient arriving there."
        let bounds = samples.compactMap { boundsOf(windowCells, grid: inputID($0)) }
        var legend = [LegendEntry(swatch: .window, label: "input cells kernel tap (\(ki),\(kj)) read (×dY)"),
                      LegendEntry(swatch: .contributor, label: "dY cells in the sum")]
        if current != nil { legend.append(LegendEntry(swatch: .current, label: "this term")) }
        if padded { legend.append(SceneContext.paddingLegend(p.paddingMode)) }
        legend.append(LegendEntry(swatch: .written, label: "being accumulated"))
        legend.append(LegendEntry(swatch: .pending, label: "not computed yet"))
        return Frame(scene: .kernelGradient, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                     title: "conv2d backward · kernel gradient dK", caption: caption, grids: inputs + dYGrids + [dKGrid],
                     window: WindowHighlight(cells: windowCells, bounds: bounds,
                                             step: GridStep(rows: s.y, columns: s.x)),
                     written: CellRef(grid: "grad_kernel", row: ki, column: kj), equation: eq,
                     runningSum: ctx.runningSum(group, steps: Array(group.indices), current: current), legend: legend)
    }

    // MARK: input gradient

    static func inputGradient(_ ctx: SceneContext, _ p: Conv2DParams, _ kernelTensor: Tensor, _ group: [TraceEvent],
                              _ current: Int?, _ state: TraceState) -> Frame? {
        guard let e0 = group.first else { return nil }
        let l = e0.layer
        let Kt = KnownTensor(final: kernelTensor)
        guard let dY = state.gradOutput(of: l) else { return nil }
        let dX = state.gradInput[l]
        let n = Int(e0.input.n), c = Int(e0.input.c), h = Int(e0.input.h), w = Int(e0.input.w)
        let (Fh, Fw, K) = (Kt.h, Kt.w, Kt.n)
        let (s, d) = (p.stride, p.dilation)
        let canvas = ZeroInsertedCanvas(source: (dY.h, dY.w), target: (dX.h, dX.w), kernel: (Fh, Fw), stride: s, dilation: d,
                                        padBefore: (p.padding.top, p.padding.left))

        // groups: only the filters of c's group read input channel c, through their kernel channel kc.
        let groupFilters = K / max(p.groups, 1), kc = c % max(Kt.c, 1)
        let filters = p.groups == 1 ? 0..<K : (c / max(Kt.c, 1)) * groupFilters..<(c / max(Kt.c, 1) + 1) * groupFilters
        var grids: [Grid] = []
        for (row, kk) in filters.enumerated() {
            let sub = (K > 1 ? "filter \(kk) · " : "") + "padded" + (s != Pair(1) ? ", zeros between (stride)" : "")
            grids.append(canvas.grid(ctx, dY, n: n, c: kk, id: GridID("grad_output.k\(kk)"), role: .paddedGradOutput,
                                     title: "dY (gradient of y)", subtitle: sub, symbol: "dY",
                                     position: GridPosition(row: row, column: 0)))
            // The kernel the forward pass slid (rotated if flip), rotated 180° again for the backward view.
            grids.append(ctx.constantPlane(Kt, n: kk, c: kc, id: GridID("rotated.k\(kk)"), role: .rotatedKernel,
                                           title: p.flip ? "kernel k (= flipped kernel rotated back)" : "kernel rotated 180°",
                                           subtitle: K > 1 || Kt.c > 1 ? "filter \(kk) · channel \(kc)" : nil, symbol: "k",
                                           position: GridPosition(row: row, column: 1), joiner: "⋆", rotated: !p.flip))
        }
        var dXGrid = ctx.plane(dX, n: n, c: c, id: "grad_input", role: .gradInput, title: "dX (input gradient)",
                               subtitle: dX.c > 1 ? "channel \(c)" : nil, symbol: "dX",
                               position: GridPosition(row: 0, column: 2), joiner: "=", partialAsDone: true)
        dXGrid.mark(h, w, .written)
        if let cu = current { setCell(&dXGrid, h, w, group[cu].acc, ctx) }

        var windowCells: [CellRef] = []
        var bounds: [CellRect] = []
        for kk in filters {
            guard let gi = grids.firstIndex(where: { $0.id == GridID("grad_output.k\(kk)") }),
                  let ri = grids.firstIndex(where: { $0.id == GridID("rotated.k\(kk)") }) else { continue }
            let window = canvas.markWindow(target: h, w, on: &grids[gi], weights: grids[ri])
            windowCells += window.cells
            bounds.append(window.bounds)
        }
        var terms: [Term] = []
        for (gi, e) in group.enumerated() {
            let st = termState(gi, current)
            let kk = Int(e.kernel.n)
            let (r, q) = canvas.position(Int(e.output.h), Int(e.output.w))
            let tapI = p.flip ? Fh - 1 - Int(e.kernel.h) : Int(e.kernel.h)
            let tapJ = p.flip ? Fw - 1 - Int(e.kernel.w) : Int(e.kernel.w)
            let rotRow = Fh - 1 - tapI, rotCol = Fw - 1 - tapJ
            let marks: CellMarks = st == .current ? [.contributor, .current] : .contributor
            if let g = grids.firstIndex(where: { $0.id == GridID("grad_output.k\(kk)") }) { grids[g].mark(r, q, marks) }
            if let g = grids.firstIndex(where: { $0.id == GridID("rotated.k\(kk)") }) { grids[g].mark(rotRow, rotCol, marks) }
            terms.append(Term(operands: [
                Operand(label: ctx.label("dY", e.output, shape: dY.shape), value: e.a, text: ctx.text(e.a),
                        ref: CellRef(grid: GridID("grad_output.k\(kk)"), row: r, column: q)),
                Operand(label: ctx.label("k", e.kernel, shape: Kt.shape), value: e.b, text: ctx.text(e.b),
                        ref: CellRef(grid: GridID("rotated.k\(kk)"), row: rotRow, column: rotCol)),
            ], product: e.product, productText: ctx.text(e.product), state: st, traceStep: e.step))
        }
        let res = result(ctx, group, current)
        let label = ctx.label("dX", e0.input, shape: dX.shape)
        let eq = Equation(target: Operand(label: label, value: res ?? 0, text: res.map(ctx.text) ?? "",
                                          ref: CellRef(grid: "grad_input", row: h, column: w)),
                          terms: terms, result: res, resultText: res.map(ctx.text) ?? "")
        let caption = "\(label): slide the kernel rotated 180° over dY padded by d·(F−1)"
            + (s != Pair(1) ? " with \(s.y == s.x ? s.y - 1 : max(s.y, s.x) - 1) zero(s) inserted between cells (stride)" : "")
            + " — a full convolution; only the \(group.count) real dY cell(s) under the window add to it."
            + (p.groups == 1 ? "" : " groups = \(p.groups): only "
                + (filters.count == 1 ? "filter \(filters.lowerBound) (channel \(c)'s group) reads channel \(c), so only its dY"
                    : "filters \(filters.lowerBound)…\(filters.upperBound - 1) (channel \(c)'s group) read channel \(c), so only their dY")
                + " flows back to it.")
        var legend = [LegendEntry(swatch: .window, label: "window over padded dY (×rotated weight)"),
                      LegendEntry(swatch: .contributor, label: "dY cells and weights in the sum"),
                      LegendEntry(swatch: .padding, label: "padding (zeros)")]
        if s != Pair(1) { legend.append(LegendEntry(swatch: .insertedZero, label: "zeros inserted by the stride")) }
        if current != nil { legend.append(LegendEntry(swatch: .current, label: "this term")) }
        legend.append(LegendEntry(swatch: .written, label: "being accumulated"))
        legend.append(LegendEntry(swatch: .pending, label: "not computed yet"))
        return Frame(scene: .inputGradient, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                     title: "conv2d backward · input gradient dX", caption: caption, grids: grids + [dXGrid],
                     window: WindowHighlight(cells: windowCells, bounds: bounds, step: GridStep(rows: d.y, columns: d.x)),
                     written: CellRef(grid: "grad_input", row: h, column: w), equation: eq,
                     runningSum: ctx.runningSum(group, steps: Array(group.indices), current: current), legend: legend)
    }

    // MARK: bias gradient

    static func biasGradient(_ ctx: SceneContext, _ group: [TraceEvent], _ current: Int?, _ state: TraceState) -> Frame? {
        guard let e0 = group.first else { return nil }
        let l = e0.layer
        guard let dY = state.gradOutput(of: l), let db = state.gradBias[l] else { return nil }
        let k = Int(e0.kernel.n)
        // db sums over the batch: one dY grid per sample, one row each (the first keeps the id `grad_output`).
        var samples: [Int] = []
        for e in group where !samples.contains(Int(e.output.n)) { samples.append(Int(e.output.n)) }
        let batch = samples.count > 1
        func dYID(_ n: Int) -> GridID { n == samples[0] ? "grad_output" : GridID("grad_output.n\(n)") }
        var dYGrids: [Grid] = samples.enumerated().map { row, n in
            let subtitle = [batch ? "sample \(n)" : nil, dY.c > 1 ? "filter \(k)" : nil].compactMap { $0 }.joined(separator: " · ")
            return ctx.plane(dY, n: n, c: k, id: dYID(n), role: .gradOutput, title: "dY (gradient of y)",
                             subtitle: subtitle.isEmpty ? nil : subtitle, symbol: "dY",
                             position: GridPosition(row: row, column: 0), showPendingAsDone: true)
        }
        var dbGrid = ctx.plane(db, n: 0, c: 0, id: "grad_bias", role: .gradBias, title: "db (bias gradient)",
                               subtitle: nil, symbol: "db", position: GridPosition(row: 0, column: 1), joiner: "Σ →")
        // db is stored 1×K×1×1: lay it out as one row of K cells.
        var cells: [Cell] = []
        for kk in 0..<db.c {
            let o = db.offset(0, kk, 0, 0)
            cells.append(db.state[o] == 0 ? Cell(value: nil, text: "", marks: .pending)
                         : Cell(value: db.values[o], text: ctx.text(db.values[o]), marks: .done))
        }
        dbGrid = Grid(id: "grad_bias", role: .gradBias, title: "db (bias gradient)", symbol: "db", rows: 1,
                      columns: db.c, cells: cells, position: GridPosition(row: 0, column: 1), joiner: "Σ →")
        dbGrid.mark(0, k, .written)
        if let cu = current { setCell(&dbGrid, 0, k, group[cu].acc, ctx) }
        var terms: [Term] = []
        for (gi, e) in group.enumerated() {
            let st = termState(gi, current)
            guard let si = samples.firstIndex(of: Int(e.output.n)) else { continue }
            dYGrids[si].mark(Int(e.output.h), Int(e.output.w), st == .current ? [.contributor, .current] : .contributor)
            terms.append(Term(operands: [
                Operand(label: ctx.label("dY", e.output, shape: dY.shape), value: e.a, text: ctx.text(e.a),
                        ref: CellRef(grid: dYID(samples[si]), row: Int(e.output.h), column: Int(e.output.w))),
            ], product: e.product, productText: ctx.text(e.product), state: st, traceStep: e.step))
        }
        let res = result(ctx, group, current)
        let label = "db[\(k)]"
        let eq = Equation(target: Operand(label: label, value: res ?? 0, text: res.map(ctx.text) ?? "",
                                          ref: CellRef(grid: "grad_bias", row: 0, column: k)),
                          terms: terms, result: res, resultText: res.map(ctx.text) ?? "")
        var legend = [LegendEntry(swatch: .contributor, label: "dY cells summed")]
        if current != nil { legend.append(LegendEntry(swatch: .current, label: "this term")) }
        legend.append(LegendEntry(swatch: .written, label: "being accumulated"))
        legend.append(LegendEntry(swatch: .pending, label: "not computed yet"))
        return Frame(scene: .biasGradient, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                     title: "conv2d backward · bias gradient db", caption:
                        "\(label) is the sum of every dY cell of filter \(k)" + (batch ? " in every sample of the batch" : "")
                        + ": the bias is added to every output cell, so each passes its gradient straight back.",
                     grids: dYGrids + [dbGrid], written: CellRef(grid: "grad_bias", row: 0, column: k), equation: eq,
                     runningSum: ctx.runningSum(group, steps: Array(group.indices), current: current), legend: legend)
    }
}

/// Overwrites a grid cell's value (the running value at mac granularity).
func setCell(_ g: inout Grid, _ r: Int, _ c: Int, _ v: Double, _ ctx: SceneContext) {
    guard g.contains(row: r, column: c) else { return }
    g.cells[r * g.columns + c].value = v
    g.cells[r * g.columns + c].text = ctx.text(v)
    g.cells[r * g.columns + c].marks.remove(.pending)
}

/// Bounding rectangle of some cells on one grid.
func boundsOf(_ cells: [CellRef], grid: GridID) -> CellRect? {
    let on = cells.filter { $0.grid == grid }
    guard let r0 = on.map(\.row).min(), let r1 = on.map(\.row).max(), let c0 = on.map(\.column).min(),
          let c1 = on.map(\.column).max() else { return nil }
    return CellRect(grid: grid, row: r0, column: c0, rows: r1 - r0 + 1, columns: c1 - c0 + 1)
}
