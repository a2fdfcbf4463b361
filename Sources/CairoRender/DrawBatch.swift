// CairoRender — the shapes and text of one frame, grouped by layer and style so that each style is drawn
// with one Cairo call (one SVG element, one colour written once) instead of one call per cell.
import CCairo

/// Collects a frame's rectangles, lines and glyphs, then draws them layer by layer.
///
/// Within a layer, shapes of one style become one path filled or stroked once, in order of the style's
/// first use; shapes of one layer must not overlap shapes of another style in the same layer (cells of a
/// grid, marks inside different cells), so the grouping does not change what is seen. Text is drawn last,
/// one `cairo_show_glyphs` per (font, colour) on vector surfaces, space glyphs dropped.
struct DrawBatch {
    /// Drawing order, bottom to top.
    enum Layer: Int, CaseIterable {
        /// Cell fills, swatch fills, equation highlights.
        case fills
        /// Grid lines and swatch outlines.
        case lines
        /// Dashed and dotted inner borders of padding and inserted-zero cells.
        case cellBorders
        /// Window bounds.
        case window
        /// Mark edges (current, written, selected, source, contributor).
        case edges
    }

    /// How a path is stroked: colour, line width and dash pattern (empty: solid).
    struct Stroke: Hashable {
        var color: RGB
        var width: Double
        var dash: [Double]
    }

    /// What is done with a group's path: filled with a colour or stroked.
    enum Style: Hashable {
        case fill(RGB)
        case stroke(Stroke)
    }

    /// One rectangle or line segment of a group's path, in points.
    enum Shape {
        case rect(x: Double, y: Double, w: Double, h: Double)
        case line(x0: Double, y0: Double, x1: Double, y1: Double)
    }

    private struct Group {
        var style: Style
        var shapes: [Shape]
    }

    private struct TextGroup {
        var font: FontSpec
        var color: RGB
        var glyphs: [cairo_glyph_t]
        /// End index in `glyphs` of each text run.
        var runEnds: [Int]
    }

    private var layers = [[Group]](repeating: [], count: Layer.allCases.count)
    private var index: [GroupKey: Int] = [:]
    private var text: [TextGroup] = []
    private var textIndex: [FontKey: Int] = [:]

    private struct GroupKey: Hashable {
        var style: Style
        var layer: Int
    }

    private struct FontKey: Hashable {
        var font: FontSpec
        var color: RGB
    }

    private mutating func add(_ shape: Shape, _ style: Style, _ layer: Layer) {
        let l = layer.rawValue
        let key = GroupKey(style: style, layer: l)
        if let k = index[key] {
            layers[l][k].shapes.append(shape)
        } else {
            index[key] = layers[l].count
            layers[l].append(Group(style: style, shapes: [shape]))
        }
    }

    /// Adds a rectangle filled with `c` (on the fills layer unless told otherwise).
    mutating func fillRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ c: RGB, layer: Layer = .fills) {
        add(.rect(x: x, y: y, w: w, h: h), .fill(c), layer)
    }

    /// Adds a rectangle outline in `c`, `width` wide, dashed when `dash` is not empty.
    mutating func strokeRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ c: RGB, width: Double,
                             dash: [Double] = [], layer: Layer) {
        add(.rect(x: x, y: y, w: w, h: h), .stroke(Stroke(color: c, width: width, dash: dash)), layer)
    }

    /// Adds a solid line segment in `c`, `width` wide.
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: RGB, width: Double, layer: Layer) {
        add(.line(x0: x0, y0: y0, x1: x1, y1: y1), .stroke(Stroke(color: c, width: width, dash: [])), layer)
    }

    /// Glyphs placed relative to (0, 0), shifted to the baseline start (x, y).
    mutating func text(_ glyphs: [cairo_glyph_t], _ font: FontSpec, _ color: RGB, x: Double, y: Double) {
        guard !glyphs.isEmpty else { return }
        let key = FontKey(font: font, color: color)
        let k: Int
        if let found = textIndex[key] {
            k = found
        } else {
            k = text.count
            textIndex[key] = k
            text.append(TextGroup(font: font, color: color, glyphs: [], runEnds: []))
        }
        for g in glyphs { text[k].glyphs.append(cairo_glyph_t(index: g.index, x: g.x + x, y: g.y + y)) }
        text[k].runEnds.append(text[k].glyphs.count)
    }

    /// Draws everything on `ctx`: the layers bottom to top, then the text.
    /// - Parameter vector: one glyph call per (font, colour) for vector surfaces (one SVG group); a raster
    ///   surface gets one call per text run, as Cairo's image backend composites a call's glyphs through
    ///   a mask as large as their bounding box.
    func draw(on ctx: CairoContext, vector: Bool) {
        for groups in layers {
            for g in groups {
                for s in g.shapes {
                    switch s {
                    case let .rect(x, y, w, h): ctx.addRect(x, y, w, h)
                    case let .line(x0, y0, x1, y1): ctx.addLine(x0, y0, x1, y1)
                    }
                }
                switch g.style {
                case let .fill(c): ctx.fillPath(c)
                case let .stroke(s): ctx.strokePath(s.color, width: s.width, dash: s.dash)
                }
            }
        }
        for t in text {
            ctx.setFont(t.font)
            if vector {
                ctx.showGlyphs(t.glyphs[...], t.color)
            } else {
                var start = 0
                for end in t.runEnds {
                    ctx.showGlyphs(t.glyphs[start..<end], t.color)
                    start = end
                }
            }
        }
    }
}
