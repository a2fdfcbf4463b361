// CairoRender — colours: the Okabe–Ito colour-blind-safe palette, its tints and greys, light and dark.
import Storyboard

/// An sRGB colour, 8 bits per channel.
public struct RGB: Hashable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ hex: UInt32) {
        r = UInt8((hex >> 16) & 0xFF); g = UInt8((hex >> 8) & 0xFF); b = UInt8(hex & 0xFF)
    }
    public init(r: UInt8, g: UInt8, b: UInt8) { self.r = r; self.g = g; self.b = b }

    /// `self` mixed with `other`, `t` of the way towards `other`.
    func mixed(with other: RGB, _ t: Double) -> RGB {
        func m(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) * (1 - t) + Double(b) * t).rounded()) }
        return RGB(r: m(r, other.r), g: m(g, other.g), b: m(b, other.b))
    }
}

/// Light or dark.
public enum ThemeName: String, Sendable, CaseIterable {
    case light, dark
}

/// Every colour a frame uses. Fills are Okabe–Ito colours mixed with the background; edges and
/// accents are the Okabe–Ito colours themselves, so hue differences survive colour blindness and
/// the marks also differ in line width and dash pattern.
public struct Theme: Sendable {
    public var name: ThemeName
    var background: RGB
    var ink: RGB
    var ink2: RGB
    var faint: RGB
    var gridLine: RGB
    var cellFill: RGB
    var paddingFill: RGB
    var paddingInk: RGB
    var insertedFill: RGB
    var pendingFill: RGB
    var windowFill: RGB
    var windowEdge: RGB
    var currentFill: RGB
    var currentEdge: RGB
    var writtenFill: RGB
    var writtenEdge: RGB
    var selectedFill: RGB
    var selectedEdge: RGB
    var sourceEdge: RGB
    var contributorFill: RGB
    var annotation: RGB

    // Okabe–Ito.
    static let orange = RGB(0xE69F00), skyBlue = RGB(0x56B4E9), bluishGreen = RGB(0x009E73)
    static let yellow = RGB(0xF0E442), blue = RGB(0x0072B2), vermillion = RGB(0xD55E00)
    static let reddishPurple = RGB(0xCC79A7)

    public static func named(_ n: ThemeName) -> Theme { n == .light ? .light : .dark }

    public static let light: Theme = {
        let bg = RGB(0xFFFFFF)
        return Theme(name: .light, background: bg, ink: RGB(0x1A1A1A), ink2: RGB(0x555555), faint: RGB(0xAAAAAA),
                     gridLine: RGB(0x808080), cellFill: bg, paddingFill: RGB(0xE3E3E3), paddingInk: RGB(0x6E6E6E),
                     insertedFill: RGB(0xF1F1F1), pendingFill: RGB(0xEDEDED),
                     windowFill: bg.mixed(with: skyBlue, 0.45), windowEdge: blue,
                     currentFill: bg.mixed(with: orange, 0.6), currentEdge: orange,
                     writtenFill: bg.mixed(with: bluishGreen, 0.4), writtenEdge: bluishGreen,
                     selectedFill: bg.mixed(with: vermillion, 0.35), selectedEdge: vermillion,
                     sourceEdge: reddishPurple, contributorFill: bg.mixed(with: yellow, 0.55), annotation: blue)
    }()

    public static let dark: Theme = {
        let bg = RGB(0x1C1C1C)
        return Theme(name: .dark, background: bg, ink: RGB(0xEEEEEE), ink2: RGB(0xB4B4B4), faint: RGB(0x6A6A6A),
                     gridLine: RGB(0x8A8A8A), cellFill: RGB(0x262626), paddingFill: RGB(0x3D3D3D), paddingInk: RGB(0xA8A8A8),
                     insertedFill: RGB(0x323232), pendingFill: RGB(0x222222),
                     windowFill: bg.mixed(with: skyBlue, 0.4), windowEdge: skyBlue,
                     currentFill: bg.mixed(with: orange, 0.5), currentEdge: orange,
                     writtenFill: bg.mixed(with: bluishGreen, 0.5), writtenEdge: RGB(0x2FC79A),
                     selectedFill: bg.mixed(with: vermillion, 0.45), selectedEdge: vermillion,
                     sourceEdge: reddishPurple, contributorFill: bg.mixed(with: yellow, 0.35), annotation: skyBlue)
    }()

    var fills: [RGB] {
        [background, cellFill, paddingFill, insertedFill, pendingFill, windowFill, currentFill, writtenFill,
         selectedFill, contributorFill]
    }
    var inks: [RGB] {
        [ink, ink2, faint, gridLine, paddingInk, windowEdge, currentEdge, writtenEdge, selectedEdge, sourceEdge,
         annotation]
    }

    /// The fixed GIF palette (≤ 255 colours, so the encoder keeps one index for "unchanged"): every theme
    /// colour, each fill blended with each ink at ½, the background with each ink at ¼ and ¾ (antialiased
    /// edges and text), and a grey ramp.
    var gifPalette: [RGB] {
        var seen = Set<RGB>(), out: [RGB] = []
        func add(_ c: RGB) { if out.count < 255, seen.insert(c).inserted { out.append(c) } }
        for c in fills + inks { add(c) }
        for f in fills { for i in inks { add(f.mixed(with: i, 0.5)) } }
        for g in stride(from: 0, through: 255, by: 17) { add(RGB(r: UInt8(g), g: UInt8(g), b: UInt8(g))) }
        // ¼ and ¾ blends for the background only: text and edges sit mostly on it, and a small palette
        // keeps GIFs light (lesson pages stay under 1.5 MB).
        for t in [0.25, 0.75] {
            for i in inks { add(background.mixed(with: i, t)) }
        }
        return out
    }
}
