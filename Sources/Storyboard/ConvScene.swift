// Storyboard — the conv2d forward scene: (padded) input ⋆ kernel = output, window, every product, bias.
import Engine

/// conv2d forward frames: one per output cell (or per mac), with the window on every input channel,
/// the kernel of the current filter (and rotated for true convolution), every filter's output
/// filling in, the bias, and the equation with per-channel partial sums.
enum ConvScene {
    /// - Parameters:
    ///   - group: the events of one output cell (macs, optional bias, output), in order.
    ///   - current: index in `group` of this frame's step at mac granularity; nil for a cell frame.
    static func frame(_ ctx: SceneContext, group: [TraceEvent], current: Int?, state: TraceState) -> Frame? {
        guard let e0 = group.first, e0.layer < ctx.geometry.count,
              case .conv2d(let p, let kernelTensor, let biasTensor) = ctx.geometry[e0.layer].layer
        else { return nil }
        let l = e0.layer
        let X = state.activations[l], Y = state.activations[l + 1]
        let Kt = KnownTensor(final: kernelTensor)
        let n = Int(e0.output.n), k = Int(e0.output.c)
        let C = X.c, K = Kt.n, Fh = Kt.h, Fw = Kt.w
        // groups: filter k sees only input channels `seen`; its kernel channel kc reads channel seen.lowerBound + kc.
        let Cg = Kt.c, grouped = p.groups > 1
        let seen = grouped ? (k / max(K / p.groups, 1)) * Cg..<(k / max(K / p.groups, 1) + 1) * Cg : 0..<C
        let macs = group.indices.filter { group[$0].kind == .mac }
        let biasIndex = group.firstIndex { $0.kind == .bias }
        let outEvent = group.last { $0.kind == .output }
        let cur = current.map { group[$0] }
        let padded = p.padding != .zero
        let compare = ctx.comparison[l]
        let showRotated = p.flip || compare != nil

        // Columns: input | kernel | (rotated kernel) | output | (comparison output)
        let colKernel = 1, colRot = 2
        let colOut = showRotated ? (compare != nil ? 2 : 3) : 2
        let colRotCompare = 3, colCompare = 4

        var grids: [Grid] = []
        let inputTitle = padded ? "padded input x" : "input x"
        for c in 0..<C {
            var sub = C > 1 ? "channel \(c)" : (padded ? "padding \(ctx.paddingWord(ctx.shownPadding(p.padding))) · \(p.paddingMode.rawValue)" : nil)
            if grouped && !seen.contains(c) { sub = (sub ?? "") + " · not seen by filter \(k)" }
            let id = GridID("input.c\(c)")
            if padded {
                grids.append(ctx.paddedPlane(X, n: n, c: c, padding: p.padding, mode: p.paddingMode, id: id,
                                             role: .paddedInput, title: inputTitle, subtitle: sub, symbol: "x",
                                             position: GridPosition(row: c, column: 0)))
            } else {
                grids.append(ctx.constantPlane(X, n: n, c: c, id: id, role: .input, title: inputTitle, subtitle: sub,
                                               symbol: "x", position: GridPosition(row: c, column: 0)))
            }
        }
        let kTitle = K > 1 ? "kernel k[\(k)]" : "kernel k"
        for c in seen {
            let kc = c - seen.lowerBound  // the kernel's own channel index; the grid sits beside input channel c
            var sub: String? = C > 1 ? (grouped ? "channel \(kc) · reads x channel \(c)" : "channel \(c)") : nil
            if p.flip { sub = (sub.map { $0 + " · " } ?? "") + "as given" }
            grids.append(ctx.constantPlane(Kt, n: k, c: kc, id: GridID("kernel.c\(c)"), role: .kernel, title: kTitle,
                                           subtitle: sub, symbol: "k", position: GridPosition(row: c, column: colKernel),
                                           joiner: p.flip ? "∗" : "⋆"))
            if p.flip {
                grids.append(ctx.constantPlane(Kt, n: k, c: kc, id: GridID("rotated.c\(c)"), role: .rotatedKernel,
                                               title: "rotated 180°", subtitle: C > 1 ? "channel \(c)" : "what slides",
                                               symbol: "k", position: GridPosition(row: c, column: colRot),
                                               joiner: "↻", rotated: true))
            }
        }
        let outTitle = p.flip ? "output y (convolution)" : (compare != nil ? "output y (cross-correlation)" : "output y")
        for kk in 0..<K {
            var g = ctx.plane(Y, n: n, c: kk, id: GridID("output.k\(kk)"), role: .output, title: outTitle,
                              subtitle: K > 1 ? "filter \(kk)" : "\(Y.h)×\(Y.w)", symbol: "y",
                              position: GridPosition(row: kk, column: colOut), joiner: kk == 0 ? "=" : nil)
            if kk == k { g.mark(Int(e0.output.h), Int(e0.output.w), .written) }
            grids.append(g)
        }
        if let biasTensor {
            var cells = biasTensor.data.map { Cell(value: $0, text: ctx.text($0)) }
            if k < cells.count { cells[k].marks.insert(biasIndex != nil ? .contributor : []) }
            grids.append(Grid(id: "bias", role: .bias, title: "bias b", subtitle: nil, symbol: "b", rows: 1,
                              columns: cells.count, cells: cells, position: GridPosition(row: K, column: colOut)))
        }

        // Window, annotations, operands.
        var windowCells: [CellRef] = []
        var terms: [Term] = []
        let curIndex = current ?? Int.max
        var paddingReads = 0
        var groups: [TermGroup] = []
        var groupStart = 0, groupChannel = -1, groupSum = 0.0, groupComplete = true
        func closeTermGroup(_ end: Int) {
            guard C > 1, groupChannel >= 0, end > groupStart else { return }
            groups.append(TermGroup(label: "channel \(groupChannel)", terms: groupStart..<end,
                                    subtotal: groupComplete ? groupSum : nil,
                                    subtotalText: groupComplete ? ctx.text(groupSum) : ""))
        }
        for (t, gi) in macs.enumerated() {
            let e = group[gi]
            let c = Int(e.padded.c)
            if c != groupChannel {
                closeTermGroup(t)
                groupStart = t; groupChannel = c; groupSum = 0; groupComplete = true
            }
            let state: TermState = gi < curIndex ? .done : (gi == curIndex ? .current : .pending)
            if state == .pending { groupComplete = false }
            groupSum += e.product
            let inputGrid = GridID("input.c\(c)")
            let r = Int(e.padded.h), q = Int(e.padded.w)
            windowCells.append(CellRef(grid: inputGrid, row: r, column: q))
            let isPad = e.flags.contains(.padding)
            if isPad { paddingReads += 1 }
            let ki = Int(e.kernel.h), kj = Int(e.kernel.w)
            let kernelRef = p.flip ? CellRef(grid: GridID("rotated.c\(c)"), row: Fh - 1 - ki, column: Fw - 1 - kj)
                : CellRef(grid: GridID("kernel.c\(c)"), row: ki, column: kj)
            var xLabel = ctx.label("x", e.input, shape: X.shape)
            if isPad && p.paddingMode == .zeros { xLabel = "pad" }
            terms.append(Term(
                operands: [
                    Operand(label: xLabel, value: e.a, text: ctx.text(e.a),
                            ref: CellRef(grid: inputGrid, row: r, column: q), isPadding: isPad),
                    Operand(label: ctx.label("k", e.kernel, shape: Kt.shape), value: e.b, text: ctx.text(e.b),
                            ref: kernelRef),
                ],
                product: e.product, productText: ctx.text(e.product), isPadding: isPad, state: state,
                traceStep: e.step))
            // Marks on the grids.
            let isCurrent = gi == curIndex
            if let gIdx = grids.firstIndex(where: { $0.id == inputGrid }) {
                grids[gIdx].mark(r, q, isCurrent ? [.window, .current] : .window, annotation: "×" + ctx.text(e.b))
                if isPad, p.paddingMode != .zeros, current == nil || isCurrent {
                    grids[gIdx].mark(Int(e.input.h) + p.padding.top, Int(e.input.w) + p.padding.left, .source)
                }
            }
            let kGrid = GridID("kernel.c\(c)")
            if let gIdx = grids.firstIndex(where: { $0.id == kGrid }) {
                grids[gIdx].mark(ki, kj, isCurrent ? [.contributor, .current] : .contributor)
            }
            if p.flip, let gIdx = grids.firstIndex(where: { $0.id == kernelRef.grid }) {
                grids[gIdx].mark(kernelRef.row, kernelRef.column, isCurrent ? [.window, .current] : .window)
            }
        }
        closeTermGroup(macs.count)

        // Bias operand, result, running sum.
        var biasOperand: Operand?
        if let bi = biasIndex {
            let b = group[bi]
            biasOperand = Operand(label: "b[\(k)]", value: b.b, text: ctx.text(b.b),
                                  ref: CellRef(grid: "bias", row: 0, column: k))
            if bi == curIndex, let gIdx = grids.firstIndex(where: { $0.id == "bias" }) {
                grids[gIdx].mark(0, k, .current)
            }
        }
        let steps = group.indices.filter { FrameGrouper.isStep(group[$0]) }
        let lastStep = steps.last ?? 0
        let finished = current == nil || curIndex >= lastStep
        let resultValue: Double? = finished ? (outEvent?.acc ?? group[lastStep].acc) : nil
        let outRef = CellRef(grid: GridID("output.k\(k)"), row: Int(e0.output.h), column: Int(e0.output.w))
        let target = Operand(label: ctx.label("y", e0.output, shape: Y.shape), value: resultValue ?? cur?.acc ?? 0,
                             text: resultValue.map(ctx.text) ?? "", ref: outRef)
        let equation = Equation(target: target, terms: terms, groups: groups, bias: biasOperand,
                                result: resultValue, resultText: resultValue.map(ctx.text) ?? "")
        let running = ctx.runningSum(group, steps: steps, current: current)
        if current != nil, let gIdx = grids.firstIndex(where: { $0.id == outRef.grid }), let ce = cur {
            grids[gIdx].cells[outRef.row * grids[gIdx].columns + outRef.column].value = ce.acc
            grids[gIdx].cells[outRef.row * grids[gIdx].columns + outRef.column].text = ctx.text(ce.acc)
        }

        // Comparison (the other flip), drawn from its own trace.
        var extra: [Equation] = []
        if let compare {
            var rot = ctx.constantPlane(Kt, n: k, c: 0, id: "compare.rotated", role: .rotatedKernel,
                                        title: p.flip ? "kernel as given" : "kernel rotated 180°",
                                        subtitle: "for the " + (p.flip ? "cross-correlation" : "convolution"),
                                        symbol: "k", position: GridPosition(row: 0, column: colRotCompare),
                                        joiner: nil, rotated: !p.flip)
            for i in rot.cells.indices { rot.cells[i].marks.insert(.contributor) }
            grids.append(rot)
            var cmpCells: [Cell] = []
            let doneUpTo = ((n * Y.c + k) * Y.h + Int(e0.output.h)) * Y.w + Int(e0.output.w)
            for h in 0..<Y.h {
                for w in 0..<Y.w {
                    let key = Index4(n, k, h, w)
                    let flat = ((n * Y.c + k) * Y.h + h) * Y.w + w
                    if flat <= doneUpTo, let v = compare[key]?.last(where: { $0.kind == .output })?.acc {
                        cmpCells.append(Cell(value: v, text: ctx.text(v), marks: flat == doneUpTo ? .written : .done))
                    } else {
                        cmpCells.append(Cell(value: nil, text: "", marks: .pending))
                    }
                }
            }
            grids.append(Grid(id: "compare.output", role: .comparisonOutput,
                              title: p.flip ? "output (cross-correlation)" : "output (convolution)",
                              subtitle: "\(Y.h)×\(Y.w)", symbol: "y′", rows: Y.h, columns: Y.w, cells: cmpCells,
                              slice: TensorSlice(n: n, c: k), position: GridPosition(row: 0, column: colCompare),
                              joiner: "="))
            if let events = compare[e0.output] {
                let cm = events.filter { $0.kind == .mac }
                let v = events.last { $0.kind == .output }?.acc
                extra.append(Equation(
                    target: Operand(label: ctx.label("y′", e0.output, shape: Y.shape), value: v ?? 0,
                                    text: v.map(ctx.text) ?? "",
                                    ref: CellRef(grid: "compare.output", row: Int(e0.output.h), column: Int(e0.output.w))),
                    terms: cm.map { e in
                        Term(operands: [
                            Operand(label: ctx.label("x", e.input, shape: X.shape), value: e.a, text: ctx.text(e.a),
                                    isPadding: e.flags.contains(.padding)),
                            Operand(label: ctx.label("k", e.kernel, shape: Kt.shape), value: e.b, text: ctx.text(e.b)),
                        ], product: e.product, productText: ctx.text(e.product), isPadding: e.flags.contains(.padding),
                        traceStep: e.step)
                    },
                    bias: events.first { $0.kind == .bias }.map {
                        Operand(label: "b[\(k)]", value: $0.b, text: ctx.text($0.b))
                    },
                    result: v, resultText: v.map(ctx.text) ?? ""))
            }
        }

        // Words.
        let opWord = p.flip ? "convolution" : "cross-correlation"
        var title = "conv2d · \(opWord)"
        let params = SceneContext.paramText(stride: ctx.shownPair(p.stride), padding: ctx.shownPadding(p.padding), mode: p.paddingMode,
                                            dilation: ctx.shownPair(p.dilation))
        if !params.isEmpty { title += " · " + params }
        if grouped { title += " · groups \(p.groups)" + (p.groups == C ? " (depthwise)" : "") }
        if compare != nil { title = "cross-correlation vs convolution" + (params.isEmpty ? "" : " · " + params) }
        let yLabel = target.label
        var caption: String
        if let ce = cur {
            if ce.kind == .bias {
                caption = "Add the bias b[\(k)] = \(ctx.text(ce.b)) to \(yLabel): \(ctx.text(ce.a)) + \(Operand.wrapped(ctx.text(ce.b))) = \(ctx.text(ce.acc))."
            } else {
                let xl = terms[macs.firstIndex(of: current ?? 0) ?? 0].operands[0].label
                caption = "Multiply \(xl) = \(ctx.text(ce.a)) by \(ctx.label("k", ce.kernel, shape: Kt.shape)) = \(ctx.text(ce.b)) and add the product to \(yLabel)."
                if ce.flags.contains(.padding) {
                    caption += " This cell is padding: \(p.paddingMode == .zeros ? "it reads 0" : "it reads \(ctx.text(ce.a)) (\(p.paddingMode.rawValue))")."
                }
            }
        } else {
            let taps = Fh * Fw * Cg
            caption = "\(yLabel) is the sum of the \(taps) products of the window and the kernel"
            caption += biasTensor != nil ? ", plus the bias." : "."
            if grouped {
                caption += " groups = \(p.groups): filter \(k) sees only input "
                    + (Cg == 1 ? "channel \(seen.lowerBound)" : "channels \(seen.lowerBound)…\(seen.upperBound - 1)")
                    + " (its group), so it adds \(Cg) channel\(Cg == 1 ? "" : "s") of products, not \(C)."
            }
            if paddingReads > 0 {
                caption += " \(paddingReads) of the window's cells are padding (\(p.paddingMode == .zeros ? "they read 0" : p.paddingMode.rawValue))."
            }
            if p.flip { caption += " True convolution: the kernel is rotated 180° before it slides." }
            if compare != nil { caption += " Right: the same window with the kernel rotated 180° (true convolution)." }
        }
        var notes: [String] = []
        if grouped {
            let kg = K / p.groups
            let first = (k / kg) * kg
            notes.append("groups = \(p.groups): " + (kg == 1 ? "filter \(first) sees " : "filters \(first)…\(first + kg - 1) see ")
                + (Cg == 1 ? "channel \(seen.lowerBound)" : "channels \(seen.lowerBound)…\(seen.upperBound - 1)")
                + "; the kernel is K×C/groups×Fh×Fw = \(K)×\(Cg)×\(Fh)×\(Fw)")
        }
        let linearMap = Fh == 1 && Fw == 1 && Cg > 1 && compare == nil
        if linearMap {
            grids += pointwiseGrids(ctx, group: group, current: current, X: X, Y: Y, Kt: Kt, n: n, k: k,
                                    seen: seen, column: colOut + 1)
            notes.append("1×1 kernel: at every pixel, y[:, h, w] = W · x[:, h, w] + b — one \(K)×\(Cg) matrix W "
                + "(the kernel's K×C\(grouped ? "/groups" : "") weights) applied to the pixel's vector of channels")
        }
        notes.append(contentsOf: ctx.outputSizeNotes(inH: X.h, inW: X.w, f: Pair(Fh, Fw), padding: p.padding,
                                                     stride: p.stride, dilation: p.dilation, outH: Y.h, outW: Y.w))
        var legend: [LegendEntry] = [LegendEntry(swatch: .window, label: "window: the cells read (×weight)"),
                                     LegendEntry(swatch: .contributor, label: "kernel weights")]
        if current != nil { legend.append(LegendEntry(swatch: .current, label: "this step's operands")) }
        if padded { legend.append(SceneContext.paddingLegend(p.paddingMode)) }
        if padded && p.paddingMode != .zeros { legend.append(LegendEntry(swatch: .source, label: "where the padding value is copied from")) }
        legend.append(LegendEntry(swatch: .written, label: "being written"))
        legend.append(LegendEntry(swatch: .pending, label: "not computed yet"))

        // Window bounds per channel (dilation = tap step).
        var bounds: [CellRect] = []
        for c in 0..<C {
            let cells = windowCells.filter { $0.grid == GridID("input.c\(c)") }
            guard let r0 = cells.map(\.row).min(), let r1 = cells.map(\.row).max(),
                  let c0 = cells.map(\.column).min(), let c1 = cells.map(\.column).max() else { continue }
            bounds.append(CellRect(grid: GridID("input.c\(c)"), row: r0, column: c0, rows: r1 - r0 + 1, columns: c1 - c0 + 1))
        }
        let window = WindowHighlight(cells: windowCells, bounds: bounds,
                                     step: GridStep(rows: p.dilation.y, columns: p.dilation.x))
        var frame = Frame(scene: compare != nil ? .correlationVsConvolution : .conv, phase: e0.phase, layer: l,
                          traceSteps: stepsRange(group, current), title: title, caption: caption, grids: grids,
                          window: window, written: outRef, equation: equation, runningSum: running, notes: notes,
                          legend: legend)
        frame.extraEquations = extra
        return frame
    }

