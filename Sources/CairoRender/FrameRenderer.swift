// CairoRender — frames → SVG / PNG bytes per frame, one PDF with a page per frame, and the animated GIF.
import CCairo
import Foundation
import Storyboard

/// Draws a storyboard's frames on a common canvas (the largest frame's size) in every format.
///
/// ```swift
/// let renderer = try FrameRenderer(frames: frames, style: RenderStyle())
/// let svg = try renderer.svg(0)          // bytes of frame 1
/// try renderer.writeGIF(to: "out/animation.gif")
/// ```
public final class FrameRenderer {
    public let frames: [Frame]
    public let style: RenderStyle
    let painter: FramePainter
    let layouts: [FrameLayout]
    /// Canvas size in points (before scale).
    public let width: Double
    public let height: Double

    /// Lays out every frame.
    /// - Throws: `RenderError` when there are no frames or Cairo cannot start.
    /// - Complexity: O(total cells + total text) for the layout.
    public init(frames: [Frame], style: RenderStyle = RenderStyle()) throws {
        guard !frames.isEmpty else { throw RenderError("nothing to draw: the storyboard has no frames") }
        self.frames = frames
        self.style = style
        painter = try FramePainter(theme: Theme.named(style.theme))
        var tableWidth = Metrics.minContentWidth
        for f in frames { tableWidth = max(tableWidth, painter.layoutTable(f).tableWidth) }
        var layouts: [FrameLayout] = []
        layouts.reserveCapacity(frames.count)
        var h = 0.0
        for f in frames {
            let l = painter.layout(f, contentWidth: tableWidth)
            h = max(h, l.height)
            layouts.append(l)
        }
        self.layouts = layouts
        width = (tableWidth + 2 * Metrics.margin).rounded(.up)
        height = h.rounded(.up)
    }

    /// Pixel size of PNG / GIF output.
    public var pixelWidth: Int { Int((width * style.scale).rounded(.up)) }
    public var pixelHeight: Int { Int((height * style.scale).rounded(.up)) }

    private func paint(_ i: Int, on ctx: CairoContext) throws {
        ctx.save()
        ctx.scale(style.scale)
        painter.draw(frames[i], layouts[i], on: ctx, canvasWidth: width, canvasHeight: height)
        ctx.restore()
        try ctx.check("drawing frame \(i + 1)")
    }

    /// SVG 1.1 bytes of frame `i` (0-based). Deterministic: Cairo's per-process surface ids are renumbered.
    public func svg(_ i: Int) throws -> [UInt8] {
        let sink = ByteSink()
        do {
            let surface = try CairoSurface.svg(width: width * style.scale, height: height * style.scale, sink: sink)
            let ctx = try CairoContext(surface)
            try paint(i, on: ctx)
            try surface.finish()
        }
        return SVGNormalizer.normalize(sink.bytes)
    }

    /// PNG bytes of frame `i`.
    public func png(_ i: Int) throws -> [UInt8] {
        let surface = try CairoSurface.image(width: pixelWidth, height: pixelHeight)
        let ctx = try CairoContext(surface)
        try paint(i, on: ctx)
        return try surface.pngData()
    }

    /// One PDF, one page per frame.
    public func pdf() throws -> [UInt8] {
        let sink = ByteSink()
        do {
            let surface = try CairoSurface.pdf(width: width * style.scale, height: height * style.scale, sink: sink)
            let ctx = try CairoContext(surface)
            for i in frames.indices {
                try paint(i, on: ctx)
                ctx.showPage()
                try ctx.check("PDF page \(i + 1)")
            }
            try surface.finish()
        }
        return sink.bytes
    }

    /// Renders frame `i` into a reusable image surface (for GIF encoding and pixel checks).
    func raster(_ i: Int, into surface: CairoSurface) throws {
        let ctx = try CairoContext(surface)
        try paint(i, on: ctx)
    }

    /// Writes the animated GIF (looping, `style.gifDelay` per frame) to `path`, atomically.
    public func writeGIF(to path: String, progress: ((Int) -> Void)? = nil) throws {
        let encoder = try GIFEncoder(path: path, width: pixelWidth, height: pixelHeight,
                                     palette: Theme.named(style.theme).gifPalette)
        let surface = try CairoSurface.image(width: pixelWidth, height: pixelHeight)
        for i in frames.indices {
            try raster(i, into: surface)
            try surface.withPixels { px, w, h, stride in
                try encoder.addFrame(pixels: px, width: w, height: h, strideWords: stride, delay: style.gifDelay)
            }
            progress?(i + 1)
        }
        try encoder.close()
    }
}

/// Makes Cairo's SVG output byte-identical across runs: Cairo numbers surfaces, patterns, clips and
/// images with process-wide counters, so those ids are renumbered in order of first appearance
/// (glyph ids are already per document). One pass over the bytes.
enum SVGNormalizer {
    static let prefixes: [[UInt8]] = ["surface", "pattern", "clip", "image", "source", "mask"].map { Array($0.utf8) }

    static func normalize(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var maps = [[Int: Int]](repeating: [:], count: prefixes.count)
        bytes.withUnsafeBufferPointer { src in
            let n = src.count
            var i = 0
            var copied = 0
            while i < n {
                let b = src[i]
                // Ids follow `"` (id="surface5") or `#` (url(#surface5), xlink:href="#surface5").
                if (b == 0x22 || b == 0x23), i + 1 < n {
                    let c = src[i + 1]
                    if c == 0x73 || c == 0x70 || c == 0x63 || c == 0x69 || c == 0x6D {  // s p c i m
                        var matched = -1
                        for (k, p) in prefixes.enumerated() where p[0] == c && i + 1 + p.count < n {
                            var ok = true
                            for t in 1..<p.count where src[i + 1 + t] != p[t] { ok = false; break }
                            if ok { matched = k; break }
                        }
                        if matched >= 0 {
                            let start = i + 1 + prefixes[matched].count
                            var j = start
                            var value = 0
                            while j < n, src[j] >= 0x30, src[j] <= 0x39, j - start < 12 {
                                value = value * 10 + Int(src[j] - 0x30)
                                j += 1
                            }
                            if j > start {
                                out.append(contentsOf: UnsafeBufferPointer(rebasing: src[copied..<start]))
                                let m = maps[matched][value] ?? (maps[matched].count + 1)
                                maps[matched][value] = m
                                out.append(contentsOf: Array(String(m).utf8))
                                copied = j
                                i = j
                                continue
                            }
                        }
                    }
                }
                i += 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: src[copied..<n]))
        }
        return out
    }
}
