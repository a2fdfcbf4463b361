// EngineTests — the engine against PyTorch 2.13 float64: every fixture case's output and every gradient.
import Foundation
import Testing
@testable import Engine

/// Conformance with PyTorch, case by case, from the committed fixtures in `Fixtures/`
/// (recorded by `tools/pytorch-fixtures/run.sh`; CI never runs PyTorch).
///
/// Tolerance: 1e-9 × max(1, largest magnitude of PyTorch's tensor), per tensor.
@Suite struct PyTorchConformanceTests {
    /// Every fixture file is in the bundle, decodes, and has the cases the generator writes; without this
    /// an unreadable file would turn the parametrized tests below into zero tests that pass.
    @Test func fixturesLoad() throws {
        let expectedCounts = [
            "conv2d": 45, "grouped_conv": 6, "conv_transpose2d": 8, "pooling": 20, "activations": 10, "linear": 3, "losses": 9,
            "lesson_conv2d": 8, "lesson_conv_transpose2d": 7,
        ]
        for name in Fixtures.opFiles {
            let file = try Fixtures.opFile(name)
            #expect(file.dtype == "float64")
            #expect(file.cases.count == expectedCounts[name], "Fixtures/\(name).json has \(file.cases.count) cases")
        }
        #expect(try Fixtures.networkFile("networks").cases.count == 5)
        #expect(try Fixtures.networkFile("grouped_networks").cases.count == 1)
        #expect(try Fixtures.networkFile("residual_networks").cases.count == 3)
        let examples = try Fixtures.networkFile("example_networks").cases
        #expect(examples.map(\.name) == ["cnn-basics-backprop", "lenet5"])
    }

    // MARK: single ops

