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
///
/// Few distinct (face, size) pairs: Cairo's SVG surface writes the outlines of every glyph once per
/// (face, size) used in a frame, and printing those outline coordinates is most of the time an SVG frame
/// takes. So all text with letters (titles, labels, cells, equations, notes, caption, legend) shares one
/// regular 14-point face, set apart by ink colour and position; bold is kept for what is being computed
/// (the value being written, an equation's target, result and current term: mostly digits, a small glyph
/// set); padding zeros differ by ink and their dashed border rather than by an italic face.
enum Fonts {
    static let sans = "DejaVu Sans"
    /// The text face.
    static let text = FontSpec(family: sans, size: 14)
    /// The one bold: values and terms being computed.
    static let bold = FontSpec(family: sans, size: 14, bold: true)
    /// Small print in a cell's corner.
    static let annotation = FontSpec(family: sans, size: 8.5)
    /// The sign between two grids (=, →, ×).
    static let joiner = FontSpec(family: sans, size: 22)
    /// ⋆ and ∗, small glyphs drawn larger.
    static let joinerLarge = FontSpec(family: sans, size: 36)
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
    /// Baseline distance from a grid's title to its subtitle.
    static let subtitleGap = 17.0
    /// y of the rule under the title line.
    static let titleRule = margin + 25.5
}
