// CairoRender — lays out and draws one frame on a Cairo context: grids, window, equation, caption, legend.
import CCairo
import Storyboard

/// Measures and draws frames. Not thread-safe (it owns a measuring context and caches widths).
final class FramePainter {
    let theme: Theme
    private let measurer: CairoContext
    private var widths: [FontSpec: [String: Double]] = [:]
    private var glyphCache: [FontSpec: [String: [cairo_glyph_t]]] = [:]

    init(theme: Theme) throws {
        self.theme = theme
        measurer = try CairoContext(try CairoSurface.image(width: 1, height: 1))
    }

    /// Advance width of `text` in `font` (cached).
    func width(_ text: String, _ font: FontSpec) -> Double {
        if let w = widths[font]?[text] { return w }
        let w = measurer.textWidth(text, in: font)
        widths[font, default: [:]][text] = w
        return w
    }

    // MARK: layout

    /// The table of grids: sizes only (no text block), to find a common width first.
    func layoutTable(_ frame: Frame) -> FrameLayout {
        var L = FrameLayout(width: 0, height: 0)
        let m = Metrics.margin
        var y = m + 30
        let columns = Array(Set(frame.grids.map(\.position.column))).sorted()
        let rows = Array(Set(frame.grids.map(\.position.row))).sorted()
        struct Size { var cellW: Double; var cellH: Double; var gridW: Double; var gridH: Double; var boxW: Double; var headerH: Double }
        var sizes: [Size] = []
        for g in frame.grids {
            var textW = 0.0
            for c in g.cells where !c.text.isEmpty {
                textW = max(textW, width(c.text, Fonts.text))
            }
            let cellW = max(Metrics.cellMin, textW + Metrics.cellPad)
            let cellH = Metrics.cellMin
            let gridW = Double(g.columns) * cellW, gridH = Double(g.rows) * cellH
            let titleW = width(g.title, Fonts.text)
            let subW = g.subtitle.map { width($0, Fonts.text) } ?? 0
            let headerH = 18 + (g.subtitle == nil ? 0 : Metrics.subtitleGap) + 6.0
            sizes.append(Size(cellW: cellW, cellH: cellH, gridW: gridW, gridH: gridH, boxW: max(gridW, titleW, subW),
                              headerH: headerH))
        }
        var colW: [Int: Double] = [:], rowHeader: [Int: Double] = [:], rowGrid: [Int: Double] = [:]
        for (i, g) in frame.grids.enumerated() {
            colW[g.position.column] = max(colW[g.position.column] ?? 0, sizes[i].boxW)
            rowHeader[g.position.row] = max(rowHeader[g.position.row] ?? 0, sizes[i].headerH)
            rowGrid[g.position.row] = max(rowGrid[g.position.row] ?? 0, sizes[i].gridH)
        }
        var colX: [Int: Double] = [:]
        var x = m
        for (n, c) in columns.enumerated() {
            if n > 0 { x += Metrics.columnGap }
            colX[c] = x
            x += colW[c] ?? 0
        }
        // The title and the step counter must fit on one line.
        let heading = width(frame.title, Fonts.text) + width(frame.stepText + " · " + frame.phase.name, Fonts.text) + 30
        L.tableWidth = max(x - m, heading)
        var rowY: [Int: Double] = [:]
        for (n, r) in rows.enumerated() {
            if n > 0 { y += Metrics.rowGap }
            rowY[r] = y
            y += (rowHeader[r] ?? 0) + (rowGrid[r] ?? 0)
        }
        for (i, g) in frame.grids.enumerated() {
            let s = sizes[i]
            let cx = (colX[g.position.column] ?? m) + (colW[g.position.column] ?? 0) / 2
            let top = (rowY[g.position.row] ?? y) + (rowHeader[g.position.row] ?? 0)
            let titleY = top - 6 - (g.subtitle == nil ? 0 : Metrics.subtitleGap)
            L.boxes.append(FrameLayout.GridBox(grid: i, x: cx - s.gridW / 2, y: top, cellW: s.cellW, cellH: s.cellH,
                                               headerX: cx, titleY: titleY, subtitleY: top - 7))
            if let j = g.joiner, let gx = colX[g.position.column] {
                L.joiners.append(FrameLayout.Joiner(text: j, x: gx - Metrics.columnGap / 2, y: top + s.gridH / 2))
            }
        }
        L.tableBottom = y
        return L
    }

