// WebPlayer — the frames as compact JSON for the page: the same storyboard values, short keys, shared grid ids.
import Foundation
import Storyboard

/// The storyboard frames in the compact form the player page embeds (one JSON document).
///
/// Every text is the frame's own formatted text (cells, operands, products, results); the page does no
/// number formatting of its own. Cell references are `[grid, row, column]` with `grid` an index into
/// `ids`, so a reference names the same grid in every frame (grid identifiers are stable per storyboard).
/// Cell marks are `CellMarks.rawValue`; cell roles one letter each (`n` normal, `p` padding, `z` inserted
/// zero, `e` empty), omitted when all are normal. A grid whose texts or marks are those of the same grid
/// in the previous frame carries `T: 1` / `M: 1` instead (the page copies them when it loads).
struct PlayerData: Encodable {
    /// Grid identifiers, referenced by index.
    var ids: [String]
    var frames: [PlayerFrame]

    /// - Parameter frames: the storyboard's frames, in order.
    /// - Complexity: O(total cells + total terms).
    init(frames: [Frame]) {
        var table = GridTable()
        var made = frames.map { PlayerFrame($0, &table) }
        // Each frame's display time in percent of the chosen speed (`FramePacing`, as the GIF paces it).
        for (i, d) in FramePacing.delays(frames, base: 100).enumerated() { made[i].dl = d }
        self.frames = made
        ids = table.ids
    }

    /// The JSON text, keys sorted (byte-identical for the same frames).
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(self), as: UTF8.self)
        // Safe inside <script>: JSONEncoder already writes "/" as "\/", so "</script" cannot occur.
        return text
    }
}

/// Grid identifiers → indices, in order of first appearance.
struct GridTable {
    var ids: [String] = []
    var index: [String: Int] = [:]
    mutating func id(_ g: GridID) -> Int {
        if let i = index[g.rawValue] { return i }
        ids.append(g.rawValue)
        index[g.rawValue] = ids.count - 1
        return ids.count - 1
    }
    mutating func ref(_ r: CellRef) -> [Int] { [id(r.grid), r.row, r.column] }
    /// The cell texts and marks each grid had in the previous frame that showed it (frames repeat them).
    var lastTexts: [Int: [String]] = [:]
    var lastMarks: [Int: [UInt16]] = [:]
}

/// One frame (see `Frame`): scene, phase, layer, texts, grids, window, written cell, equations, legend.
struct PlayerFrame: Encodable {
    var sc: String, ph: String, l: Int
    /// Display time in percent of the player's speed setting (`FramePacing`: more terms, longer).
    var dl = 100
    var ts: [Int]?
    var ti: String, ca: String
    var g: [PlayerGrid]
    /// Window cells and bounds `[grid, row, column, rows, columns]`.
    var w: [[Int]]?, wb: [[Int]]?
    var wr: [Int]?
    var e: PlayerEquation?
    var x: [PlayerEquation]?
    var rs: String?
    var no: [String]?
    /// Legend: `[swatch, label]`.
    var lg: [[String]]

    init(_ f: Frame, _ t: inout GridTable) {
        sc = f.scene.rawValue; ph = f.phase.name; l = f.layer
        ts = f.traceSteps.map { [$0.lowerBound, $0.upperBound] }
        ti = f.title; ca = f.caption
        g = f.grids.map { PlayerGrid($0, &t) }
        w = f.window.map { $0.cells.map { t.ref($0) } }
        wb = f.window.map { $0.bounds.map { [t.id($0.grid), $0.row, $0.column, $0.rows, $0.columns] } }
        wr = f.written.map { t.ref($0) }
        e = f.equation.map { PlayerEquation($0, &t) }
        x = f.extraEquations.isEmpty ? nil : f.extraEquations.map { PlayerEquation($0, &t) }
        rs = f.runningSum?.text
        no = f.notes.isEmpty ? nil : f.notes
        lg = f.legend.map { [$0.swatch.rawValue, $0.label] }
    }
}

/// One grid (see `Grid`): cells as parallel arrays of texts, marks and roles.
struct PlayerGrid: Encodable {
    var id: Int
    var ro: String, ti: String, su: String?, sy: String
    var r: Int, c: Int
    /// Layout position `[row, column]` and the joiner drawn before the grid.
    var p: [Int], j: String?
    /// Tensor coordinates of the top-left cell `[row, column]` (for labels such as `x[0,1]`).
    var o: [Int]
    /// Cell texts; nil with `T` = 1 when they are the previous frame's texts of the same grid.
    var t: [String]?
    /// Cell marks; nil when all are 0, or with `M` = 1 when they are the previous frame's marks of this grid.
    var m: [UInt16]?
    var T: Int?, M: Int?
    var k: String?
    /// Cell annotations `[cell index, text]`.
    var a: [[String]]?

