// Storyboard — a rectangle of cells (`--cell 1,2`, `--region 0-2,1-3`) that narrows a storyboard to the frames writing them.

/// Rows and columns (0-based, inclusive) of the cells a frame may write to be drawn.
///
/// A frame writes one cell: the output cell `y[k, r, c]` in the forward pass, the input cell whose
/// products it scatters in a transposed convolution's scatter view, and the gradient cell it sums in
/// the backward pass (`dX[c, r, c']`, `dK[k, c, r, c']`; for pooling the `dY` cell being routed).
/// A vector (a linear layer's input or output, an activation after `flatten`) is one row: its
/// feature f is column f; a linear weight gradient `dW[o, i]` is row o, column i. Frames that write no cell of a grid — a bias gradient `db[k]`, the loss — are left out when a region
/// is given.
public struct CellRegion: Equatable, Sendable, CustomStringConvertible {
    public var rows: ClosedRange<Int>
    public var columns: ClosedRange<Int>

    public init(rows: ClosedRange<Int>, columns: ClosedRange<Int>) {
        self.rows = rows
        self.columns = columns
    }

    /// A single cell.
    public init(row: Int, column: Int) { self.init(rows: row...row, columns: column...column) }

    /// Parses `ROW,COL` (one cell) or `R0-R1,C0-C1` (inclusive ranges; either side may be a single number).
    /// - Throws: `StoryboardError` naming the text and what would be valid.
    public init(parsing text: String) throws {
        let expected = "expected ROW,COL (e.g. 1,2) or ROWS,COLS with inclusive ranges (e.g. 0-2,1-3), numbered from 0"
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw StoryboardError("'\(text)': \(expected)") }
        func range(_ part: Substring, _ axis: String) throws -> ClosedRange<Int> {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
                .map { Int(String($0.filter { $0 != " " })) }
            guard (1...2).contains(ends.count), let lo = ends.first ?? nil, let hi = ends.last ?? nil else {
                throw StoryboardError("'\(text)': \(axis) '\(part)' is not a number or a range; \(expected)")
            }
            guard lo <= hi else { throw StoryboardError("'\(text)': \(axis) \(lo)-\(hi) runs backwards; write \(hi)-\(lo)") }
            return lo...hi
        }
        self.init(rows: try range(parts[0], "rows"), columns: try range(parts[1], "columns"))
    }

    /// Whether the cell at (`row`, `column`) lies inside.
    public func contains(row: Int, column: Int) -> Bool { rows.contains(row) && columns.contains(column) }

    /// `1,2` for one cell, `0-2,1-3` for a rectangle.
    public var description: String {
        func text(_ r: ClosedRange<Int>) -> String { r.count == 1 ? "\(r.lowerBound)" : "\(r.lowerBound)-\(r.upperBound)" }
        return "\(text(rows)),\(text(columns))"
    }
}