    /// The full layout at a given content width (the common width of all frames).
    func layout(_ frame: Frame, contentWidth: Double) -> FrameLayout {
        var L = layoutTable(frame)
        let m = Metrics.margin
        L.width = contentWidth + 2 * m
        // Centre the table when the canvas is wider than it.
        let shift = max(0, (contentWidth - L.tableWidth) / 2)
        if shift > 0 {
            for i in L.boxes.indices { L.boxes[i].x += shift; L.boxes[i].headerX += shift }
            for i in L.joiners.indices { L.joiners[i].x += shift }
        }
        // Title and step counter.
        L.runs.append(run(frame.title, Fonts.text, theme.ink, x: m, y: m + 17))
        let step = frame.stepText + " · " + frame.phase.name
        let sw = width(step, Fonts.text)
        L.runs.append(run(step, Fonts.text, theme.ink2, x: m + contentWidth - sw, y: m + 17))

        var y = L.tableBottom + 16
        var lines: [[Piece]] = []
        if let e = frame.equation { lines += equationLines(e) }
        for e in frame.extraEquations { lines += equationLines(e) }
        if let r = frame.runningSum { lines.append(runningLine(r)) }
        for line in lines {
            y = place(line, x0: m, width: contentWidth, y: y, lineHeight: Metrics.lineHeight, into: &L)
        }
        if !frame.notes.isEmpty { y += 4 }
        for n in frame.notes {
            y = place(words(n, Fonts.text, theme.ink2), x0: m, width: contentWidth, y: y, lineHeight: 19, into: &L)
        }
        if !frame.caption.isEmpty {
            y += 6
            y = place(words(frame.caption, Fonts.text, theme.ink), x0: m, width: contentWidth, y: y, lineHeight: 20, into: &L)
        }
        // Legend: swatch + label items, wrapped.
        if !frame.legend.isEmpty {
            y += 8
            var x = m
            var baseline = y + 14
            for item in frame.legend {
                let w = Metrics.swatch + 6 + width(item.label, Fonts.text)
                if x > m && x + w > m + contentWidth {
                    x = m
                    baseline += 20
                }
                L.legend.append(FrameLayout.LegendItem(
                    swatch: item.swatch, x: x, y: baseline - 11,
                    label: run(item.label, Fonts.text, theme.ink2, x: x + Metrics.swatch + 6, y: baseline)))
                x += w + 18
            }
            y = baseline + 6
        }
        L.height = y + m
        return L
    }

    /// One styled piece of text in a line; `breakBefore` allows a line break before it.
    struct Piece {
        var text: String
        var font: FontSpec
        var color: RGB
        var background: RGB?
        var breakBefore = true
        /// No space before this piece (commas, closing brackets, the first item after an opening one).
        var tight = false
    }

    private func run(_ text: String, _ font: FontSpec, _ color: RGB, x: Double, y: Double, background: RGB? = nil) -> FrameLayout.Run {
        FrameLayout.Run(text: text, font: font, color: color, background: background, x: x, y: y, width: width(text, font))
    }

    /// Splits plain text into word pieces.
    private func words(_ text: String, _ font: FontSpec, _ color: RGB) -> [Piece] {
        text.split(separator: " ", omittingEmptySubsequences: true).map { Piece(text: String($0), font: font, color: color) }
    }

