// TerminalReplayTests — a hand-built frame drawn as text: markers, side-by-side grids, equation, clipping.
import Engine
import Storyboard
import Testing
@testable import TerminalReplay

/// Frame 2 of X = [[1,2,3],[4,5,6],[7,8,9]] ⋆ K = [[1,0],[0,-1]] (no padding, stride 1):
/// y[0,1] = 2·1 + 3·0 + 5·0 + 6·(−1) = −4; y[0,0] = 1 − 5 = −4 is done, y[1,·] are pending.
func handFrame(withPadding: Bool = false) -> Frame {
    let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    let window: Set<Int> = [1, 2, 4, 5]
    var input = Grid(
        id: "input.c0", role: .input, title: "input X", symbol: "x", rows: 3, columns: 3,
        cells: x.enumerated().map { i, v in
            Cell(value: v, text: ValueFormat.format(v, digits: 2), marks: window.contains(i) ? .window : [])
        }, position: GridPosition(row: 0, column: 0))
    if withPadding { input[0, 0].role = .padding(PaddingFill(mode: .zeros)); input[0, 0].text = "0" }
    let kernel = Grid(
        id: "kernel.k0.c0", role: .kernel, title: "kernel K", symbol: "k", rows: 2, columns: 2,
        cells: [1, 0, 0, -1].map { Cell(value: $0, text: ValueFormat.format($0, digits: 2), marks: .window) },
        position: GridPosition(row: 0, column: 1), joiner: "⋆")
    let output = Grid(
        id: "output.k0", role: .output, title: "output Y", symbol: "y", rows: 2, columns: 2,
        cells: [
            Cell(value: -4, text: "-4", marks: .done), Cell(value: -4, text: "-4", marks: .written),
            Cell(value: nil, text: "", marks: .pending), Cell(value: nil, text: "", marks: .pending),
        ], position: GridPosition(row: 0, column: 2), joiner: "=")
    let terms = [(2.0, 1.0, 1), (3, 0, 2), (5, 0, 4), (6, -1, 5)].enumerated().map { n, t in
        Term(operands: [Operand(label: "x", value: t.0, text: ValueFormat.format(t.0, digits: 2)),
                        Operand(label: "k", value: t.1, text: ValueFormat.format(t.1, digits: 2))],
             product: t.0 * t.1, productText: ValueFormat.format(t.0 * t.1, digits: 2), traceStep: 4 + n)
    }
    let eq = Equation(target: Operand(label: "y[0,1]", value: -4, text: "-4"), terms: terms, result: -4, resultText: "-4")
    return Frame(
        index: 1, count: 4, scene: .conv, title: "conv2d · cross-correlation", caption: "y[0,1] is the sum of the 4 products under the window.",
        grids: [input, kernel, output], written: CellRef(grid: "output.k0", row: 0, column: 1), equation: eq,
        legend: [LegendEntry(swatch: .window, label: "window"), LegendEntry(swatch: .written, label: "written"),
                 LegendEntry(swatch: .pending, label: "pending")])
}

@Suite("Frame view")
struct FrameViewTests {
    @Test("plain text of a cell frame: [ ] window, < > written, _ pending, joiners level with the middle row")
    func plainCellFrame() {
        let text = FrameView().screen(for: handFrame()).render(.plain)
        let expected = """
            conv2d · cross-correlation
            step 2/4 · forward · layer 0

            input X     kernel K   output Y
             1 [2][3]   [ 1][ 0]    -4 <-4>
             4 [5][6] ⋆ [ 0][-1] =   _   _
             7  8  9

            y[0,1] = 2·1 + 3·0 + 5·0 + 6·(-1) = -4
            y[0,1] is the sum of the 4 products under the window.
            [ ] window  < > written  _ pending
            """
        #expect(text == expected)
    }

    @Test("a padding cell carries · before its value")
    func paddingMark() {
        let text = FrameView().screen(for: handFrame(withPadding: true)).render(.plain)
        #expect(text.contains(" ·0 [ 2][ 3]"))
    }

