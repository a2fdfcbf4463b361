// CairoRender — where everything of a frame goes: grid boxes, joiners and wrapped text runs, in points.
import Storyboard

/// A frame laid out in points (before `--scale`).
struct FrameLayout {
    struct GridBox {
        var grid: Int
        /// Top-left of the cells.
        var x: Double, y: Double
        var cellW: Double, cellH: Double
        /// Centre x of the header and baseline y of its title / subtitle.
        var headerX: Double, titleY: Double, subtitleY: Double
    }
    struct Run {
        var text: String
        var font: FontSpec
        var color: RGB
        var background: RGB?
        var x: Double, y: Double, width: Double
    }
    struct Joiner { var text: String; var x: Double; var y: Double }
    struct LegendItem { var swatch: Swatch; var x: Double; var y: Double; var label: Run }

    var width: Double
    var height: Double
    var boxes: [GridBox] = []
    var joiners: [Joiner] = []
    var runs: [Run] = []
    var legend: [LegendItem] = []
    /// Height of the grid table plus title (the text block starts below it).
    var tableBottom: Double = 0
    /// Width the grid table needs.
    var tableWidth: Double = 0
}

/// Text styles of the painter.
enum Fonts {
    static let sans = "DejaVu Sans"
    static let mono = "DejaVu Sans Mono"
    // Few distinct (face, size) pairs: every one becomes a set of glyph outlines in each SVG.
    static let title = FontSpec(family: sans, size: 17, bold: true)
    static let small = FontSpec(family: sans, size: 11)
    static let step = small
    static let gridTitle = FontSpec(family: sans, size: 13, bold: true)
    static let gridSubtitle = small
    static let cell = FontSpec(family: sans, size: 14)
    static let cellBold = FontSpec(family: sans, size: 14, bold: true)
    static let cellItalic = FontSpec(family: sans, size: 13, italic: true)
    static let annotation = FontSpec(family: sans, size: 8.5)
    static let joiner = FontSpec(family: sans, size: 22)
    static let joinerLarge = FontSpec(family: sans, size: 36)
    static let equation = cell
    static let equationBold = cellBold
    static let caption = cellItalic
    static let note = small
    static let legend = small
}

/// Layout constants (points).
enum Metrics {
    static let margin = 20.0
    static let cellMin = 38.0
    static let cellPad = 14.0
    static let columnGap = 46.0
    static let rowGap = 24.0
    static let lineHeight = 22.0
    static let minContentWidth = 620.0
    static let swatch = 14.0
}