    /// Places pieces left to right with a space between, wrapping at `width`; returns the next y.
    private func place(_ pieces: [Piece], x0: Double, width maxW: Double, y: Double, lineHeight: Double,
                       into L: inout FrameLayout) -> Double {
        guard !pieces.isEmpty else { return y }
        var x = x0
        var baseline = y + lineHeight - 6
        var first = true
        for p in pieces {
            let w = width(p.text, p.font)
            let space = first || p.tight ? 0 : width(" ", p.font)
            if !first && p.breakBefore && x + space + w > x0 + maxW {
                x = x0 + 24
                baseline += lineHeight
            } else {
                x += space
            }
            L.runs.append(run(p.text, p.font, p.color, x: x, y: baseline, background: p.background))
            x += w
            first = false
        }
        return baseline + 6
    }

    private func termPiece(_ t: Term, _ combine: Equation.Combine) -> Piece {
        let text = combine == .sum || combine == .apply ? t.text : (t.operands.first.map { Operand.wrapped($0.text) } ?? t.productText)
        switch t.state {
        case .current:
            return Piece(text: text, font: Fonts.bold, color: theme.ink, background: theme.currentFill)
        case .pending:
            return Piece(text: text, font: Fonts.text, color: theme.faint)
        case .done:
            if t.isSelected && combine == .max {
                return Piece(text: text, font: Fonts.bold, color: theme.selectedEdge)
            }
            return Piece(text: text, font: Fonts.text, color: t.isPadding ? theme.paddingInk : theme.ink)
        }
    }

    /// A piece of equation text; `tight`: no space before it (closing brackets, commas).
    private func plain(_ s: String, bold: Bool = false, color: RGB? = nil, tight: Bool = false) -> Piece {
        Piece(text: s, font: bold ? Fonts.bold : Fonts.text, color: color ?? theme.ink, tight: tight)
    }

    /// The equation as lines of pieces (one line per channel group when grouped).
    func equationLines(_ e: Equation) -> [[Piece]] {
        let result = e.result == nil ? plain("?", color: theme.faint) : plain(e.resultText, bold: true, color: theme.writtenEdge)
        func termsJoined(_ range: Range<Int>, sep: String, tightSep: Bool = false) -> [Piece] {
            var out: [Piece] = []
            for (n, i) in range.enumerated() {
                if n > 0 { out.append(plain(sep, tight: tightSep)) }
                var p = termPiece(e.terms[i], e.combine)
                if n > 0 { p.breakBefore = false }
                out.append(p)
            }
            // Break before the operator, never between operator and term.
            return out
        }
        let lhs = plain(e.target.label, bold: true)
        switch e.combine {
        case .sum where e.groups.count > 1:
            var lines: [[Piece]] = []
            for g in e.groups {
                var line = [plain(g.label + ":", color: theme.ink2)] + termsJoined(g.terms, sep: "+")
                line.append(plain(g.subtotal == nil ? "=" : e.subtotalRelation(g)))
                line.append(g.subtotal == nil ? plain("?", color: theme.faint) : plain(g.subtotalText, bold: true))
                lines.append(line)
            }
            var last: [Piece] = [lhs, plain("=")]
            for (n, g) in e.groups.enumerated() {
                if n > 0 { last.append(plain("+")) }
                last.append(g.subtotal == nil ? plain("?", color: theme.faint) : plain(n > 0 ? Operand.wrapped(g.subtotalText) : g.subtotalText))
            }
            if let b = e.bias { last += [plain("+"), plain(Operand.wrapped(b.text) + " (bias)")] }
            last += [plain(e.result == nil ? "=" : e.subtotalsRelation), result]
            lines.append(last)
            return lines
        case .sum where e.isSeparateWrites:
            // Separate writes (scatter, spread): a list, not a sum.
            var line: [Piece] = [lhs, plain("→")]
            line += termsJoined(0..<e.terms.count, sep: ";", tightSep: true)
            return [line]
        case .sum:
            var line: [Piece] = [lhs, plain("=")]
            line += e.terms.isEmpty ? [plain("0")] : termsJoined(0..<e.terms.count, sep: "+")
            if let b = e.bias { line += [plain("+"), plain(Operand.wrapped(b.text) + " (bias)")] }
            // Scatter and spread equations have no single result; the others show "= ?" until known.
            let open = e.result == nil && (e.target.label.hasPrefix("scatter") || e.target.label.hasSuffix("+"))
            if !open { line += [plain(e.result == nil ? "=" : e.resultRelation), result] }
            return [line]
        case .max:
            var line: [Piece] = [lhs, plain("="), plain("max(")]
            var inner = termsJoined(0..<e.terms.count, sep: ",", tightSep: true)
            if !inner.isEmpty { inner[0].breakBefore = false; inner[0].tight = true }
            line += inner
            line += [plain(")", tight: true), plain("="), result]
            return [line]
        case .mean:
            var line: [Piece] = [lhs, plain("="), plain("(")]
            var inner = termsJoined(0..<e.terms.count, sep: "+")
            if !inner.isEmpty { inner[0].tight = true }
            line += inner
            line += [plain(")", tight: true), plain("/"), plain(e.divisor.map { ValueFormat.plain($0) } ?? "?"), plain(e.result == nil ? "=" : e.resultRelation), result]
            return [line]
        case .apply:
            var line: [Piece] = [lhs, plain("=")]
            line += [plain(e.applicationText), plain("="), result]
            return [line]
        }
    }

