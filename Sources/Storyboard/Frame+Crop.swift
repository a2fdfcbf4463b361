// Storyboard — cropping a frame's big grids to the cells around what is highlighted (`render --crop N`).

extension Frame {
    /// The frame with every grid larger than `limit` rows or columns cut down to `limit` rows and
    /// columns around its highlighted cells (window, operands, the cell being written), so a frame of
    /// a 32×32 input stays readable. The kept rows and columns are named in the grid's subtitle
    /// ("rows 8–23 of 32"), `origin` moves with the cut, and every reference to a cell (window,
    /// written cell, equation operands) is moved too; references to cells cut away are dropped.
    ///
    /// A grid whose highlighted cells span more than `limit` keeps all of them. A grid with nothing
    /// highlighted shows the same rows and columns as a highlighted grid of its size (the other
    /// filters' outputs), or else its top-left corner. Grids within the limit are unchanged.
    /// - Parameter limit: the most rows and columns a grid keeps (at least 1).
    public func cropped(to limit: Int) -> Frame {
        let limit = Swift.max(1, limit)
        var out = self
        var cuts: [GridID: (rows: ClosedRange<Int>, columns: ClosedRange<Int>)] = [:]
        // Grids with highlighted cells first; a grid with none then takes the cut of a highlighted grid
        // of its size (the other filters' outputs show the same place as the one being written).
        var bySize: [[Int]: (rows: ClosedRange<Int>, columns: ClosedRange<Int>)] = [:]
        var plain: [Int] = []
        for (i, g) in grids.enumerated() where g.rows > limit || g.columns > limit {
            guard let cut = Self.cut(g, limit: limit, window: window, written: written) else { plain.append(i); continue }
            cuts[g.id] = cut
            if bySize[[g.rows, g.columns]] == nil { bySize[[g.rows, g.columns]] = cut }
            out.grids[i] = Self.crop(g, cut)
        }
        for i in plain {
            let g = grids[i]
            let cut = bySize[[g.rows, g.columns]] ?? (Self.span([], extent: g.rows, limit: limit),
                                                       Self.span([], extent: g.columns, limit: limit))
            cuts[g.id] = cut
            out.grids[i] = Self.crop(g, cut)
        }
        guard !cuts.isEmpty else { return self }

        func move(_ ref: CellRef?) -> CellRef? {
            guard let ref else { return nil }
            guard let cut = cuts[ref.grid] else { return ref }
            guard cut.rows.contains(ref.row), cut.columns.contains(ref.column) else { return nil }
            return CellRef(grid: ref.grid, row: ref.row - cut.rows.lowerBound, column: ref.column - cut.columns.lowerBound)
        }
        out.written = move(written)
        if var w = window {
            w.cells = w.cells.compactMap(move)
            w.bounds = w.bounds.compactMap { b in
                guard let cut = cuts[b.grid] else { return b }
                let r0 = Swift.max(b.row, cut.rows.lowerBound), r1 = Swift.min(b.row + b.rows - 1, cut.rows.upperBound)
                let c0 = Swift.max(b.column, cut.columns.lowerBound)
                let c1 = Swift.min(b.column + b.columns - 1, cut.columns.upperBound)
                guard r0 <= r1, c0 <= c1 else { return nil }
                return CellRect(grid: b.grid, row: r0 - cut.rows.lowerBound, column: c0 - cut.columns.lowerBound,
                                rows: r1 - r0 + 1, columns: c1 - c0 + 1)
            }
            out.window = w
        }
        func moveRefs(_ e: Equation) -> Equation {
            var e = e
            e.target.ref = move(e.target.ref)
            for t in e.terms.indices {
                for o in e.terms[t].operands.indices { e.terms[t].operands[o].ref = move(e.terms[t].operands[o].ref) }
            }
            if var b = e.bias { b.ref = move(b.ref); e.bias = b }
            return e
        }
        out.equation = equation.map(moveRefs)
        out.extraEquations = extraEquations.map(moveRefs)
        return out
    }

    /// The rows and columns of `g` to keep around its highlighted cells; nil when none is highlighted.
    static func cut(_ g: Grid, limit: Int, window: WindowHighlight?, written: CellRef?)
        -> (rows: ClosedRange<Int>, columns: ClosedRange<Int>)?
    {
        let highlight: CellMarks = [.window, .current, .source, .written, .selected, .contributor]
        var rows: [Int] = [], columns: [Int] = []
        for r in 0..<g.rows {
            for c in 0..<g.columns where !g[r, c].marks.intersection(highlight).isEmpty {
                rows.append(r); columns.append(c)
            }
        }
        for b in window?.bounds ?? [] where b.grid == g.id {
            rows += [b.row, b.row + b.rows - 1]; columns += [b.column, b.column + b.columns - 1]
        }
        if let w = written, w.grid == g.id { rows.append(w.row); columns.append(w.column) }
        if rows.isEmpty { return nil }
        return (span(rows, extent: g.rows, limit: limit), span(columns, extent: g.columns, limit: limit))
    }

    /// `limit` consecutive indices of 0..<extent centred on `focus` (all of `focus` when it is wider).
    static func span(_ focus: [Int], extent: Int, limit: Int) -> ClosedRange<Int> {
        guard extent > limit else { return 0...(extent - 1) }
        let inside = focus.filter { $0 >= 0 && $0 < extent }
        guard let lo = inside.min(), let hi = inside.max() else { return 0...(limit - 1) }
        if hi - lo + 1 >= limit { return lo...hi }
        let start = Swift.min(extent - limit, Swift.max(0, (lo + hi + 1) / 2 - limit / 2))
        return start...(start + limit - 1)
    }

    /// `g` restricted to `cut`, its subtitle saying which rows and columns these are.
    static func crop(_ g: Grid, _ cut: (rows: ClosedRange<Int>, columns: ClosedRange<Int>)) -> Grid {
        var cells: [Cell] = []
        cells.reserveCapacity(cut.rows.count * cut.columns.count)
        for r in cut.rows { for c in cut.columns { cells.append(g[r, c]) } }
        var parts: [String] = []
        if cut.rows.count < g.rows { parts.append("rows \(cut.rows.lowerBound)–\(cut.rows.upperBound) of \(g.rows)") }
        if cut.columns.count < g.columns {
            parts.append("columns \(cut.columns.lowerBound)–\(cut.columns.upperBound) of \(g.columns)")
        }
        let note = parts.joined(separator: ", ")
        return Grid(id: g.id, role: g.role, title: g.title, subtitle: g.subtitle.map { $0 + " · " + note } ?? note,
                    symbol: g.symbol, rows: cut.rows.count, columns: cut.columns.count, cells: cells,
                    origin: GridOrigin(row: g.origin.row + cut.rows.lowerBound, column: g.origin.column + cut.columns.lowerBound),
                    slice: g.slice, position: g.position, joiner: g.joiner)
    }
}
