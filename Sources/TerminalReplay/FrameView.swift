// TerminalReplay — a storyboard frame drawn as terminal lines: grids side by side, highlights, equation, sums.
import Storyboard

/// Draws a `Frame` as a `Screen`: the same frame the Cairo renderer draws, as text.
///
/// Layout, top to bottom: the frame's title; the status (`step t/T · phase · layer`); the grids of
/// each layout row side by side with their joiners (stacked when they do not fit the width); the
/// equation of the step with its numbers; the partial sums; the running sum; notes; the caption;
/// the legend; the key help when given.
///
/// Cells are `L value R`: the value right-aligned, `L`/`R` a marker pair that plain text needs and
/// colour draws as a coloured block instead: `[ 3]` window, `< 7>` cell written, `{ 4}` current
/// operand, `* 5*` selected maximum, `~ 2~` source of a padding value (contributors are coloured
/// only). Padding
/// and inserted zeros carry a `·` before the value, pending cells show `_`.
///
/// A grid wider or taller than the room it has is clipped around its highlighted cells with `…`
/// (columns) and `⋮` (rows) marking the cut; nothing is ever wrapped.
public struct FrameView: Sendable {
    /// Terminal columns available; nil for no limit (plain output to a file or pipe).
    public var columns: Int?
    /// Most rows of cells drawn per grid; nil for no limit.
    public var gridRows: Int?

    /// Draw grids without any highlighted cell (not involved in this step, e.g. the other filters'
    /// outputs) as one title line; the player does this when the screen is too small.
    public var foldIdleGrids: Bool

    public init(columns: Int? = nil, gridRows: Int? = nil, foldIdleGrids: Bool = false) {
        self.columns = columns.map { max(20, $0) }
        self.gridRows = gridRows.map { max(1, $0) }
        self.foldIdleGrids = foldIdleGrids
    }

    /// The screen for `frame`.
    /// - Parameters:
    ///   - frame: the frame to draw.
    ///   - status: the status line (e.g. `step 3/25 · paused · 4 steps/s`); nil draws `step t/T`.
    ///   - help: the key help line, nil for none (plain output).
    /// - Returns: the lines; in plain mode their text is what `--plain` prints.
    /// - Complexity: O(cells of the frame + terms of the equation).
    public func screen(for frame: Frame, status: String? = nil, help: String? = nil) -> Screen {
        var lines: [ScreenLine] = []
        lines.append(ScreenLine(frame.title, .heading))
        var statusLine = ScreenLine(status ?? "step \(frame.index + 1)/\(frame.count)", .status)
        statusLine.append(" · \(frame.phase.name) · layer \(frame.layer)", .status)
        lines.append(statusLine)

        // Folding: grids with no highlighted cell go into one "not in this step" line.
        var idle: [Grid] = []
        if foldIdleGrids {
            idle = frame.grids.filter { Self.focus($0) == nil }
            if idle.count == frame.grids.count { idle = [] }
        }
        let idleIDs = Set(idle.map(\.id))
        let rows = Array(Set(frame.grids.filter { !idleIDs.contains($0.id) }.map(\.position.row))).sorted()
        for layoutRow in rows {
            lines.append(ScreenLine())
            let grids = frame.grids(inLayoutRow: layoutRow).filter { !idleIDs.contains($0.id) }
            lines.append(contentsOf: layoutRowLines(grids, written: frame.written))
        }
        if !idle.isEmpty {
            let names = idle.map { g in g.title + (g.subtitle.map { " · " + $0 } ?? "") }
            lines.append(ScreenLine())
            lines.append(contentsOf: wrap("not in this step: " + names.joined(separator: ", "), .dim))
        }

        lines.append(ScreenLine())
        if let eq = frame.equation {
            lines.append(equationLine(eq))
            if !eq.groups.isEmpty { lines.append(groupsLine(eq)) }
        }
        if let sum = frame.runningSum { lines.append(ScreenLine(sum.text, .sum)) }
        for note in frame.notes { lines.append(contentsOf: wrap(note, .dim)) }
        if !frame.caption.isEmpty { lines.append(contentsOf: wrap(frame.caption, .plain)) }
        let legend = legendLine(frame)
        if !legend.spans.isEmpty { lines.append(legend) }
        if let help { lines.append(ScreenLine(help, .help)) }
        if let columns { lines = lines.map { $0.clipped(to: columns) } }
        return Screen(lines: lines)
    }

