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
    /// - Throws: `RenderError` when there are no frames, Cairo cannot start or measuring text fails.
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
        try painter.checkMeasuring()
        width = (tableWidth + 2 * Metrics.margin).rounded(.up)
        height = h.rounded(.up)
    }

    /// Pixel size of PNG / GIF output.
    public var pixelWidth: Int { Int((width * style.scale).rounded(.up)) }
    public var pixelHeight: Int { Int((height * style.scale).rounded(.up)) }

    private func paint(_ i: Int, on ctx: CairoContext, vector: Bool = false) throws {
        ctx.save()
        ctx.scale(style.scale)
        try painter.draw(frames[i], layouts[i], on: ctx, canvasWidth: width, canvasHeight: height, vector: vector)
        ctx.restore()
        try ctx.check("drawing frame \(i + 1)")
    }

    /// SVG 1.1 bytes of frame `i` (0-based). Deterministic: Cairo's per-process surface ids are renumbered.
    public func svg(_ i: Int) throws -> [UInt8] {
        let sink = ByteSink()
        // Frames of one storyboard have similar sizes: start at the largest seen so far (no regrowth copies).
        sink.bytes.reserveCapacity(svgCapacity)
        do {
            let surface = try CairoSurface.svg(width: width * style.scale, height: height * style.scale, sink: sink)
            let ctx = try CairoContext(surface)
            try paint(i, on: ctx, vector: true)
            try surface.finish()
        }
        svgCapacity = max(svgCapacity, sink.bytes.count + sink.bytes.count / 16)
        return SVGNormalizer.normalize(sink.bytes)
    }

    /// Bytes reserved for the next SVG document (grows to the largest document written plus a margin).
    private var svgCapacity = 64 * 1024

    /// PNG bytes of frame `i`.
    public func png(_ i: Int) throws -> [UInt8] {
        let surface = try CairoSurface.image(width: pixelWidth, height: pixelHeight)
        let ctx = try CairoContext(surface)
        try paint(i, on: ctx)
        return try surface.pngData(scratch: pngScratch)
    }

    /// Buffers shared by every PNG frame.
    private let pngScratch = PNGScratch()

    /// One PDF, one page per frame.
    public func pdf() throws -> [UInt8] {
        let sink = ByteSink()
        do {
            let surface = try CairoSurface.pdf(width: width * style.scale, height: height * style.scale, sink: sink)
            let ctx = try CairoContext(surface)
            for i in frames.indices {
                try paint(i, on: ctx, vector: true)
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

    /// Writes the animated GIF (looping; `FramePacing` times each frame from `style.gifDelay`) to `path`, atomically.
    public func writeGIF(to path: String, progress: ((Int) -> Void)? = nil) throws {
        let encoder = try GIFEncoder(path: path, width: pixelWidth, height: pixelHeight,
                                     palette: Theme.named(style.theme).gifPalette)
        let surface = try CairoSurface.image(width: pixelWidth, height: pixelHeight)
        let delays = FramePacing.delays(frames, base: style.gifDelay)
        for i in frames.indices {
            try raster(i, into: surface)
            try surface.withPixels { px, w, h, stride in
                try encoder.addFrame(pixels: px, width: w, height: h, strideWords: stride, delay: delays[i])
            }
            progress?(i + 1)
        }
        try encoder.close()
    }
}

/// Renumbers the ids Cairo gives SVG elements so that a document's bytes do not depend on the process.
///
/// Cairo numbers surfaces, patterns, clips and images with process-wide counters (every surface made
/// before, the measuring image included, advances them), so those ids are renumbered in order of first
/// appearance; glyph ids are already per document. One pass over the bytes, into a copy.
enum SVGNormalizer {
    static let prefixes: [[UInt8]] = ["surface", "pattern", "clip", "image", "source", "mask"].map { Array($0.utf8) }

    /// Renumbering of one id family: old numbers in order of first appearance (a document has a handful).
    private struct Renumbering {
        var seen: [Int] = []
        /// The new number (1-based order of first appearance) for `value`.
        mutating func number(for value: Int) -> Int {
            if let k = seen.firstIndex(of: value) { return k + 1 }
            seen.append(value)
            return seen.count
        }
    }

    /// `bytes` with every `surface12`-style id replaced by its first-appearance number.
    /// - Complexity: O(bytes) plus O(ids × distinct ids of a family) for the renumbering.
    static func normalize(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var maps = [Renumbering](repeating: Renumbering(), count: prefixes.count)
        bytes.withUnsafeBufferPointer { src in
            let n = src.count
            var i = 0
            var copied = 0
            guard let base = src.baseAddress else { return }
            // Next `"` and `#` at or after i (found with memchr; n when there is none).
            func next(_ byte: UInt8, from i: Int) -> Int {
                guard i < n, let p = memchr(base + i, Int32(byte), n - i) else { return n }
                return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            }
            var quote = next(0x22, from: 0), hash = next(0x23, from: 0)
            while true {
                // Ids follow `"` (id="surface5") or `#` (url(#surface5), xlink:href="#surface5").
                if quote < i { quote = next(0x22, from: i) }
                if hash < i { hash = next(0x23, from: i) }
                i = min(quote, hash)
                guard i + 1 < n else { break }
                let c = src[i + 1]
                var matched = -1
                for k in prefixes.indices {
                    let p = prefixes[k]
                    guard p[0] == c, i + 1 + p.count < n else { continue }
                    var ok = true
                    for t in 1..<p.count where src[i + 1 + t] != p[t] { ok = false; break }
                    if ok { matched = k; break }
                }
                guard matched >= 0 else { i += 1; continue }
                let start = i + 1 + prefixes[matched].count
                var j = start
                var value = 0
                while j < n, src[j] >= 0x30, src[j] <= 0x39, j - start < 12 {
                    value = value * 10 + Int(src[j] - 0x30)
                    j += 1
                }
                guard j > start else { i += 1; continue }
                // A handful of ids per document: the digits are written through String.
                out.append(contentsOf: UnsafeBufferPointer(rebasing: src[copied..<start]))
                out.append(contentsOf: String(maps[matched].number(for: value)).utf8)
                copied = j
                i = j
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: src[copied..<n]))
        }
        return out
    }
}
