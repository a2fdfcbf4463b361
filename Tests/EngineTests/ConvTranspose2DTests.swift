// EngineTests — conv_transpose2d by hand (working in comments), as conv2d's input gradient, and its refusals.
import Testing
@testable import Engine

@Suite struct ConvTranspose2DTests {
    func convT(_ x: Tensor, _ w: Tensor, bias: Tensor? = nil, _ p: ConvTranspose2DParams = ConvTranspose2DParams()) throws -> Tensor {
        var t = Tracer.untraced
        return try ConvTranspose2D.forward(input: x, weight: w, bias: bias, params: p, tracer: &t)
    }

    @Test func scatterStrideOne() throws {
        // Each input value stamps v·W (W = ones 2×2) at its own position; overlaps add:
        // [[1, 1+2, 2], [1+3, 1+2+3+4, 2+4], [3, 3+4, 4]] = [[1,3,2],[4,10,6],[3,7,4]].
        let y = try convT(convImage([[1, 2], [3, 4]]), convImage([[1, 1], [1, 1]]))
        #expect(y.shape == [1, 1, 3, 3])
        #expect(y.data == [1, 3, 2, 4, 10, 6, 3, 7, 4])
    }

    @Test func scatterStrideTwoPaddingAndOutputPadding() throws {
        // Stride 2 places the stamps v·[[1,2],[3,4]] side by side: Ho = (2 − 1)·2 − 0 + 1·(2 − 1) + 0 + 1 = 4.
        // rows: [1,2 | 2,4], [3,4 | 6,8], [3,6 | 4,8], [9,12 | 12,16].
        let x = convImage([[1, 2], [3, 4]]), w = convImage([[1, 2], [3, 4]])
        let y = try convT(x, w, ConvTranspose2DParams(stride: Pair(2)))
        #expect(y.data == [1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16])
        // padding 1 crops one row/column on every side: Ho = 2 − 2 + 1 + 0 + 1 = 2 → [[4, 6], [6, 4]].
        let cropped = try convT(x, w, ConvTranspose2DParams(stride: Pair(2), padding: Pair(1)))
        #expect(cropped.data == [4, 6, 6, 4])
        // output_padding 1 adds a bottom row and right column no stamp reaches: Ho = 5; the bias fills them.
        let grown = try convT(x, w, bias: Tensor(shape: [1], data: [0.5]),
                              ConvTranspose2DParams(stride: Pair(2), outputPadding: Pair(1)))
        #expect(grown.shape == [1, 1, 5, 5])
        #expect(grown[0, 0, 4, 4] == 0.5 && grown[0, 0, 4, 0] == 0.5 && grown[0, 0, 0, 4] == 0.5)
        #expect(grown[0, 0, 3, 3] == 16.5)
    }

    @Test func dilation() throws {
        // x = [1, 2], w = [1, 10] dilated by 2: x0 lands at 0 (·1) and 2 (·10), x1 at 1 and 3:
        // Wo = (2 − 1)·1 + 2·(2 − 1) + 1 = 4 → [1, 2, 10, 20].
        let y = try convT(convSignal([1, 2]), convSignal([1, 10]), ConvTranspose2DParams(dilation: Pair(1, 2)))
        #expect(y.data == [1, 2, 10, 20])
    }

    @Test func channels() throws {
        // 2 input channels, 3 output channels, 1×1 weights: out[co] = Σ_ci x[ci]·W[ci, co] + b[co].
        // x = (1, 10) at the single pixel; W[0] = (1, 2, 3), W[1] = (0.5, 0, −1); b = (0, 1, 2)
        // → (1 + 5, 2 + 0 + 1, 3 − 10 + 2) = (6, 3, −5).
        let x = Tensor(shape: [1, 2, 1, 1], data: [1, 10])
        let w = Tensor(shape: [2, 3, 1, 1], data: [1, 2, 3, 0.5, 0, -1])
        let y = try convT(x, w, bias: Tensor(shape: [3], data: [0, 1, 2]))
        #expect(y.shape == [1, 3, 1, 1])
        #expect(y.data == [6, 3, -5])
    }

