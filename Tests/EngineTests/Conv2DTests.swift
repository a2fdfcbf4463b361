// EngineTests — conv2d on hand-computed cases (working in comments), padding modes, flip, and refusals.
import Testing
@testable import Engine

@Suite struct Conv2DTests {
    func conv(_ x: Tensor, _ k: Tensor, bias: Tensor? = nil, _ params: Conv2DParams = Conv2DParams()) throws -> Tensor {
        var t = Tracer.untraced
        return try Conv2D.forward(input: x, kernel: k, bias: bias, params: params, tracer: &t)
    }

    func padding(_ spec: PaddingSpec, kernel: Pair) throws -> Padding {
        try spec.resolve(kernel: kernel, dilation: Pair(1), stride: Pair(1))
    }

    // MARK: - The seed tutorial's 1-D example, [1, 2, 3] with [1, 1, 1]

    @Test func oneDimensionalValid() throws {
        // valid: one position, 1·1 + 2·1 + 3·1 = 6.
        let y = try conv(convSignal([1, 2, 3]), convSignal([1, 1, 1]))
        #expect(y.shape == [1, 1, 1, 1])
        #expect(y.data == [6])
    }

    @Test func oneDimensionalSame() throws {
        // same: total padding 1·(3 − 1) = 2, 1 left + 1 right → [0, 1, 2, 3, 0]
        // windows: 0+1+2 = 3, 1+2+3 = 6, 2+3+0 = 5.
        let p = try padding(.same, kernel: Pair(1, 3))
        #expect(p == Padding(top: 0, bottom: 0, left: 1, right: 1))
        let y = try conv(convSignal([1, 2, 3]), convSignal([1, 1, 1]), Conv2DParams(padding: p))
        #expect(y.data == [3, 6, 5])
    }

    @Test func oneDimensionalFull() throws {
        // full: 2 on each side → [0, 0, 1, 2, 3, 0, 0]; windows 1, 1+2 = 3, 6, 2+3 = 5, 3.
        let p = try padding(.full, kernel: Pair(1, 3))
        #expect(p == Padding(top: 0, bottom: 0, left: 2, right: 2))
        let y = try conv(convSignal([1, 2, 3]), convSignal([1, 1, 1]), Conv2DParams(padding: p))
        #expect(y.data == [1, 3, 6, 5, 3])
    }

    @Test func sameWithEvenKernelPutsTheExtraCellBottomRight() throws {
        // F = 4: total 3 → 1 before, 2 after (PyTorch / TensorFlow); dilation 2, F = 3: total 4 → 2 + 2.
        #expect(try padding(.same, kernel: Pair(4, 2)) == Padding(top: 1, bottom: 2, left: 0, right: 1))
        #expect(try PaddingSpec.same.resolve(kernel: Pair(3), dilation: Pair(2), stride: Pair(1)) == Padding(2))
        #expect(try PaddingSpec.valid.resolve(kernel: Pair(3), dilation: Pair(1), stride: Pair(2)) == .zero)
        // x = [1, 2, 3, 4], k = [1, 10, 100, 1000] same → padded [0, 1, 2, 3, 4, 0, 0]:
        // 0 + 10 + 200 + 3000 = 3210, 1 + 20 + 300 + 4000 = 4321, 2 + 30 + 400 = 432, 3 + 40 = 43.
        let p = try padding(.same, kernel: Pair(1, 4))
        let y = try conv(convSignal([1, 2, 3, 4]), convSignal([1, 10, 100, 1000]), Conv2DParams(padding: p))
        #expect(y.data == [3210, 4321, 432, 43])
    }

    // MARK: - Cross-correlation versus true convolution

