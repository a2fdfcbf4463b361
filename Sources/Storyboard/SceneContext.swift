// Storyboard — what every scene needs: the header facts, the options, labels and grid builders.
import Engine

/// Shared helpers for scenes: labelling cells and turning tensor planes into grids.
struct SceneContext: Sendable {
    let source: StoryboardSource
    let geometry: [LayerGeometry]
    let options: StoryboardOptions
    let format: ValueFormat
    /// The input was a 1-D signal: label cells `x[i]` and drop the row axis.
    let oneD: Bool
    /// Conv layers drawn side by side with the other flip: the other run's events, by output cell.
    let comparison: [Int: [Index4: [TraceEvent]]]

    init(source: StoryboardSource, geometry: [LayerGeometry], options: StoryboardOptions) {
        self.source = source; self.geometry = geometry; self.options = options
        format = ValueFormat(digits: options.digits)
        let shape = KnownTensor.rank4(source.input.shape)
        oneD = source.inputRank.map { $0 == 1 } ?? (source.input.rank == 4 && shape[2] == 1 && shape[0] == 1)
        var comparison: [Int: [Index4: [TraceEvent]]] = [:]
        if options.compareFlip, let first = geometry.first, case .conv2d(var p, let kernel, let bias) = first.layer {
            p.flip.toggle()
            var tracer = Tracer(sink: RecordingSink())
            let x = Tensor(shape: shape, data: source.input.data)
            if (try? Conv2D.forward(input: x, kernel: kernel, bias: bias, params: p, tracer: &tracer)) != nil {
                var byCell: [Index4: [TraceEvent]] = [:]
                for e in tracer.sink.events { byCell[e.output, default: []].append(e) }
                comparison[0] = byCell
            }
        }
        self.comparison = comparison
    }

    /// `v` formatted.
    func text(_ v: Double) -> String { format.text(v) }

    /// A label such as `x[1,2]`: axes of extent 1 in front (n, c) are dropped, and the row axis of
    /// a 1-D signal; a vector (N×F, held as N×F×1×1) is labelled by its feature, `x[5]`.
    func label(_ symbol: String, _ i: Index4, shape: [Int]) -> String {
        var parts: [Int] = []
        if shape[0] > 1 { parts.append(Int(i.n)) }
        if shape.count == 4 && shape[2] == 1 && shape[3] == 1 {
            parts.append(Int(i.c))
            return symbol + "[" + parts.map(String.init).joined(separator: ",") + "]"
        }
        if shape[1] > 1 { parts.append(Int(i.c)) }
        if !(oneD && shape[2] == 1) { parts.append(Int(i.h)) }
        parts.append(Int(i.w))
        return symbol + "[" + parts.map(String.init).joined(separator: ",") + "]"
    }

    /// A grid showing plane (n, c) of a known tensor: final cells with their value, partial cells
    /// with their running value (marked written), unknown cells pending.
    func plane(_ t: KnownTensor, n: Int, c: Int, id: GridID, role: GridRole, title: String, subtitle: String?,
               symbol: String, position: GridPosition, joiner: String? = nil, showPendingAsDone: Bool = false,
               partialAsDone: Bool = false) -> Grid {
        var cells: [Cell] = []
        cells.reserveCapacity(t.h * t.w)
        for h in 0..<t.h {
            for w in 0..<t.w {
                let o = t.offset(n, c, h, w)
                switch t.state[o] {
                case 2: cells.append(Cell(value: t.values[o], text: text(t.values[o]), marks: showPendingAsDone ? [] : .done))
                // A grid shown as an operand (`showPendingAsDone`) carries no progress marks of its own.
                case 1: cells.append(Cell(value: t.values[o], text: text(t.values[o]),
                                          marks: showPendingAsDone ? [] : partialAsDone ? .done : .written))
                default:
                    cells.append(showPendingAsDone
                        ? Cell(value: t.values[o], text: text(t.values[o]))
                        : Cell(value: nil, text: "", marks: .pending))
                }
            }
        }
        return Grid(id: id, role: role, title: title, subtitle: subtitle, symbol: symbol, rows: t.h, columns: t.w,
                    cells: cells, slice: TensorSlice(n: n, c: c), position: position, joiner: joiner)
    }

    /// A grid of a fully known tensor plane (inputs, kernels): plain cells, no marks.
    func constantPlane(_ t: KnownTensor, n: Int, c: Int, id: GridID, role: GridRole, title: String,
                       subtitle: String?, symbol: String, position: GridPosition, joiner: String? = nil,
                       rotated: Bool = false) -> Grid {
        var cells: [Cell] = []
        for h in 0..<t.h {
            for w in 0..<t.w {
                let (sh, sw) = rotated ? (t.h - 1 - h, t.w - 1 - w) : (h, w)
                let v = t[n, c, sh, sw]
                cells.append(Cell(value: v, text: text(v)))
            }
        }
        return Grid(id: id, role: role, title: title, subtitle: subtitle, symbol: symbol, rows: t.h, columns: t.w,
                    cells: cells, slice: TensorSlice(n: n, c: c), position: position, joiner: joiner)
    }

