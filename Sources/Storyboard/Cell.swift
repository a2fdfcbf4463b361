// Storyboard — one cell of a grid: its value, its display text, its role and its highlight marks.
import Engine

/// One cell of a grid.
public struct Cell: Equatable, Sendable {
    /// The number in the cell, nil when there is none to show (a pending output cell, an empty
    /// placeholder).
    public var value: Double?
    /// The text to draw: integers as integers, reals rounded to the storyboard's digits; "" when
    /// nothing should be drawn (pending output cells).
    public var text: String
    /// What kind of cell it is (normal, padding, inserted zero, empty).
    public var role: CellRole
    /// Highlight marks (window, current, source, written, pending, …); several may be set.
    public var marks: CellMarks
    /// Small secondary text drawn in a corner, e.g. the kernel weight multiplied with this cell
    /// ("×2"), as `conv_arithmetic` draws it; nil for none.
    public var annotation: String?

    public init(value: Double?, text: String, role: CellRole = .normal, marks: CellMarks = [],
                annotation: String? = nil) {
        self.value = value; self.text = text; self.role = role; self.marks = marks
        self.annotation = annotation
    }

    /// A cell with nothing in it.
    public static let empty = Cell(value: nil, text: "", role: .empty)
}

/// What kind of cell a grid cell is. Closed set: views can switch over it exhaustively.
public enum CellRole: Equatable, Hashable, Sendable {
    /// An ordinary tensor cell.
    case normal
    /// A padding cell; the fill says which mode supplied its value and from where.
    case padding(PaddingFill)
    /// Transposed conv (direct view): a zero inserted between input cells by the stride.
    case insertedZero
    /// A placeholder with no content (alignment, holes).
    case empty

    /// Whether this is any padding cell.
    public var isPadding: Bool { if case .padding = self { true } else { false } }
}

/// How a padding cell got its value.
public struct PaddingFill: Equatable, Hashable, Sendable {
    /// The padding mode (zeros, reflect, replicate, circular).
    public var mode: PaddingMode
    /// For reflect / replicate / circular: tensor coordinates (h, w) of the real input cell the
    /// value was read from; nil for zeros.
    public var source: GridOrigin?
    public init(mode: PaddingMode, source: GridOrigin? = nil) { self.mode = mode; self.source = source }

    /// Short word for the mode ("zero", "reflected", "replicated", "wrapped").
    public var word: String {
        switch mode {
        case .zeros: "zero"
        case .reflect: "reflected"
        case .replicate: "replicated"
        case .circular: "wrapped"
        }
    }
}

/// Highlight marks on a cell. Several can be combined (a window cell that is also the current
/// mac's operand has `.window` and `.current`).
public struct CellMarks: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Inside the window read for the current output cell.
    public static let window = CellMarks(rawValue: 1 << 0)
    /// The operand read by the current multiply-accumulate (mac granularity), or the kernel /
    /// input cell of the current term.
    public static let current = CellMarks(rawValue: 1 << 1)
    /// The real input cell a padding value was copied from (reflect / replicate / circular).
    public static let source = CellMarks(rawValue: 1 << 2)
    /// The cell being written / accumulated into in this frame.
    public static let written = CellMarks(rawValue: 1 << 3)
    /// Not computed yet (output cells later in the order); drawn empty/dim.
    public static let pending = CellMarks(rawValue: 1 << 4)
    /// Already final (computed in an earlier frame).
    public static let done = CellMarks(rawValue: 1 << 5)
    /// Max pooling: the selected maximum; backward: where the gradient is routed.
    public static let selected = CellMarks(rawValue: 1 << 6)
    /// Cells whose values take part in this frame's equation other than the window (e.g. the dY
    /// cells of a kernel-gradient term, the kernel cells of the current window).
    public static let contributor = CellMarks(rawValue: 1 << 7)
}

/// A reference to one cell of one grid in a frame (grid coordinates).
public struct CellRef: Equatable, Hashable, Sendable {
    public var grid: GridID
    public var row: Int
    public var column: Int
    public init(grid: GridID, row: Int, column: Int) { self.grid = grid; self.row = row; self.column = column }
}
