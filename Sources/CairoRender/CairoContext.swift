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

    /// Scales user space by `s` in both directions.
    func scale(_ s: Double) { cairo_scale(handle, s, s) }
    /// Saves the drawing state (transform, font, colour) for `restore()`.
    func save() { cairo_save(handle) }
    /// Restores the state of the matching `save()`, including its font.
    func restore() { cairo_restore(handle); currentFont = nil }

    /// Sets the source colour.
    func setColor(_ c: RGB) {
        cairo_set_source_rgb(handle, Double(c.r) / 255, Double(c.g) / 255, Double(c.b) / 255)
    }

    /// Fills one rectangle with `c`.
    func fillRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ c: RGB) {
        setColor(c)
        cairo_rectangle(handle, x, y, w, h)
        cairo_fill(handle)
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

    /// The glyphs of `text` in `font` with the baseline starting at (0, 0), without the glyphs of spaces
    /// (they draw nothing).
    /// - Throws: `RenderError` when Cairo cannot load the font or map the text to glyphs.
    func glyphs(_ text: String, in font: FontSpec) throws -> [cairo_glyph_t] {
        setFont(font)
        let scaled = try scaledFont(font)
        let space = try spaceGlyph(font, scaled)
        return try Self.withGlyphs(text, scaled) { $0.filter { $0.index != space } }
    }

    /// The scaled font of the current selection (`font`, for messages), its status checked.
    private func scaledFont(_ font: FontSpec) throws -> OpaquePointer {
        guard let scaled = cairo_get_scaled_font(handle) else {
            throw RenderError("cairo: no scaled font for \(font.family) \(font.size)")
        }
        let status = cairo_scaled_font_status(scaled)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError("cairo: loading the font \(font.family) \(font.size) failed: \(CairoSurface.text(status))")
        }
        return scaled
    }

    /// Calls `body` with all glyphs of `text` in `scaled` (spaces included), freed afterwards.
    private static func withGlyphs<R>(_ text: String, _ scaled: OpaquePointer,
                                      _ body: (UnsafeBufferPointer<cairo_glyph_t>) -> R) throws -> R {
        var list: UnsafeMutablePointer<cairo_glyph_t>?
        var count: Int32 = 0
        let status = cairo_scaled_font_text_to_glyphs(scaled, 0, 0, text, -1, &list, &count, nil, nil, nil)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError("cairo: converting \"\(text)\" to glyphs failed: \(CairoSurface.text(status))")
        }
        defer { if let list { cairo_glyph_free(list) } }
        return body(UnsafeBufferPointer(start: list, count: Int(count)))
    }

    /// Glyph index of " " in `font` (`UInt.max` when a space is not one glyph), cached per font.
    private func spaceGlyph(_ font: FontSpec, _ scaled: OpaquePointer) throws -> UInt {
        if let g = spaceGlyphs[font] { return g }
        let g = try Self.withGlyphs(" ", scaled) { $0.count == 1 ? $0[0].index : UInt.max }
        spaceGlyphs[font] = g
        return g
    }

    private var spaceGlyphs: [FontSpec: UInt] = [:]

    /// The font last selected on this context (selection is skipped when it does not change); nil after
    /// `restore()`, which brings back the font of the matching `save()`.
    private var currentFont: FontSpec?

    /// Selects `font` for the following text calls (a no-op when it is already selected).
    func setFont(_ f: FontSpec) {
        if currentFont == f { return }
        currentFont = f
        cairo_select_font_face(handle, f.family, CAIRO_FONT_SLANT_NORMAL, f.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(handle, f.size)
    }

    /// Advance width of `text` in `font`; a Cairo failure puts the context in an error state (see `check`).
    func textWidth(_ text: String, in font: FontSpec) -> Double {
        setFont(font)
        var ext = cairo_text_extents_t()
        cairo_text_extents(handle, text, &ext)
        return ext.x_advance
    }

    /// Ends the page (PDF: starts a new one).
    func showPage() { cairo_show_page(handle) }
}

/// A font for Cairo's toy text API: family, size in points, regular or bold.
struct FontSpec: Hashable {
    var family: String
    var size: Double
    var bold = false
}