    // MARK: - Grids

    /// A grid drawn as a block of equally wide lines.
    struct Block {
        var lines: [ScreenLine]
        var width: Int
        /// Index of the first line of cells (joiners are drawn level with the middle cell row).
        var firstCellLine: Int
        var cellLines: Int
    }

    /// The lines of one layout row: blocks side by side when they fit, else one under the other.
    func layoutRowLines(_ grids: [Grid], written: CellRef? = nil) -> [ScreenLine] {
        let subtitles = grids.contains { $0.subtitle != nil }
        let full = grids.map { block($0, maxWidth: nil, subtitleLine: subtitles, written: written) }
        let joinerWidths = grids.enumerated().map { i, g in i == 0 ? 0 : (g.joiner.map { $0.unicodeScalars.count + 2 } ?? 2) }
        let total = full.map(\.width).reduce(0, +) + joinerWidths.reduce(0, +)
        guard let columns, total > columns else { return sideBySide(full, grids: grids) }
        // Too wide: each grid gets its own block, clipped to the width around its window.
        var out: [ScreenLine] = []
        for (i, g) in grids.enumerated() {
            if i > 0 { out.append(g.joiner.map { ScreenLine(" " + $0, .label) } ?? ScreenLine()) }
            out.append(contentsOf: block(g, maxWidth: columns, written: written).lines)
        }
        return out
    }

    func sideBySide(_ blocks: [Block], grids: [Grid]) -> [ScreenLine] {
        let cellTop = blocks.map(\.firstCellLine).max() ?? 0
        let height = blocks.map { cellTop - $0.firstCellLine + $0.lines.count }.max() ?? 0
        let middle = cellTop + ((blocks.map(\.cellLines).max() ?? 1) - 1) / 2
        var out = Array(repeating: ScreenLine(), count: height)
        for (i, b) in blocks.enumerated() {
            if i > 0 {
                let joiner = grids[i].joiner.map { " " + $0 + " " } ?? "  "
                let blank = String(repeating: " ", count: joiner.unicodeScalars.count)
                for r in 0..<height { out[r].append(r == middle ? joiner : blank, .label) }
            }
            let shift = cellTop - b.firstCellLine
            for r in 0..<height {
                let k = r - shift
                if k >= 0 && k < b.lines.count {
                    out[r].append(contentsOf: b.lines[k])
                    let pad = b.width - b.lines[k].width
                    if pad > 0 && i < blocks.count - 1 { out[r].append(String(repeating: " ", count: pad)) }
                } else if i < blocks.count - 1 {
                    out[r].append(String(repeating: " ", count: b.width))
                }
            }
        }
        return out.map(Self.trimmingTrailingBlanks)
    }

