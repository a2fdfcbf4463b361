// Storyboard — one frame: a plain value that both views (Cairo pictures, terminal replay) draw as is.
import Engine

/// One picture of a traced computation: the grids with their cells, roles and highlights, the
/// equation of the step with every term, the running sum, a caption and a legend.
///
/// A frame is self-contained: a view draws it without knowing any convolution arithmetic. Every
/// number in it comes from the trace (header + events), never from hand-typed values.
///
/// Layout: grids are placed on a coarse layout table by `Grid.position` (row, column); views align
/// the table's columns (a column is as wide as its widest grid) and draw `Grid.joiner` (e.g. "⋆",
/// "=") before a grid. The equation, the extra equations and the running sum go below the grids,
/// then the notes, the caption, and the legend last.
///
/// Compatibility: this type only grows (new optional fields with defaults); existing fields keep
/// their meaning.
public struct Frame: Equatable, Sendable {
    /// 0-based position of this frame in its storyboard.
    public var index: Int
    /// Number of frames in the storyboard (so views can print "step 3 / 25").
    public var count: Int
    /// Which scene drew this frame (conv, transposed scatter, pooling, kernel gradient, …).
    public var scene: SceneKind
    /// Forward or backward pass.
    public var phase: Phase
    /// 0-based layer index in the network (the loss is `layers.count`).
    public var layer: Int
    /// Trace steps (`TraceEvent.step`) this frame shows, first…last; nil for a frame made from the
    /// header alone (e.g. an overview).
    public var traceSteps: ClosedRange<Int>?
    /// Short headline, e.g. "conv2d · cross-correlation · padding 1 (zeros)".
    public var title: String
    /// One or two sentences saying what happens in this step, e.g.
    /// "y[1,2] is the sum of the 9 products under the window, plus the bias."
    public var caption: String
    /// The grids, in drawing order.
    public var grids: [Grid]
    /// The window being read (cells of one grid, or of several channel grids), if any.
    /// The same cells also carry `CellMarks.window`.
    public var window: WindowHighlight?
    /// The cell being written or accumulated into in this step, if any (also marked `.written`).
    public var written: CellRef?
    /// The equation of this step with every term; nil for frames without arithmetic.
    public var equation: Equation?
    /// The running sum after this step (mac granularity), nil at cell granularity.
    public var runningSum: RunningSum?
    /// Further equations drawn under the main one, e.g. the true-convolution equation of the same
    /// window beside the cross-correlation one. Usually empty.
    public var extraEquations: [Equation] = []
    /// Short extra lines shown under the equation, e.g. the output-size formula with numbers, or
    /// "padding read x[0,1] = 5 (reflect)". Plain text.
    public var notes: [String]
    /// What each colour / mark means in this frame.
    public var legend: [LegendEntry]

    public init(
        index: Int = 0, count: Int = 1, scene: SceneKind, phase: Phase = .forward, layer: Int = 0,
        traceSteps: ClosedRange<Int>? = nil, title: String, caption: String = "", grids: [Grid] = [],
        window: WindowHighlight? = nil, written: CellRef? = nil, equation: Equation? = nil,
        runningSum: RunningSum? = nil, notes: [String] = [], legend: [LegendEntry] = []
    ) {
        self.index = index; self.count = count; self.scene = scene; self.phase = phase
        self.layer = layer; self.traceSteps = traceSteps; self.title = title; self.caption = caption
        self.grids = grids; self.window = window; self.written = written; self.equation = equation
        self.runningSum = runningSum; self.notes = notes; self.legend = legend
    }

    /// "step 3 / 25" style counter text (1-based).
    public var stepText: String { "step \(index + 1) / \(count)" }

    /// The grid with identifier `id`, if the frame has one.
    public func grid(_ id: GridID) -> Grid? { grids.first { $0.id == id } }

    /// Number of layout rows used by the grids (max `position.row` + 1).
    public var layoutRows: Int { (grids.map(\.position.row).max() ?? -1) + 1 }

    /// The grids of layout row `row`, ordered by `position.column`.
    public func grids(inLayoutRow row: Int) -> [Grid] {
        grids.filter { $0.position.row == row }.sorted { $0.position.column < $1.position.column }
    }
}

/// The highlighted window: the cells read in this step.
///
/// For a dilated kernel the cells have holes between them; `bounds` is the rectangle that spans
/// them (views may outline it lightly and the cells strongly).
public struct WindowHighlight: Equatable, Sendable {
    /// Every cell of the window (one per kernel tap, over every channel grid it spans).
    public var cells: [CellRef]
    /// Bounding rectangle of the window on each grid it touches.
    public var bounds: [CellRect]
    /// Distance between taps (dilation), (1, 1) for a plain window.
    public var step: GridStep
    public init(cells: [CellRef], bounds: [CellRect], step: GridStep = GridStep(rows: 1, columns: 1)) {
        self.cells = cells; self.bounds = bounds; self.step = step
    }
}

/// A rectangle of cells on one grid, in grid (row, column) coordinates.
public struct CellRect: Equatable, Hashable, Sendable {
    public var grid: GridID
    public var row: Int, column: Int, rows: Int, columns: Int
    public init(grid: GridID, row: Int, column: Int, rows: Int, columns: Int) {
        self.grid = grid; self.row = row; self.column = column; self.rows = rows; self.columns = columns
    }
}

/// A (rows, columns) step, e.g. a window's dilation.
public struct GridStep: Equatable, Hashable, Sendable {
    public var rows: Int, columns: Int
    public init(rows: Int, columns: Int) { self.rows = rows; self.columns = columns }
}