    init(_ grid: Grid, _ table: inout GridTable) {
        id = table.id(grid.id)
        ro = grid.role.rawValue; ti = grid.title; su = grid.subtitle; sy = grid.symbol
        r = grid.rows; c = grid.columns
        p = [grid.position.row, grid.position.column]; j = grid.joiner
        o = [grid.origin.row, grid.origin.column]
        let texts = grid.cells.map(\.text)
        if table.lastTexts[id] == texts { T = 1 } else { t = texts; table.lastTexts[id] = texts }
        let marks = grid.cells.map(\.marks.rawValue)
        if marks.allSatisfy({ $0 == 0 }) { m = nil } else if table.lastMarks[id] == marks { M = 1 } else { m = marks }
        table.lastMarks[id] = marks
        let roles = String(grid.cells.map { cell -> Character in
            switch cell.role {
            case .normal: "n"
            case .padding: "p"
            case .insertedZero: "z"
            case .empty: "e"
            }
        })
        k = roles.allSatisfy { $0 == "n" } ? nil : roles
        let notes = grid.cells.enumerated().compactMap { i, cell in cell.annotation.map { [String(i), $0] } }
        a = notes.isEmpty ? nil : notes
    }
}

/// One equation (see `Equation`): its text in segments (literal strings and term indices) so that the
/// page shows exactly `Equation.text()` with each term in its own element.
struct PlayerEquation: Encodable {
    /// Target label, e.g. `y[1,2]`, and its cell when drawn.
    var lhs: String
    /// What joins the label and the right-hand side: `" = "`, or `" → "` for separate writes (a scatter).
    var cn: String
    /// Right-hand side: strings are literal text, numbers index `terms`.
    var seg: [Segment]
    var terms: [PlayerTerm]
    /// Per-channel partial sums: `[label, first term, end term, subtotal text]`.
    var gr: [[String]]?
    /// Result text, nil while unknown.
    var res: String?
    var cmb: String

    enum Segment: Encodable {
        case text(String), term(Int)
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .text(let s): try c.encode(s)
            case .term(let i): try c.encode(i)
            }
        }
    }

    init(_ e: Equation, _ table: inout GridTable) {
        lhs = e.target.label
        cn = e.isSeparateWrites ? " → " : " = "
        cmb = e.combine.rawValue
        terms = e.terms.map { PlayerTerm($0, combine: e.combine, &table) }
        res = e.result == nil ? nil : e.resultText
        gr = e.groups.count > 1
            ? e.groups.map { [$0.label, String($0.terms.lowerBound), String($0.terms.upperBound), $0.subtotalText, e.subtotalRelation($0)] } : nil
        seg = PlayerEquation.segments(e)
    }

    /// The pieces of `Equation.text()` after `target = `, in order (mirrors that function).
    static func segments(_ e: Equation) -> [Segment] {
        var out: [Segment] = []
        func joined(_ sep: String) {
            for i in e.terms.indices {
                if i > 0 { out.append(.text(sep)) }
                out.append(.term(i))
            }
        }
        switch e.combine {
        case .sum where e.isSeparateWrites:
            joined("; ")
            return out
        case .sum:
            if e.terms.isEmpty { out.append(.text("0")) } else { joined(" + ") }
            if let b = e.bias { out.append(.text(" + " + Operand.wrapped(b.text) + " (bias)")) }
        case .max:
            out.append(.text("max(")); joined(", "); out.append(.text(")"))
        case .mean:
            out.append(.text("(")); joined(" + ")
            out.append(.text(") / " + (e.divisor.map { ValueFormat.plain($0) } ?? "?")))
        case .apply:
            out.append(.text(e.applicationText))
        }
        if e.result != nil { out.append(.text(" " + e.resultRelation + " " + e.resultText)) }
        return out
    }
}

/// One term: its text as `Equation.text()` writes it, its product, state and the cells of its operands.
struct PlayerTerm: Encodable {
    var t: String
    /// Operand labels with values, e.g. `x[0,1] = 5`, for the term's tooltip.
    var ol: [String]
    var p: String
    /// State: `d` done, `c` current, `p` pending; `pad` read a padding cell; `sel` the selected maximum.
    var s: String
    /// "≈" when the printed operands do not multiply to the printed product (absent: "=").
    var q: String?
    var pad: Bool?, sel: Bool?
    /// Operand cells `[grid, row, column]` (operands not drawn in the frame are left out).
    var r: [[Int]]

    init(_ term: Term, combine: Equation.Combine, _ table: inout GridTable) {
        t = term.text
        ol = term.operands.map { "\($0.label) = \($0.text)" }
        p = term.productText
        q = term.productRelation == "=" ? nil : term.productRelation
        s = String(term.state.rawValue.prefix(1))
        pad = term.isPadding ? true : nil
        sel = term.isSelected ? true : nil
        r = term.operands.compactMap { $0.ref.map { table.ref($0) } }
    }
}
