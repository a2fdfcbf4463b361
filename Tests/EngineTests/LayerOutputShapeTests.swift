// EngineTests — Layer.outputShape, the one shape rule the trace header and the storyboard ask.
import Testing
@testable import Engine

@Suite struct LayerOutputShapeTests {
    /// theory-conv-nets.md, LeNet-5 on a 32×32×1 input: 6×28×28 → 6×14×14 → 16×10×10 → 16×5×5 → 400 → 120.
    @Test func lenetShapesFromTheTutorial() throws {
        let layers: [Layer] = [
            .conv2d(Conv2DParams(), kernel: Tensor(shape: [6, 1, 5, 5]), bias: Tensor(shape: [6])),
            .tanh,
            .avgPool2d(Pool2DParams(kernelSize: Pair(2))),
            .conv2d(Conv2DParams(), kernel: Tensor(shape: [16, 6, 5, 5]), bias: Tensor(shape: [16])),
            .avgPool2d(Pool2DParams(kernelSize: Pair(2))),
            .flatten,
            .linear(weight: Tensor(shape: [120, 400]), bias: nil),
        ]
        var shape = [1, 1, 32, 32]
        var seen: [[Int]] = []
        for layer in layers {
            shape = try layer.outputShape(input: shape)
            seen.append(shape)
        }
        #expect(seen == [[1, 6, 28, 28], [1, 6, 28, 28], [1, 6, 14, 14], [1, 16, 10, 10], [1, 16, 5, 5], [1, 400], [1, 120]])
    }

    /// convolutional-neural-networks.md: 5×5×3 input, K = 2 filters 3×3, S = 2, P = 1 → 3×3×2;
    /// conv_arithmetic's padding_strides_odd (6, k 3, p 1, s 2) transposed back: (3−1)·2 − 2 + 3 = 5.
    @Test func convAndTransposedShapes() throws {
        let conv = Layer.conv2d(Conv2DParams(stride: Pair(2), padding: Padding(1)),
                                kernel: Tensor(shape: [2, 3, 3, 3]), bias: Tensor(shape: [2]))
        #expect(try conv.outputShape(input: [1, 3, 5, 5]) == [1, 2, 3, 3])
        let transposed = Layer.convTranspose2d(ConvTranspose2DParams(stride: Pair(2), padding: Pair(1)),
                                               weight: Tensor(shape: [1, 1, 3, 3]), bias: nil)
        #expect(try transposed.outputShape(input: [1, 1, 3, 3]) == [1, 1, 5, 5])
    }

    /// The rule agrees with what the forward pass actually produces, layer by layer, on a network that
    /// uses every kind of layer with a shape change.
    @Test func agreesWithTheForwardPass() throws {
        let network = Network(layers: [
            .conv2d(Conv2DParams(stride: Pair(2, 1), padding: Padding(top: 1, bottom: 0, left: 2, right: 1), dilation: Pair(1, 2)),
                    kernel: Tensor(shape: [3, 2, 3, 2], repeating: 0.5), bias: Tensor(shape: [3])),
            .relu,
            .maxPool2d(Pool2DParams(kernelSize: Pair(3), stride: Pair(2), padding: Pair(1), ceilMode: true)),
            .convTranspose2d(ConvTranspose2DParams(stride: Pair(2), padding: Pair(1), outputPadding: Pair(1)),
                             weight: Tensor(shape: [3, 2, 3, 3], repeating: 0.25), bias: nil),
            .globalAvgPool,
            .flatten,
            .linear(weight: Tensor(shape: [4, 2], repeating: 1), bias: Tensor(shape: [4])),
            .softmax,
        ])
        let input = Tensor(shape: [2, 2, 9, 7], repeating: 1)
        var tracer = Tracer.untraced
        let result = try network.run(input: input, tracer: &tracer)
        var shape = input.shape
        for (i, layer) in network.layers.enumerated() {
            shape = try layer.outputShape(input: shape)
            #expect(shape == result.activations[i + 1].shape, "layer \(i) (\(layer.opName))")
        }
    }

    @Test func refusesAnInputThatDoesNotFit() {
        let linear = Layer.linear(weight: Tensor(shape: [3, 4]), bias: nil)
        #expect(throws: EngineError.self) { try linear.outputShape(input: [1, 5]) }
        #expect(throws: EngineError.self) { try linear.outputShape(input: [1, 4, 1, 1]) }
        let conv = Layer.conv2d(Conv2DParams(), kernel: Tensor(shape: [1, 2, 3, 3]), bias: nil)
        #expect(throws: EngineError.self) { try conv.outputShape(input: [1, 3, 5, 5]) }
    }
}

/// The pooling size rule exists twice on purpose: `OutputSize.pooling` also writes the formula text
/// for `convtrace shape`, `Pool2DParams.outputSize` is what the pools run. They must never disagree.
@Suite struct PoolingSizeRulesAgree {
    @Test func formulaAndEngineGiveTheSameSize() throws {
        var compared = 0
        for input in 1...12 {
            for kernel in 1...5 {
                for stride in 1...4 {
                    for padding in 0...(kernel / 2) where input + 2 * padding >= kernel {
                        for ceil in [false, true] {
                            let params = Pool2DParams(kernelSize: Pair(kernel), stride: Pair(stride),
                                                      padding: Pair(padding), ceilMode: ceil)
                            let engine = try params.outputSize(height: input, width: input)
                            let formula = try OutputSize.pooling(input: input, kernel: kernel, stride: stride,
                                                                 padding: padding, ceilMode: ceil)
                            #expect(engine.height == formula.value,
                                    "n \(input) k \(kernel) s \(stride) p \(padding) ceil \(ceil): \(engine.height) vs \(formula.formula)")
                            compared += 1
                        }
                    }
                }
            }
        }
        #expect(compared > 500)
    }
}
