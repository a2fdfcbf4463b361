// CairoRender — a Cairo drawing context owned by a class, with the few drawing calls the painter uses.
import CCairo

/// Owns one `cairo_t` drawing on a `CairoSurface`; checks its status on demand.
public final class CairoContext {
    let handle: OpaquePointer
    /// Keeps the target surface alive while drawing.
    let surface: CairoSurface

    init(_ surface: CairoSurface) throws {
        guard let h = cairo_create(surface.handle) else { throw RenderError("cairo: could not create a context") }
        self.handle = h
        self.surface = surface
        let status = cairo_status(h)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_destroy(h)
            throw RenderError("cairo: could not create a context: \(CairoSurface.text(status))")
        }
        // Fixed rendering options: deterministic output, crisp text.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_set_font_options(h, options)
        cairo_font_options_destroy(options)
    }

    deinit { cairo_destroy(handle) }

    /// Throws if drawing went wrong.
    func check(_ step: String) throws {
        let status = cairo_status(handle)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError("cairo: \(step) failed: \(CairoSurface.text(status))")
        }
        try surface.check(step)
    }

    func scale(_ s: Double) { cairo_scale(handle, s, s) }
    func save() { cairo_save(handle) }
    func restore() { cairo_restore(handle); currentFont = nil }

    func setColor(_ c: RGB) {
        cairo_set_source_rgb(handle, Double(c.r) / 255, Double(c.g) / 255, Double(c.b) / 255)
    }

    func fillRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ c: RGB) {
        setColor(c)
        cairo_rectangle(handle, x, y, w, h)
        cairo_fill(handle)
    }

    func strokeRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ c: RGB, width: Double, dash: [Double] = []) {
        setColor(c)
        cairo_set_line_width(handle, width)
        dash.withUnsafeBufferPointer { cairo_set_dash(handle, $0.baseAddress, Int32($0.count), 0) }
        cairo_rectangle(handle, x, y, w, h)
        cairo_stroke(handle)
        if !dash.isEmpty { cairo_set_dash(handle, nil, 0, 0) }
    }

    func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: RGB, width: Double) {
        setColor(c)
        cairo_set_line_width(handle, width)
        cairo_move_to(handle, x0, y0)
        cairo_line_to(handle, x1, y1)
        cairo_stroke(handle)
    }

    /// Adds a rectangle to the current path.
    func addRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double) { cairo_rectangle(handle, x, y, w, h) }

    /// Adds a line segment to the current path (its own sub-path).
    func addLine(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) {
        cairo_move_to(handle, x0, y0)
        cairo_line_to(handle, x1, y1)
    }

    /// Fills the current path (and clears it).
    func fillPath(_ c: RGB) {
        setColor(c)
        cairo_fill(handle)
    }

    /// Strokes the current path (and clears it); dashes restart at each sub-path.
    func strokePath(_ c: RGB, width: Double, dash: [Double] = []) {
        setColor(c)
        cairo_set_line_width(handle, width)
        if !dash.isEmpty { dash.withUnsafeBufferPointer { cairo_set_dash(handle, $0.baseAddress, Int32($0.count), 0) } }
        cairo_stroke(handle)
        if !dash.isEmpty { cairo_set_dash(handle, nil, 0, 0) }
    }

    /// Draws positioned glyphs of the current font.
    func showGlyphs(_ glyphs: ArraySlice<cairo_glyph_t>, _ c: RGB) {
        setColor(c)
        glyphs.withUnsafeBufferPointer { cairo_show_glyphs(handle, $0.baseAddress, Int32($0.count)) }
    }

    /// The glyphs of `text` in the current font with the baseline starting at (0, 0), without the glyphs
    /// of spaces (they draw nothing).
    func glyphs(_ text: String) -> [cairo_glyph_t] {
        guard let font = cairo_get_scaled_font(handle) else { return [] }
        var list: UnsafeMutablePointer<cairo_glyph_t>?
        var count: Int32 = 0
        let status = cairo_scaled_font_text_to_glyphs(font, 0, 0, text, -1, &list, &count, nil, nil, nil)
        guard status == CAIRO_STATUS_SUCCESS, let list else { return [] }
        defer { cairo_glyph_free(list) }
        let space = spaceGlyph(font)
        return UnsafeBufferPointer(start: list, count: Int(count)).filter { $0.index != space }
    }

    /// Glyph index of " " in `font` (cached per font).
    private func spaceGlyph(_ font: OpaquePointer) -> UInt {
        if let f = currentFont, let g = spaceGlyphs[f] { return g }
        var list: UnsafeMutablePointer<cairo_glyph_t>?
        var count: Int32 = 0
        var g = UInt.max
        if cairo_scaled_font_text_to_glyphs(font, 0, 0, " ", -1, &list, &count, nil, nil, nil) == CAIRO_STATUS_SUCCESS,
           let list {
            if count == 1 { g = list[0].index }
            cairo_glyph_free(list)
        }
        if let f = currentFont { spaceGlyphs[f] = g }
        return g
    }

    private var spaceGlyphs: [FontSpec: UInt] = [:]

    /// The font last selected (selection is skipped when it does not change).
    private var currentFont: FontSpec?

    func setFont(_ f: FontSpec) {
        if currentFont == f { return }
        currentFont = f
        cairo_select_font_face(handle, f.family, f.italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                               f.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(handle, f.size)
    }

    /// Advance width of `text` in the current font.
    func textWidth(_ text: String) -> Double {
        var ext = cairo_text_extents_t()
        cairo_text_extents(handle, text, &ext)
        return ext.x_advance
    }

    /// Draws `text` with its baseline starting at (x, y).
    func showText(_ text: String, x: Double, y: Double, _ c: RGB) {
        setColor(c)
        cairo_move_to(handle, x, y)
        cairo_show_text(handle, text)
    }

    func showPage() { cairo_show_page(handle) }
}

/// A font choice for the toy text API (DejaVu Sans / Sans Mono).
struct FontSpec: Hashable {
    var family: String
    var size: Double
    var bold = false
    var italic = false
}
