// EngineTests — the untraced fast kernels give the traced numbers bit for bit.
import Testing
@testable import Engine

/// Compares every value by its bit pattern (so +0 vs −0 and NaN payloads count), traced against untraced.
@Suite struct TracedUntracedIdentityTests {
    /// One conv case: shapes N×C×H×W input, K×C×Fh×Fw kernel, plus parameters.
    struct Shape: CustomStringConvertible {
        var input: [Int], kernel: [Int], bias: Bool, params: Conv2DParams
        var description: String { "input \(input) kernel \(kernel) bias \(bias) \(params)" }
    }

    static let shapes: [Shape] = [
        // The bench case: 1×1×28×28, six 5×5 filters.
        Shape(input: [1, 1, 28, 28], kernel: [6, 1, 5, 5], bias: true, params: Conv2DParams()),
        // LeNet-5: 1×1×32×32 → 6@5×5, then 1×6×14×14 → 16@5×5.
        Shape(input: [1, 1, 32, 32], kernel: [6, 1, 5, 5], bias: true, params: Conv2DParams()),
        Shape(input: [1, 6, 14, 14], kernel: [16, 6, 5, 5], bias: true, params: Conv2DParams()),
        // Tutorial sizes: 5×5 with 3×3, padding 1, true convolution, no bias.
        Shape(input: [1, 1, 5, 5], kernel: [1, 1, 3, 3], bias: false, params: Conv2DParams(padding: Padding(1))),
        Shape(input: [2, 3, 7, 9], kernel: [4, 3, 3, 2], bias: true,
              params: Conv2DParams(padding: Padding(top: 2, bottom: 0, left: 1, right: 3), flip: true)),
        Shape(input: [1, 2, 6, 11], kernel: [2, 2, 2, 8], bias: false, params: Conv2DParams(padding: Padding(1, 4))),
        Shape(input: [1, 1, 4, 17], kernel: [1, 1, 1, 1], bias: true, params: Conv2DParams()),
        // Five taps wide (the C loops' two-load path), padded unevenly, flipped, a batch of two.
        Shape(input: [2, 3, 9, 13], kernel: [5, 3, 4, 5], bias: true,
              params: Conv2DParams(padding: Padding(top: 1, bottom: 3, left: 2, right: 0), flip: true)),
        Shape(input: [1, 2, 5, 21], kernel: [3, 2, 5, 5], bias: false, params: Conv2DParams(padding: Padding(2))),
        // Other padding modes: the fast forward, the general backward.
        Shape(input: [1, 2, 6, 6], kernel: [3, 2, 3, 3], bias: true,
              params: Conv2DParams(padding: Padding(2), paddingMode: .reflect)),
        Shape(input: [1, 1, 5, 7], kernel: [2, 1, 3, 3], bias: true,
              params: Conv2DParams(padding: Padding(1), paddingMode: .circular, flip: true)),
        // Wider than a register: the general backward.
        Shape(input: [1, 1, 3, 12], kernel: [1, 1, 2, 9], bias: true, params: Conv2DParams()),
        // Stride and dilation: the general loops on both paths.
        Shape(input: [1, 2, 9, 9], kernel: [2, 2, 3, 3], bias: true, params: Conv2DParams(stride: Pair(2), dilation: Pair(2))),
        // groups: grouped, depthwise (groups = C), depthwise with two filters per channel, grouped 1×1.
        Shape(input: [2, 4, 6, 7], kernel: [6, 2, 3, 3], bias: true, params: Conv2DParams(padding: Padding(1), groups: 2)),
        Shape(input: [1, 3, 8, 8], kernel: [3, 1, 3, 3], bias: false, params: Conv2DParams(stride: Pair(2), groups: 3)),
        Shape(input: [1, 2, 6, 6], kernel: [4, 1, 2, 3], bias: true,
              params: Conv2DParams(padding: Padding(1), paddingMode: .replicate, dilation: Pair(2, 1), flip: true, groups: 2)),
        Shape(input: [2, 6, 3, 5], kernel: [3, 2, 1, 1], bias: true, params: Conv2DParams(groups: 3)),
    ]

