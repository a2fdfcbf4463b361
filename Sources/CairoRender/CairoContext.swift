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
