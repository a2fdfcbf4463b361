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
}