    @Test(arguments: Fixtures.opCases("conv2d") + Fixtures.opCases("grouped_conv"))
    func conv2d(_ c: OpCase) throws {
        let params = try #require(c.params).conv2d()
        if let spec = c.params?.paddingSpec {
            // The resolved padding recorded from PyTorch's rule must be the engine's resolution of the name.
            let named: PaddingSpec = spec == "same" ? .same : .full
            let k = try #require(c.kernel).shape
            let resolved = try named.resolve(kernel: Pair(k[2], k[3]), dilation: params.dilation, stride: params.stride)
            #expect(resolved == params.padding, "\(c.testDescription): `\(spec)` resolves to \(resolved)")
        }
        let (x, k, b) = (c.input.tensor, try #require(c.kernel).tensor, c.bias?.tensor)
        var tracer = Tracer.untraced
        let y = try Conv2D.forward(input: x, kernel: k, bias: b, params: params, tracer: &tracer)
        expectMatches(y, c.output, "output", in: c.testDescription)
        let g = try Conv2D.backward(
            input: x, kernel: k, bias: b, params: params, gradOutput: try #require(c.gradOutput).tensor, tracer: &tracer)
        expectMatches(g.input, c.gradInput, "grad_input", in: c.testDescription)
        expectMatches(g.kernel, c.gradKernel, "grad_kernel", in: c.testDescription)
        expectMatches(g.bias, c.gradBias, "grad_bias", in: c.testDescription)
        try expectSameThroughNetwork(.conv2d(params, kernel: k, bias: b), c, forward: y, gradients: g)
    }

    @Test(arguments: Fixtures.opCases("conv_transpose2d"))
    func convTranspose2d(_ c: OpCase) throws {
        let params = try #require(c.params).convTranspose2d()
        let (x, w, b) = (c.input.tensor, try #require(c.weight).tensor, c.bias?.tensor)
        var tracer = Tracer.untraced
        let y = try ConvTranspose2D.forward(input: x, weight: w, bias: b, params: params, tracer: &tracer)
        expectMatches(y, c.output, "output", in: c.testDescription)
        let g = try ConvTranspose2D.backward(
            input: x, weight: w, bias: b, params: params, gradOutput: try #require(c.gradOutput).tensor, tracer: &tracer)
        expectMatches(g.input, c.gradInput, "grad_input", in: c.testDescription)
        expectMatches(g.kernel, c.gradWeight, "grad_weight", in: c.testDescription)
        expectMatches(g.bias, c.gradBias, "grad_bias", in: c.testDescription)
        try expectSameThroughNetwork(.convTranspose2d(params, weight: w, bias: b), c, forward: y, gradients: g)
    }

    /// The exact examples of lessons 12-16, so PyTorch stands behind the numbers the lessons print.
    @Test(arguments: Fixtures.opCases("lesson_conv2d"))
    func lessonConv2d(_ c: OpCase) throws { try conv2d(c) }

    @Test(arguments: Fixtures.opCases("lesson_conv_transpose2d"))
    func lessonConvTranspose2d(_ c: OpCase) throws { try convTranspose2d(c) }

    @Test("the lessons' key numbers are PyTorch's: dX[0][1][2] = 4 from both filters, a batch's dK sums, the checkerboard")
    func lessonNumbers() throws {
        func data(_ file: String, _ name: String, _ keyPath: KeyPath<OpCase, FixtureTensor?>) throws -> [Double] {
            let c = try #require(Fixtures.opCases(file).first { $0.name == name }, "\(file): no case \(name)")
            return try #require(c[keyPath: keyPath]).data
        }
        // Lesson 12: x[0][1][2] collects 2 from each filter.
        #expect(try data("lesson_conv2d", "l12_two_channels_two_filters", \.gradInput)[5] == 4)
        // Lesson 12: the transposed convolution of dY with the layer's kernel as stored is the layer's dX.
        #expect(try data("lesson_conv_transpose2d", "l12_dx_as_transposed", \.output)
                == (try data("lesson_conv2d", "l12_two_channels_two_filters", \.gradInput)))
        // Lesson 13: the dilated dY's full convolution is the stride-2 layer's dX.
        #expect(try data("lesson_conv2d", "l13_dilated_dy_full", \.output) == (try data("lesson_conv2d", "l13_stride2_ones", \.gradInput)))
        // Lesson 14: the batch's kernel gradient is 37 47 / 67 77 plus 14 12 / 8 6.
        #expect(try data("lesson_conv2d", "l14_batch_of_two", \.gradKernel) == [51, 59, 75, 83])
        // Lesson 15: k = 3, s = 2 overlaps unevenly (1, 2, 4), k = 4 evenly inside (4).
        let checker = try data("lesson_conv_transpose2d", "l15_checkerboard_k3_s2", \.output)
        #expect(Array(checker[14..<21]) == [2, 2, 4, 2, 4, 2, 2])
        let even = try data("lesson_conv_transpose2d", "l15_even_k4_s2", \.output)
        #expect((2...5).allSatisfy { r in (2...5).allSatisfy { even[r * 8 + $0] == 4 } })
        // Lesson 16: Cᵀ·dY for C = the kernel 1, 2 shifted; the rows of C at stride 2.
        #expect(try data("lesson_conv_transpose2d", "l16_transpose_times_dy", \.output) == [1, 12, 120, 200])
        #expect(try data("lesson_conv2d", "l16_rows_of_c_stride2", \.gradInput) == [1, 2, 3, 0, 0, 0, 0, 1, 2, 3])
    }

    @Test(arguments: Fixtures.opCases("pooling"))
    func pooling(_ c: OpCase) throws {
        let x = c.input.tensor, dY = try #require(c.gradOutput).tensor
        var tracer = Tracer.untraced
        let y: Tensor, g: LayerGradients, layer: Layer
        switch c.op {
        case "max_pool2d":
            let p = try #require(c.params).pool()
            y = try MaxPool2D.forward(input: x, params: p, tracer: &tracer)
            g = try MaxPool2D.backward(input: x, params: p, gradOutput: dY, tracer: &tracer)
            layer = .maxPool2d(p)
        case "avg_pool2d":
            let p = try #require(c.params).pool()
            y = try AvgPool2D.forward(input: x, params: p, tracer: &tracer)
            g = try AvgPool2D.backward(input: x, params: p, gradOutput: dY, tracer: &tracer)
            layer = .avgPool2d(p)
        case "global_max_pool":
            y = try GlobalMaxPool.forward(input: x, tracer: &tracer)
            g = try GlobalMaxPool.backward(input: x, gradOutput: dY, tracer: &tracer)
            layer = .globalMaxPool
        case "global_avg_pool":
            y = try GlobalAvgPool.forward(input: x, tracer: &tracer)
            g = try GlobalAvgPool.backward(input: x, gradOutput: dY, tracer: &tracer)
            layer = .globalAvgPool
        default:
            Issue.record("\(c.testDescription): unknown pooling op \(c.op)")
            return
        }
        expectMatches(y, c.output, "output", in: c.testDescription)
        expectMatches(g.input, c.gradInput, "grad_input", in: c.testDescription)
        try expectSameThroughNetwork(layer, c, forward: y, gradients: g)
    }

    @Test(arguments: Fixtures.opCases("activations"))
    func activation(_ c: OpCase) throws {
        let x = c.input.tensor, dY = try #require(c.gradOutput).tensor
        var tracer = Tracer.untraced
        let y: Tensor, g: LayerGradients, layer: Layer
        if c.op == "softmax" {
            y = try Softmax.forward(input: x, tracer: &tracer)
            g = try Softmax.backward(input: x, gradOutput: dY, tracer: &tracer)
            layer = .softmax
        } else {
            let f: Activation.Function
            switch c.op {
            case "relu": (f, layer) = (.relu, .relu)
            case "leaky_relu":
                let slope = try #require(c.params?.slope)
                (f, layer) = (.leakyRelu(slope: slope), .leakyRelu(slope: slope))
            case "sigmoid": (f, layer) = (.sigmoid, .sigmoid)
            case "tanh": (f, layer) = (.tanh, .tanh)
            default:
                Issue.record("\(c.testDescription): unknown activation \(c.op)")
                return
            }
            y = try Activation.forward(f, input: x, tracer: &tracer)
            g = try Activation.backward(f, input: x, gradOutput: dY, tracer: &tracer)
        }
        expectMatches(y, c.output, "output", in: c.testDescription)
        expectMatches(g.input, c.gradInput, "grad_input", in: c.testDescription)
        try expectSameThroughNetwork(layer, c, forward: y, gradients: g)
    }

    @Test(arguments: Fixtures.opCases("linear"))
    func linear(_ c: OpCase) throws {
        let (x, w, b) = (c.input.tensor, try #require(c.weight).tensor, c.bias?.tensor)
        var tracer = Tracer.untraced
        let y = try Linear.forward(input: x, weight: w, bias: b, tracer: &tracer)
        expectMatches(y, c.output, "output", in: c.testDescription)
        let g = try Linear.backward(input: x, weight: w, bias: b, gradOutput: try #require(c.gradOutput).tensor, tracer: &tracer)
        expectMatches(g.input, c.gradInput, "grad_input", in: c.testDescription)
        expectMatches(g.kernel, c.gradWeight, "grad_weight", in: c.testDescription)
        expectMatches(g.bias, c.gradBias, "grad_bias", in: c.testDescription)
        try expectSameThroughNetwork(.linear(weight: w, bias: b), c, forward: y, gradients: g)
    }

    @Test(arguments: Fixtures.opCases("losses"))
    func loss(_ c: OpCase) throws {
        let loss: Loss
        switch c.op {
        case "mse": loss = .mse(target: try #require(c.target).tensor)
        case "softmax_cross_entropy": loss = .softmaxCrossEntropy(target: try #require(c.targetClasses))
        case "bce", "bce_with_logits":
            loss = .bce(target: try #require(c.target).tensor, withLogits: c.params?.withLogits ?? false)
            #expect((c.params?.withLogits ?? false) == (c.op == "bce_with_logits"))
        default:
            Issue.record("\(c.testDescription): unknown loss \(c.op)")
            return
        }
        let x = c.input.tensor
        var tracer = Tracer.untraced
        let value = try LossFunction.forward(loss, input: x, tracer: &tracer)
        expectMatches(value, c.loss, "loss", in: c.testDescription)
        let dX = try LossFunction.backward(loss, input: x, tracer: &tracer)
        expectMatches(dX, c.gradInput, "grad_input", in: c.testDescription)

        // The same loss at the end of an empty network: Network.run reports dL/d(output) as the extra entry.
        let result = try Network(layers: [], loss: loss).run(input: x, tracer: &tracer)
        expectMatches(result.loss, c.loss, "loss (through Network.run)", in: c.testDescription)
        expectMatches(result.gradients?.last?.input, c.gradInput, "grad_input (through Network.run)", in: c.testDescription)
    }

    // MARK: networks

    @Test(arguments: Fixtures.networkCases("networks") + Fixtures.networkCases("example_networks")
              + Fixtures.networkCases("bn_networks") + Fixtures.networkCases("grouped_networks")
              + Fixtures.networkCases("residual_networks"))
    func network(_ c: NetworkCase) throws {
        let network = try c.network()
        var tracer = Tracer.untraced
        let result = try network.run(input: c.input.tensor, gradOutput: c.gradOutput?.tensor, tracer: &tracer)
        expectMatches(result.output, c.output, "output", in: c.testDescription)
        expectMatches(result.loss, c.lossValue, "loss", in: c.testDescription)
        if c.loss != nil {
            #expect(result.loss != nil, "\(c.testDescription): the network has a loss but reported none")
        }
        let gradients = try #require(result.gradients, "\(c.testDescription): no backward pass ran")
        #expect(gradients.count >= c.layers.count)
        let compareGradients = {
            expectMatches(gradients.first?.input, c.gradInput, "grad_input", in: c.testDescription)
            for (i, expected) in c.layerGrads.enumerated() where i < gradients.count {
                let what = "layer \(i) (\(c.layers[i].op))"
                expectMatches(gradients[i].kernel, expected.kernel ?? expected.weight, "\(what) grad_kernel", in: c.testDescription)
                expectMatches(gradients[i].bias, expected.bias, "\(what) grad_bias", in: c.testDescription)
                if expected.kernel == nil, expected.weight == nil {
                    #expect(gradients[i].kernel == nil, "\(c.testDescription): \(what) has no weights but got a kernel gradient")
                }
            }
        }
        compareGradients()
    }

    /// The example network's values are dyadic (quarters in, weights over powers of two), so its conv sums
    /// are exact for any summation order and its max-pool ties are true ties: PyTorch and the engine must
    /// both route each tied window's gradient to the first maximum. This pins that the fixture really
    /// holds such ties (so `network` above exercises tie routing) and that they are exact in the engine.
    @Test func exampleNetworkHasExactMaxPoolTies() throws {
        let file = try Fixtures.networkFile("example_networks")
        let c = try #require(file.cases.first { $0.name == "cnn-basics-backprop" })
        guard case .conv2d(let params, let kernel, let bias) = try c.layers[0].layer() else {
            Issue.record("layer 0 of cnn-basics-backprop is not conv2d")
            return
        }
        var tracer = Tracer.untraced
        let y = try Conv2D.forward(input: c.input.tensor, kernel: kernel, bias: bias, params: params, tracer: &tracer)
        var positiveTies = 0
        for ch in 0..<y.shape[1] {
            for wy in 0..<(y.shape[2] / 2) {
                for wx in 0..<(y.shape[3] / 2) {
                    let cells = [(0, 0), (0, 1), (1, 0), (1, 1)].map { y[0, ch, 2 * wy + $0.0, 2 * wx + $0.1] }
                    let top = cells.max() ?? 0
                    if top > 0, cells.filter({ $0 == top }).count > 1 { positiveTies += 1 }
                }
            }
        }
        // 15 windows hold a tied positive maximum: counted in exact rational arithmetic (Python
        // `fractions.Fraction`) from this fixture's input, kernel and bias, the same 2×2 windows of the
        // 2 × 30×30 conv output. The engine's float64 count matching it is what "exact" means here.
        #expect(positiveTies == 15)
    }

    // MARK: helpers

    /// A one-layer network gives bit-identical numbers to the direct op call, and a recording sink
    /// changes nothing either (tracing must not alter arithmetic).
    func expectSameThroughNetwork(_ layer: Layer, _ c: OpCase, forward y: Tensor, gradients g: LayerGradients) throws {
        var recording = Tracer(sink: RecordingSink())
        let result = try Network(layers: [layer]).run(
            input: c.input.tensor, gradOutput: try #require(c.gradOutput).tensor, tracer: &recording)
        #expect(result.output == y, "\(c.testDescription): Network.run output differs from the direct op call")
        #expect(result.gradients?.first == g, "\(c.testDescription): Network.run gradients differ from the direct op call")
        #expect(!recording.sink.events.isEmpty, "\(c.testDescription): a recording run emitted no events")
    }
}