    static func bits(_ t: Tensor) -> [UInt64] { t.data.map(\.bitPattern) }

    @Test(arguments: shapes.indices)
    func conv2dForwardAndBackward(index: Int) throws {
        let s = Self.shapes[index]
        var rng = SeededRandom(seed: 0x1DE7 &+ UInt64(index))
        let input = rng.tensor(s.input), kernel = rng.tensor(s.kernel)
        let bias = s.bias ? rng.tensor([s.kernel[0]]) : nil
        var traced = Tracer(sink: RecordingSink())
        var untraced = Tracer.untraced
        let y = try Conv2D.forward(input: input, kernel: kernel, bias: bias, params: s.params, tracer: &traced)
        let yFast = try Conv2D.forward(input: input, kernel: kernel, bias: bias, params: s.params, tracer: &untraced)
        #expect(Self.bits(y) == Self.bits(yFast), "\(s)")
        #expect(!traced.sink.events.isEmpty)
        let dY = rng.tensor(y.shape)
        let g = try Conv2D.backward(input: input, kernel: kernel, bias: bias, params: s.params, gradOutput: dY, tracer: &traced)
        let gFast = try Conv2D.backward(input: input, kernel: kernel, bias: bias, params: s.params, gradOutput: dY, tracer: &untraced)
        #expect(Self.bits(g.input) == Self.bits(gFast.input), "dX \(s)")
        #expect(g.kernel.map(Self.bits) == gFast.kernel.map(Self.bits), "dK \(s)")
        #expect(g.bias.map(Self.bits) == gFast.bias.map(Self.bits), "db \(s)")
        // And the untraced numbers agree with the plain reference implementation.
        let ref = try Conv2DReference.backward(input: input, kernel: kernel, bias: bias, params: s.params, gradOutput: dY)
        #expect(convRelativeError(gFast.input, ref.input) <= 1e-12, "\(s)")
        #expect(convRelativeError(gFast.kernel!, ref.kernel!) <= 1e-12, "\(s)")
    }

    /// Zeros in the data: sums that cancel to zero, negative zeros in dY, zero weights.
    @Test func signedZerosSurvive() throws {
        let input = Tensor(shape: [1, 1, 4, 6], data: (0..<24).map { $0 % 3 == 0 ? -0.0 : Double($0 % 5) - 2 })
        let kernel = Tensor(shape: [2, 1, 3, 3], data: (0..<18).map { $0 % 4 == 0 ? 0 : ($0 % 2 == 0 ? 1 : -1) })
        let params = Conv2DParams(padding: Padding(1))
        var traced = Tracer(sink: RecordingSink())
        var untraced = Tracer.untraced
        let y = try Conv2D.forward(input: input, kernel: kernel, bias: nil, params: params, tracer: &traced)
        let yFast = try Conv2D.forward(input: input, kernel: kernel, bias: nil, params: params, tracer: &untraced)
        #expect(Self.bits(y) == Self.bits(yFast))
        let dY = Tensor(shape: y.shape, data: (0..<y.count).map { $0 % 2 == 0 ? -0.0 : Double($0 % 3) - 1 })
        let g = try Conv2D.backward(input: input, kernel: kernel, bias: nil, params: params, gradOutput: dY, tracer: &traced)
        let gFast = try Conv2D.backward(input: input, kernel: kernel, bias: nil, params: params, gradOutput: dY, tracer: &untraced)
        #expect(Self.bits(g.input) == Self.bits(gFast.input))
        #expect(g.kernel.map(Self.bits) == gFast.kernel.map(Self.bits))
    }