    /// One grid: title, subtitle, then the cell rows, clipped to `maxWidth` columns and `gridRows` rows.
    /// - Parameter written: the frame's cell being written; when given, other cells that still carry
    ///   a `.written` mark (partial sums from earlier frames) are drawn as ordinary cells.
    func block(_ g: Grid, maxWidth: Int?, subtitleLine: Bool = false, written: CellRef? = nil) -> Block {
        let valueWidth = g.cells.map { Self.valueText($0).unicodeScalars.count }.max() ?? 1
        let cellWidth = valueWidth + 2
        let focus = Self.focus(g)

        var colRange = 0..<g.columns
        if let maxWidth, g.columns * cellWidth > maxWidth {
            let fit = max(1, (maxWidth - 2) / cellWidth)
            colRange = Self.range(count: g.columns, keep: fit, around: focus.map { $0.columns } ?? 0..<1)
        }
        var rowRange = 0..<g.rows
        if let gridRows, g.rows > gridRows {
            // One ⋮ line when the kept rows touch an end of the grid, two when both ends are cut.
            let around = focus.map { $0.rows } ?? 0..<1
            rowRange = Self.range(count: g.rows, keep: max(1, gridRows - 1), around: around)
            if rowRange.lowerBound > 0 && rowRange.upperBound < g.rows {
                rowRange = Self.range(count: g.rows, keep: max(1, gridRows - 2), around: around)
            }
        }
        let leftCut = colRange.lowerBound > 0, rightCut = colRange.upperBound < g.columns
        let role = Self.gridRole(g.role)

        var cellLines: [ScreenLine] = []
        let lineWidth = (leftCut ? 1 : 0) + colRange.count * cellWidth + (rightCut ? 1 : 0)
        if rowRange.lowerBound > 0 { cellLines.append(ScreenLine(Self.centered("⋮", lineWidth), .clip)) }
        for r in rowRange {
            var line = ScreenLine()
            if leftCut { line.append("…", .clip) }
            for c in colRange {
                var cell = g[r, c]
                if let written, cell.marks.contains(.written),
                    written.grid != g.id || written.row != r || written.column != c
                {
                    cell.marks.remove(.written)
                }
                Self.appendCell(cell, width: valueWidth, gridRole: role, to: &line)
            }
            if rightCut { line.append("…", .clip) }
            cellLines.append(line)
        }
        if rowRange.upperBound < g.rows { cellLines.append(ScreenLine(Self.centered("⋮", lineWidth), .clip)) }

        var lines: [ScreenLine] = []
        var title = g.title
        if rowRange.count < g.rows || colRange.count < g.columns { title += " (\(g.rows)×\(g.columns))" }
        lines.append(ScreenLine(title, .label))
        if let s = g.subtitle { lines.append(ScreenLine(s, .dim)) } else if subtitleLine { lines.append(ScreenLine()) }
        let first = lines.count
        lines.append(contentsOf: cellLines)
        let width = lines.map(\.width).max() ?? 0
        return Block(lines: lines, width: width, firstCellLine: first, cellLines: cellLines.count)
    }

    /// What the cell shows, without its markers: `_` pending, `·v` padding / inserted zero.
    static func valueText(_ cell: Cell) -> String {
        if cell.role == .empty { return "" }
        let base = cell.text.isEmpty ? "_" : cell.text
        switch cell.role {
        case .padding, .insertedZero: return "·" + base
        default: return base
        }
    }

    /// The marker pair and style of a cell, strongest mark first.
    static func marker(_ cell: Cell, gridRole: SpanRole) -> (left: String, right: String, role: SpanRole) {
        let m = cell.marks
        if m.contains(.written) { return ("<", ">", .cell) }
        if m.contains(.current) { return ("{", "}", .current) }
        if m.contains(.selected) { return ("*", "*", .selected) }
        if m.contains(.window) { return ("[", "]", .window) }
        if m.contains(.source) { return ("~", "~", .source) }
        // Contributors (e.g. every kernel cell of a cell frame) are coloured only: markers on all of
        // them would drown the window in plain text.
        if m.contains(.contributor) { return (" ", " ", .contributor) }
        if m.contains(.pending) || cell.text.isEmpty { return (" ", " ", .dim) }
        switch cell.role {
        case .padding, .insertedZero: return (" ", " ", .padding)
        default: return (" ", " ", gridRole)
        }
    }

    static func appendCell(_ cell: Cell, width: Int, gridRole: SpanRole, to line: inout ScreenLine) {
        let text = valueText(cell)
        let pad = width - text.unicodeScalars.count
        let (l, r, role) = marker(cell, gridRole: gridRole)
        let body = (pad > 0 ? String(repeating: " ", count: pad) : "") + text
        if l == " " {
            line.append(" " + body + " ", role)
        } else {
            line.append(l, role, plainOnly: true)
            line.append(body, role)
            line.append(r, role, plainOnly: true)
        }
    }

