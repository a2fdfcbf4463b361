// Benchmarks — the `render` workload: SVG and PNG frames per second, and a 25-frame GIF.
import CairoRender
import Engine
import Foundation
import Specs
import Storyboard
import Tracing

extension BenchWorkload {
    /// The 5×5 input, 3×3 kernel, padding 1 spec (25 cell frames) at the default size, as `render`
    /// runs it: `render_svg_frames_per_s` (target ≥ 500), `render_png_frames_per_s` (target ≥ 200),
    /// `gif_25_frames_ms`, and `storyboard_frames_per_s` (spec → engine → frames, through the open function).
    static let render = BenchWorkload(name: "render") { context in
        let rows = (0..<5).map { r in "[" + (1...5).map { String(r * 5 + $0) }.joined(separator: ", ") + "]" }
        let spec = "op: conv2d\ninput: [\(rows.joined(separator: ", "))]\nkernel: [[1, 0, -1], [2, 0, -2], [1, 0, -1]]\npadding: 1\n"
        let source = TraceSource(problem: try SpecDocument.parse(spec, file: "bench-render.yaml"))
        let board = try Storyboard(source: source.storyboardSource)
        var frames: [Frame] = []
        let tBoard = try context.medianSeconds { frames = try board.frames(streaming: source) }
        let renderer = try FrameRenderer(frames: frames)
        var bytes = 0
        _ = try renderer.svg(0)  // warm the glyph caches
        let tSVG = try context.medianSeconds {
            for i in frames.indices { bytes &+= try renderer.svg(i).count }
        }
        let tPNG = try context.medianSeconds {
            for i in frames.indices { bytes &+= try renderer.png(i).count }
        }
        let gifPath = context.folder + "/render-bench.gif"
        let tGIF = try context.medianSeconds { try renderer.writeGIF(to: gifPath) }
        let n = Double(frames.count)
        return .object([
            ("frames", .int(frames.count)),
            ("storyboard_frames_per_s", .number((n / tBoard).rounded())),
            ("render_svg_frames_per_s", .number((n / tSVG).rounded())),
            ("render_png_frames_per_s", .number((n / tPNG).rounded())),
            ("gif_25_frames_ms", .number((tGIF * 1000 * 10).rounded() / 10)),
            ("pixels", .string("\(renderer.pixelWidth)x\(renderer.pixelHeight)")),
        ])
    }
}