    /// Plane (n, c) of `t` with a padding border filled as `mode` fills it; grid (0, 0) is tensor
    /// cell (−top, −left).
    func paddedPlane(_ t: KnownTensor, n: Int, c: Int, padding: Padding, mode: PaddingMode, id: GridID,
                     role: GridRole, title: String, subtitle: String?, symbol: String, position: GridPosition,
                     joiner: String? = nil) -> Grid {
        let rows = t.h + padding.top + padding.bottom, cols = t.w + padding.left + padding.right
        var cells: [Cell] = []
        cells.reserveCapacity(rows * cols)
        for r in 0..<rows {
            for q in 0..<cols {
                let h = r - padding.top, w = q - padding.left
                if h >= 0, h < t.h, w >= 0, w < t.w {
                    let o = t.offset(n, c, h, w)
                    if t.state[o] == 0 {
                        cells.append(Cell(value: nil, text: "", marks: .pending))
                    } else {
                        cells.append(Cell(value: t.values[o], text: text(t.values[o])))
                    }
                } else if let sh = mode.sourceIndex(h, size: t.h), let sw = mode.sourceIndex(w, size: t.w) {
                    let v = t[n, c, sh, sw]
                    cells.append(Cell(value: v, text: text(v),
                                      role: .padding(PaddingFill(mode: mode, source: GridOrigin(row: sh, column: sw)))))
                } else {
                    cells.append(Cell(value: 0, text: "0", role: .padding(PaddingFill(mode: .zeros))))
                }
            }
        }
        return Grid(id: id, role: role, title: title, subtitle: subtitle, symbol: symbol, rows: rows, columns: cols,
                    cells: cells, origin: GridOrigin(row: -padding.top, column: -padding.left),
                    slice: TensorSlice(n: n, c: c), position: position, joiner: joiner)
    }

    /// The padding as drawn for this input: a 1-D signal has no top/bottom padding to speak of.
    func shownPadding(_ p: Padding) -> Padding {
        oneD && p.top == 0 && p.bottom == 0 ? Padding(top: p.left, bottom: p.right, left: p.left, right: p.right) : p
    }

    /// A stride or dilation as drawn for this input: a 1-D signal's is its width's (`stride 2`, not `(1, 2)`).
    func shownPair(_ p: Pair) -> Pair {
        oneD && p.y == 1 ? Pair(p.x) : p
    }

    /// Legend line for a padding mode.
    static func paddingLegend(_ mode: PaddingMode) -> LegendEntry {
        switch mode {
        case .zeros: LegendEntry(swatch: .padding, label: "padding (zeros: reads 0)")
        case .reflect: LegendEntry(swatch: .padding, label: "padding (reflect: mirrored, edge not repeated)")
        case .replicate: LegendEntry(swatch: .padding, label: "padding (replicate: copies the nearest edge cell)")
        case .circular: LegendEntry(swatch: .padding, label: "padding (circular: wraps around)")
        }
    }

    /// "stride 2 · padding 1 (zeros) · dilation 2" — only the non-default parts; "" when all default.
    static func paramText(stride: Pair, padding: Padding?, mode: PaddingMode?, dilation: Pair) -> String {
        var parts: [String] = []
        func pair(_ p: Pair) -> String { p.y == p.x ? "\(p.y)" : "(\(p.y), \(p.x))" }
        if stride != Pair(1) { parts.append("stride \(pair(stride))") }
        if let p = padding, p != .zero {
            var t: String
            if p.top == p.bottom && p.left == p.right {
                t = p.top == p.left ? "padding \(p.top)" : "padding (\(p.top), \(p.left))"
            } else {
                t = "padding (top \(p.top), bottom \(p.bottom), left \(p.left), right \(p.right))"
            }
            if let m = mode { t += " (\(m.rawValue))" }
            parts.append(t)
        }
        if dilation != Pair(1) { parts.append("dilation \(pair(dilation))") }
        return parts.joined(separator: " · ")
    }

    /// The running sum after step `current` (an index into `group`) of a sum whose terms are the
    /// events at `steps`: the accumulator before it (the previous step's, or acc − term for the first),
    /// the term (a bias event's bias, otherwise its product) and the accumulator after; nil at cell
    /// granularity (`current` nil).
    func runningSum(_ group: [TraceEvent], steps: [Int], current: Int?) -> RunningSum? {
        guard let current, let pos = steps.firstIndex(of: current) else { return nil }
        let e = group[current]
        let term = e.kind == .bias ? e.b : e.product
        let before = pos > 0 ? group[steps[pos - 1]].acc : e.acc - term
        return RunningSum(before: before, term: term, after: e.acc, beforeText: text(before), termText: text(term),
                          afterText: text(e.acc), termsDone: pos + 1, termsTotal: steps.count)
    }
}

extension Grid {
    /// Adds marks to cell (r, c) if it exists.
    mutating func mark(_ r: Int, _ c: Int, _ m: CellMarks, annotation: String? = nil) {
        guard contains(row: r, column: c) else { return }
        cells[r * columns + c].marks.formUnion(m)
        if let annotation { cells[r * columns + c].annotation = annotation }
    }
}