    static func gridRole(_ role: GridRole) -> SpanRole {
        switch role {
        case .kernel, .rotatedKernel: .kernel
        case .output, .comparisonOutput, .partialSums: .output
        case .gradOutput, .paddedGradOutput, .gradInput, .gradKernel, .gradBias: .gradient
        default: .input
        }
    }

    /// Rows and columns spanned by the grid's highlighted cells (written/current/window first,
    /// else selected/source/contributor), nil when nothing is highlighted.
    static func focus(_ g: Grid) -> (rows: Range<Int>, columns: Range<Int>)? {
        for wanted: CellMarks in [[.written, .current, .window], [.selected, .source, .contributor]] {
            var r0 = Int.max, r1 = -1, c0 = Int.max, c1 = -1
            for r in 0..<g.rows {
                for c in 0..<g.columns where !g[r, c].marks.isDisjoint(with: wanted) {
                    r0 = min(r0, r); r1 = max(r1, r); c0 = min(c0, c); c1 = max(c1, c)
                }
            }
            if r1 >= 0 { return (r0..<(r1 + 1), c0..<(c1 + 1)) }
        }
        return nil
    }

    /// A range of `keep` indices out of `count`, centred on `focus` and kept inside 0..<count.
    static func range(count: Int, keep: Int, around focus: Range<Int>) -> Range<Int> {
        guard keep < count else { return 0..<count }
        let center = (focus.lowerBound + focus.upperBound - 1) / 2
        var lo = center - (keep - 1) / 2
        // Keep the whole focus visible when it fits.
        if focus.count <= keep {
            lo = min(lo, focus.lowerBound)
            lo = max(lo, focus.upperBound - keep)
        }
        lo = min(max(0, lo), count - keep)
        return lo..<(lo + keep)
    }

    static func centered(_ s: String, _ width: Int) -> String {
        let left = max(0, (width - s.unicodeScalars.count) / 2)
        return String(repeating: " ", count: left) + s
    }

    static func trimmingTrailingBlanks(_ line: ScreenLine) -> ScreenLine {
        var line = line
        while let last = line.spans.last, last.role == .plain || last.role == .label,
            !last.plainOnly, last.text.allSatisfy({ $0 == " " })
        {
            line.spans.removeLast()
        }
        return line
    }

    // MARK: - Equation, sums, legend

    /// The equation with every term (elided around the current term when it does not fit the width).
    ///
    /// Keeps the most terms around the current one that fit: the widths of the candidate lines are
    /// added up from the terms' widths (a bias-gradient equation has a term per dY cell, 784 for LeNet's
    /// conv1, and building every candidate line made one screen cost O(terms²)); only the chosen
    /// line is built.
    /// - Complexity: O(terms).
    func equationLine(_ eq: Equation) -> ScreenLine {
        let all = Self.equationLine(eq, shown: 0..<eq.terms.count)
        guard let columns, all.width > columns, eq.terms.count > 1 else { return all }
        let n = eq.terms.count
        let focus = eq.currentTermIndex ?? (n - 1)
        // Width of a term as `equationLine(_:shown:)` draws it (the current one between plain-only braces).
        var prefix = [0]
        prefix.reserveCapacity(n + 1)
        for t in eq.terms { prefix.append(prefix[prefix.count - 1] + t.text.unicodeScalars.count + (t.state == .current ? 2 : 0)) }
        let separator = Self.separatorWidth(eq)
        // Everything but the terms, their separators and the clip marks: the same in every candidate.
        let fixed = all.width - prefix[n] - (n - 1) * separator
        func width(_ r: Range<Int>) -> Int {
            fixed + prefix[r.upperBound] - prefix[r.lowerBound] + max(0, r.count - 1) * separator
                + (r.lowerBound > 0 ? 1 + separator : 0) + (r.upperBound < n ? separator + 1 : 0)
        }
        var keep = n - 1
        while keep > 1 {
            if width(Self.range(count: n, keep: keep, around: focus..<(focus + 1))) <= columns { break }
            keep -= 1
        }
        return Self.equationLine(eq, shown: Self.range(count: n, keep: keep, around: focus..<(focus + 1)))
    }

