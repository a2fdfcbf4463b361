// CairoRender — the loss per training step as a line plot with labelled axes (SVG, PNG, PDF).
import CCairo
import Foundation
import Storyboard

/// Draws a `LossCurve`: x = training step (1…T), y = loss (from 0, or the lowest loss when it is
/// negative, to the highest), tick labels on both axes, a line through the points and a dot per step
/// (when there are at most 60).
public struct LossCurvePainter {
    public let curve: LossCurve
    public let theme: Theme
    /// Page size in points; PNG pixels are points × `scale`.
    public let width = 640.0, height = 400.0
    public let scale: Double

    public init(curve: LossCurve, theme: Theme = .light, scale: Double = 1) {
        self.curve = curve; self.theme = theme; self.scale = scale
    }

    /// Writes `loss-curve.<ext>` in `directory` for each of `formats` (GIF is skipped: the plot does not
    /// move); returns the file names written.
    /// - Throws: `RenderError` when there is no loss to plot, or drawing or writing fails.
    public func write(formats: [PictureFormat], to directory: String) throws -> [String] {
        guard !curve.losses.isEmpty else { throw RenderError("the trace has no loss to plot (the network ends in no loss)") }
        var names: [String] = []
        for format in formats {
            let bytes: [UInt8]
            switch format {
            case .svg: bytes = try svg()
            case .png: bytes = try png()
            case .pdf: bytes = try pdf()
            case .gif: continue
            }
            let name = "loss-curve.\(format.rawValue)"
            try FrameFiles.writeAtomically(bytes, to: (directory as NSString).appendingPathComponent(name))
            names.append(name)
        }
        return names
    }

    public func svg() throws -> [UInt8] {
        let sink = ByteSink()
        do {
            let surface = try CairoSurface.svg(width: width * scale, height: height * scale, sink: sink)
            let ctx = try CairoContext(surface)
            try paint(ctx)
            try surface.finish()
        }
        return SVGNormalizer.normalize(sink.bytes)
    }

    public func png() throws -> [UInt8] {
        let surface = try CairoSurface.image(width: Int((width * scale).rounded(.up)), height: Int((height * scale).rounded(.up)))
        let ctx = try CairoContext(surface)
        try paint(ctx)
        return try surface.pngData(scratch: PNGScratch())
    }

    public func pdf() throws -> [UInt8] {
        let sink = ByteSink()
        do {
            let surface = try CairoSurface.pdf(width: width * scale, height: height * scale, sink: sink)
            let ctx = try CairoContext(surface)
            try paint(ctx)
            ctx.showPage()
            try surface.finish()
        }
        return sink.bytes
    }

    /// The y axis: from min(0, lowest) to the highest loss, both rounded out to a round tick step (1, 2,
    /// 2.5 or 5 times a power of ten, about four steps), so every tick label is a short round number.
    var yAxis: (low: Double, high: Double, step: Double) {
        let finite = curve.losses.filter(\.isFinite)
        let lo = min(0, finite.min() ?? 0), hi = max(finite.max() ?? 1, lo)
        let span = hi - lo > 0 ? hi - lo : 1
        let step = Self.roundStep(span / 4)
        let low = (lo / step).rounded(.down) * step
        var high = (hi / step).rounded(.up) * step
        if high <= low { high = low + step }
        return (low, high, step)
    }

