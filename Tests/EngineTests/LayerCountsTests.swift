// EngineTests — a layer's parameter count and multiply-accumulate count against the tensors it holds and the
// `mac` events its traced forward pass emits.
import Foundation
import Testing
@testable import Engine

@Suite struct LayerCountsTests {
    /// The `mac` events of one layer's traced forward pass.
    static func tracedMACs(_ layer: Layer, input: Tensor) throws -> Int {
        var tracer = Tracer(sink: RecordingSink())
        _ = try Network(layers: [layer]).run(input: input, tracer: &tracer)
        return tracer.sink.events.filter { $0.kind == .mac }.count
    }

    @Test("conv2d: K·C·Fh·Fw + K parameters; MACs = the traced mac events, over random padding, stride, dilation")
    func conv2d() throws {
        var rng = SeededRandom(seed: 0xC0_07)
        for mode in PaddingMode.allCases {
            for _ in 0..<12 {
                let c = ConvCase.random(&rng, mode: mode)
                let layer = Layer.conv2d(c.params, kernel: c.kernel, bias: c.bias)
                let (K, C, Fh, Fw) = (c.kernel.shape[0], c.kernel.shape[1], c.kernel.shape[2], c.kernel.shape[3])
                #expect(layer.parameterCount(input: c.input.shape) == K * C * Fh * Fw + (c.bias == nil ? 0 : K), "\(c)")
                let macs = try #require(try layer.multiplyAccumulates(input: c.input.shape))
                #expect(macs == (try Self.tracedMACs(layer, input: c.input)), "\(c)")
            }
        }
    }

    @Test("conv_transpose2d: MACs = the scatter taps that land inside the output (padding crops the rest)")
    func convTranspose2d() throws {
        var rng = SeededRandom(seed: 0x7A_05)
        var checked = 0
        while checked < 40 {
            let (n, ci, co) = (rng.int(1...2), rng.int(1...3), rng.int(1...3))
            let (h, w, fh, fw) = (rng.int(1...4), rng.int(1...4), rng.int(1...4), rng.int(1...3))
            let stride = Pair(rng.int(1...3), rng.int(1...3)), dilation = Pair(rng.int(1...2), rng.int(1...2))
            let padding = Pair(rng.int(0...3), rng.int(0...3))
            let outputPadding = Pair(rng.int(0...max(stride.y, dilation.y) - 1), rng.int(0...max(stride.x, dilation.x) - 1))
            let params = ConvTranspose2DParams(stride: stride, padding: padding, outputPadding: outputPadding, dilation: dilation)
            let bias: Tensor? = rng.bool() ? rng.tensor([co]) : nil
            let layer = Layer.convTranspose2d(params, weight: rng.tensor([ci, co, fh, fw]), bias: bias)
            let input = rng.tensor([n, ci, h, w])
            guard let macs = try? layer.multiplyAccumulates(input: input.shape) else { continue }  // output size < 1
            #expect(layer.parameterCount(input: input.shape) == ci * co * fh * fw + (bias == nil ? 0 : co))
            #expect(macs == (try Self.tracedMACs(layer, input: input)), "\(params) \(input.shape) \([ci, co, fh, fw])")
            checked += 1
        }
    }

    @Test("linear: F_out·F_in + F_out parameters, N·F_out·F_in MACs; layers without weights count none")
    func linearAndWeightless() throws {
        var rng = SeededRandom(seed: 0x11_4E)
        let layer = Layer.linear(weight: rng.tensor([5, 7]), bias: rng.tensor([5]))
        #expect(layer.parameterCount(input: [3, 7]) == 40)
        #expect(try layer.multiplyAccumulates(input: [3, 7]) == 105)
        #expect(try Self.tracedMACs(layer, input: rng.tensor([3, 7])) == 105)
        for weightless in [Layer.relu, .tanh, .flatten, .maxPool2d(Pool2DParams(kernelSize: Pair(2))),
                           .avgPool2d(Pool2DParams(kernelSize: Pair(2))), .globalAvgPool] {
            #expect(weightless.parameterCount(input: [1, 2, 4, 4]) == 0)
            #expect(try weightless.multiplyAccumulates(input: [1, 2, 4, 4]) == nil)
        }
        // Batch norm learns γ and β per channel; its running statistics are not learned.
        let bn = Layer.batchNorm2d(BatchNorm2DParams(weight: Tensor(shape: [3], data: [1, 1, 1]), bias: Tensor(shape: [3], data: [0, 0, 0]),
                                                     runningMean: Tensor(shape: [3], data: [0, 0, 0]),
                                                     runningVar: Tensor(shape: [3], data: [1, 1, 1])))
        #expect(bn.parameterCount(input: [2, 3, 4, 4]) == 6)
    }

