// WebPlayer — the page's colours: the Cairo views' Okabe–Ito palette and mixing rules, as CSS custom properties.

/// The colours of one theme as `#rrggbb` strings, named as the page's CSS variables use them.
///
/// The rules are CairoRender's `Theme`: fills are Okabe–Ito colours mixed with the background, edges
/// the Okabe–Ito colours themselves, so hues survive colour blindness; the page adds line width and
/// dash differences on top, as the Cairo frames do. A test checks every value against `Theme`.
public struct WebPalette: Equatable, Sendable {
    /// CSS variable name (without `--`) → colour, in a fixed order.
    public var colours: [(name: String, hex: String)]

    public static func == (a: WebPalette, b: WebPalette) -> Bool {
        a.colours.map(\.name) == b.colours.map(\.name) && a.colours.map(\.hex) == b.colours.map(\.hex)
    }

    // Okabe–Ito.
    static let orange: UInt32 = 0xE69F00, skyBlue: UInt32 = 0x56B4E9, bluishGreen: UInt32 = 0x009E73
    static let yellow: UInt32 = 0xF0E442, blue: UInt32 = 0x0072B2, vermillion: UInt32 = 0xD55E00
    static let reddishPurple: UInt32 = 0xCC79A7

    /// `a` mixed with `b`, `t` of the way towards `b` (per channel, rounded), as CairoRender mixes.
    static func mix(_ a: UInt32, _ b: UInt32, _ t: Double) -> UInt32 {
        var out: UInt32 = 0
        for shift in [16, 8, 0] as [UInt32] {
            let x = Double((a >> shift) & 0xFF), y = Double((b >> shift) & 0xFF)
            out |= UInt32((x * (1 - t) + y * t).rounded()) << shift
        }
        return out
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "#" + String(repeating: "0", count: 6 - s.count) + s
    }

    init(_ pairs: [(String, UInt32)]) { colours = pairs.map { ($0.0, WebPalette.hex($0.1)) } }

    /// The light theme (CairoRender `Theme.light`).
    public static let light: WebPalette = {
        let bg: UInt32 = 0xFFFFFF
        return WebPalette([
            ("bg", bg), ("ink", 0x1A1A1A), ("ink2", 0x555555), ("faint", 0xAAAAAA), ("grid-line", 0x808080),
            ("cell", bg), ("padding", 0xE3E3E3), ("padding-ink", 0x6E6E6E), ("inserted", 0xF1F1F1),
            ("pending", 0xEDEDED), ("window", mix(bg, skyBlue, 0.45)), ("window-edge", blue),
            ("current", mix(bg, orange, 0.6)), ("current-edge", orange),
            ("written", mix(bg, bluishGreen, 0.4)), ("written-edge", bluishGreen),
            ("selected", mix(bg, vermillion, 0.35)), ("selected-edge", vermillion),
            ("source-edge", reddishPurple), ("contributor", mix(bg, yellow, 0.55)), ("annotation", blue),
        ])
    }()

    /// The dark theme (CairoRender `Theme.dark`).
    public static let dark: WebPalette = {
        let bg: UInt32 = 0x1C1C1C
        return WebPalette([
            ("bg", bg), ("ink", 0xEEEEEE), ("ink2", 0xB4B4B4), ("faint", 0x6A6A6A), ("grid-line", 0x8A8A8A),
            ("cell", 0x262626), ("padding", 0x3D3D3D), ("padding-ink", 0xA8A8A8), ("inserted", 0x323232),
            ("pending", 0x222222), ("window", mix(bg, skyBlue, 0.4)), ("window-edge", skyBlue),
            ("current", mix(bg, orange, 0.5)), ("current-edge", orange),
            ("written", mix(bg, bluishGreen, 0.5)), ("written-edge", 0x2FC79A),
            ("selected", mix(bg, vermillion, 0.45)), ("selected-edge", vermillion),
            ("source-edge", reddishPurple), ("contributor", mix(bg, yellow, 0.35)), ("annotation", skyBlue),
        ])
    }()

    /// `--name: #hex;` declarations.
    var css: String { colours.map { "--\($0.name):\($0.hex);" }.joined() }
}