    /// Random stride-1 cases in every padding mode.
    @Test(arguments: PaddingMode.allCases)
    func randomStrideOne(mode: PaddingMode) throws {
        var rng = SeededRandom(seed: 0x5EED &+ UInt64(mode.rawValue.count))
        var checked = 0
        while checked < 25 {
            let c = ConvCase.random(&rng, mode: mode)
            var p = c.params
            p.stride = Pair(1)
            p.dilation = Pair(1)
            guard let g = try? Conv2DGeometry(input: c.input.shape, kernel: c.kernel.shape, bias: c.bias?.shape, params: p),
                  g.outHeight > 0 else { continue }
            checked += 1
            var traced = Tracer(sink: RecordingSink())
            var untraced = Tracer.untraced
            let y = try Conv2D.forward(input: c.input, kernel: c.kernel, bias: c.bias, params: p, tracer: &traced)
            let yFast = try Conv2D.forward(input: c.input, kernel: c.kernel, bias: c.bias, params: p, tracer: &untraced)
            #expect(Self.bits(y) == Self.bits(yFast), "\(c)")
            let dY = rng.tensor(y.shape)
            let gr = try Conv2D.backward(input: c.input, kernel: c.kernel, bias: c.bias, params: p, gradOutput: dY, tracer: &traced)
            let gf = try Conv2D.backward(input: c.input, kernel: c.kernel, bias: c.bias, params: p, gradOutput: dY, tracer: &untraced)
            #expect(Self.bits(gr.input) == Self.bits(gf.input), "\(c)")
            #expect(gr.kernel.map(Self.bits) == gf.kernel.map(Self.bits), "\(c)")
            #expect(gr.bias.map(Self.bits) == gf.bias.map(Self.bits), "\(c)")
        }
    }

    /// LeNet-5's architecture (two convs, tanh, average pools, three linears whose widths 120, 84, 10 exercise
    /// full and partial SIMD blocks) with a loss: every activation and gradient, traced against untraced.
    @Test func lenetShapedNetwork() throws {
        var rng = SeededRandom(seed: 0x1E7E7)
        let pool = Layer.avgPool2d(Pool2DParams(kernelSize: Pair(2)))
        let layers: [Layer] = [
            .conv2d(Conv2DParams(), kernel: rng.tensor([6, 1, 5, 5]), bias: rng.tensor([6])), .tanh, pool,
            .conv2d(Conv2DParams(), kernel: rng.tensor([16, 6, 5, 5]), bias: rng.tensor([16])), .tanh, pool, .flatten,
            .linear(weight: rng.tensor([120, 400]), bias: rng.tensor([120])), .tanh,
            .linear(weight: rng.tensor([84, 120]), bias: rng.tensor([84])), .tanh,
            .linear(weight: rng.tensor([10, 84]), bias: nil),
        ]
        let network = Network(layers: layers, loss: .softmaxCrossEntropy(target: [3, 7]))
        let input = rng.tensor([2, 1, 32, 32])
        var traced = Tracer(sink: RecordingSink())
        var untraced = Tracer.untraced
        let a = try network.run(input: input, tracer: &traced)
        let b = try network.run(input: input, tracer: &untraced)
        #expect(a.activations.map(Self.bits) == b.activations.map(Self.bits))
        #expect(a.loss?.bitPattern == b.loss?.bitPattern)
        let ga = try #require(a.gradients), gb = try #require(b.gradients)
        #expect(ga.count == gb.count)
        for (x, y) in zip(ga, gb) {
            #expect(Self.bits(x.input) == Self.bits(y.input))
            #expect(x.kernel.map(Self.bits) == y.kernel.map(Self.bits))
            #expect(x.bias.map(Self.bits) == y.bias.map(Self.bits))
        }
    }

