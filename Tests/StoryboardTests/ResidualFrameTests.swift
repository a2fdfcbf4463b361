// StoryboardTests — a residual block's frames: the join, the split of dY onto both paths, the sum at the fork.
import Engine
import Foundation
import SceneExamples
import Storyboard
import Testing

@Suite struct ResidualFrames {
    @Test func joinSplitAndFork() throws {
        let x = Tensor(shape: [1, 1, 2, 2], data: [1, -2, 3, 0.5])
        let net = Network(layers: [.leakyRelu(slope: 0.5), .add(AddParams(from: 0))])
        let dY = Tensor(shape: [1, 1, 2, 2], data: [1, 2, -1, 4])
        let (source, events) = try Scenes.run(net, input: x, gradOutput: dY)
        let frames = try Storyboard(source: source).frames(events: events)
        let layer1 = frames.filter { $0.layer == 1 }
        // 4 joins forward; backward 4 main-path copies, 4 splits, then (after leaky_relu's 4 cells) 4 forks.
        #expect(layer1.count == 16)
        let join = try #require(layer1.first { $0.equation?.target.label == "y[0,1]" && $0.phase == .forward })
        #expect(join.title == "residual join · layer 1 (add)")
        #expect(join.equation?.terms.map(\.product) == [-1, -2])  // F = 0.5·(−2), x = −2
        #expect(join.equation?.result == -3)
        let splits = layer1.filter { $0.title.contains("the gradient splits") }
        #expect(splits.count == 8)
        #expect(splits.compactMap(\.equation?.result) == [1, 2, -1, 4, 1, 2, -1, 4])
        let forks = layer1.filter { $0.title.contains("add at the fork") }
        #expect(forks.count == 4)
        // dx = leaky_relu'(x)·dY + dY: 1·1 + 1, 0.5·2 + 2, 1·(−1) − 1, 1·4 + 4.
        #expect(forks.compactMap(\.equation?.result) == [2, 3, -2, 8])
        #expect(forks[1].equation?.terms.map(\.product) == [1, 2])
        // The fork frames come after leaky_relu's backward frames.
        let lastRelu = try #require(frames.lastIndex { $0.layer == 0 && $0.phase == .backward })
        let firstFork = try #require(frames.firstIndex { $0.title.contains("add at the fork") })
        #expect(firstFork > lastRelu)
        try Snapshot.check(join.dump(), "residual-join.txt")
        try Snapshot.check(forks[1].dump(), "residual-fork.txt")
    }

    @Test func projectionFrames() throws {
        let x = Tensor(shape: [1, 1, 2, 2], data: [1, -2, 3, 0.5])
        let q = AddParams.Projection(kernel: Tensor(shape: [2, 1, 1, 1], data: [2, -1]), bias: Tensor(shape: [2], data: [0, 1]))
        let net = Network(layers: [.conv2d(Conv2DParams(), kernel: Tensor(shape: [2, 1, 1, 1], data: [1, 1]), bias: nil),
                                   .add(AddParams(from: 0, projection: q))])
        let (source, events) = try Scenes.run(net, input: x, gradOutput: Tensor(shape: [1, 2, 2, 2], repeating: 1))
        let frames = try Storyboard(source: source).frames(events: events).filter { $0.layer == 1 }
        let projected = frames.filter { $0.title.hasPrefix("residual projection · 1×1") }
        #expect(projected.count == 8)
        // P[1,0,1] = −1·(−2) + 1 = 3; y[1,0,1] = F + P = −2 + 3 = 1.
        #expect(projected.first { $0.equation?.target.label == "P[1,0,1]" }?.equation?.result == 3)
        #expect(frames.first { $0.title.hasPrefix("residual join") && $0.equation?.target.label == "y[1,0,1]" }?.equation?.result == 1)
        // Backward: dW[0] = Σ dY·x = 2.5, the skip share of dx[0,0] = 2·1 + (−1)·1 = 1; the fork adds the main path's 2.
        let back = frames.filter { $0.title.hasPrefix("residual projection backward") }
        #expect(back.contains { $0.equation?.result == 2.5 })
        let forks = frames.filter { $0.title.contains("add at the fork") }
        #expect(forks.count == 4 && forks.allSatisfy { $0.equation?.result == 3 })
    }
}
