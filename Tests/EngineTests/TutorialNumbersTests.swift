// EngineTests — every number the five tutorials state about conv, padding, stride, output size, pooling,
// receptive field and gradients, pinned with the tutorials' own values (wrong ones pinned at the correct value).
//
// Tutorials: `../shared/tutorials/` beside the repository. Claim ids (BP-4, CN-5, …) are those of the claims
// list the errata in Lessons/errata/ were written from; each test's comment cites the file and section, and
// for a WRONG claim says what the tutorial printed and works the right value out by hand.
// Tolerance: exact equality where every number is a small integer or a binary fraction (exact in float64),
// otherwise 1e-12 absolute on values of order 1.
import Foundation
import Testing
@testable import Engine

/// Helpers shared by the tutorial suites (a namespace, so nothing clashes with other test files).
enum TN {
    static let tolerance = 1e-12

    /// A 1-D signal as 1×1×1×W.
    static func signal(_ v: [Double]) -> Tensor { Tensor(shape: [1, 1, 1, v.count], data: v) }
    /// An H×W image as 1×1×H×W.
    static func image(_ rows: [[Double]]) -> Tensor {
        Tensor(shape: [1, 1, rows.count, rows[0].count], data: rows.flatMap { $0 })
    }
    /// A single-filter kernel from rows, 1×1×Fh×Fw.
    static func kernel(_ rows: [[Double]]) -> Tensor { image(rows) }
    /// The H×W plane (n, c) of a rank-4 tensor as rows.
    static func rows(_ t: Tensor, n: Int = 0, c: Int = 0) -> [[Double]] {
        (0..<t.shape[2]).map { y in (0..<t.shape[3]).map { x in t[n, c, y, x] } }
    }
    /// Row 0 of plane (0, 0): a 1-D result.
    static func line(_ t: Tensor) -> [Double] { rows(t)[0] }

    static func conv(
        _ x: Tensor, _ k: Tensor, bias: Tensor? = nil, stride: Pair = Pair(1), padding: Padding = .zero,
        mode: PaddingMode = .zeros, dilation: Pair = Pair(1), flip: Bool = false
    ) throws -> Tensor {
        var tracer = Tracer.untraced
        return try Conv2D.forward(
            input: x, kernel: k, bias: bias,
            params: Conv2DParams(stride: stride, padding: padding, paddingMode: mode, dilation: dilation, flip: flip),
            tracer: &tracer)
    }

    static func convBackward(
        _ x: Tensor, _ k: Tensor, bias: Tensor? = nil, gradOutput: Tensor, stride: Pair = Pair(1),
        padding: Padding = .zero, flip: Bool = false
    ) throws -> LayerGradients {
        var tracer = Tracer.untraced
        return try Conv2D.backward(
            input: x, kernel: k, bias: bias, params: Conv2DParams(stride: stride, padding: padding, flip: flip),
            gradOutput: gradOutput, tracer: &tracer)
    }

    /// 1-D padding: `left` zeros before, `right` after (width axis only).
    static func pad1D(_ left: Int, _ right: Int) -> Padding { Padding(top: 0, bottom: 0, left: left, right: right) }

    static func maxPool(_ x: Tensor, _ k: Int, stride: Int? = nil) throws -> Tensor {
        var tracer = Tracer.untraced
        return try MaxPool2D.forward(input: x, params: Pool2DParams(kernelSize: Pair(k), stride: stride.map { Pair($0) }),
                                     tracer: &tracer)
    }

    static func avgPool(_ x: Tensor, _ k: Int, stride: Int? = nil) throws -> Tensor {
        var tracer = Tracer.untraced
        return try AvgPool2D.forward(input: x, params: Pool2DParams(kernelSize: Pair(k), stride: stride.map { Pair($0) }),
                                     tracer: &tracer)
    }

    /// Output extent of a convolution along one axis (the engine's shape arithmetic).
    static func convSize(_ n: Int, k: Int, s: Int = 1, p: Int = 0, d: Int = 1) throws -> Int {
        try OutputSize.convolution(input: n, kernel: k, stride: s, padding: (p, p), dilation: d).value
    }

    static func poolSize(_ n: Int, k: Int, s: Int, p: Int = 0) throws -> Int {
        try OutputSize.pooling(input: n, kernel: k, stride: s, padding: p).value
    }

    /// The input cells (row, column) whose gradient is non-zero when one output cell of `network` gets dY = 1:
    /// the receptive field measured by backpropagation rather than by the formula.
    static func measuredField(_ network: Network, input: Tensor, at y: Int, _ x: Int) throws -> (height: Int, width: Int) {
        var tracer = Tracer.untraced
        let forward = try network.run(input: input, tracer: &tracer)
        var dY = Tensor(shape: forward.output.shape)
        dY[0, 0, y, x] = 1
        let result = try network.run(input: input, gradOutput: dY, tracer: &tracer)
        let dX = try #require(result.gradients?.first?.input)
        var rowsHit = Set<Int>(), colsHit = Set<Int>()
        for r in 0..<dX.shape[2] {
            for c in 0..<dX.shape[3] where dX[0, 0, r, c] != 0 {
                rowsHit.insert(r)
                colsHit.insert(c)
            }
        }
        let height = (rowsHit.max() ?? -1) - (rowsHit.min() ?? 0) + 1
        let width = (colsHit.max() ?? -1) - (colsHit.min() ?? 0) + 1
        return (height, width)
    }

    /// A conv layer with an all-ones K=1, C=1 kernel (so every path carries a positive gradient).
    static func onesConv(_ k: Int, stride: Int = 1) -> Layer {
        .conv2d(Conv2DParams(stride: Pair(stride)), kernel: Tensor(shape: [1, 1, k, k], repeating: 1), bias: nil)
    }

    static func close(_ a: [Double], _ b: [Double], tolerance: Double = TN.tolerance) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// Number of parameters of a conv layer (weights K·C·F·F plus K biases).
    static func convParams(_ c: Int, _ k: Int, _ f: Int, bias: Bool = true) -> Int { k * c * f * f + (bias ? k : 0) }
    /// Number of parameters of a linear layer (out·in weights plus out biases).
    static func linearParams(_ i: Int, _ o: Int) -> Int { o * i + o }
}

// MARK: - cnn-basics-backprop.md

@Suite("cnn-basics-backprop.md") struct CNNBasicsBackpropNumbers {
    /// BP-1, "Filters": the "45 deg edge filter" [[−1,−1,2],[−1,2,1],[2,1,1]] gives a high response on the
    /// same shape (Σk² = 1+1+4+1+4+1+4+1+1 = 18) and a negative one on the opposite shape (−18).
    /// It is not zero-sum: a flat patch of ones gives Σk = 6.
    @Test func edgeFilterResponses() throws {
        let e: [[Double]] = [[-1, -1, 2], [-1, 2, 1], [2, 1, 1]]
        let k = TN.kernel(e)
        #expect(TN.line(try TN.conv(TN.image(e), k)) == [18])
        #expect(TN.line(try TN.conv(TN.image(e.map { $0.map { -$0 } }), k)) == [-18])
        #expect(TN.line(try TN.conv(TN.image([[1, 1, 1], [1, 1, 1], [1, 1, 1]]), k)) == [6])
    }