    @Test("every learnable name is one of the op's spec keys (a typo would silently count 0 parameters)")
    func learnableNamesAreKeys() throws {
        for op in Ops.layers {
            for name in op.learnable where op.name != "add" {
                #expect(op.key(name) != nil, "\(op.name): learnable \(name) is not one of its keys")
            }
        }
        // add's projection is written in a residual: block, not as add's keys: its names are the header's.
        let projection = AddParams.Projection(kernel: Tensor(shape: [2, 1, 1, 1], data: [1, 2]), bias: Tensor(shape: [2], data: [0, 0]), stride: Pair(1))
        let add = Layer.add(AddParams(from: 0, projection: projection))
        #expect(Set(Ops.add.learnable).isSubset(of: Set(Ops.add.parameters(add).map(\.0))))
        #expect(add.parameterCount(input: [1, 2, 3, 3]) == 4)
        #expect(try add.multiplyAccumulates(input: [1, 2, 3, 3]) == 1 * 2 * 3 * 3 * 1)
        #expect(Ops.layers.filter { !$0.learnable.isEmpty }.map(\.name) == ["conv2d", "conv_transpose2d", "linear", "batch_norm2d", "add"])
    }

    @Test("an overflowing MAC count is an error that says so, not a wrapped number")
    func overflow() throws {
        #expect(throws: EngineError.self) { try LayerCounts.product([1 << 40, 1 << 30]) }
        #expect(try LayerCounts.product([2, 3, 7]) == 42)
    }

    /// One module of `Fixtures/parameter_counts.json`: its tensor shapes and torch's `sum(p.numel())`.
    struct ParameterCountCase: Decodable, Sendable {
        var name: String
        var module: String
        var weightShape: [Int]
        var biasShape: [Int]?
        var parameters: Int
    }

    @Test("parameter counts equal torch's sum of numel: LeNet-5's layers, no bias, grouped, transposed, batch norm")
    func torchParameterCounts() throws {
        let file = try Fixtures.decoder().decode(FixtureFile<ParameterCountCase>.self, from: Data(contentsOf: Fixtures.url("parameter_counts")))
        #expect(file.cases.count == 9)
        func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, data: Array(repeating: 0, count: shape.reduce(1, *))) }
        var lenet = 0
        for c in file.cases {
            let bias = c.biasShape.map(zeros)
            let layer: Layer
            switch c.module {
            case "Conv2d": layer = .conv2d(Conv2DParams(), kernel: zeros(c.weightShape), bias: bias)
            case "ConvTranspose2d": layer = .convTranspose2d(ConvTranspose2DParams(), weight: zeros(c.weightShape), bias: bias)
            case "Linear": layer = .linear(weight: zeros(c.weightShape), bias: bias)
            case "BatchNorm2d":
                layer = .batchNorm2d(BatchNorm2DParams(weight: zeros(c.weightShape), bias: bias,
                                                       runningMean: zeros(c.weightShape), runningVar: zeros(c.weightShape)))
            default: Issue.record("\(c.name): unknown module \(c.module)"); continue
            }
            #expect(layer.parameterCount(input: [1, c.weightShape[0], 1, 1]) == c.parameters, "\(c.name)")
            if c.name.hasPrefix("lenet_") { lenet += c.parameters }
        }
        #expect(lenet == 61_706)
    }
}