    /// A 1×1 conv as a per-pixel linear map: the weight matrix W (K×C/groups, row k marked), the pixel's
    /// channel vector x[n, :, h, w] (the channels filter k reads), and the output vector y[n, :, h, w].
    static func pointwiseGrids(_ ctx: SceneContext, group: [TraceEvent], current: Int?, X: KnownTensor, Y: KnownTensor,
                               Kt: KnownTensor, n: Int, k: Int, seen: Range<Int>, column: Int) -> [Grid] {
        guard let e0 = group.first(where: { $0.kind == .mac }) else { return [] }
        let (h, w) = (Int(e0.output.h), Int(e0.output.w))
        let curIndex = current ?? Int.max
        let curChannel = current.map { Int(group[$0].kernel.c) }
        var weights: [Cell] = []
        for kk in 0..<Kt.n {
            for c in 0..<Kt.c {
                let v = Kt.values[Kt.offset(kk, c, 0, 0)]
                var marks: CellMarks = kk == k ? .contributor : []
                if kk == k, c == curChannel { marks.insert(.current) }
                weights.append(Cell(value: v, text: ctx.text(v), marks: marks))
            }
        }
        var pixel: [Cell] = []
        for (gi, e) in group.enumerated() where e.kind == .mac {
            var marks: CellMarks = .window
            if gi == curIndex { marks.insert(.current) }
            pixel.append(Cell(value: e.a, text: ctx.text(e.a), marks: marks))
        }
        var outputs: [Cell] = []
        for kk in 0..<Y.c {
            let o = Y.offset(n, kk, h, w)
            if kk == k {
                let v = current.map { group[min($0, group.count - 1)].acc } ?? group.last?.acc ?? 0
                outputs.append(Cell(value: v, text: ctx.text(v), marks: .written))
            } else if Y.state[o] == 2 {
                outputs.append(Cell(value: Y.values[o], text: ctx.text(Y.values[o]), marks: .done))
            } else {
                outputs.append(Cell(value: nil, text: "", marks: .pending))
            }
        }
        let where_ = "pixel (\(h), \(w))"
        return [
            Grid(id: "pointwise.weights", role: .kernel, title: "W = 1×1 weights", subtitle: "\(Kt.n)×\(Kt.c) · row \(k) = filter \(k)",
                 symbol: "k", rows: Kt.n, columns: Kt.c, cells: weights, position: GridPosition(row: 0, column: column)),
            Grid(id: "pointwise.x", role: .input, title: "x[:, \(h), \(w)]",
                 subtitle: "channels \(seen.lowerBound)…\(seen.upperBound - 1) at \(where_)", symbol: "x",
                 rows: pixel.count, columns: 1, cells: pixel, position: GridPosition(row: 0, column: column + 1), joiner: "·"),
            Grid(id: "pointwise.y", role: .output, title: "y[:, \(h), \(w)]", subtitle: "\(Y.c) filters at \(where_)",
                 symbol: "y", rows: outputs.count, columns: 1, cells: outputs,
                 position: GridPosition(row: 0, column: column + 2), joiner: "="),
        ]
    }
}