    private func runningLine(_ r: RunningSum) -> [Piece] {
        let label = r.combine == .max ? "running max:" : "running sum:"
        var line: [Piece] = [plain(label, color: theme.ink2)]
        if r.termsDone > 1 {
            if r.combine == .max {
                line += [plain("max(" + r.beforeText + ","), Piece(text: r.termText, font: Fonts.bold, color: theme.ink, background: theme.currentFill),
                         plain(")", tight: true)]
            } else {
                line += [plain(r.beforeText), plain("+"),
                         Piece(text: Operand.wrapped(r.termText), font: Fonts.bold, color: theme.ink, background: theme.currentFill)]
            }
            line.append(plain(r.relation))
        }
        line.append(plain(r.afterText, bold: true, color: theme.writtenEdge))
        line.append(plain("(term \(r.termsDone) of \(r.termsTotal))", color: theme.ink2))
        return line
    }

    // MARK: drawing

    /// How a cell looks: its fill, and the colour, width and dash of its mark edge (nil: none).
    typealias CellStyle = (fill: RGB, edge: RGB?, edgeWidth: Double, dash: [Double])

    /// The look of a cell (or a legend swatch) with `role` and `marks`.
    func cellStyle(role: CellRole, marks: CellMarks) -> CellStyle {
        var fill: RGB
        switch role {
        case .normal: fill = theme.cellFill
        case .padding: fill = theme.paddingFill
        case .insertedZero: fill = theme.insertedFill
        case .empty: fill = theme.background
        }
        if marks.contains(.pending) { fill = theme.pendingFill }
        if marks.contains(.contributor) { fill = theme.contributorFill }
        if marks.contains(.window) { fill = theme.windowFill }
        if marks.contains(.selected) { fill = theme.selectedFill }
        if marks.contains(.written) { fill = theme.writtenFill }
        if marks.contains(.current) { fill = theme.currentFill }
        if marks.contains(.current) { return (fill, theme.currentEdge, 3, []) }
        if marks.contains(.written) { return (fill, theme.writtenEdge, 3, []) }
        if marks.contains(.selected) { return (fill, theme.selectedEdge, 2.5, []) }
        if marks.contains(.source) { return (fill, theme.sourceEdge, 2.5, [4, 2]) }
        // A window cell that takes part in the sum (e.g. a real dY cell under the backward window).
        if marks.contains(.contributor) && marks.contains(.window) { return (theme.contributorFill, theme.windowEdge, 2, []) }
        return (fill, nil, 0, [])
    }

    /// Glyphs of `text` in `font` from the baseline start (0, 0), spaces dropped (cached).
    /// - Throws: `RenderError` when Cairo cannot map the text to glyphs.
    func glyphs(_ text: String, _ font: FontSpec) throws -> [cairo_glyph_t] {
        if let g = glyphCache[font]?[text] { return g }
        let g = try measurer.glyphs(text, in: font)
        glyphCache[font, default: [:]][text] = g
        return g
    }

