// CairoRender — how frames are drawn: scale and theme.

/// Drawing options shared by every format.
public struct RenderStyle: Equatable, Sendable {
    /// Pixels per point for PNG and GIF; a size factor for SVG and PDF. 0.25…8.
    public var scale: Double
    public var theme: ThemeName
    /// GIF frame delay in hundredths of a second.
    public var gifDelay: Int

    public init(scale: Double = 1, theme: ThemeName = .light, gifDelay: Int = 80) {
        self.scale = min(8, max(0.25, scale)); self.theme = theme; self.gifDelay = max(2, gifDelay)
    }
}