    /// The round number (1, 2, 2.5 or 5 × 10^k) nearest above `raw`.
    static func roundStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2, 2.5, 5, 10] where m * magnitude >= raw * (1 - 1e-9) { return m * magnitude }
        return 10 * magnitude
    }

    /// The training steps that get a tick: the first, then every multiple of a round stride (1, 2, 5, 10, 20,
    /// 50, …; at most about ten ticks), and the last when it is not too close to the one before.
    static func stepTicks(_ steps: Int) -> [Int] {
        guard steps > 1 else { return [1] }
        var stride = 1, k = 0
        while steps / stride > 10 {  // 1, 2, 5, 10, 20, 50, …
            k += 1
            stride = [1, 2, 5][k % 3] * Int(pow(10, Double(k / 3)))
        }
        var ticks = [1] + Array(Swift.stride(from: stride, through: steps, by: stride)).filter { $0 > 1 }
        if ticks.last != steps {
            if let last = ticks.last, steps - last < max(1, stride / 2), ticks.count > 1 { ticks.removeLast() }
            ticks.append(steps)
        }
        return ticks
    }

    func paint(_ ctx: CairoContext) throws {
        ctx.save()
        ctx.scale(scale)
        ctx.fillRect(0, 0, width, height, theme.background)
        let left = 86.0, right = width - 24, top = 48.0, bottom = height - 62
        let steps = curve.losses.count
        let (lo, hi, yStep) = yAxis
        func x(_ step: Int) -> Double { steps == 1 ? (left + right) / 2 : left + (right - left) * Double(step - 1) / Double(steps - 1) }
        func y(_ v: Double) -> Double { bottom - (bottom - top) * (v - lo) / (hi - lo) }
        let small = FontSpec(family: Fonts.sans, size: 11)
        try text(ctx, "Training loss per step", Fonts.bold, theme.ink, x: left, y: 24)
        // Axes.
        ctx.addLine(left, top - 6, left, bottom)
        ctx.addLine(left, bottom, right + 6, bottom)
        ctx.strokePath(theme.ink, width: 1.2)
        // y ticks: every round step from lo to hi.
        let yTicks = Int(((hi - lo) / yStep).rounded())
        for i in 0...yTicks {
            let v = lo + yStep * Double(i)
            let yy = y(v)
            ctx.addLine(left - 5, yy, left, yy)
            ctx.strokePath(theme.ink, width: 1)
            if i > 0 {
                ctx.addLine(left, yy, right, yy)
                ctx.strokePath(theme.faint, width: 0.5, dash: [3, 3])
            }
            let label = ValueFormat.significant(v, digits: 6)  // round steps: 0.5, 1.25, 2e-05; no float noise
            try text(ctx, label, small, theme.ink2, x: left - 8 - ctx.textWidth(label, in: small), y: yy + 4)
        }
        // x ticks: the first step, round multiples, the last.
        for t in Self.stepTicks(steps) {
            let xx = x(t)
            ctx.addLine(xx, bottom, xx, bottom + 5)
            ctx.strokePath(theme.ink, width: 1)
            let label = "\(t)"
            try text(ctx, label, small, theme.ink2, x: xx - ctx.textWidth(label, in: small) / 2, y: bottom + 19)
        }
        // Axis labels.
        let xLabel = "training step"
        try text(ctx, xLabel, Fonts.text, theme.ink, x: (left + right) / 2 - ctx.textWidth(xLabel, in: Fonts.text) / 2, y: height - 18)
        try text(ctx, "loss", Fonts.text, theme.ink, x: left - 30, y: top - 10)
        // The curve.
        for (i, v) in curve.losses.enumerated() {
            if i == 0 { cairo_move_to(ctx.handle, x(1), y(v)) } else { cairo_line_to(ctx.handle, x(i + 1), y(v)) }
        }
        ctx.strokePath(theme.windowEdge, width: 2)
        if steps <= 60 {
            for (i, v) in curve.losses.enumerated() {
                cairo_arc(ctx.handle, x(i + 1), y(v), 3, 0, 2 * Double.pi)
                ctx.fillPath(theme.windowEdge)
            }
        }
        let last = "step \(steps): loss " + String(format: "%.4g", curve.losses[steps - 1])
        try text(ctx, last, small, theme.ink2, x: right - ctx.textWidth(last, in: small), y: 24)
        ctx.restore()
        try ctx.check("drawing the loss curve")
    }

    private func text(_ ctx: CairoContext, _ s: String, _ font: FontSpec, _ color: RGB, x: Double, y: Double) throws {
        let glyphs = try ctx.glyphs(s, in: font).map { g -> cairo_glyph_t in
            var g = g
            g.x += x; g.y += y
            return g
        }
        ctx.showGlyphs(glyphs[...], color)
    }
}
