// StoryboardTests — a training spec in the storyboard: the loss per step read from the trace, the optimizer-step
// frames (value, gradient, buffer, new value) with the engine's numbers, and --phase update.
import Engine
import Specs
import Storyboard
import Testing

@Suite struct TrainingFrameTests {
    /// y = W·x + b, x = 2, W = 0.5, b = 0, target 3; SGD lr 0.1 with momentum 0.9, 4 steps.
    static let spec = """
        {op: network, input: [2], layers: [{op: linear, weight: [[0.5]], bias: [0]}, {op: mse, target: [3]}],
         train: {optimizer: {name: sgd, lr: 0.1, momentum: 0.9}, steps: 4}}
        """

    @Test func theLossCurveIsTheEnginesLossPerStep() throws {
        let problem = try SpecDocument.parse(Self.spec, file: "t.yaml")
        let curve = try LossCurve.of(TraceSource(problem: problem))
        #expect(curve.isTraining)
        #expect(curve.losses == (try problem.train()).losses)
        #expect(curve.losses.first == 4)  // (2·0.5 − 3)²
        #expect(curve.stepStarts.count == 4 && curve.stepStarts.first == 0)
        #expect(curve.trainingStep(ofEvent: curve.stepStarts[2]) == 3)
        #expect(curve.trainingStep(ofEvent: curve.stepStarts[2] - 1) == 2)
        #expect(curve.summary(format: ValueFormat(digits: 2), through: 1) == "loss by step 1: 4")
    }

    @Test func optimizerStepFramesShowValueGradientBufferAndNewValue() throws {
        let problem = try SpecDocument.parse(Self.spec, file: "t.yaml")
        var options = StoryboardOptions()
        options.phase = .update
        let source = TraceSource(problem: problem)
        let frames = try Storyboard(source: source.storyboardSource, options: options).frames(streaming: source)
        // 4 steps × (W, b), one frame per parameter element and step.
        #expect(frames.count == 8)
        #expect(frames.allSatisfy { $0.phase == .update && $0.scene.rawValue == "optimizer_step" })
        let first = try #require(frames.first)
        #expect(first.title == "optimizer step 1 · W[0,0]")
        // Step 1: g = dL/dW = 2·(1 − 3)·2 = −8, buffer −8, Δθ = 0.8, W 0.5 → 1.3.
        #expect(first.grids.map { $0.cells[0].value } == [-8, -8, -8 * -0.1, 0.5 + -8 * -0.1])
        #expect(first.grids.map(\.title) == ["gradient g", "buffer / m", "step Δθ", "new value θ"])
        #expect(first.equation?.result == 0.5 + -8 * -0.1)
        #expect(frames[1].title == "optimizer step 1 · b[0]")
        #expect(frames[2].title == "optimizer step 2 · W[0,0]")
    }
}