/// The trace steps a frame covers: the whole group at cell granularity, up to the current step at mac.
func stepsRange(_ group: [TraceEvent], _ current: Int?) -> ClosedRange<Int>? {
    guard let first = group.first?.step else { return nil }
    if let c = current { return group[c].step...group[c].step }
    return first...(group.last?.step ?? first)
}

extension SceneContext {
    /// "padding 1" style words for a padding.
    func paddingWord(_ p: Padding) -> String {
        if p.top == p.bottom && p.left == p.right { return p.top == p.left ? "\(p.top)" : "\(p.top),\(p.left)" }
        return "\(p.top),\(p.bottom),\(p.left),\(p.right)"
    }

    /// The output-size formula with the numbers substituted, per axis (one line for a 1-D signal).
    ///
    /// The text is the engine's `OutputSize.formula`, so it reads true as printed: `⌊…⌋` when the stride
    /// does not divide, the dilated extent `(d·(F − 1) + 1)` in parentheses.
    func outputSizeNotes(inH: Int, inW: Int, f: Pair, padding: Padding, stride: Pair, dilation: Pair,
                         outH: Int, outW: Int) -> [String] {
        func line(_ name: String, _ size: Int, _ before: Int, _ after: Int, _ f: Int, _ s: Int, _ d: Int, _ out: Int) -> String {
            guard let o = try? OutputSize.convolution(input: size, kernel: f, stride: s, padding: (before, after),
                                                      dilation: d), o.value == out
            else { return "\(name) = \(out)" }
            return "\(name) = \(o.formula)"
        }
        var notes: [String] = []
        if !(oneD && inH == 1) {
            notes.append(line("output height", inH, padding.top, padding.bottom, f.y, stride.y, dilation.y, outH))
        }
        notes.append(line("output width", inW, padding.left, padding.right, f.x, stride.x, dilation.x, outW))
        return notes
    }
}
