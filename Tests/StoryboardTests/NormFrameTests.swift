// StoryboardTests — batch_norm2d and dropout frames: the statistics, the normalised cell, the three dX terms
// and the dropout mask, each checked against the engine's numbers, plus committed reference dumps.
import Engine
import Foundation
import SceneExamples
import Storyboard
import Testing

@Suite struct NormFrames {
    /// batch_norm2d (training, γ, β, momentum 0.2) on a 2×2×2×2 input of small integers, with a dY.
    static func batchNorm() throws -> (StoryboardSource, [TraceEvent], BatchNorm2DParams) {
        let p = BatchNorm2DParams(weight: Tensor(shape: [2], data: [1.5, -0.5]), bias: Tensor(shape: [2], data: [0.25, 1]),
                                  momentum: 0.2)
        let x = Tensor(shape: [2, 2, 2, 2], data: [1, 2, 3, 4, 0, -1, 2, 5, 2, 0, 1, 1, 3, 3, -2, 0])
        let dy = Tensor(shape: [2, 2, 2, 2], data: [1, 0, 0, -1, 0.5, 0.5, 1, 0, 0, 2, 1, 0, -1, 0, 0, 1])
        let (source, events) = try Scenes.run(Network(layers: [.batchNorm2d(p)]), input: x, gradOutput: dy)
        return (source, events, p)
    }

    @Test func framesFollowTheStatisticsCellsAndGradients() throws {
        let (source, events, p) = try Self.batchNorm()
        let frames = try Storyboard(source: source).frames(events: events)
        // Forward per channel: mean, variance, running mean, running var, 8 cells; backward: dβ, dγ, 8 dX cells.
        #expect(frames.count == 2 * 12 + 2 * 10)
        #expect(frames[0].title == "batch_norm2d · mean · channel 0")
        #expect(frames[0].equation?.result == 1.75)  // (1+2+3+4+2+0+1+1)/8
        #expect(frames[0].equation?.terms.count == 8)
        #expect(abs((frames[1].equation?.result ?? 0) - 1.4375) < 1e-12)  // Σ(x − 1.75)²/8 = 11.5/8
        let (mean, variance) = try BatchNorm2D.runningStatistics(input: source.input, params: p)
        #expect(frames[2].equation?.result == mean.data[0])
        #expect(frames[3].equation?.result == variance.data[0])
        // The first cell of the output: y = γ·x̂ + β as two terms, equal to the engine's value.
        var t = Tracer.untraced
        let y = try BatchNorm2D.forward(input: source.input, params: p, tracer: &t)
        let cell = frames[8]
        #expect(cell.equation?.terms.count == 2)
        #expect(cell.equation?.result == y.data[0])
        // The backward dX frames: three terms each, summing to the engine's dX.
        let g = try BatchNorm2D.backward(input: source.input, params: p,
                                         gradOutput: try #require(source.gradOutput), tracer: &t)
        let dXFrames = frames.filter { $0.title == "batch_norm2d backward · input gradient" }
        #expect(dXFrames.count == 16)
        for f in dXFrames {
            let terms = try #require(f.equation?.terms)
            #expect(terms.count == 3)
            let sum = terms.reduce(0) { $0 + $1.product }
            #expect(g.input.data.contains { abs($0 - sum) < 1e-12 })
        }
        try Snapshot.check(frames[1].dump(), "batch-norm-variance-0002.txt")
        try Snapshot.check(frames[8].dump(), "batch-norm-cell-0009.txt")
        try Snapshot.check(dXFrames[0].dump(), "batch-norm-grad-input-three-terms.txt")
    }

    @Test func dropoutFramesSayKeptOrDropped() throws {
        let mask = Tensor(shape: [1, 1, 2, 3], data: [1, 0, 1, 0, 1, 1])
        let x = Tensor(shape: [1, 1, 2, 3], data: [1, 2, 3, 4, 5, 6])
        let (source, events) = try Scenes.run(Network(layers: [.dropout(DropoutParams(p: 0.5, mask: mask))]), input: x,
                                              gradOutput: Tensor(shape: [1, 1, 2, 3], repeating: 1))
        let frames = try Storyboard(source: source).frames(events: events)
        #expect(frames.count == 12)
        #expect(frames[0].caption.hasPrefix("Kept (mask 1)"))
        #expect(frames[1].caption.hasPrefix("Dropped (mask 0)"))
        #expect(frames[0].equation?.result == 2)
        #expect(frames[1].equation?.result == 0)
        try Snapshot.check(frames[1].dump(), "dropout-dropped-0002.txt")
    }
}