    /// Draws `frame` laid out as `L` on `ctx` (already scaled), over a canvas of `size` points.
    /// `vector`: the surface is SVG or PDF (text is grouped by font and colour, see `DrawBatch.draw`).
    /// - Throws: `RenderError` when measuring or shaping text failed.
    func draw(_ frame: Frame, _ L: FrameLayout, on ctx: CairoContext, canvasWidth: Double, canvasHeight: Double,
              vector: Bool) throws {
        ctx.fillRect(0, 0, canvasWidth, canvasHeight, theme.background)
        var batch = DrawBatch()
        // A rule under the title line sets the heading apart (the title shares the text face).
        let m = Metrics.margin
        batch.line(m, Metrics.titleRule, L.width - m, Metrics.titleRule, theme.gridLine, width: 1, layer: .lines)
        for box in L.boxes { try drawGrid(frame.grids[box.grid], box, frame, &batch) }
        for j in L.joiners {
            // ⋆ and ∗ are small glyphs: draw them larger so the operator reads at a glance.
            let font = j.text == "⋆" || j.text == "∗" ? Fonts.joinerLarge : Fonts.joiner
            let w = width(j.text, font)
            batch.text(try glyphs(j.text, font), font, theme.ink2, x: j.x - w / 2, y: j.y + (font == Fonts.joinerLarge ? 12 : 8))
        }
        for r in L.runs {
            if let bg = r.background { batch.fillRect(r.x - 3, r.y - 15, r.width + 6, 20, bg) }
            batch.text(try glyphs(r.text, r.font), r.font, r.color, x: r.x, y: r.y)
        }
        for item in L.legend {
            let role: CellRole
            var marks: CellMarks = []
            switch item.swatch {
            case .padding: role = .padding(PaddingFill(mode: .zeros))
            case .insertedZero: role = .insertedZero
            default:
                role = .normal
                switch item.swatch {
                case .window: marks = .window
                case .current: marks = .current
                case .written: marks = .written
                case .selected: marks = .selected
                case .source: marks = .source
                case .pending: marks = .pending
                case .contributor: marks = .contributor
                default: break
                }
            }
            let s = Metrics.swatch
            let st = cellStyle(role: role, marks: marks)
            batch.fillRect(item.x, item.y, s, s, st.fill)
            batch.strokeRect(item.x, item.y, s, s, theme.gridLine, width: 1, dash: role.isPadding ? [2, 2] : [], layer: .lines)
            if let edge = st.edge {
                batch.strokeRect(item.x + 1, item.y + 1, s - 2, s - 2, edge, width: 2, dash: st.dash, layer: .edges)
            }
            if item.swatch == .window {
                batch.strokeRect(item.x - 1, item.y - 1, s + 2, s + 2, theme.windowEdge, width: 2, layer: .window)
            }
            batch.text(try glyphs(item.label.text, item.label.font), item.label.font, item.label.color, x: item.label.x, y: item.label.y)
        }
        try checkMeasuring()
        batch.draw(on: ctx, vector: vector)
    }

    /// Throws if a width measurement failed (Cairo keeps the measuring context's first error).
    func checkMeasuring() throws {
        try measurer.check("measuring text")
    }

