// Storyboard — a residual block's join (y = F(x) + x), the gradient split onto both paths, and the two
// gradients added at the fork.
import Engine

/// Residual frames, one per cell (an `add` layer's events are one per cell):
/// - forward `join`: the main path's output F(x), the block input x (the fork), and y = F(x) + x;
/// - backward `grad` (target input): dY copied unchanged onto the main path;
/// - backward `split`: dY copied unchanged onto the skip path, to the block-input cell;
/// - backward `fork`: the block input's gradient = the main path's + the skip path's.
enum ResidualScene {
    static func frame(_ ctx: SceneContext, group: [TraceEvent], state: TraceState) -> Frame? {
        guard let e = group.last, e.layer < ctx.geometry.count,
              case .add(let p) = ctx.geometry[e.layer].layer else { return nil }
        let l = e.layer, from = p.from
        let cell = e.kind == .add && AddPart(rawValue: e.kernel.c) != .join ? e.input : e.output
        let (n, c) = (Int(cell.n), Int(cell.c))
        let shape = state.activations[l].shape
        let vector = shape[2] == 1 && shape[3] == 1 && shape[1] > 1
        let (row, col) = vector ? (0, c) : (Int(cell.h), Int(cell.w))
        let blockInput = from == l ? "its own input" : "the input of layer \(from)"
        func plane(_ t: KnownTensor, _ id: GridID, _ role: GridRole, _ title: String, _ sub: String?, _ symbol: String,
                   column: Int, joiner: String?, constant: Bool) -> Grid {
            var g = constant
                ? ctx.constantPlane(t, n: n, c: vector ? 0 : c, id: id, role: role, title: title, subtitle: sub,
                                    symbol: symbol, position: GridPosition(row: 0, column: column), joiner: joiner)
                : ctx.plane(t, n: n, c: vector ? 0 : c, id: id, role: role, title: title, subtitle: sub, symbol: symbol,
                            position: GridPosition(row: 0, column: column), joiner: joiner, partialAsDone: true)
            if vector { g = rowOfFeatures(t, n: n, grid: g, ctx: ctx) }
            return g
        }
        let channel = shape[1] > 1 && !vector ? "channel \(c)" : nil
        var grids: [Grid] = []
        var equation: Equation
        var title: String, caption: String, scene = SceneKind.residual
        let written: CellRef
        switch (e.kind, AddPart(rawValue: e.kernel.c)) {
        case (.add, .join?):
            let yLabel = ctx.label("y", e.output, shape: shape)
            var main = plane(state.activations[l], "main", .input, "main path F(x)", channel, "F", column: 0, joiner: nil, constant: true)
            var out = plane(state.activations[l + 1], "output", .output, "output y = F(x) + x", channel, "y",
                            column: p.projection == nil ? 2 : 1, joiner: "=", constant: false)
            main.mark(row, col, [.contributor, .current]); out.mark(row, col, .written)
            grids = [main, out]
            if p.projection == nil {  // with a projection the skip value is the projection's output, drawn in its own frames
                var skip = plane(state.activations[from], "skip", .input, "block input x (skip)", channel, "x", column: 1, joiner: "+", constant: true)
                skip.mark(row, col, [.contributor, .current])
                grids.insert(skip, at: 1)
            }
            written = CellRef(grid: "output", row: row, column: col)
            equation = sum(target: Operand(label: yLabel, value: e.acc, text: ctx.text(e.acc), ref: written),
                           Operand(label: ctx.label("F", e.output, shape: shape), value: e.a, text: ctx.text(e.a),
                                   ref: CellRef(grid: "main", row: row, column: col)),
                           p.projection == nil
                               ? Operand(label: ctx.label("x", e.input, shape: shape), value: e.b, text: ctx.text(e.b),
                                         ref: CellRef(grid: "skip", row: row, column: col))
                               : Operand(label: ctx.label("P", e.input, shape: shape), value: e.b, text: ctx.text(e.b)), e, ctx)
            title = "residual join · layer \(l) (add)"
            caption = "\(yLabel) adds the main path's value to the block's input (\(blockInput)), "
                + (p.projection == nil ? "unchanged: " : "through its 1×1 projection P: ")
                + "\(ctx.text(e.a)) + \(Operand.wrapped(ctx.text(e.b))) = \(ctx.text(e.acc))."
        case (.grad, _), (.add, .split?):
            let toSkip = e.kind == .add
            var dY = plane(state.gradOutput(of: l) ?? KnownTensor(shape: shape), "grad_output", .gradOutput, "dY (gradient of y)",
                           channel, "dY", column: 0, joiner: nil, constant: true)
            dY.mark(row, col, [.contributor, .current])
            let target: Grid
            if toSkip {
                var g = plane(KnownTensor(final: Tensor(shape: shape)), "grad_skip", .gradInput, "to the skip path",
                              (channel.map { $0 + " · " } ?? "") + "the block input, layer \(from)", "dX", column: 1, joiner: "→", constant: true)
                for i in g.cells.indices { g.cells[i] = Cell(value: nil, text: "", marks: .pending) }
                g.cells[row * g.columns + col] = Cell(value: e.acc, text: ctx.text(e.acc), marks: .written)
                target = g
            } else {
                var g = plane(state.gradInput[l], "grad_input", .gradInput, "to the main path (dF)", channel, "dF",
                              column: 1, joiner: "→", constant: false)
                g.mark(row, col, .written)
                target = g
            }
            grids = [dY, target]
            written = CellRef(grid: target.id, row: row, column: col)
            let label = ctx.label(toSkip ? "dX" : "dF", e.input, shape: shape)
            equation = Equation(target: Operand(label: label, value: e.acc, text: ctx.text(e.acc), ref: written),
                                terms: [Term(operands: [Operand(label: ctx.label("dY", e.output, shape: shape), value: e.a,
                                                                text: ctx.text(e.a), ref: CellRef(grid: "grad_output", row: row, column: col)),
                                                        Operand(label: "1", value: 1, text: "1")],
                                             product: e.product, productText: ctx.text(e.product), traceStep: e.step)],
                                result: e.acc, resultText: ctx.text(e.acc))
            title = "residual backward · the gradient splits · layer \(l) (add)"
            caption = "y = F(x) + x, so ∂y/∂F = 1 and ∂y/∂x = 1: dY passes unchanged "
                + (toSkip ? "along the skip path to the block input (\(blockInput)), where it waits for the main path's gradient."
                          : "into the main path, which carries it back through the block's layers.")
            scene = .residual
        default:  // fork
            let xLabel = ctx.label("dX", e.input, shape: shape)
            var total = plane(state.gradInput[from], "grad_input", .gradInput, "dX = block input gradient",
                              (channel.map { $0 + " · " } ?? "") + "input of layer \(from)", "dX", column: 0, joiner: nil, constant: false)
            for r in 0..<total.rows {  // cells after this one hold only the main path's gradient so far
                for q in 0..<total.columns where (r, q) > (row, col) {
                    total.cells[r * total.columns + q] = Cell(value: nil, text: "", marks: .pending)
                }
            }
            total.mark(row, col, .written)
            grids = [total]
            written = CellRef(grid: "grad_input", row: row, column: col)
            equation = sum(target: Operand(label: xLabel, value: e.acc, text: ctx.text(e.acc), ref: written),
                           Operand(label: "main path", value: e.a, text: ctx.text(e.a)),
                           Operand(label: "skip path", value: e.b, text: ctx.text(e.b)), e, ctx)
            title = "residual backward · the gradients add at the fork · layer \(l) (add)"
            caption = "The block input x feeds both paths, so its gradient is the sum of both: the main path's "
                + "\(ctx.text(e.a)) (back through the block's layers) + the skip path's \(Operand.wrapped(ctx.text(e.b))) = \(ctx.text(e.acc))."
        }
        let legend = [LegendEntry(swatch: .contributor, label: "the operands"), LegendEntry(swatch: .written, label: "being written"),
                      LegendEntry(swatch: .pending, label: "not computed yet")]
        return Frame(scene: scene, phase: e.phase, layer: l, traceSteps: e.step...e.step, title: title, caption: caption,
                     grids: grids, written: written, equation: equation,
                     notes: ["residual block: layers \(from)…\(max(from, l - 1)) are the main path F; layer \(l) adds \(blockInput)"],
                     legend: legend)
    }