    /// conv_transpose2d is conv2d's input gradient: with output_padding = the rows conv2d's floor dropped,
    /// convT(dY; K) == ∂conv2d/∂X · dY, and its own input gradient is conv2d(dY'; K).
    @Test func isTheGradientOfConv2d() throws {
        var rng = SeededRandom(seed: 7)
        var checked = 0
        for _ in 0..<200 {
            let c = ConvCase.random(&rng, mode: .zeros)
            let p = c.params
            // PyTorch's transposed conv pads symmetrically: use the top/left padding on both sides.
            let symmetric = Padding(p.padding.top, p.padding.left)
            let conv = Conv2DParams(stride: p.stride, padding: symmetric, dilation: p.dilation)
            guard let g = try? Conv2DGeometry(input: c.input.shape, kernel: c.kernel.shape, bias: nil, params: conv)
            else { continue }
            checked += 1
            var t = Tracer.untraced
            let y = try Conv2D.forward(input: c.input, kernel: c.kernel, bias: nil, params: conv, tracer: &t)
            let tp = ConvTranspose2DParams(
                stride: p.stride, padding: Pair(p.padding.top, p.padding.left),
                outputPadding: Pair(g.heightSize.span % p.stride.y, g.widthSize.span % p.stride.x), dilation: p.dilation)
            let dY = rng.tensor(y.shape)
            let viaConv = try Conv2D.backward(input: c.input, kernel: c.kernel, bias: nil, params: conv,
                                              gradOutput: dY, tracer: &t)
            // Ho' = (Ho − 1)·s − 2p + d·(F − 1) + output_padding + 1 = H by the choice of output_padding.
            let viaT = try convT(dY, c.kernel, tp)
            #expect(viaT.shape == c.input.shape)
            #expect(convRelativeError(viaT, viaConv.input) <= 1e-12, "\(c)")
            // Backward of the transposed conv: dX' = conv2d(dY'; K), dW' = conv2d's dK with the roles swapped.
            let dYt = rng.tensor(viaT.shape)
            let gt = try ConvTranspose2D.backward(input: dY, weight: c.kernel, bias: nil, params: tp,
                                                  gradOutput: dYt, tracer: &t)
            let dXt = try Conv2D.forward(input: dYt, kernel: c.kernel, bias: nil, params: conv, tracer: &t)
            #expect(convRelativeError(gt.input, dXt) <= 1e-12, "\(c)")
            let swapped = try Conv2D.backward(input: dYt, kernel: c.kernel, bias: nil, params: conv,
                                              gradOutput: dY, tracer: &t)
            #expect(convRelativeError(gt.kernel!, swapped.kernel!) <= 1e-12, "\(c)")
        }
        #expect(checked >= 100)
    }

    @Test func biasGradientSumsEveryOutputCell() throws {
        // db[co] = Σ dY[n, co, ·, ·]: dY = ones on a 3×3 output → 9; dX for ones weights 2×2 = 4 per input cell.
        var t = Tracer.untraced
        let g = try ConvTranspose2D.backward(
            input: convImage([[1, 2], [3, 4]]), weight: convImage([[1, 1], [1, 1]]), bias: Tensor(shape: [1], data: [0]),
            params: ConvTranspose2DParams(), gradOutput: Tensor(shape: [1, 1, 3, 3], repeating: 1), tracer: &t)
        #expect(g.bias?.data == [9])
        #expect(g.input.data == [4, 4, 4, 4])
        // dW[i, j] = Σ_{h,w} x[h, w] = 10 for every weight cell (every stamp lands inside).
        #expect(g.kernel?.data == [10, 10, 10, 10])
    }

    @Test func refusals() {
        let x = Tensor(shape: [1, 2, 3, 3]), w = Tensor(shape: [2, 1, 3, 3])
        #expect(engineErrorMessage { _ = try convT(x, w, ConvTranspose2DParams(stride: Pair(2), outputPadding: Pair(2))) }?
            .contains("output_padding (height) must be smaller than the stride or the dilation") == true)
        #expect(engineErrorMessage { _ = try convT(x, w, ConvTranspose2DParams(stride: Pair(1), outputPadding: Pair(0, 1), dilation: Pair(2))) } == nil)
        #expect(engineErrorMessage { _ = try convT(Tensor(shape: [1, 3, 3, 3]), w) }?
            .contains("input has 3 channels but the weight expects 2") == true)
        #expect(engineErrorMessage { _ = try convT(x, w, ConvTranspose2DParams(stride: Pair(0))) }?
            .contains("stride must be at least 1") == true)
        #expect(engineErrorMessage { _ = try convT(x, w, ConvTranspose2DParams(padding: Pair(-1))) }?
            .contains("padding must not be negative") == true)
        #expect(engineErrorMessage { _ = try convT(x, w, ConvTranspose2DParams(padding: Pair(4))) }?
            .contains("less than 1") == true)
        #expect(engineErrorMessage { _ = try convT(x, w, bias: Tensor(shape: [2])) }?
            .contains("one value per output channel, 1") == true)
    }
}
