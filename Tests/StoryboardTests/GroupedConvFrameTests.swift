// StoryboardTests — grouped conv2d frames (which channels a filter sees) and the 1×1 conv as a per-pixel
// linear map, checked against the engine's numbers, plus committed reference dumps.
import Engine
import Foundation
import SceneExamples
import Storyboard
import Testing

@Suite struct GroupedConvFrames {
    /// groups = 2 on four 3×3 channels: filter 0 reads channels 0–1, filter 1 channels 2–3.
    static func grouped() throws -> (StoryboardSource, [TraceEvent]) {
        let kernel = Tensor(shape: [2, 2, 2, 2], data: [1, 0, 0, -1, 2, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0])
        let x = Tensor(shape: [1, 4, 3, 3], data: [1, 2, 0, 3, 4, 1, 0, 1, 2, 0, 1, 1, 1, 0, 2, 2, 2, 0,
                                                   2, 2, 1, 2, 2, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1])
        let dy = Tensor(shape: [1, 2, 2, 2], data: [1, 1, 1, 1, 1, -1, 0, 1])
        return try Scenes.run(Network(layers: [.conv2d(Conv2DParams(groups: 2), kernel: kernel, bias: nil)]),
                              input: x, gradOutput: dy)
    }

    @Test func aFilterSeesOnlyItsGroup() throws {
        let (source, events) = try Self.grouped()
        let frames = try Storyboard(source: source).frames(events: events)
        var t = Tracer.untraced
        guard case .conv2d(let p, let k, _) = source.network.layers[0] else { Issue.record("not conv2d"); return }
        let y = try Conv2D.forward(input: source.input, kernel: k, bias: nil, params: p, tracer: &t)
        let forward = frames.filter { $0.phase == .forward }
        #expect(forward.count == 8)
        // y[1,0,1] (filter 1, row 0, column 1): channels 2 and 3 only, 2·2·2 = 8 products.
        let f = try #require(forward.first { $0.equation?.target.label == "y[1,0,1]" })
        #expect(f.title == "conv2d · cross-correlation · groups 2")
        #expect(f.equation?.result == y[0, 1, 0, 1])
        #expect(f.equation?.result == 7)
        #expect(f.equation?.terms.count == 8)
        #expect(f.equation?.groups.map(\.label) == ["channel 2", "channel 3"])
        let subtitles = f.grids.compactMap(\.subtitle)
        #expect(subtitles.contains("channel 0 · not seen by filter 1"))
        #expect(subtitles.contains("channel 1 · reads x channel 3"))
        #expect(!f.grids.contains { $0.id == GridID("kernel.c0") })
        #expect(f.notes.contains("groups = 2: filter 1 sees channels 2…3; the kernel is K×C/groups×Fh×Fw = 2×2×2×2"))
        // Backward: dX of channel 3 gets terms from filter 1 only; dK[1,0,·,·] reads input channel 2.
        let g = try Conv2D.backward(input: source.input, kernel: k, bias: nil, params: p,
                                    gradOutput: try #require(source.gradOutput), tracer: &t)
        let dX = try #require(frames.first { $0.equation?.target.label == "dX[3,0,0]" })
        #expect(dX.equation?.result == g.input[0, 3, 0, 0])
        #expect(dX.grids.filter { $0.role == .paddedGradOutput }.map(\.id) == [GridID("grad_output.k1")])
        let dK = try #require(frames.first { $0.equation?.target.label == "dK[1,0,0,0]" })
        #expect(dK.equation?.result == g.kernel?[1, 0, 0, 0])
        #expect(dK.grids.first { $0.id == GridID("input") }?.subtitle == "channel 2")
        try Snapshot.check(f.dump(), "grouped-conv-filter1.txt")
    }

    @Test func pointwiseIsALinearMapPerPixel() throws {
        let x = Tensor(shape: [1, 3, 2, 2], data: [1, 2, 3, 4, 0, 1, -1, 2, 2, 0, 1, 1])
        let kernel = Tensor(shape: [2, 3, 1, 1], data: [1, -1, 0.5, 0, 2, 1])
        let (source, events) = try Scenes.run(
            Network(layers: [.conv2d(Conv2DParams(), kernel: kernel, bias: Tensor(shape: [2], data: [0, 1]))]), input: x)
        let frames = try Storyboard(source: source).frames(events: events)
        let f = try #require(frames.first { $0.equation?.target.label == "y[1,1,0]" })
        // y[1,1,0] = W[1,:] · x[:,1,0] + b[1] = 0·3 + 2·(−1) + 1·1 + 1 = 0.
        #expect(f.equation?.result == 0)
        let w = try #require(f.grids.first { $0.id == GridID("pointwise.weights") })
        #expect(w.rows == 2 && w.columns == 3)
        #expect(w.cells.map(\.value) == [1, -1, 0.5, 0, 2, 1])
        #expect(w.cells[3...].allSatisfy { $0.marks.contains(.contributor) })
        let pixel = try #require(f.grids.first { $0.id == GridID("pointwise.x") })
        #expect(pixel.cells.map(\.value) == [3, -1, 1])
        let out = try #require(f.grids.first { $0.id == GridID("pointwise.y") })
        #expect(out.cells.map(\.value) == [4.5, 0])  // filter 0 at (1, 0): 3 + 1 + 0.5 = 4.5
        #expect(f.notes.first?.hasPrefix("1×1 kernel: at every pixel, y[:, h, w] = W · x[:, h, w] + b") == true)
        try Snapshot.check(f.dump(), "pointwise-conv-linear-map.txt")
    }
}
