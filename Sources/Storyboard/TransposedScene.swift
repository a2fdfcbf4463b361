// Storyboard — transposed convolution as the equivalent direct convolution over the zero-inserted, padded input.
import Engine

/// The direct view of conv_transpose2d (as `conv_arithmetic` draws it): the input with s − 1 zeros
/// inserted between cells and d·(F − 1) − p cells of zero padding, the kernel rotated 180°, stride 1.
/// One frame per output cell (or per term at mac granularity); the terms are the trace's own scatter
/// macs that landed on that cell, so the numbers are the engine's.
enum TransposedScene {
    static func direct(_ ctx: SceneContext, group: [TraceEvent], current: Int?, state: TraceState) -> Frame? {
        guard let last = group.last, last.layer < ctx.geometry.count,
              case .convTranspose2d(let p, let weight, let biasTensor) = ctx.geometry[last.layer].layer
        else { return nil }
        let l = last.layer
        let X = state.activations[l], Y = state.activations[l + 1]
        let W = KnownTensor(final: weight)  // C_in × C_out × Fh × Fw
        let out = group.first { $0.kind != .mac }?.output ?? last.output
        let n = Int(out.n), co = Int(out.c), oy = Int(out.h), ox = Int(out.w)
        let (Ci, Fh, Fw) = (X.c, W.h, W.w)
        let (s, d) = (p.stride, p.dilation)
        let canvas = ZeroInsertedCanvas(source: (X.h, X.w), target: (Y.h, Y.w), kernel: (Fh, Fw), stride: s, dilation: d,
                                        padBefore: (p.padding.y, p.padding.x))

        var grids: [Grid] = []
        for ci in 0..<Ci {
            let sub = (Ci > 1 ? "channel \(ci) · " : "") + (s != Pair(1) ? "zeros inserted, padded" : "padded")
            grids.append(canvas.grid(ctx, X, n: n, c: ci, id: GridID("input.c\(ci)"), role: .zeroInsertedInput,
                                     title: "input x", subtitle: sub, symbol: "x", position: GridPosition(row: ci, column: 0)))
            grids.append(ctx.constantPlane(W, n: ci, c: co, id: GridID("rotated.c\(ci)"), role: .rotatedKernel,
                                           title: "kernel rotated 180°",
                                           subtitle: Ci > 1 || W.c > 1 ? "in \(ci) → out \(co)" : nil, symbol: "w",
                                           position: GridPosition(row: ci, column: 1), joiner: "⋆", rotated: true))
        }
        // Output: final cells up to this one (row-major), the rest pending.
        var outCells: [Cell] = []
        for h in 0..<Y.h {
            for w in 0..<Y.w {
                let o = Y.offset(n, co, h, w)
                if (h, w) < (oy, ox) || Y.state[o] == 2 && (h, w) == (oy, ox) && current == nil {
                    outCells.append(Cell(value: Y.values[o], text: ctx.text(Y.values[o]), marks: .done))
                } else {
                    outCells.append(Cell(value: nil, text: "", marks: .pending))
                }
            }
        }
        var output = Grid(id: GridID("output.k\(co)"), role: .output, title: "output y",
                          subtitle: Y.c > 1 ? "channel \(co)" : "\(Y.h)×\(Y.w)", symbol: "y", rows: Y.h, columns: Y.w,
                          cells: outCells, slice: TensorSlice(n: n, c: co), position: GridPosition(row: 0, column: 2),
                          joiner: "=")
        output.mark(oy, ox, .written)

        // Window over every input channel grid.
        var windowCells: [CellRef] = []
        var bounds: [CellRect] = []
        for ci in 0..<Ci {
            guard let gi = grids.firstIndex(where: { $0.id == GridID("input.c\(ci)") }),
                  let ri = grids.firstIndex(where: { $0.id == GridID("rotated.c\(ci)") }) else { continue }
            let window = canvas.markWindow(target: oy, ox, on: &grids[gi], weights: grids[ri])
            windowCells += window.cells
            bounds.append(window.bounds)
        }
        let curIndex = current ?? Int.max
        var terms: [Term] = []
        var biasOperand: Operand?
        for (gi, e) in group.enumerated() {
            let st: TermState = gi < curIndex ? .done : (gi == curIndex ? .current : .pending)
            if e.kind == .bias {
                biasOperand = Operand(label: "b[\(co)]", value: e.b, text: ctx.text(e.b))
                continue
            }
            guard e.kind == .mac else { continue }
            let ci = Int(e.input.c)
            let (r, q) = canvas.position(Int(e.input.h), Int(e.input.w))
            let rotRow = Fh - 1 - Int(e.kernel.h), rotCol = Fw - 1 - Int(e.kernel.w)
            let marks: CellMarks = st == .current ? [.contributor, .current] : .contributor
            if let g = grids.firstIndex(where: { $0.id == GridID("input.c\(ci)") }) { grids[g].mark(r, q, marks) }
            if let g = grids.firstIndex(where: { $0.id == GridID("rotated.c\(ci)") }) { grids[g].mark(rotRow, rotCol, marks) }
            terms.append(Term(operands: [
                Operand(label: ctx.label("x", e.input, shape: X.shape), value: e.a, text: ctx.text(e.a),
                        ref: CellRef(grid: GridID("input.c\(ci)"), row: r, column: q)),
                Operand(label: ctx.label("w", e.kernel, shape: W.shape), value: e.b, text: ctx.text(e.b),
                        ref: CellRef(grid: GridID("rotated.c\(ci)"), row: rotRow, column: rotCol)),
            ], product: e.product, productText: ctx.text(e.product), state: st, traceStep: e.step))
        }
        let steps = group.indices.filter { FrameGrouper.isStep(group[$0]) }
        let finished = current == nil || curIndex >= (steps.last ?? 0)
        let outEvent = group.last { $0.kind == .output }
        let res: Double? = finished ? (outEvent?.acc ?? 0) : nil
        if let cu = current { setCell(&output, oy, ox, group[cu].acc, ctx) } else if let res { setCell(&output, oy, ox, res, ctx) }
        if let biasTensor {
            grids.append(Grid(id: "bias", role: .bias, title: "bias b", symbol: "b", rows: 1, columns: biasTensor.count,
                              cells: biasTensor.data.map { Cell(value: $0, text: ctx.text($0)) },
                              position: GridPosition(row: 1, column: 2)))
        }
        grids.append(output)
        let label = ctx.label("y", out, shape: Y.shape)
        let eq = Equation(target: Operand(label: label, value: res ?? 0, text: res.map(ctx.text) ?? "",
                                          ref: CellRef(grid: output.id, row: oy, column: ox)),
                          terms: terms, bias: biasOperand, result: res, resultText: res.map(ctx.text) ?? "")
        let params = SceneContext.paramText(stride: s, padding: Padding(p.padding.y, p.padding.x), mode: nil, dilation: d)
        var caption = "\(label): the same numbers as the scatter, read as a direct convolution — slide the kernel rotated 180° over the input"
        caption += s != Pair(1) ? " with \(s.y == s.x ? "\(s.y - 1)" : "(\(s.y - 1), \(s.x - 1))") zero(s) inserted between cells" : ""
        caption += " and padded by d·(F − 1) − p; \(terms.count) real input cell(s) fall under the window."
        var legend = [LegendEntry(swatch: .window, label: "window (×rotated weight)"),
                      LegendEntry(swatch: .contributor, label: "real input cells and weights in the sum"),
                      LegendEntry(swatch: .padding, label: "padding (zeros)")]
        if s != Pair(1) { legend.append(LegendEntry(swatch: .insertedZero, label: "zeros inserted by the stride")) }
        if current != nil { legend.append(LegendEntry(swatch: .current, label: "this term")) }
        legend.append(LegendEntry(swatch: .written, label: "being written"))
        legend.append(LegendEntry(swatch: .pending, label: "not computed yet"))
        return Frame(scene: .transposedDirect, phase: last.phase, layer: l, traceSteps: stepsRange(group, current),
                     title: "transposed conv · as a direct convolution" + (params.isEmpty ? "" : " · " + params),
                     caption: caption, grids: grids,
                     window: WindowHighlight(cells: windowCells, bounds: bounds, step: GridStep(rows: d.y, columns: d.x)),
                     written: CellRef(grid: output.id, row: oy, column: ox), equation: eq,
                     runningSum: ctx.runningSum(group, steps: steps, current: current),
                     legend: legend)
    }
}
