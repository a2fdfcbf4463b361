// convtrace (CLI) — the `render` benchmark workload: SVG and PNG frames per second, and a 25-frame GIF.
import CairoRender
import Engine
import Foundation
import Storyboard
import Tracing

extension BenchWorkload {
    /// The 5×5 input, 3×3 kernel, padding 1 scene (25 cell frames) at the default size:
    /// `render_svg_frames_per_s` (target ≥ 500), `render_png_frames_per_s` (target ≥ 200),
    /// `gif_25_frames_ms`, and `storyboard_frames_per_s` (trace → frames).
    static let render = BenchWorkload(name: "render") { context in
        let x = Tensor(shape: [1, 1, 5, 5], data: (1...25).map(Double.init))
        let k = Tensor(shape: [1, 1, 3, 3], data: [1, 0, -1, 2, 0, -2, 1, 0, -1])
        let network = Network(layers: [.conv2d(Conv2DParams(padding: Padding(1)), kernel: k, bias: nil)])
        var tracer = Tracer(sink: RecordingSink())
        _ = try network.run(input: x, tracer: &tracer)
        let board = try Storyboard(source: StoryboardSource(network: network, input: x))
        let events = tracer.sink.events
        var frames: [Frame] = []
        let tBoard = try context.medianSeconds { frames = try board.frames(events: events) }
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
