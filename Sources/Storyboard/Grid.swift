// Storyboard — a grid of cells in a frame: one channel of a tensor (input, kernel, output, gradient…).

/// Stable identifier of a grid within a frame, e.g. "input.c0", "kernel.k1.c2", "output.k0".
///
/// Identifiers stay the same from frame to frame of one storyboard, so views can animate or diff.
public struct GridID: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}

/// What a grid shows. Open set (a struct, not an enum) so that new roles can be added without
/// breaking views; views fall back to `normal` styling for roles they do not know.
public struct GridRole: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The input X as given (unpadded).
    public static let input = GridRole(rawValue: "input")
    /// The input with its padding border (padding cells have `CellRole.padding`).
    public static let paddedInput = GridRole(rawValue: "padded_input")
    /// Transposed conv: the input with zeros inserted between cells and the border padding, the
    /// grid the equivalent direct convolution slides over.
    public static let zeroInsertedInput = GridRole(rawValue: "zero_inserted_input")
    /// A kernel / weight as given.
    public static let kernel = GridRole(rawValue: "kernel")
    /// The kernel rotated 180° (true convolution, input gradient, transposed-conv direct view).
    public static let rotatedKernel = GridRole(rawValue: "rotated_kernel")
    /// Bias values (one cell per filter).
    public static let bias = GridRole(rawValue: "bias")
    /// The output Y (cells fill in as they are written).
    public static let output = GridRole(rawValue: "output")
    /// dY, the gradient arriving from above.
    public static let gradOutput = GridRole(rawValue: "grad_output")
    /// dY with padding (input gradient as a full convolution).
    public static let paddedGradOutput = GridRole(rawValue: "padded_grad_output")
    /// dX being accumulated.
    public static let gradInput = GridRole(rawValue: "grad_input")
    /// dK / dW being accumulated.
    public static let gradKernel = GridRole(rawValue: "grad_kernel")
    /// db being accumulated.
    public static let gradBias = GridRole(rawValue: "grad_bias")
    /// A second output shown for comparison (e.g. the true-convolution output beside the
    /// cross-correlation output).
    public static let comparisonOutput = GridRole(rawValue: "comparison_output")
    /// Per-channel partial sums of the current output cell.
    public static let partialSums = GridRole(rawValue: "partial_sums")
    /// Any other tensor (activations, pooling results…).
    public static let other = GridRole(rawValue: "other")
}

/// Where a grid sits on the frame's coarse layout: layout row, then column within the row.
public struct GridPosition: Equatable, Hashable, Sendable {
    public var row: Int
    public var column: Int
    public init(row: Int, column: Int) { self.row = row; self.column = column }
}

/// A 2-D grid of cells: one H×W slice of a tensor (one channel of one sample).
///
/// Cells are row-major: `cells[r * columns + c]`. Grid coordinates (r, c) start at 0 at the top
/// left cell drawn; `origin` maps them to tensor coordinates (a padded input with 1 cell of
/// padding has origin (−1, −1): grid (0, 0) is tensor cell (−1, −1)).
public struct Grid: Equatable, Sendable {
    /// Stable identifier (unique in the frame).
    public var id: GridID
    /// What the grid shows.
    public var role: GridRole
    /// Label drawn above the grid, e.g. "input x", "kernel K (as given)", "output y".
    public var title: String
    /// Optional second label line, e.g. "channel 1", "padding 1 · reflect", "5×5".
    public var subtitle: String?
    /// Symbol name of the tensor for equations and cell labels, e.g. "x", "k", "y", "dY".
    public var symbol: String
    /// Number of rows.
    public var rows: Int
    /// Number of columns.
    public var columns: Int
    /// The cells, row-major; `cells.count == rows * columns`.
    public var cells: [Cell]
    /// Tensor coordinates (h, w) of grid cell (0, 0).
    public var origin: GridOrigin
    /// Batch index n and channel index c (or filter k) this grid is a slice of.
    public var slice: TensorSlice
    /// Position on the frame's layout.
    public var position: GridPosition
    /// Symbol drawn between the previous grid of the same layout row and this one ("⋆", "∗",
    /// "=", "+", "→"), nil for none.
    public var joiner: String?

    public init(
        id: GridID, role: GridRole, title: String, subtitle: String? = nil, symbol: String,
        rows: Int, columns: Int, cells: [Cell], origin: GridOrigin = GridOrigin(row: 0, column: 0),
        slice: TensorSlice = TensorSlice(n: 0, c: 0), position: GridPosition, joiner: String? = nil
    ) {
        precondition(cells.count == rows * columns, "grid \(id): \(cells.count) cells for \(rows)×\(columns)")
        self.id = id; self.role = role; self.title = title; self.subtitle = subtitle; self.symbol = symbol
        self.rows = rows; self.columns = columns; self.cells = cells; self.origin = origin
        self.slice = slice; self.position = position; self.joiner = joiner
    }

    /// Cell at grid row `r`, column `c`.
    public subscript(r: Int, c: Int) -> Cell {
        get { cells[r * columns + c] }
        set { cells[r * columns + c] = newValue }
    }

    /// Whether (r, c) lies inside the grid.
    public func contains(row r: Int, column c: Int) -> Bool { r >= 0 && r < rows && c >= 0 && c < columns }
}

/// Tensor coordinates of a grid's top-left cell.
public struct GridOrigin: Equatable, Hashable, Sendable {
    public var row: Int, column: Int
    public init(row: Int, column: Int) { self.row = row; self.column = column }
}

/// Which (n, c) slice of a rank-4 tensor a grid shows (for a kernel: c = input channel, n = filter k).
public struct TensorSlice: Equatable, Hashable, Sendable {
    public var n: Int, c: Int
    public init(n: Int, c: Int) { self.n = n; self.c = c }
}