    private func drawGrid(_ g: Grid, _ box: FrameLayout.GridBox, _ frame: Frame, _ batch: inout DrawBatch) throws {
        // Header.
        let tw = width(g.title, Fonts.text)
        batch.text(try glyphs(g.title, Fonts.text), Fonts.text, theme.ink, x: box.headerX - tw / 2, y: box.titleY)
        if let s = g.subtitle {
            let sw = width(s, Fonts.text)
            batch.text(try glyphs(s, Fonts.text), Fonts.text, theme.ink2, x: box.headerX - sw / 2, y: box.subtitleY)
        }
        let (cw, ch) = (box.cellW, box.cellH)
        // Each cell's style, once: its fill here, its edge below.
        var styles: [CellStyle] = []
        styles.reserveCapacity(g.rows * g.columns)
        for r in 0..<g.rows {
            for c in 0..<g.columns {
                let cell = g[r, c]
                styles.append(cellStyle(role: cell.role, marks: cell.marks))
            }
        }
        // Fills: cells of one colour merged into rectangles (row runs extended downwards); cells that have
        // the background colour are not drawn at all.
        var done = [Bool](repeating: false, count: styles.count)
        for r in 0..<g.rows {
            for c in 0..<g.columns where !done[r * g.columns + c] {
                let colour = styles[r * g.columns + c].fill
                var w = 1
                while c + w < g.columns, !done[r * g.columns + c + w], styles[r * g.columns + c + w].fill == colour { w += 1 }
                var h = 1
                rows: while r + h < g.rows {
                    for k in c..<(c + w) where done[(r + h) * g.columns + k] || styles[(r + h) * g.columns + k].fill != colour {
                        break rows
                    }
                    h += 1
                }
                for rr in r..<(r + h) { for k in c..<(c + w) { done[rr * g.columns + k] = true } }
                if colour != theme.background {
                    batch.fillRect(box.x + Double(c) * cw, box.y + Double(r) * ch, Double(w) * cw, Double(h) * ch, colour)
                }
            }
        }
        // Cell lines.
        for r in 0...g.rows {
            batch.line(box.x, box.y + Double(r) * ch, box.x + Double(g.columns) * cw, box.y + Double(r) * ch,
                       theme.gridLine, width: 1, layer: .lines)
        }
        for c in 0...g.columns {
            batch.line(box.x + Double(c) * cw, box.y, box.x + Double(c) * cw, box.y + Double(g.rows) * ch,
                       theme.gridLine, width: 1, layer: .lines)
        }
        // Window bounds.
        if let w = frame.window {
            for b in w.bounds where b.grid == g.id {
                batch.strokeRect(box.x + Double(b.column) * cw - 1.5, box.y + Double(b.row) * ch - 1.5,
                                 Double(b.columns) * cw + 3, Double(b.rows) * ch + 3, theme.windowEdge, width: 2.5, layer: .window)
            }
        }
        // Padding cells: dashed inner border so they stay recognisable under any highlight; mark edges; text.
        for r in 0..<g.rows {
            for c in 0..<g.columns {
                let cell = g[r, c]
                let x = box.x + Double(c) * cw, y = box.y + Double(r) * ch
                if cell.role.isPadding || cell.role == .insertedZero {
                    batch.strokeRect(x + 4, y + 4, cw - 8, ch - 8, theme.faint, width: 1,
                                     dash: cell.role.isPadding ? [3, 3] : [1, 2], layer: .cellBorders)
                }
                let st = styles[r * g.columns + c]
                if let edge = st.edge {
                    let inset = st.edgeWidth / 2 + 1
                    batch.strokeRect(x + inset, y + inset, cw - 2 * inset, ch - 2 * inset, edge, width: st.edgeWidth,
                                     dash: st.dash, layer: .edges)
                }
                if !cell.text.isEmpty {
                    let font: FontSpec
                    let color: RGB
                    switch cell.role {
                    case .padding: font = Fonts.text; color = theme.paddingInk  // lighter ink, same face
                    case .insertedZero: font = Fonts.text; color = theme.faint
                    default:
                        font = cell.marks.contains(.current) || cell.marks.contains(.written) ? Fonts.bold : Fonts.text
                        color = theme.ink
                    }
                    let w = width(cell.text, font)
                    let dy = cell.annotation == nil ? 5.0 : 2.0
                    batch.text(try glyphs(cell.text, font), font, color, x: x + (cw - w) / 2, y: y + ch / 2 + dy)
                }
                if let a = cell.annotation {
                    let w = width(a, Fonts.annotation)
                    batch.text(try glyphs(a, Fonts.annotation), Fonts.annotation, theme.annotation, x: x + cw - w - 3, y: y + ch - 3)
                }
            }
        }
    }
}
