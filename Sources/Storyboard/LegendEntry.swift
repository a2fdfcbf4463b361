// Storyboard — the legend of a frame: which swatch (colour / mark) means what.

/// One legend line: a swatch and what it means in this frame.
public struct LegendEntry: Equatable, Sendable {
    public var swatch: Swatch
    /// e.g. "window (3×3, the cells read)", "padding (zeros)", "being written".
    public var label: String
    public init(swatch: Swatch, label: String) { self.swatch = swatch; self.label = label }
}

/// A named visual style; views map each to a colour from a colour-blind-safe palette
/// (Okabe–Ito) or to a terminal attribute. Open set: unknown swatches fall back to `normal`.
public struct Swatch: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// An ordinary cell.
    public static let normal = Swatch(rawValue: "normal")
    /// `CellMarks.window`.
    public static let window = Swatch(rawValue: "window")
    /// `CellMarks.current`.
    public static let current = Swatch(rawValue: "current")
    /// `CellMarks.source` (where a padding value was copied from).
    public static let source = Swatch(rawValue: "source")
    /// `CellMarks.written`.
    public static let written = Swatch(rawValue: "written")
    /// `CellMarks.pending`.
    public static let pending = Swatch(rawValue: "pending")
    /// `CellMarks.done`.
    public static let done = Swatch(rawValue: "done")
    /// `CellMarks.selected`.
    public static let selected = Swatch(rawValue: "selected")
    /// `CellMarks.contributor`.
    public static let contributor = Swatch(rawValue: "contributor")
    /// `CellRole.padding`.
    public static let padding = Swatch(rawValue: "padding")
    /// `CellRole.insertedZero`.
    public static let insertedZero = Swatch(rawValue: "inserted_zero")
}