    @Test("ANSI mode has the same layout with the markers drawn as coloured spaces")
    func ansiSameLayout() {
        let screen = FrameView().screen(for: handFrame())
        let ansi = screen.render(.ansi)
        #expect(ansi.contains("\u{1B}["))
        let stripped = ansi.replacing(/\x1B\[[0-9;]*m/, with: "")
        let plain = screen.render(.plain)
        // Same lines, same columns: only the markers became spaces.
        let strippedLines = stripped.split(separator: "\n", omittingEmptySubsequences: false)
        let plainLines = plain.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(strippedLines.count == plainLines.count)
        #expect(strippedLines[4].hasPrefix(" 1  2  3      1   0     -4  -4"))
        #expect(plainLines[4].hasPrefix(" 1 [2][3]   [ 1][ 0]    -4 <-4>"))
    }

    @Test("a grid wider than the terminal is clipped around the window with …, never wrapped")
    func clipWide() {
        // One row of 40 cells 0…39, window on cells 30…32.
        let cells = (0..<40).map { Cell(value: Double($0), text: String($0), marks: (30...32).contains($0) ? .window : []) }
        let g = Grid(id: "input.c0", role: .input, title: "input X", symbol: "x", rows: 1, columns: 40,
                     cells: cells, position: GridPosition(row: 0, column: 0))
        let frame = Frame(scene: .conv, title: "wide", grids: [g])
        let lines = FrameView(columns: 40).screen(for: frame).render(.plain).split(separator: "\n")
        let row = lines.first { $0.contains("[30]") }
        #expect(row != nil)
        // 4 columns per cell: (40 − 2) / 4 = 9 cells, centred on 31 → 27…35, cut on both sides.
        #expect(row.map(String.init) == "… 27  28  29 [30][31][32] 33  34  35 …")
        #expect(lines.allSatisfy { $0.unicodeScalars.count <= 40 })
        #expect(lines.contains { $0.hasPrefix("input X (1×40)") })
    }

    @Test("a grid taller than the room is clipped to rows around the window with ⋮")
    func clipTall() {
        let cells = (0..<10).map { Cell(value: Double($0), text: String($0), marks: $0 == 8 ? .written : []) }
        let g = Grid(id: "output.k0", role: .output, title: "Y", symbol: "y", rows: 10, columns: 1,
                     cells: cells, position: GridPosition(row: 0, column: 0))
        let text = FrameView(columns: 80, gridRows: 5).screen(for: Frame(scene: .conv, title: "tall", grids: [g]))
            .render(.plain)
        // 5 rows of room, the written cell 8 near the end: ⋮ above, then rows 6…9 (no ⋮ below, nothing cut).
        #expect(text.contains("Y (10×1)\n ⋮\n 6\n 7\n<8>\n 9\n"), "\(text)")
    }

    @Test("a long equation is elided around the current term to fit the width")
    func equationElision() {
        var frame = handFrame()
        frame.equation!.terms[2].state = .current
        frame.equation!.terms[3].state = .pending
        let line = FrameView(columns: 30).equationLine(frame.equation!)
        #expect(line.width <= 30)
        #expect(line.text.contains("{5·0}"))
        #expect(line.text.contains("…"))
    }

    @Test("the elided equation keeps the same terms as building every candidate line would")
    func equationElisionMatchesCandidates() {
        // Terms of uneven widths (negative operands in parentheses), pending, current and done, and a
        // bias and result: the arithmetic widths must pick the line the one-by-one search picked.
        var eq = handFrame().equation!
        let template = eq.terms[0]
        eq.terms = (0..<61).map { i in
            var t = template
            t.operands[0].text = String(i % 7 == 0 ? -i : i * 13)
            t.operands[1].text = i % 3 == 0 ? "-0.5" : "2"
            t.state = i < 40 ? .done : .pending
            return t
        }
        for (combine, current) in [Equation.Combine.sum, .max, .mean].flatMap({ c in ([nil, 0, 1, 30, 59, 60] as [Int?]).map { (c, $0) } }) {
            var e = eq
            e.combine = combine
            if let current { e.terms[current].state = .current }
            for columns in stride(from: 5, through: 400, by: 7) {
                let got = FrameView(columns: columns).equationLine(e)
                #expect(got == candidateSearch(e, columns: columns), "\(combine), current \(String(describing: current)), \(columns) columns")
            }
        }
    }

    /// The elision as it was first written: build the line for `keep` terms, from all but one down to 1.
    func candidateSearch(_ eq: Equation, columns: Int) -> ScreenLine {
        let all = FrameView.equationLine(eq, shown: 0..<eq.terms.count)
        guard all.width > columns, eq.terms.count > 1 else { return all }
        let focus = eq.currentTermIndex ?? (eq.terms.count - 1)
        var keep = eq.terms.count - 1
        while keep >= 1 {
            let r = FrameView.range(count: eq.terms.count, keep: keep, around: focus..<(focus + 1))
            let line = FrameView.equationLine(eq, shown: r)
            if line.width <= columns || keep == 1 { return line }
            keep -= 1
        }
        return all
    }
}