    /// Columns of the separator between two terms (`" + "`, `", "`, `"; "`).
    static func separatorWidth(_ eq: Equation) -> Int {
        switch eq.combine {
        case .sum where eq.isSeparateWrites: 2
        case .sum, .mean: 3
        case .max: 2
        case .apply: 0
        }
    }

    static func equationLine(_ eq: Equation, shown: Range<Int>) -> ScreenLine {
        var line = ScreenLine(eq.target.label + (eq.isSeparateWrites ? " → " : " = "), .equation)
        let open: String, separator: String, close: String
        switch eq.combine {
        case .sum where eq.isSeparateWrites: (open, separator, close) = ("", "; ", "")
        case .sum: (open, separator, close) = ("", " + ", "")
        case .max: (open, separator, close) = ("max(", ", ", ")")
        case .mean: (open, separator, close) = ("(", " + ", ")")
        case .apply:  // one term: f(x) = y
            line.append(eq.applicationText, .plain)
            if eq.result != nil { line.append(" = " + eq.resultText) }
            return line
        }
        line.append(open)
        if eq.terms.isEmpty && eq.combine == .sum { line.append("0") }
        if shown.lowerBound > 0 { line.append("…" + separator, .clip) }
        for i in shown {
            let t = eq.terms[i]
            if i > shown.lowerBound { line.append(separator) }
            switch t.state {
            case .current:
                line.append("{", .current, plainOnly: true)
                line.append(t.text, .current)
                line.append("}", .current, plainOnly: true)
            case .pending: line.append(t.text, .dim)
            case .done: line.append(t.text, t.isSelected ? .selected : .plain)
            }
        }
        if shown.upperBound < eq.terms.count { line.append(separator + "…", .clip) }
        line.append(close)
        if eq.combine == .mean { line.append(" / " + (eq.divisor.map { ValueFormat.plain($0) } ?? "?")) }
        if let bias = eq.bias, eq.combine == .sum { line.append(" + " + Operand.wrapped(bias.text) + " (bias)") }
        if eq.result != nil { line.append(" " + eq.resultRelation + " "); line.append(eq.resultText, .sum) }
        return line
    }

    func groupsLine(_ eq: Equation) -> ScreenLine {
        let parts = eq.groups.map { "\($0.label): \($0.subtotalText.isEmpty ? "…" : $0.subtotalText)" }
        return ScreenLine("partial sums: " + parts.joined(separator: ", "), .dim)
    }

    /// The legend: the frame's own entries, each with its marker (plain) or colour swatch.
    func legendLine(_ frame: Frame) -> ScreenLine {
        var line = ScreenLine()
        for entry in frame.legend {
            let (l, r, role): (String, String, SpanRole)
            switch entry.swatch {
            case .window: (l, r, role) = ("[", "]", .window)
            case .written: (l, r, role) = ("<", ">", .cell)
            case .current: (l, r, role) = ("{", "}", .current)
            case .selected: (l, r, role) = ("*", "*", .selected)
            case .source: (l, r, role) = ("~", "~", .source)
            case .contributor: continue   // coloured only (see `marker`), nothing to show in plain text
            case .padding, .insertedZero: (l, r, role) = ("·", "", .padding)
            case .pending: (l, r, role) = ("_", "", .dim)
            default: continue
            }
            if !line.spans.isEmpty { line.append("  ") }
            if r.isEmpty {
                line.append(l, role)
            } else {
                line.append(l, role, plainOnly: true); line.append(" ", role); line.append(r, role, plainOnly: true)
            }
            line.append(" " + entry.label, .dim)
        }
        return line
    }

    /// `text` broken at spaces into lines of at most `columns` columns (no limit: one line).
    func wrap(_ text: String, _ role: SpanRole) -> [ScreenLine] {
        guard let columns, text.unicodeScalars.count > columns else { return [ScreenLine(text, role)] }
        var lines: [ScreenLine] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if candidate.unicodeScalars.count > columns && !current.isEmpty {
                lines.append(ScreenLine(current, role)); current = String(word)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { lines.append(ScreenLine(current, role)) }
        return lines
    }
}