    @Test func flipRotatesTheKernel() throws {
        // X = [[1,2,3],[4,5,6],[7,8,9]], K = [[1,2],[3,4]].
        // Cross-correlation (0,0): 1·1 + 2·2 + 4·3 + 5·4 = 37; (0,1): 2 + 6 + 15 + 24 = 47;
        //   (1,0): 4 + 10 + 21 + 32 = 67; (1,1): 5 + 12 + 24 + 36 = 77.
        // Convolution uses K rotated 180° = [[4,3],[2,1]]: (0,0): 4 + 6 + 8 + 5 = 23; (0,1): 8 + 9 + 10 + 6 = 33;
        //   (1,0): 16 + 15 + 14 + 8 = 53; (1,1): 20 + 18 + 16 + 9 = 63 — scipy.signal.convolve2d(X, K, 'valid').
        let x = convImage([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let k = convImage([[1, 2], [3, 4]])
        #expect(try conv(x, k).data == [37, 47, 67, 77])
        #expect(try conv(x, k, Conv2DParams(flip: true)).data == [23, 33, 53, 63])
    }

    @Test func flipOfTheOneDimensionalFullExampleIsNumpyConvolve() throws {
        // numpy.convolve([1, 2, 3], [0, 1, 0.5]) = [0, 1, 2.5, 4, 1.5]:
        // full padding → [0, 0, 1, 2, 3, 0, 0], reversed kernel [0.5, 1, 0]: 0, 1, 0.5 + 2 = 2.5, 1 + 3 = 4, 1.5.
        let p = Padding(top: 0, bottom: 0, left: 2, right: 2)
        let y = try conv(convSignal([1, 2, 3]), convSignal([0, 1, 0.5]), Conv2DParams(padding: p, flip: true))
        #expect(y.data == [0, 1, 2.5, 4, 1.5])
    }

    // MARK: - Stride, dilation, bias, channels

    @Test func strideAndDilation() throws {
        // [1, 2, 3, 4, 5] with [1, 1] dilated by 2 (taps 0 and 2): 1+3 = 4, 2+4 = 6, 3+5 = 8; stride 2 keeps 4, 8.
        let x = convSignal([1, 2, 3, 4, 5]), k = convSignal([1, 1])
        #expect(try conv(x, k, Conv2DParams(dilation: Pair(1, 2))).data == [4, 6, 8])
        #expect(try conv(x, k, Conv2DParams(stride: Pair(1, 2), dilation: Pair(1, 2))).data == [4, 8])
    }

    @Test func channelsFiltersAndBias() throws {
        // Input 2 channels: c0 = [[1,2],[3,4]], c1 = [[10,20],[30,40]]; filter 0 = (c0: 1×1 weight 1, c1: 0.5),
        // filter 1 = (−1, 0); bias [0.25, 100].
        // filter 0: 1 + 5 = 6, 2 + 10 = 12, 3 + 15 = 18, 4 + 20 = 24, + 0.25; filter 1: −1, −2, −3, −4, + 100.
        let x = Tensor(shape: [1, 2, 2, 2], data: [1, 2, 3, 4, 10, 20, 30, 40])
        let k = Tensor(shape: [2, 2, 1, 1], data: [1, 0.5, -1, 0])
        let y = try conv(x, k, bias: Tensor(shape: [2], data: [0.25, 100]))
        #expect(y.shape == [1, 2, 2, 2])
        #expect(y.data == [6.25, 12.25, 18.25, 24.25, 99, 98, 97, 96])
    }

    @Test func cs231nShape() throws {
        // CS231n: 5×5×3 input, pad 1, two 3×3×3 filters, stride 2 → (5 − 3 + 2·1)/2 + 1 = 3 → 3×3×2.
        var rng = SeededRandom(seed: 231)
        let x = rng.tensor([1, 3, 5, 5]), k = rng.tensor([2, 3, 3, 3]), b = rng.tensor([2])
        let params = Conv2DParams(stride: Pair(2), padding: Padding(1))
        let y = try conv(x, k, bias: b, params)
        #expect(y.shape == [1, 2, 3, 3])
        let g = try Conv2DGeometry(input: x.shape, kernel: k.shape, bias: b.shape, params: params)
        #expect(g.heightSize.formula == "(5 − 3 + 2·1)/2 + 1 = 3")
        // Output (0, 0, 0) reads padded rows/cols 0…2, i.e. input rows/cols −1…1: only (0…1, 0…1) are real.
        var expected = b.data[0]
        for c in 0..<3 { for i in 1..<3 { for j in 1..<3 { expected += x[0, c, i - 1, j - 1] * k[0, c, i, j] } } }
        #expect(abs(y[0, 0, 0, 0] - expected) <= 1e-12 * abs(expected))
    }

    // MARK: - Padding modes (a 1×1 identity kernel shows the padded signal)

    @Test(arguments: [
        // [1, 2, 3] padded by 2 on each side:
        (PaddingMode.zeros, [0.0, 0, 1, 2, 3, 0, 0]),
        (.reflect, [3, 2, 1, 2, 3, 2, 1]),     // numpy 'reflect': the edge is not repeated
        (.replicate, [1, 1, 1, 2, 3, 3, 3]),   // numpy 'edge'
        (.circular, [2, 3, 1, 2, 3, 1, 2]),    // numpy 'wrap'
    ])
    func paddingModes(mode: PaddingMode, expected: [Double]) throws {
        let p = Conv2DParams(padding: Padding(top: 0, bottom: 0, left: 2, right: 2), paddingMode: mode)
        #expect(try conv(convSignal([1, 2, 3]), convSignal([1]), p).data == expected)
    }

    @Test func reflectPaddingInTwoDimensions() throws {
        // [[1,2],[3,4]] reflect-padded by 1 → [[4,3,4,3],[2,1,2,1],[4,3,4,3],[2,1,2,1]] (torch.nn.ReflectionPad2d).
        let p = Conv2DParams(padding: Padding(1), paddingMode: .reflect)
        let y = try conv(convImage([[1, 2], [3, 4]]), convImage([[1]]), p)
        #expect(y.data == [4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3, 2, 1, 2, 1])
    }

    // MARK: - Backward by hand

    @Test func oneDimensionalSameBackward() throws {
        // x = [1, 2, 3], k = [1, 1, 1], same (padded [0, 1, 2, 3, 0]), dY = [1, 1, 1], bias present.
        // dK[j] = Σ_y dY[y]·x̃[y + j]: dK0 = 0 + 1 + 2 = 3, dK1 = 1 + 2 + 3 = 6, dK2 = 2 + 3 + 0 = 5.
        // dX[h] = number of windows covering h (all weights 1): 2, 3, 2. db = 1 + 1 + 1 = 3.
        var t = Tracer.untraced
        let g = try Conv2D.backward(
            input: convSignal([1, 2, 3]), kernel: convSignal([1, 1, 1]), bias: Tensor(shape: [1], data: [0]),
            params: Conv2DParams(padding: Padding(top: 0, bottom: 0, left: 1, right: 1)),
            gradOutput: convSignal([1, 1, 1]), tracer: &t)
        #expect(g.kernel?.data == [3, 6, 5])
        #expect(g.input.data == [2, 3, 2])
        #expect(g.bias?.data == [3])
    }

    @Test(arguments: [
        // x = [1, 2, 3], 1×1 kernel [1], padding 1 each side, dY = 1 everywhere (5 outputs):
        (PaddingMode.zeros, [1.0, 1, 1], 6.0),  // reads [0,1,2,3,0]: each cell once; dK = 0+1+2+3+0
        (.reflect, [1, 3, 1], 10),              // reads [2,1,2,3,2]: cell 1 three times; dK = 10
        (.replicate, [2, 1, 2], 10),            // reads [1,1,2,3,3]; dK = 10
        (.circular, [2, 1, 2], 10),             // reads [3,1,2,3,1]; dK = 10
    ])
    func paddingReadsRouteTheirGradientToTheSourceCell(mode: PaddingMode, dX: [Double], dK: Double) throws {
        var t = Tracer.untraced
        let g = try Conv2D.backward(
            input: convSignal([1, 2, 3]), kernel: convSignal([1]), bias: nil,
            params: Conv2DParams(padding: Padding(top: 0, bottom: 0, left: 1, right: 1), paddingMode: mode),
            gradOutput: convSignal([1, 1, 1, 1, 1]), tracer: &t)
        #expect(g.input.data == dX)
        #expect(g.kernel?.data == [dK])
        #expect(g.bias == nil)
    }

    // MARK: - Agreement with the plain reference implementation

    @Test(arguments: PaddingMode.allCases)
    func agreesWithReference(mode: PaddingMode) throws {
        var rng = SeededRandom(seed: 0xC0FFEE &+ UInt64(mode.rawValue.count))
        for _ in 0..<40 {
            let c = ConvCase.random(&rng, mode: mode)
            var t = Tracer.untraced
            let y = try Conv2D.forward(input: c.input, kernel: c.kernel, bias: c.bias, params: c.params, tracer: &t)
            let yRef = try Conv2DReference.forward(input: c.input, kernel: c.kernel, bias: c.bias, params: c.params)
            #expect(convRelativeError(y, yRef) <= 1e-12, "\(c)")
            let dY = rng.tensor(y.shape)
            let g = try Conv2D.backward(input: c.input, kernel: c.kernel, bias: c.bias, params: c.params,
                                        gradOutput: dY, tracer: &t)
            let gRef = try Conv2DReference.backward(input: c.input, kernel: c.kernel, bias: c.bias,
                                                    params: c.params, gradOutput: dY)
            #expect(convRelativeError(g.input, gRef.input) <= 1e-12, "\(c)")
            #expect(convRelativeError(g.kernel!, gRef.kernel!) <= 1e-12, "\(c)")
            if let b = g.bias, let bRef = gRef.bias { #expect(convRelativeError(b, bRef) <= 1e-12, "\(c)") }
            #expect((g.bias == nil) == (c.bias == nil))
        }
    }

    // MARK: - Refusals with actionable messages

    @Test func channelMismatch() {
        let message = engineErrorMessage {
            _ = try conv(Tensor(shape: [1, 3, 4, 4]), Tensor(shape: [4, 2, 3, 3]))
        }
        #expect(message?.contains("input has 3 channels but the kernel expects 2 (kernel shape K×C×Fh×Fw = 4×2×3×3") == true)
    }

    @Test func kernelLargerThanPaddedInput() {
        let message = engineErrorMessage { _ = try conv(Tensor(shape: [1, 1, 2, 5]), Tensor(shape: [1, 1, 3, 3])) }
        #expect(message?.contains("kernel height is larger than the padded input") == true)
        #expect(message?.contains("2 + 0 + 0 = 2") == true)
        #expect(message?.contains("at least 1") == true)
        // Dilation makes the kernel cover d·(F−1)+1 = 2·2 + 1 = 5 > 4.
        let dilated = engineErrorMessage {
            _ = try conv(Tensor(shape: [1, 1, 4, 4]), Tensor(shape: [1, 1, 3, 3]), Conv2DParams(dilation: Pair(2)))
        }
        #expect(dilated?.contains("d·(F−1)+1 = 2·(3 − 1) + 1 = 5") == true)
    }

    @Test func badParameters() {
        let x = Tensor(shape: [1, 1, 4, 4]), k = Tensor(shape: [1, 1, 2, 2])
        #expect(engineErrorMessage { _ = try conv(x, k, Conv2DParams(stride: Pair(0, 1))) }?
            .contains("stride must be at least 1, got 0") == true)
        #expect(engineErrorMessage { _ = try conv(x, k, Conv2DParams(dilation: Pair(1, 0))) }?
            .contains("dilation must be at least 1, got 0 (width)") == true)
        #expect(engineErrorMessage { _ = try conv(x, k, Conv2DParams(padding: Padding(top: -1, bottom: 0, left: 0, right: 0))) }?
            .contains("padding must not be negative") == true)
        #expect(engineErrorMessage { _ = try conv(x, Tensor(shape: [1, 1, 2])) }?
            .contains("the kernel must be K×C×Fh×Fw") == true)
        #expect(engineErrorMessage { _ = try conv(x, k, bias: Tensor(shape: [2])) }?
            .contains("one value per filter, 1") == true)
    }

    @Test func paddingTheModeCannotSupply() {
        let x = Tensor(shape: [1, 1, 3, 3]), k = Tensor(shape: [1, 1, 1, 1])
        let reflect = engineErrorMessage {
            _ = try conv(x, k, Conv2DParams(padding: Padding(3), paddingMode: .reflect))
        }
        #expect(reflect?.contains("reflect needs each padding to be smaller than the input height (3)") == true)
        #expect(engineErrorMessage { _ = try conv(x, k, Conv2DParams(padding: Padding(2), paddingMode: .reflect)) } == nil)
        #expect(engineErrorMessage { _ = try conv(x, k, Conv2DParams(padding: Padding(4), paddingMode: .circular)) }?
            .contains("circular wraps around at most once") == true)
        #expect(engineErrorMessage { _ = try conv(x, k, Conv2DParams(padding: Padding(3), paddingMode: .circular)) } == nil)
        #expect(engineErrorMessage { _ = try conv(x, k, Conv2DParams(padding: Padding(9), paddingMode: .replicate)) } == nil)
    }

    @Test func sameWithStrideTwo() {
        let message = engineErrorMessage {
            _ = try PaddingSpec.same.resolve(kernel: Pair(3), dilation: Pair(1), stride: Pair(2))
        }
        #expect(message?.contains("same is only defined for stride 1") == true)
        #expect(engineErrorMessage {
            _ = try PaddingSpec.explicit(Padding(-1)).resolve(kernel: Pair(3), dilation: Pair(1), stride: Pair(1))
        }?.contains("must not be negative") == true)
    }

    @Test func hugePaddingIsRefusedBeforeAllocating() {
        let message = engineErrorMessage {
            _ = try conv(Tensor(shape: [1, 1, 2, 2]), Tensor(shape: [1, 1, 1, 1]), Conv2DParams(padding: Padding(1 << 20)))
        }
        #expect(message?.contains("refusing before allocating") == true)
        let overflow = engineErrorMessage {
            _ = try conv(Tensor(shape: [1, 1, 2, 2]), Tensor(shape: [1, 1, 1, 1]), Conv2DParams(padding: Padding(Int.max / 2)))
        }
        #expect(overflow != nil)
        // A tall thin output under the element limit still may not exceed 2^24 cells on one axis; a padding
        // of 2^25 is refused even earlier, by the 2^20 bound on every size operand (OutputSize.maxExtent).
        let tall = engineErrorMessage {
            _ = try conv(Tensor(shape: [1, 1, 1, 1]), Tensor(shape: [1, 1, 1, 1]),
                         Conv2DParams(padding: Padding(top: 1 << 25, bottom: 0, left: 0, right: 0)))
        }
        #expect(tall?.contains("must be at most 1048576 (2^20, the largest size convtrace computes with), got 33554432") == true)
    }

    @Test func gradOutputOfTheWrongShape() {
        var t = Tracer.untraced
        let message = engineErrorMessage {
            _ = try Conv2D.backward(input: Tensor(shape: [1, 1, 3, 3]), kernel: Tensor(shape: [1, 1, 2, 2]), bias: nil,
                                    params: Conv2DParams(), gradOutput: Tensor(shape: [1, 1, 3, 3]), tracer: &t)
        }
        #expect(message?.contains("N×K×Ho×Wo = 1×1×2×2, got 1×1×3×3") == true)
    }
}