    /// A projection's terms (an add with a 1×1 `projection`): forward, one projected cell P = Σ_c x·w + b from
    /// the block input; backward, one cell of its dW, db or of the block input's skip share, each term dY·(x or w).
    static func projectionFrame(_ ctx: SceneContext, group: [TraceEvent], state: TraceState) -> Frame? {
        guard let e0 = group.first, e0.layer < ctx.geometry.count, case .add(let p) = ctx.geometry[e0.layer].layer,
              let q = p.projection else { return nil }
        let l = e0.layer, block = state.activations[p.from], outShape = state.activations[l + 1].shape
        let w = KnownTensor(final: q.kernel)
        let macs = group.filter { $0.kind == .mac || $0.kind == .grad }
        var grids: [Grid] = []
        let target: Operand, title: String, caption: String
        var bias: Operand?
        let last = group.last { $0.kind != .output } ?? e0
        let result = group.last?.acc ?? 0
        if e0.phase == .forward {
            let (n, y, x) = (Int(e0.output.n), Int(e0.output.h), Int(e0.output.w))
            for c in 0..<block.c {
                var g = ctx.constantPlane(block, n: n, c: c, id: GridID("block.c\(c)"), role: .input, title: "block input x",
                                          subtitle: block.c > 1 ? "channel \(c)" : nil, symbol: "x",
                                          position: GridPosition(row: c, column: 0))
                g.mark(y * q.stride.y, x * q.stride.x, [.contributor, .current])
                grids.append(g)
            }
            var out = ctx.plane(state.activations[l + 1], n: n, c: Int(e0.output.c), id: "projection", role: .output,
                                title: "projection P = W·x + b", subtitle: "filter \(e0.output.c) · stride \(q.stride.y)",
                                symbol: "P", position: GridPosition(row: 0, column: 1), joiner: "→", partialAsDone: true)
            out.mark(y, x, .written)
            grids.append(out)
            target = Operand(label: ctx.label("P", e0.output, shape: outShape), value: result, text: ctx.text(result),
                             ref: CellRef(grid: "projection", row: y, column: x))
            if let b = group.first(where: { $0.kind == .bias }) {
                bias = Operand(label: "b[\(b.kernel.n)]", value: b.b, text: ctx.text(b.b))
            }
            title = "residual projection · 1×1 conv on the skip path · layer \(l) (add)"
            caption = "The block input is projected before the add: \(target.label) sums the \(block.c) channel"
                + "\(block.c == 1 ? "" : "s") of x at (\(y * q.stride.y), \(x * q.stride.x)) times the 1×1 weights, plus the bias."
        } else {
            let what: String
            switch last.target {
            case .kernel: what = ctx.label("dW", last.kernel, shape: w.shape)
            case .bias: what = "db[\(last.kernel.n)]"
            default: what = ctx.label("dX", last.input, shape: block.shape) + " (skip share)"
            }
            target = Operand(label: what, value: result, text: ctx.text(result))
            title = "residual projection backward · layer \(l) (add)"
            caption = "\(what): the skip path's dY back through the 1×1 projection, one term per projected cell"
                + (last.target == .input ? "; the fork adds it to the main path's gradient." : ".")
        }
        let terms = macs.map { e in
            Term(operands: [Operand(label: e.phase == .forward ? ctx.label("x", e.input, shape: block.shape)
                                        : ctx.label("dY", e.output, shape: outShape), value: e.a, text: ctx.text(e.a)),
                            Operand(label: e.phase == .forward || e.target == .input ? ctx.label("w", e.kernel, shape: w.shape)
                                        : (e.target == .bias ? "1" : ctx.label("x", e.input, shape: block.shape)),
                                    value: e.b, text: ctx.text(e.b))],
                 product: e.product, productText: ctx.text(e.product), traceStep: e.step)
        }
        let equation = Equation(target: target, terms: terms, bias: bias, result: result, resultText: ctx.text(result))
        return Frame(scene: .residual, phase: e0.phase, layer: l, traceSteps: stepsRange(group, nil), title: title,
                     caption: caption, grids: grids, equation: equation,
                     legend: [LegendEntry(swatch: .contributor, label: "the cells read"),
                              LegendEntry(swatch: .written, label: "being written")])
    }

    /// target = a + b as two one-operand terms (a sum, not products).
    static func sum(target: Operand, _ a: Operand, _ b: Operand, _ e: TraceEvent, _ ctx: SceneContext) -> Equation {
        Equation(target: target,
                 terms: [Term(operands: [a], product: e.a, productText: ctx.text(e.a), traceStep: e.step),
                         Term(operands: [b], product: e.b, productText: ctx.text(e.b), traceStep: e.step)],
                 result: e.acc, resultText: ctx.text(e.acc))
    }

    /// An N×F tensor (held N×F×1×1) shown as one row of F cells for sample n.
    static func rowOfFeatures(_ t: KnownTensor, n: Int, grid: Grid, ctx: SceneContext) -> Grid {
        var g = grid
        let f = t.shape[1]
        g.rows = 1; g.columns = f
        g.cells = (0..<f).map { k in
            let o = t.offset(n, k, 0, 0)
            return t.state[o] == 0 ? Cell(value: nil, text: "", marks: .pending) : Cell(value: t.values[o], text: ctx.text(t.values[o]))
        }
        return g
    }
}