    /// BP-2, "Cross Correlation vs Convolution": convolution flips [[1,2],[3,4]] to [[4,3],[2,1]].
    @Test func convolutionFlipsTheKernel() throws {
        let x = TN.image([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let k = TN.kernel([[1, 2], [3, 4]])
        let flipped = TN.kernel([[4, 3], [2, 1]])
        // True convolution with K = cross-correlation with K rotated 180°.
        #expect(try TN.conv(x, k, flip: true) == TN.conv(x, flipped))
        // [[1·4+2·3+4·2+5·1, …]] = [[23, 33], [53, 63]].
        #expect(TN.rows(try TN.conv(x, k, flip: true)) == [[23, 33], [53, 63]])
        // A single 1 with full padding prints the kernel as each operation sees it.
        let impulse = TN.image([[1]])
        let full = Padding(1)
        #expect(TN.rows(try TN.conv(impulse, k, padding: full)) == [[4, 3], [2, 1]])
        #expect(TN.rows(try TN.conv(impulse, k, padding: full, flip: true)) == [[1, 2], [3, 4]])
    }

    /// BP-3, same section: impulse response [1,2,3], impulse [1,0,0] at t1..t3 → [1,2,3] only with the flip.
    @Test func causalSystemNeedsTheFlip() throws {
        let impulse = TN.signal([1, 0, 0])
        let h = TN.signal([1, 2, 3])
        let causal = TN.pad1D(2, 0)  // two zeros before t1: the output at t depends on t and earlier only
        #expect(TN.line(try TN.conv(impulse, h, padding: causal, flip: true)) == [1, 2, 3])
        #expect(TN.line(try TN.conv(impulse, h, padding: causal)) == [3, 2, 1])
        #expect(TN.line(try TN.conv(impulse, h, padding: TN.pad1D(2, 2), flip: true)) == [1, 2, 3, 0, 0])
    }

    /// BP-4, same section — WRONG. The tutorial says flipping the slope detector [1,0] on [3,2,1,0] gives
    /// "negative responses". By hand: [1,0] → [3·1+2·0, 2, 1] = [3,2,1]; flipped [0,1] → [2,1,0]: no
    /// negative value. A difference kernel shows the effect the text means: [1,−1] → [1,1,1], flipped → [−1,−1,−1].
    @Test func slopeDetectorFlip() throws {
        let slope = TN.signal([3, 2, 1, 0])
        #expect(TN.line(try TN.conv(slope, TN.signal([1, 0]))) == [3, 2, 1])
        let flipped = TN.line(try TN.conv(slope, TN.signal([1, 0]), flip: true))
        #expect(flipped == [2, 1, 0])
        #expect(flipped.allSatisfy { $0 >= 0 }, "the tutorial claims negative responses here")
        #expect(TN.line(try TN.conv(slope, TN.signal([1, -1]))) == [1, 1, 1])
        #expect(TN.line(try TN.conv(slope, TN.signal([1, -1]), flip: true)) == [-1, -1, -1])
    }

    /// BP-5, "Padding": (n + 2p − f)/s + 1, floored when the division is not exact (n=6, f=3, s=2: 2.5 → 2).
    @Test func paddingFormulaFloors() throws {
        let s = try OutputSize.convolution(input: 6, kernel: 3, stride: 2)
        #expect(s.value == 2)
        #expect(!s.isExact)
        let y = try TN.conv(TN.signal([1, 2, 3, 4, 5, 6]), TN.signal([1, 1, 1]), stride: Pair(1, 2))
        #expect(TN.line(y) == [6, 12])  // windows at 0 and 2; the last column (6) is never read
        #expect(try TN.convSize(5, k: 3, s: 2, p: 1) == 3)  // (5 + 2 − 3)/2 + 1
    }

    /// BP-6, BP-7, BP-8, "Padding": valid [1,2,3]∗[1,1,1] → [6]; same → [3,6,5]; full → [1,3,6,5,3].
    @Test func validSameFull() throws {
        let x = TN.signal([1, 2, 3]), k = TN.signal([1, 1, 1])
        let same = try PaddingSpec.same.resolve(kernel: Pair(1, 3), dilation: Pair(1), stride: Pair(1))
        let full = try PaddingSpec.full.resolve(kernel: Pair(1, 3), dilation: Pair(1), stride: Pair(1))
        #expect(same == TN.pad1D(1, 1))
        #expect(full == TN.pad1D(2, 2))
        #expect(TN.line(try TN.conv(x, k)) == [6])
        #expect(TN.line(try TN.conv(x, k, padding: same)) == [3, 6, 5])  // 0+1+2, 1+2+3, 2+3+0
        #expect(TN.line(try TN.conv(x, k, padding: full)) == [1, 3, 6, 5, 3])  // 5 windows over [0,0,1,2,3,0,0]
    }

    /// BP-8, "Padding" ('full'): "each pixel in input touches the kernel the same number of times".
    /// With dY = ones, dX counts the touches: full [3,3,3]; same [2,3,2]; valid [1,1,1].
    @Test func fullPaddingTouchesEveryPixelEqually() throws {
        let x = TN.signal([1, 2, 3]), k = TN.signal([1, 1, 1])
        let full = try TN.convBackward(x, k, gradOutput: TN.signal([1, 1, 1, 1, 1]), padding: TN.pad1D(2, 2))
        #expect(TN.line(full.input) == [3, 3, 3])
        let same = try TN.convBackward(x, k, gradOutput: TN.signal([1, 1, 1]), padding: TN.pad1D(1, 1))
        #expect(TN.line(same.input) == [2, 3, 2])
        let valid = try TN.convBackward(x, k, gradOutput: TN.signal([1]))
        #expect(TN.line(valid.input) == [1, 1, 1])
    }

    /// BP-9, "Pooling › Example": 2×2 max pool, stride 2 on the 4×4 image → [[6,8],[9,5]].
    /// Not printed, pinned as checks on the same image: average pool (15/4, 21/4, 15/4, 10/4) and global max 9.
    @Test func poolingExample() throws {
        let x = TN.image([[1, 3, 2, 4], [5, 6, 7, 8], [9, 2, 3, 1], [4, 0, 1, 5]])
        #expect(TN.rows(try TN.maxPool(x, 2, stride: 2)) == [[6, 8], [9, 5]])
        #expect(TN.rows(try TN.avgPool(x, 2)) == [[3.75, 5.25], [3.75, 2.5]])
        var tracer = Tracer.untraced
        #expect(try GlobalMaxPool.forward(input: x, tracer: &tracer).data == [9])
    }

    /// BP-10, BP-11, "Example CNN Layer": 3 input channels, 4 output channels → 3 × 4 = 12 kernels;
    /// the bias is one number per output channel, added to the whole map.
    @Test func threeChannelsInFourOut() throws {
        var rng = SeededRandom(seed: 129)
        let x = Tensor(shape: [1, 3, 5, 5], data: (0..<75).map { _ in Double(rng.int(-3...3)) })
        let k = Tensor(shape: [4, 3, 3, 3], data: (0..<108).map { _ in Double(rng.int(-2...2)) })
        #expect(k.count / (3 * 3) == 12)  // 12 two-dimensional 3×3 kernels
        let bias = Tensor(shape: [4], data: [10, 20, 30, 40])
        let y = try TN.conv(x, k, bias: bias)
        #expect(y.shape == [1, 4, 3, 3])
        let y0 = try TN.conv(x, k)
        for c in 0..<4 {
            for i in 0..<9 { #expect(y.data[c * 9 + i] - y0.data[c * 9 + i] == bias.data[c]) }
        }
    }

    /// BP-12, "Example CNN Network", step 1: 32×32×1, 3×3 conv with 2 filters, stride 1, no padding →
    /// 30×30×2 (right). Step 1.3 — WRONG: the tutorial prints "2x2 window size, stride =1 … outputs
    /// 15x15x2"; stride 1 gives (30 − 2)/1 + 1 = 29, so 29×29×2. 15×15×2 needs stride 2: (30 − 2)/2 + 1 = 15.
    @Test func exampleNetworkFirstLayer() throws {
        let x = Tensor(shape: [1, 1, 32, 32], repeating: 1)
        let y = try TN.conv(x, Tensor(shape: [2, 1, 3, 3], repeating: 1))
        #expect(y.shape == [1, 2, 30, 30])
        #expect(try TN.maxPool(y, 2, stride: 1).shape == [1, 2, 29, 29])
        #expect(try TN.maxPool(y, 2, stride: 2).shape == [1, 2, 15, 15])
    }

    /// BP-13, step 2 — WRONG: 4 filters 3×3×2, stride 1, "padding of 2 (so input and output layer size
    /// are the same)". By hand (15 + 2·2 − 3)/1 + 1 = 17, so 17×17×4; the same size needs padding 1:
    /// (15 + 2·1 − 3)/1 + 1 = 15. Each filter reads both channels (C = 2 macs per kernel cell).
    @Test func exampleNetworkSecondLayerPadding() throws {
        let x = Tensor(shape: [1, 2, 15, 15], repeating: 1)
        let k = Tensor(shape: [4, 2, 3, 3], repeating: 1)
        #expect(try TN.conv(x, k, padding: Padding(2)).shape == [1, 4, 17, 17])
        #expect(try TN.conv(x, k, padding: Padding(1)).shape == [1, 4, 15, 15])
        // Interior cell: 2 channels × 9 ones = 18 (both channels summed into one output).
        #expect(try TN.conv(x, k, padding: Padding(1))[0, 0, 7, 7] == 18)
    }

    /// BP-14, step 3 — WRONG as a description of the network: it flattens 15×15×4 → 900, but step 2 ends
    /// "→ activation function → pooling layer". With padding 1 and a 2×2 stride-2 pool: 15 → ⌊(15−2)/2⌋+1 = 7,
    /// 7·7·4 = 196; with the printed padding 2: 17 → 8, 8·8·4 = 256. (15·15·4 = 900 only without that pool.)
    @Test func exampleNetworkFlattenSize() throws {
        func flattened(padding: Int, pool: Bool) throws -> Int {
            var layers: [Layer] = [
                .conv2d(Conv2DParams(), kernel: Tensor(shape: [2, 1, 3, 3], repeating: 0.1), bias: nil),
                .relu,
                .maxPool2d(Pool2DParams(kernelSize: Pair(2))),
                .conv2d(Conv2DParams(padding: Padding(padding)), kernel: Tensor(shape: [4, 2, 3, 3], repeating: 0.1), bias: nil),
                .relu,
            ]
            if pool { layers.append(.maxPool2d(Pool2DParams(kernelSize: Pair(2)))) }
            layers.append(.flatten)
            var tracer = Tracer.untraced
            let out = try Network(layers: layers).run(input: Tensor(shape: [1, 1, 32, 32], repeating: 1), tracer: &tracer)
            return out.output.shape[1]
        }
        #expect(try flattened(padding: 1, pool: true) == 196)
        #expect(try flattened(padding: 2, pool: true) == 256)
        #expect(try flattened(padding: 1, pool: false) == 900)
    }

    /// A 3×3 input x_{ij} = 10·i + j (1-based, so x11 = 11 … x33 = 33), a 2×2 kernel and dY with distinct values,
    /// for the "Theories" formulas (BP-15 … BP-17).
    static let x3 = TN.image([[11, 12, 13], [21, 22, 23], [31, 32, 33]])
    static let k2 = TN.kernel([[2, 3], [5, 7]])
    static let dY2 = TN.image([[1, 10], [100, 1000]])

    /// BP-15, "Theories › How does back propagation on a kernel K work?": y11 = x11k11 + x12k12 + …,
    /// y12 = x12k11 + x13k12 + …, y21 = x21k11 + x22k12 + … (cross-correlation, stride 1).
    @Test func outputExpansion() throws {
        let y = TN.rows(try TN.conv(Self.x3, Self.k2))
        let y11: Double = 11 * 2 + 12 * 3 + 21 * 5 + 22 * 7
        let y12: Double = 12 * 2 + 13 * 3 + 22 * 5 + 23 * 7
        let y21: Double = 21 * 2 + 22 * 3 + 31 * 5 + 32 * 7
        #expect(y[0][0] == y11)
        #expect(y[0][1] == y12)
        #expect(y[1][0] == y21)
    }

    /// BP-16, same section: ∂J/∂x11 = ∂J/∂y11·k11; ∂J/∂x12 = ∂J/∂y11·k12 + ∂J/∂y12·k11 (right).
    @Test func inputGradientFirstRow() throws {
        let g = try TN.convBackward(Self.x3, Self.k2, gradOutput: Self.dY2)
        let dX = TN.rows(g.input)
        let dx11: Double = 1 * 2, dx12: Double = 1 * 3 + 10 * 2
        #expect(dX[0][0] == dx11)
        #expect(dX[0][1] == dx12)
    }

    /// BP-17, same section: ∂J/∂k11 = Σ dy·x over (y11,x11), (y12,x12), (y21,x21), (y22,x22);
    /// ∂J/∂k12 over (y11,x12), (y12,x13), (y21,x22), (y22,x23) — the cross-correlation x ⋆ ∂J/∂y (right).
    @Test func kernelGradientIsCrossCorrelation() throws {
        let g = try TN.convBackward(Self.x3, Self.k2, bias: Tensor(shape: [1], data: [0]), gradOutput: Self.dY2)
        let dK = TN.rows(try #require(g.kernel))
        let dk11: Double = 1 * 11 + 10 * 12 + 100 * 21 + 1000 * 22
        let dk12: Double = 1 * 12 + 10 * 13 + 100 * 22 + 1000 * 23
        #expect(dK[0][0] == dk11)
        #expect(dK[0][1] == dk12)
        #expect(try #require(g.kernel) == TN.conv(Self.x3, Self.dY2))  // x ⋆ dY, valid
    }

    /// BP-18, same section — WRONG last term. The tutorial prints
    /// ∂J/∂x13 = ∂J/∂y11·k13 + ∂J/∂y12·k12 + ∂J/∂y12·k11; x13 is read by y11 (through k13), y12 (k12) and
    /// y13 (k11), so the last term is ∂J/∂y13·k11. With a 1×3 kernel [2,3,5] on a 1×5 row and dY = [1,10,100]:
    /// right 1·5 + 10·3 + 100·2 = 235; the printed formula would give 1·5 + 10·3 + 10·2 = 55.
    /// The "input gradient is the full convolution k ⊛ ∂J/∂y" statement is right.
    @Test func inputGradientThirdCell() throws {
        let x = TN.signal([1, 2, 3, 4, 5]), k = TN.signal([2, 3, 5]), dY = TN.signal([1, 10, 100])
        let g = try TN.convBackward(x, k, gradOutput: dY)
        #expect(TN.line(g.input)[2] == 235)
        #expect(TN.line(g.input)[2] != 55)
        // The whole dX is dY fully convolved with k: [1·2, 1·3 + 10·2, 235, 10·5 + 100·3, 100·5].
        #expect(g.input == (try TN.conv(dY, k, padding: TN.pad1D(2, 2), flip: true)))
        #expect(TN.line(g.input) == [2, 23, 235, 350, 500])
    }

    /// BP-19, "Theories", bias gradient — WRONG: "the sum across all channels, Σ_c ∂J/∂y_c". The bias of output
    /// channel k gets the sum of ∂J/∂y over that channel's own positions (and the batch): Σ_{n,y,x} dY[n,k,y,x].
    /// Here dY channel 0 = [[1,2],[3,4]] → 10, channel 1 = [[10,20],[30,40]] → 100; a sum across channels
    /// would give 11, 22, 33, 44 per position, or 110 for both.
    @Test func biasGradientPerChannel() throws {
        let x = Tensor(shape: [1, 1, 3, 3], data: (1...9).map(Double.init))
        let k = Tensor(shape: [2, 1, 2, 2], repeating: 1)
        let dY = Tensor(shape: [1, 2, 2, 2], data: [1, 2, 3, 4, 10, 20, 30, 40])
        let g = try TN.convBackward(x, k, bias: Tensor(shape: [2], data: [0, 0]), gradOutput: dY)
        #expect(g.bias?.data == [10, 100])
    }

    /// BP-20, "Implementation": input gradient = convolve2d(dY, K, 'full') then the padding cropped
    /// ("consistent with pytorch"); kernel gradient = correlate2d(X_padded, dY, 'valid') (right, stride 1).
    @Test func implementationMatchesEngine() throws {
        var rng = SeededRandom(seed: 2022)
        let x = Tensor(shape: [1, 1, 4, 5], data: (0..<20).map { _ in Double(rng.int(-3...3)) })
        let k = Tensor(shape: [1, 1, 3, 3], data: (0..<9).map { _ in Double(rng.int(-2...2)) })
        let dY = Tensor(shape: [1, 1, 4, 5], data: (0..<20).map { _ in Double(rng.int(-2...2)) })
        let g = try TN.convBackward(x, k, gradOutput: dY, padding: Padding(1))
        // convolve2d(dY, K, 'full') is 6×7; cropping one cell per side leaves the 4×5 unpadded input.
        let fullConv = try TN.conv(dY, k, padding: Padding(2), flip: true)
        let cropped = (1..<5).map { y in (1..<6).map { x in fullConv[0, 0, y, x] } }
        #expect(TN.rows(g.input) == cropped)
        // correlate2d(X padded by 1, dY, 'valid') is the 3×3 kernel gradient.
        #expect(g.kernel == (try TN.conv(x, dY, padding: Padding(1))))
    }

    /// BP-21, "Implementation", `weights_gradient[o, i] = correlate2d(...)` inside the batch loop — WRONG for
    /// a batch: it keeps only the last sample's term. The kernel gradient of a batch is the SUM of the
    /// per-sample gradients (worked below for two 3×3 samples and dY = ones).
    @Test func kernelGradientSumsOverTheBatch() throws {
        let k = TN.kernel([[1, 0], [0, -1]])
        let a = TN.image([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let b = TN.image([[9, 8, 7], [6, 5, 4], [3, 2, 1]])
        let ones = TN.image([[1, 1], [1, 1]])
        let batch = Tensor(shape: [2, 1, 3, 3], data: a.data + b.data)
        let gBatch = try TN.convBackward(batch, k, gradOutput: Tensor(shape: [2, 1, 2, 2], repeating: 1))
        let gA = try TN.convBackward(a, k, gradOutput: ones), gB = try TN.convBackward(b, k, gradOutput: ones)
        // Sample a: dK = [[1+2+4+5, 2+3+5+6], [4+5+7+8, 5+6+8+9]] = [[12,16],[24,28]]; sample b: [[28,24],[16,12]].
        #expect(gA.kernel?.data == [12, 16, 24, 28])
        #expect(gB.kernel?.data == [28, 24, 16, 12])
        #expect(gBatch.kernel?.data == [40, 40, 40, 40])
        #expect(gBatch.kernel?.data != gB.kernel?.data, "the tutorial's code would return sample b's [28,24,16,12]")
    }

    /// BP-22, "Receptive Field": r_{l−1} = s_l·r_l + k_l − s_l (right). The Research Gate figure's two 3×3
    /// stride-1 layers: r2 = 1, r1 = 1·1 + 3 − 1 = 3, r0 = 1·3 + 3 − 1 = 5. The page's "r0 = 8" refers to a
    /// picture not in the file; two stacks that give 8: (k=2, s=2) then (k=4, s=1): r1 = 4, r0 = 2·4 + 2 − 2 = 8;
    /// and (k=4) then (k=5), stride 1: r1 = 5, r0 = 5 + 4 − 1 = 8. Checked against backprop: the input cells
    /// with a non-zero gradient of one output cell.
    @Test func receptiveFieldRecurrence() throws {
        #expect(try ReceptiveField(layers: [.init(kernel: 3), .init(kernel: 3)]).levels.map(\.size) == [5, 3, 1])
        #expect(try ReceptiveField(layers: [.init(kernel: 2, stride: 2), .init(kernel: 4)]).size == 8)
        #expect(try ReceptiveField(layers: [.init(kernel: 4), .init(kernel: 5)]).size == 8)
        let input = Tensor(shape: [1, 1, 16, 16], repeating: 1)
        let two3x3 = try TN.measuredField(Network(layers: [TN.onesConv(3), TN.onesConv(3)]), input: input, at: 5, 5)
        #expect(two3x3 == (5, 5))
        let strided = try TN.measuredField(Network(layers: [TN.onesConv(2, stride: 2), TN.onesConv(4)]), input: input, at: 2, 2)
        #expect(strided == (8, 8))
    }
}

// MARK: - cnn-overview-part1.md

@Suite("cnn-overview-part1.md") struct CNNOverviewNumbers {
    /// OV-1, "2.1 Kernel": blurred e = Σ(A ⊙ ones/9) = the mean of the 3×3 neighbourhood (45/9 = 5).
    /// (The page's code `np.ones((3, 3) * 1.0/9)` is a Python TypeError; `np.ones((3, 3)) * 1.0/9` is meant.)
    @Test func blurIsTheMean() throws {
        let a = TN.image([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let y = try TN.conv(a, Tensor(shape: [1, 1, 3, 3], repeating: 1.0 / 9))
        #expect(abs(y.data[0] - 5) <= TN.tolerance)
    }

    /// OV-2, "2.3 Padding": without padding a 3×3 kernel slides over an image "2px smaller in both height and width".
    @Test func threeByThreeLosesTwoPixels() throws {
        for (h, w) in [(5, 5), (7, 9), (32, 32)] {
            let y = try TN.conv(Tensor(shape: [1, 1, h, w], repeating: 1), Tensor(shape: [1, 1, 3, 3], repeating: 1))
            #expect(y.shape == [1, 1, h - 2, w - 2])
        }
    }

    /// OV-3, "2.3 Padding": w2 = (w1 − k + 2p)/s + 1 (right); the engine's shapes follow it.
    @Test func outputSizeFormula() throws {
        for (w1, k, p, s) in [(5, 3, 1, 2), (7, 3, 0, 1), (32, 5, 0, 1), (224, 7, 3, 2), (9, 3, 1, 3)] {
            let byFormula = (w1 - k + 2 * p) / s + 1
            let x = Tensor(shape: [1, 1, w1, w1], repeating: 1)
            let y = try TN.conv(x, Tensor(shape: [1, 1, k, k], repeating: 1), stride: Pair(s), padding: Padding(p))
            #expect(y.shape == [1, 1, byFormula, byFormula], "w1=\(w1) k=\(k) p=\(p) s=\(s)")
        }
    }

    /// OV-4, "2.3 Padding": stride 1 and p = (k − 1)/2 keep the size (odd k: 3 → 1, 5 → 2, 7 → 3).
    @Test func samePaddingForOddKernels() throws {
        for k in [3, 5, 7] {
            let p = (k - 1) / 2
            #expect(try TN.convSize(9, k: k, p: p) == 9)
            #expect(try PaddingSpec.same.resolve(kernel: Pair(k), dilation: Pair(1), stride: Pair(1)) == Padding(p))
        }
    }

    /// OV-5, "2.3 Padding" — imprecise: "Most CNN implementations … usually by increasing padding". PyTorch
    /// (and the engine) floor instead: 6 wide, k = 3, s = 2, p = 0 → ⌊3/2⌋ + 1 = 2 and one column is never read.
    @Test func inexactDivisionFloors() throws {
        let s = try OutputSize.convolution(input: 6, kernel: 3, stride: 2)
        #expect(s.value == 2)
        #expect(s.unreadCells == 1)
        #expect(s.exactnessError() != nil)
    }

    /// OV-6, "2.4 Activation and pooling": 2×2 pooling with stride 2 halves width and height (odd sizes floor).
    @Test func poolingHalves() throws {
        #expect(try TN.maxPool(Tensor(shape: [1, 1, 4, 4], repeating: 1), 2).shape == [1, 1, 2, 2])
        #expect(try TN.poolSize(30, k: 2, s: 2) == 15)
        #expect(try TN.poolSize(5, k: 2, s: 2) == 2)
    }

    /// OV-7, "2.5 Putting it all together": kernels are C×k×k, K of them K×C×k×k, and the output has K channels.
    @Test func kernelShapes() throws {
        let y = try TN.conv(Tensor(shape: [1, 3, 6, 6], repeating: 1), Tensor(shape: [5, 3, 3, 3], repeating: 1))
        #expect(y.shape == [1, 5, 4, 4])
        #expect(y[0, 4, 0, 0] == 27)  // 3 channels × 3 × 3 ones
    }
}

// MARK: - convolutional-neural-networks.md

@Suite("convolutional-neural-networks.md") struct ConvolutionalNeuralNetworksNumbers {
    /// CN-1, "Challenges faced by ordinary neural networks": a 32×32×3 CIFAR-10 image flattens to 32·32·3 = 3072
    /// inputs (one fully connected neuron has 3072 weights). CN-13, "Classification using Fully-Connected
    /// Layers": a 5×5×10 volume flattens to 250. CN-2: a 3×3×4 volume has 36 neurons.
    @Test func flattenedSizes() throws {
        #expect(try Flatten.forward(input: Tensor(shape: [1, 3, 32, 32])).shape == [1, 3072])
        #expect(try Flatten.forward(input: Tensor(shape: [1, 10, 5, 5])).shape == [1, 250])
        #expect(Tensor(shape: [1, 4, 3, 3]).count == 36)
    }

    /// CN-3, "Convolution": the edge kernel [[−1,−1,−1],[−1,8,−1],[−1,−1,−1]] sums to 0: a flat region gives 0,
    /// a lone bright pixel c = 5 gives 8c = 40 at its centre and −c = −5 next to it.
    @Test func edgeKernel() throws {
        let k = TN.kernel([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
        #expect(try TN.conv(Tensor(shape: [1, 1, 5, 5], repeating: 3), k).data.allSatisfy { $0 == 0 })
        var dot = Tensor(shape: [1, 1, 5, 5])
        dot[0, 0, 2, 2] = 5
        let y = TN.rows(try TN.conv(dot, k))
        #expect(y[1][1] == 40)
        #expect(y[0][0] == -5)
    }

    /// CN-4 — imprecise: "One 3×3 filter introduces 9 weight parameters" holds for one input channel; over a
    /// C-channel input a 3×3 filter has 9·C weights: 27 multiply-accumulates per output cell for C = 3.
    @Test func weightsPerFilterScaleWithDepth() throws {
        var tracer = Tracer(sink: RecordingSink())
        _ = try Conv2D.forward(
            input: Tensor(shape: [1, 3, 3, 3], repeating: 1), kernel: Tensor(shape: [1, 3, 3, 3], repeating: 1),
            bias: Tensor(shape: [1], data: [0]), params: Conv2DParams(), tracer: &tracer)
        #expect(tracer.sink.events.filter { $0.kind == .mac }.count == 27)
        #expect(tracer.sink.events.filter { $0.kind == .bias }.count == 1)
    }

    /// CN-5, "Output volume dimensions for Convolution › Example": W1 = H1 = 5, D1 = 3, K = 2, F = 3, S = 2, P = 1
    /// → W2 = (5 − 3 + 2·1)/2 + 1 = 3, H2 = 3 (right); "D2 = K = 3" — WRONG: K = 2 filters, so D2 = 2.
    @Test func cs231nExample() throws {
        let s = try OutputSize.convolution(input: 5, kernel: 3, stride: 2, padding: (1, 1))
        #expect(s.value == 3)
        #expect(s.formula == "(5 − 3 + 2·1)/2 + 1 = 3")
        let y = try TN.conv(
            Tensor(shape: [1, 3, 5, 5], repeating: 1), Tensor(shape: [2, 3, 3, 3], repeating: 1),
            bias: Tensor(shape: [2], data: [1, 0]), stride: Pair(2), padding: Padding(1))
        #expect(y.shape == [1, 2, 3, 3])  // depth 2, not the printed 3
        // Corner window sees 2×2 real cells per channel: 3·4 = 12 (+ bias 1); centre 3·9 = 27 (+ 1).
        #expect(y[0, 0, 0, 0] == 13)
        #expect(y[0, 0, 1, 1] == 28)
    }

    /// CN-6 — imprecise: "Filters are square matrices". Rectangular kernels work (1×7 over a 7×7 input → 7×1).
    @Test func rectangularKernel() throws {
        let y = try TN.conv(Tensor(shape: [1, 1, 7, 7], repeating: 1), Tensor(shape: [1, 1, 1, 7], repeating: 1))
        #expect(y.shape == [1, 1, 7, 1])
        #expect(y.data.allSatisfy { $0 == 7 })
    }

    /// CN-7 — imprecise: "The filter … resizes it spatially. This is called downsampling". With stride 1 and
    /// 'same' padding the size is unchanged; only a stride above 1 downsamples (5 → 3 at stride 2, padding 1).
    @Test func onlyStrideDownsamples() throws {
        let x = Tensor(shape: [1, 1, 5, 5], repeating: 1), k = Tensor(shape: [1, 1, 3, 3], repeating: 1)
        #expect(try TN.conv(x, k, padding: Padding(1)).shape == [1, 1, 5, 5])
        #expect(try TN.conv(x, k, stride: Pair(2), padding: Padding(1)).shape == [1, 1, 3, 3])
    }

    /// CN-8, "Output volume dimensions for Pooling": W2 = (W1 − F)/S + 1 (right); "D2 = K" — WRONG: a pool has
    /// no filters, D2 = D1 (the page itself says pooling "does not change the depth"); and it announces "four
    /// hyperparameters" but lists two, F and S.
    @Test func poolingKeepsDepth() throws {
        let x = Tensor(shape: [1, 3, 6, 7], repeating: 1)
        let y = try TN.maxPool(x, 2, stride: 2)
        #expect(y.shape == [1, 3, 3, 3])  // (6 − 2)/2 + 1 = 3, ⌊(7 − 2)/2⌋ + 1 = 3, depth 3
        #expect(try TN.poolSize(7, k: 3, s: 2) == 3)
    }

    /// CN-9, "Pooling": 2×2 patches → "four values from the four patches" of a 4×4 map (the "20" is in a picture).
    @Test func fourPatchesFourValues() throws {
        let x = TN.image([[1, 20, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]])
        let y = try TN.maxPool(x, 2, stride: 2)
        #expect(y.count == 4)
        #expect(y.data == [20, 8, 14, 16])
    }

    /// CN-10: the two usual max pools, F = 3, S = 2 (overlapping) and F = 2, S = 2: 4 → 2 (F2 S2), 5 → 2 (F3 S2),
    /// AlexNet's 55 → 27 (F3 S2).
    @Test func usualPoolSizes() throws {
        #expect(try TN.poolSize(4, k: 2, s: 2) == 2)
        #expect(try TN.poolSize(5, k: 3, s: 2) == 2)
        #expect(try TN.poolSize(55, k: 3, s: 2) == 27)
    }

    /// CN-11, "Zooming effect of Pooling": a 3×3 kernel sees 3×3 of the input; after a 2×2 stride-2 pool the same
    /// kernel sees r0 = 2·3 + 2 − 2 = 6, i.e. 6×6 of the original (formula and backprop agree).
    @Test func poolingZoom() throws {
        #expect(try ReceptiveField(layers: [.init(kernel: 3)]).size == 3)
        let rf = try ReceptiveField(layers: [.init(kernel: 2, stride: 2), .init(kernel: 3)])
        #expect(rf.size == 6)
        let net = Network(layers: [.avgPool2d(Pool2DParams(kernelSize: Pair(2))), TN.onesConv(3)])
        #expect(try TN.measuredField(net, input: Tensor(shape: [1, 1, 12, 12], repeating: 1), at: 1, 1) == (6, 6))
    }

    /// CN-12, "Local Connectivity and Parameter Sharing": a 28×28×3 input and a 5×5 receptive field → each neuron
    /// sees 5×5×3 and has 75 weights: 75 macs per output cell, 24×24 outputs.
    @Test func seventyFiveWeights() throws {
        var tracer = Tracer(sink: RecordingSink())
        let y = try Conv2D.forward(
            input: Tensor(shape: [1, 3, 28, 28], repeating: 1), kernel: Tensor(shape: [1, 3, 5, 5], repeating: 1),
            bias: nil, params: Conv2DParams(), tracer: &tracer)
        #expect(y.shape == [1, 1, 24, 24])
        #expect(tracer.sink.events.filter { $0.kind == .mac }.count == 75 * 24 * 24)
        #expect(y[0, 0, 0, 0] == 75)
    }

    /// CN-14, "Introducing Non-linearity with ReLU": ReLU removes every negative element.
    @Test func reluRemovesNegatives() throws {
        var tracer = Tracer.untraced
        let y = try Activation.forward(.relu, input: TN.signal([-3, -0.5, 0, 0.5, 3]), tracer: &tracer)
        #expect(y.data == [0, 0, 0, 0.5, 3])
    }
}

// MARK: - theory-conv-nets.md

@Suite("theory-conv-nets.md") struct TheoryConvNetsNumbers {
    /// TH-1, "Convolution": S(i,j) = (I∗K)(i,j) = Σ_m Σ_n I(m,n)·K(i−m, j−n) — true (flipped) convolution,
    /// the engine's `flip: true` with full padding (indices shifted by F − 1).
    @Test func convolutionFormula() throws {
        let I: [[Double]] = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
        let K: [[Double]] = [[1, -1], [2, 0.5]]
        var S = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 4)
        for i in 0..<4 {
            for j in 0..<4 {
                for m in 0..<3 {
                    for n in 0..<3 where (0..<2).contains(i - m) && (0..<2).contains(j - n) {
                        S[i][j] += I[m][n] * K[i - m][j - n]
                    }
                }
            }
        }
        #expect(TN.rows(try TN.conv(TN.image(I), TN.kernel(K), padding: Padding(1), flip: true)) == S)
    }

    /// TH-2, "Convolution Params › 1. Stride": Output size = (N − K)/S + 1: N = 7, K = 3 → 5 at S = 1, 3 at S = 2.
    @Test func strideFormula() throws {
        #expect(try TN.convSize(7, k: 3, s: 1) == 5)
        #expect(try TN.convSize(7, k: 3, s: 2) == 3)
    }

    /// TH-3, "Convolution Params › 2. Padding" — WRONG: with zero padding it gives W2 = (W1 − K)/S + 1, without P.
    /// As printed the output can never equal the input for K > 1 (5, K = 3, S = 1 → 3). With P:
    /// W2 = (W1 − K + 2P)/S + 1 = (5 − 3 + 2)/1 + 1 = 5.
    @Test func paddingFormulaNeedsP() throws {
        #expect(try TN.convSize(5, k: 3, s: 1, p: 0) == 3)  // the printed formula's value
        #expect(try TN.convSize(5, k: 3, s: 1, p: 1) == 5)
        let y = try TN.conv(Tensor(shape: [1, 1, 5, 5], repeating: 1), Tensor(shape: [1, 1, 3, 3], repeating: 1),
                            padding: Padding(1))
        #expect(y.shape == [1, 1, 5, 5])
    }

    /// TH-4, "LeNet-5": ~60,000 parameters for a 32×32×1 input (right: 61,706). Shapes through the printed
    /// model: 1×32×32 → conv 6@5×5 → 6×28×28 → avg pool 2 → 6×14×14 → conv 16@5×5 → 16×10×10 → avg pool 2
    /// → 16×5×5 → (conv 16→120 5×5 ≡ flatten + linear 400→120) → 120 → 84 → 10. Run on examples/lenet5.yaml's
    /// weights (from the fixture file). Parameters: 6·25 + 6 = 156; 16·6·25 + 16 = 2,416; 120·400 + 120 = 48,120;
    /// 84·120 + 84 = 10,164; 10·84 + 10 = 850; total 61,706.
    @Test func leNet5() throws {
        let lenet = try #require(try Fixtures.networkFile("example_networks").cases.first { $0.name == "lenet5" })
        let network = try lenet.network()
        var tracer = Tracer.untraced
        let result = try network.run(input: lenet.input.tensor, tracer: &tracer)
        #expect(result.activations.map(\.shape) == [
            [1, 1, 32, 32], [1, 6, 28, 28], [1, 6, 28, 28], [1, 6, 14, 14], [1, 16, 10, 10], [1, 16, 10, 10],
            [1, 16, 5, 5], [1, 400], [1, 120], [1, 120], [1, 84], [1, 84], [1, 10],
        ])
        let parameters = lenet.layers.reduce(0) { $0 + ($1.kernel?.data.count ?? 0) + ($1.weight?.data.count ?? 0) + ($1.bias?.data.count ?? 0) }
        #expect(parameters == 61_706)
        #expect(TN.convParams(1, 6, 5) + TN.convParams(6, 16, 5) + TN.convParams(16, 120, 5)
                + TN.linearParams(120, 84) + TN.linearParams(84, 10) == 61_706)
        // Receptive field of one unit after the second pool: r = 16 (C1 5, S2 2/2, C3 5, S4 2/2).
        #expect(try ReceptiveField.of(network).y.size == 16)
    }

    /// TH-5, "AlexNet": "60kk params" (right: 61,100,840 with 1000 classes). Sizes for a 224×224 input through
    /// the printed layers: conv 11/4 p2: ⌊(224 − 11 + 4)/4⌋ + 1 = 55; pool 3/2: 27; conv 5 p2: 27; pool: 13;
    /// three conv 3 p1: 13; pool: ⌊(13 − 3)/2⌋ + 1 = 6; 256·6·6 = 9216 = the first Linear's in_features.
    @Test func alexNet() throws {
        var s = 224
        var sizes: [Int] = []
        s = try TN.convSize(s, k: 11, s: 4, p: 2); sizes.append(s)
        s = try TN.poolSize(s, k: 3, s: 2); sizes.append(s)
        s = try TN.convSize(s, k: 5, p: 2); sizes.append(s)
        s = try TN.poolSize(s, k: 3, s: 2); sizes.append(s)
        for _ in 0..<3 { s = try TN.convSize(s, k: 3, p: 1); sizes.append(s) }
        s = try TN.poolSize(s, k: 3, s: 2); sizes.append(s)
        #expect(sizes == [55, 27, 27, 13, 13, 13, 13, 6])
        #expect(256 * s * s == 9216)
        let params = TN.convParams(3, 64, 11) + TN.convParams(64, 192, 5) + TN.convParams(192, 384, 3)
            + TN.convParams(384, 256, 3) + TN.convParams(256, 256, 3)
            + TN.linearParams(9216, 4096) + TN.linearParams(4096, 4096) + TN.linearParams(4096, 1000)
        #expect(params == 61_100_840)
    }

    /// TH-6, "VGG-16": "approximately 138 million parameters" (right: 138,357,544), "more than at least twice"
    /// AlexNet's (138.4M / 61.1M = 2.26). 3×3 convs with padding 1 keep the size; five 2×2 pools:
    /// 224 → 112 → 56 → 28 → 14 → 7, and 512·7·7 = 25,088 = the first Linear's in_features.
    @Test func vgg16() throws {
        #expect(try TN.convSize(224, k: 3, p: 1) == 224)
        var s = 224
        for _ in 0..<5 { s = try TN.poolSize(s, k: 2, s: 2) }
        #expect(s == 7)
        #expect(512 * s * s == 25_088)
        let convs = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256),
                     (256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512)]
        let params = convs.reduce(0) { $0 + TN.convParams($1.0, $1.1, 3) }
            + TN.linearParams(25_088, 4096) + TN.linearParams(4096, 4096) + TN.linearParams(4096, 1000)
        #expect(params == 138_357_544)
        #expect(Double(params) / 61_100_840 > 2)
    }

    /// TH-8, "ResNet - 2016" — WRONG: "Only ~2M parameters". The printed model (BasicBlock ×2 per stage, fc
    /// 512→1000, convs without bias, BatchNorm γ and β) is ResNet-18 with 11,689,512 parameters:
    /// conv1 3·64·49 = 9,408 + bn 128; layer1 4·(64·64·9) + 4·128; layer2 64·128·9 + 3·(128·128·9) + 64·128
    /// (1×1 downsample) + 5·256; layer3 and layer4 likewise with 256 and 512; fc 512·1000 + 1000.
    /// Printed sizes: conv1 7×7 s2 p3: 224 → 112; max pool 3 s2 p1: 112 → 56.
    @Test func resNet18() throws {
        #expect(try TN.convSize(224, k: 7, s: 2, p: 3) == 112)
        #expect(try TN.poolSize(112, k: 3, s: 2, p: 1) == 56)
        func stage(_ cin: Int, _ cout: Int) -> Int {
            let convs = cin * cout * 9 + 3 * (cout * cout * 9)
            let downsample = cin == cout ? 0 : cin * cout + 2 * cout
            return convs + downsample + 4 * (2 * cout)
        }
        let params = 3 * 64 * 49 + 2 * 64 + stage(64, 64) + stage(64, 128) + stage(128, 256) + stage(256, 512)
            + TN.linearParams(512, 1000)
        #expect(params == 11_689_512)
        #expect(params > 5 * 2_000_000, "the tutorial prints ~2M")
    }
}

// MARK: - understanding-cnn.md

@Suite("understanding-cnn.md") struct UnderstandingCNNNumbers {
    /// UC-1, "Activations › Sigmoid": f(x) = 1/(1 + e^−x) in ]0,1[ with a vanishing gradient for large |x|:
    /// σ(0) = 0.5, σ′(0) = 0.25, σ′(10) = σ(10)(1 − σ(10)) = 4.5395807735907655e−5 (± a few ulps of 1 − σ).
    @Test func sigmoid() throws {
        var tracer = Tracer.untraced
        let x = TN.signal([0, 10, -10])
        let y = try Activation.forward(.sigmoid, input: x, tracer: &tracer)
        #expect(y.data[0] == 0.5)
        #expect(y.data.allSatisfy { $0 > 0 && $0 < 1 })
        let g = try Activation.backward(.sigmoid, input: x, gradOutput: TN.signal([1, 1, 1]), tracer: &tracer)
        #expect(g.input.data[0] == 0.25)
        #expect(abs(g.input.data[1] - 4.5395807735907655e-5) <= 1e-15)
        #expect(abs(g.input.data[2] - 4.5395807735907655e-5) <= 1e-15)
    }

    /// UC-2, "Softmax": the outputs sum to 1 (softmax([1,2,3]) = [0.0900306, 0.2447285, 0.6652410]).
    @Test func softmaxSumsToOne() throws {
        var tracer = Tracer.untraced
        let y = try Softmax.forward(input: Tensor(shape: [1, 3], data: [1, 2, 3]), tracer: &tracer)
        #expect(abs(y.data.reduce(0, +) - 1) <= TN.tolerance)
        #expect(TN.close(y.data, [0.09003057317038046, 0.24472847105479767, 0.6652409557748219]))
    }

    /// UC-3, "ReLu": max(x, 0); Leaky ReLU keeps a non-zero gradient (the slope, 0.01) for x < 0.
    @Test func reluAndLeaky() throws {
        var tracer = Tracer.untraced
        let x = TN.signal([-2, 3])
        #expect(try Activation.forward(.relu, input: x, tracer: &tracer).data == [0, 3])
        let g = try Activation.backward(.leakyRelu(slope: 0.01), input: x, gradOutput: TN.signal([1, 1]), tracer: &tracer)
        #expect(g.input.data == [0.01, 1])
    }

    /// UC-4, "Convolution Neural networks" — WRONG word: the kernel "expanded as a circulant matrix". A circulant
    /// matrix is convolution with CIRCULAR padding; with zero padding the matrix is Toeplitz (its wrapped corners
    /// are 0). x = [1,2,3,4,5], k = [1,2,3], 'same' (one cell each side):
    /// circular y_i = 1·x_{i−1} + 2·x_i + 3·x_{i+1} (indices mod 5) = [1·5+2·1+3·2, …, 1·4+2·5+3·1] = [13, 14, 20, 26, 17];
    /// zeros [0+2+6, 14, 20, 26, 4+10+0] = [8, 14, 20, 26, 14].
    @Test func circulantIsCircularPadding() throws {
        let x: [Double] = [1, 2, 3, 4, 5], k: [Double] = [1, 2, 3]
        var circulant = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 5)
        var toeplitz = circulant
        for i in 0..<5 {
            for (j, w) in k.enumerated() {
                circulant[i][(i + j - 1 + 5) % 5] += w
                if (0..<5).contains(i + j - 1) { toeplitz[i][i + j - 1] += w }
            }
        }
        let product = { (m: [[Double]]) in m.map { row in zip(row, x).reduce(0) { $0 + $1.0 * $1.1 } } }
        let circular = TN.line(try TN.conv(TN.signal(x), TN.signal(k), padding: TN.pad1D(1, 1), mode: .circular))
        let zeros = TN.line(try TN.conv(TN.signal(x), TN.signal(k), padding: TN.pad1D(1, 1)))
        #expect(circular == product(circulant))
        #expect(circular == [13, 14, 20, 26, 17])
        #expect(zeros == product(toeplitz))
        #expect(zeros == [8, 14, 20, 26, 14])
        #expect(zeros != product(circulant))
    }

    /// UC-5, "Kernels": a 3×3×C kernel gives a single-channel image "with a one pixel border" lost: H×W → (H−2)×(W−2).
    @Test func oneChannelOutputLosesBorder() throws {
        let y = try TN.conv(Tensor(shape: [1, 3, 6, 8], repeating: 1), Tensor(shape: [1, 3, 3, 3], repeating: 1))
        #expect(y.shape == [1, 1, 4, 6])
    }

    /// UC-6, "Kernels": padding = ⌊kernel size / 2⌋ keeps the size for odd kernels (3 → 1, 5 → 2, 7 → 3);
    /// imprecise for even ones: k = 4, p = 2 gives 9 + 4 − 4 + 1 = 10, one more than the input.
    @Test func floorHalfKernelPadding() throws {
        for k in [3, 5, 7] { #expect(try TN.convSize(9, k: k, p: k / 2) == 9) }
        #expect(try TN.convSize(9, k: 4, p: 4 / 2) == 10)
    }

    /// UC-8, "Identity Kernel": without padding the output is the image minus its one-pixel border; padding 1
    /// gives the exact image back.
    @Test func identityKernel() throws {
        let x = TN.image([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
        let id = TN.kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
        #expect(TN.rows(try TN.conv(x, id)) == [[6, 7]])
        #expect(try TN.conv(x, id, padding: Padding(1)) == x)
    }

    /// UC-9, "Blur Kernels": the mean (ones/9) and Gaussian (1/16·[[1,2,1],[2,4,2],[1,2,1]]) kernels sum to 1,
    /// so a flat image (7 everywhere) stays 7.
    @Test func blurKernelsKeepFlatImages() throws {
        let flat = Tensor(shape: [1, 1, 4, 4], repeating: 7)
        let mean = Tensor(shape: [1, 1, 3, 3], repeating: 1.0 / 9)
        let gauss = TN.kernel([[1, 2, 1], [2, 4, 2], [1, 2, 1]].map { $0.map { $0 / 16 } })
        #expect(try TN.conv(flat, mean).data.allSatisfy { abs($0 - 7) <= TN.tolerance })
        #expect(try TN.conv(flat, gauss).data.allSatisfy { abs($0 - 7) <= TN.tolerance })
    }

    /// UC-10, "Sobel kernel": [[1,0,−1],[2,0,−2],[1,0,−1]] is the "left" Sobel: under cross-correlation a bright
    /// left side (columns 10, 10, 0) gives (1+2+1)·10 = 40, the mirror image −40, a flat patch 0.
    @Test func leftSobel() throws {
        let k = TN.kernel([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
        #expect(TN.line(try TN.conv(TN.image([[10, 10, 0], [10, 10, 0], [10, 10, 0]]), k)) == [40])
        #expect(TN.line(try TN.conv(TN.image([[0, 10, 10], [0, 10, 10], [0, 10, 10]]), k)) == [-40])
        #expect(TN.line(try TN.conv(Tensor(shape: [1, 1, 3, 3], repeating: 10), k)) == [0])
    }

    /// UC-11, "Emboss Kernel": [[−2,−1,0],[−1,1,1],[0,1,2]] sums to 1 (a flat patch c stays c) and responds to a
    /// top-left → bottom-right increase: on p(i,j) = i + j, −1 + (−1 + 2 + 3) + (3 + 8) = 14 (centre value 2).
    @Test func emboss() throws {
        let k = TN.kernel([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
        #expect(TN.line(try TN.conv(Tensor(shape: [1, 1, 3, 3], repeating: 5), k)) == [5])
        #expect(TN.line(try TN.conv(TN.image([[0, 1, 2], [1, 2, 3], [2, 3, 4]]), k)) == [14])
    }

    /// UC-12, "Categorical Cross Entropy Loss": Loss = −log softmax_pred; ∇_pred = softmax − 1, ∇_other = softmax.
    /// Logits [1,2,3], class 0: loss = log(e¹+e²+e³) − 1 = 2.4076059644443806; gradient
    /// [0.0900306 − 1, 0.2447285, 0.6652410].
    @Test func categoricalCrossEntropy() throws {
        var tracer = Tracer.untraced
        let logits = Tensor(shape: [1, 3], data: [1, 2, 3])
        let loss = Loss.softmaxCrossEntropy(target: [0])
        #expect(abs(try LossFunction.forward(loss, input: logits, tracer: &tracer) - 2.4076059644443806) <= TN.tolerance)
        let g = try LossFunction.backward(loss, input: logits, tracer: &tracer)
        #expect(TN.close(g.data, [0.09003057317038046 - 1, 0.24472847105479764, 0.6652409557748219]))
    }

    /// UC-13, "Categorical Cross Entropy Loss" (multi-label): Loss = (1/M) Σ_p −log softmax_p; ∇_other = softmax;
    /// ∇_positive = (1/M)(softmax − 1 + (M − 1)·softmax) = softmax − 1/M (right). M = 2 positives {0, 2} of
    /// logits [1,2,3] = the mean of two single-target losses on the same logits; the shared logits' gradient
    /// is the sum of the two rows: [0.0900306 − 0.5, 0.2447285, 0.6652410 − 0.5].
    @Test func multiLabelCrossEntropy() throws {
        var tracer = Tracer.untraced
        let logits = Tensor(shape: [2, 3], data: [1, 2, 3, 1, 2, 3])
        let loss = Loss.softmaxCrossEntropy(target: [0, 2])
        let value = try LossFunction.forward(loss, input: logits, tracer: &tracer)
        #expect(abs(value - ((2.4076059644443806) + (2.4076059644443806 - 2)) / 2) <= TN.tolerance)
        let g = try LossFunction.backward(loss, input: logits, tracer: &tracer)
        let shared = (0..<3).map { g.data[$0] + g.data[3 + $0] }
        #expect(TN.close(shared, [0.09003057317038046 - 0.5, 0.24472847105479764, 0.6652409557748219 - 0.5]))
    }

    /// UC-16, "Binary Cross Entropy Loss" — WRONG: the tutorial's second term is log σ(1 − s0); it is
    /// log(1 − σ(s0)) = log σ(−s0). For s = 0.5: t = 1 → −log σ(0.5) = 0.47407698418010663;
    /// t = 0 → −log(1 − σ(0.5)) = 0.9740769841801068 (the printed formula gives −log σ(0.5) = 0.474… again).
    @Test func binaryCrossEntropyLoss() throws {
        var tracer = Tracer.untraced
        let s = TN.signal([0.5]).reshaped([1, 1])
        let one = Tensor(shape: [1, 1], data: [1]), zero = Tensor(shape: [1, 1], data: [0])
        let t1 = try LossFunction.forward(.bce(target: one, withLogits: true), input: s, tracer: &tracer)
        let t0 = try LossFunction.forward(.bce(target: zero, withLogits: true), input: s, tracer: &tracer)
        #expect(abs(t1 - 0.47407698418010663) <= TN.tolerance)
        #expect(abs(t0 - 0.9740769841801068) <= TN.tolerance)
        // The same on probabilities p = σ(0.5) = 0.6224593312018546.
        let p = Tensor(shape: [1, 1], data: [0.6224593312018546])
        #expect(abs(try LossFunction.forward(.bce(target: zero, withLogits: false), input: p, tracer: &tracer)
                    - 0.9740769841801068) <= 1e-12)
    }

    /// UC-17, same section — WRONG gradient: printed ∇ = t0(σ(s) + 1) + (1 − t0)σ(s); it is σ(s) − t.
    /// s = 0.5, t = 1: right 0.6224593312018546 − 1 = −0.3775406687981454; printed 1.6224593312018546.
    /// t = 0: σ(s) = 0.6224593312018546 (the two agree only there).
    @Test func binaryCrossEntropyGradient() throws {
        var tracer = Tracer.untraced
        let s = Tensor(shape: [1, 1], data: [0.5])
        let g1 = try LossFunction.backward(.bce(target: Tensor(shape: [1, 1], data: [1]), withLogits: true), input: s, tracer: &tracer)
        let g0 = try LossFunction.backward(.bce(target: Tensor(shape: [1, 1], data: [0]), withLogits: true), input: s, tracer: &tracer)
        #expect(abs(g1.data[0] - -0.3775406687981454) <= TN.tolerance)
        #expect(abs(g0.data[0] - 0.6224593312018546) <= TN.tolerance)
    }

    /// UC-19, "Focal Loss" — WRONG sign (no engine op; checked by finite differences on the definition):
    /// FL(s) = −(1 − p)^γ·log p with p = σ(s), t = 1, has dFL/ds = (1 − p)^γ·(γ·p·log p + p − 1); the tutorial
    /// prints −γ·σ·log σ. For s = 0.5, γ = 2: right −0.1379370, printed +0.0303100. At γ = 0 both reduce to the
    /// BCE gradient p − 1 (UC-18).
    @Test func focalLossGradient() {
        func sigma(_ s: Double) -> Double { 1 / (1 + exp(-s)) }
        func focal(_ s: Double, _ gamma: Double) -> Double { -pow(1 - sigma(s), gamma) * log(sigma(s)) }
        let (s, gamma, h) = (0.5, 2.0, 1e-6)
        let numeric = (focal(s + h, gamma) - focal(s - h, gamma)) / (2 * h)
        let p = sigma(s)
        let right = pow(1 - p, gamma) * (gamma * p * log(p) + p - 1)
        let printed = pow(1 - p, gamma) * (-gamma * p * log(p) + p - 1)
        #expect(abs(numeric - right) <= 1e-8)
        #expect(abs(numeric - printed) > 1e-2)
        let bce = (focal(s + h, 0) - focal(s - h, 0)) / (2 * h)
        #expect(abs(bce - (p - 1)) <= 1e-8)
    }
}