    /// Pooling windows: LeNet's 2×2, overlapping, padded (count_include_pad both ways), ceil_mode, odd sizes.
    static let pools: [(input: [Int], params: Pool2DParams)] = [
        ([1, 6, 28, 28], Pool2DParams(kernelSize: Pair(2))),
        ([2, 3, 7, 9], Pool2DParams(kernelSize: Pair(3), stride: Pair(2), padding: Pair(1))),
        ([1, 2, 7, 8], Pool2DParams(kernelSize: Pair(3, 2), stride: Pair(2, 3), padding: Pair(1, 1), ceilMode: true)),
        ([1, 2, 6, 5], Pool2DParams(kernelSize: Pair(2), stride: Pair(1), padding: Pair(1), countIncludePad: false)),
        ([1, 1, 5, 5], Pool2DParams(kernelSize: Pair(2), ceilMode: true, countIncludePad: false)),
    ]

    @Test(arguments: pools.indices)
    func poolingForwardAndBackward(index: Int) throws {
        let (shape, params) = Self.pools[index]
        var rng = SeededRandom(seed: 0x9001 &+ UInt64(index))
        var input = rng.tensor(shape)
        // Ties, signed zeros and a NaN: the first maximum wins, −0 and +0 sums, NaN never selected.
        input.data[0] = -0.0; input.data[1] = input.data[2]; input.data[3] = .nan
        for layer in [Layer.avgPool2d(params), .maxPool2d(params)] {
            var traced = Tracer(sink: RecordingSink())
            var untraced = Tracer.untraced
            let y = try Network.forward(layer, input: input, tracer: &traced)
            let yFast = try Network.forward(layer, input: input, tracer: &untraced)
            #expect(Self.bits(y) == Self.bits(yFast), "\(layer) \(shape)")
            #expect(!traced.sink.events.isEmpty)
            var dY = rng.tensor(y.shape)
            dY.data[0] = -0.0
            let g = try Network.backward(layer, input: input, gradOutput: dY, tracer: &traced)
            let gFast = try Network.backward(layer, input: input, gradOutput: dY, tracer: &untraced)
            #expect(Self.bits(g.input) == Self.bits(gFast.input), "dX \(layer) \(shape)")
        }
    }

    /// Activations, traced against untraced, with and without the saved output in backward, on values that
    /// reach every branch of `TanhKernel` (tiny, ±0, the 0.625 switch, saturation, ±∞, NaN) and a length
    /// that is not a multiple of eight.
    @Test(arguments: [Activation.Function.relu, .leakyRelu(slope: 0.1), .sigmoid, .tanh])
    func activationsForwardAndBackward(function: Activation.Function) throws {
        var rng = SeededRandom(seed: 0xAC71)
        var values = (0..<203).map { _ in rng.double(-4, 4) }
        values += [0, -0.0, 1e-300, -1e-20, 0x1p-28, 0.625, -0.625, 0.625.nextDown, 19.5, -25, 400,
                   .infinity, -.infinity, .nan]
        let input = Tensor(shape: [1, values.count], data: values)
        var traced = Tracer(sink: RecordingSink())
        var untraced = Tracer.untraced
        let y = try Activation.forward(function, input: input, tracer: &traced)
        let yFast = try Activation.forward(function, input: input, tracer: &untraced)
        #expect(Self.bits(y) == Self.bits(yFast))
        let dY = rng.tensor(input.shape)
        let g = try Activation.backward(function, input: input, gradOutput: dY, tracer: &traced)
        let gSaved = try Activation.backward(function, input: input, output: y, gradOutput: dY, tracer: &traced)
        let gFast = try Activation.backward(function, input: input, output: yFast, gradOutput: dY, tracer: &untraced)
        let gFastRecomputed = try Activation.backward(function, input: input, gradOutput: dY, tracer: &untraced)
        #expect(Self.bits(g.input) == Self.bits(gSaved.input))
        #expect(Self.bits(g.input) == Self.bits(gFast.input))
        #expect(Self.bits(g.input) == Self.bits(gFastRecomputed.input))
    }
}
