// EngineTests — max/avg/global pooling values, gradients and errors against tutorials and hand computations.
import Testing
@testable import Engine

/// Exact-arithmetic cases below are compared to 1e-12 relative (the team's bar is 1e-9).
private let tolerance = 1e-12

private func image(_ rows: [[Double]]) -> Tensor {
    Tensor(shape: [1, 1, rows.count, rows[0].count], data: rows.flatMap { $0 })
}

private func pool(_ kind: String, _ x: Tensor, _ p: Pool2DParams) throws -> Tensor {
    var t = Tracer.untraced
    return kind == "max"
        ? try MaxPool2D.forward(input: x, params: p, tracer: &t)
        : try AvgPool2D.forward(input: x, params: p, tracer: &t)
}

@Suite struct PoolingTests {
    /// cnn-basics-backprop.md, "Pooling / Example": 2×2 windows, stride 2.
    /// Windows: {1,3,5,6} → 6, {2,4,7,8} → 8, {9,2,4,0} → 9, {3,1,1,5} → 5; the tutorial prints 6, 8, 9, 5.
    static let tutorial = image([[1, 3, 2, 4], [5, 6, 7, 8], [9, 2, 3, 1], [4, 0, 1, 5]])

    @Test func tutorialMaxPool() throws {
        let y = try pool("max", Self.tutorial, Pool2DParams(kernelSize: Pair(2), stride: Pair(2)))
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.data == [6, 8, 9, 5])
    }

    @Test func tutorialMaxPoolGradientGoesToEachMaximum() throws {
        // dY = [[1, 2], [3, 4]] lands on the cells holding 6 (1,1), 8 (1,3), 9 (2,0), 5 (3,3).
        var t = Tracer.untraced
        let g = try MaxPool2D.backward(
            input: Self.tutorial, params: Pool2DParams(kernelSize: Pair(2)),
            gradOutput: image([[1, 2], [3, 4]]), tracer: &t)
        #expect(g.input.data == [0, 0, 0, 0, 0, 1, 0, 2, 3, 0, 0, 0, 0, 0, 0, 4])
    }

    @Test func tutorialAvgPool() throws {
        // (1+3+5+6)/4 = 3.75, (2+4+7+8)/4 = 5.25, (9+2+4+0)/4 = 3.75, (3+1+1+5)/4 = 2.5.
        let y = try pool("avg", Self.tutorial, Pool2DParams(kernelSize: Pair(2)))
        #expect(restRelError(y.data, [3.75, 5.25, 3.75, 2.5]) < tolerance)
        // Backward spreads each dY over its window: dY/4.
        var t = Tracer.untraced
        let g = try AvgPool2D.backward(
            input: Self.tutorial, params: Pool2DParams(kernelSize: Pair(2)), gradOutput: image([[4, 8], [12, 16]]),
            tracer: &t)
        #expect(g.input.data == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    }

    /// cnn-basics-backprop.md, "Example CNN Network": a 30×30×2 map through "a pooling layer with a 2x2
    /// window size, stride =1" is said to give 15×15×2. With stride 1 it is (30 − 2)/1 + 1 = 29; only
    /// stride 2 gives (30 − 2)/2 + 1 = 15. We pin both true values.
    @Test func tutorialNetworkPoolShapes() throws {
        let x = Tensor(shape: [1, 2, 30, 30], repeating: 1)
        #expect(try pool("max", x, Pool2DParams(kernelSize: Pair(2), stride: Pair(1))).shape == [1, 2, 29, 29])
        #expect(try pool("max", x, Pool2DParams(kernelSize: Pair(2), stride: Pair(2))).shape == [1, 2, 15, 15])
    }

    @Test func avgPoolPaddingDivisors() throws {
        // 3×3 input 1…9, kernel 2, stride 2, padding 1 → 2×2 windows over rows/cols [−1, 1) and [1, 3).
        // Real sums: {1} = 1, {2,3} = 5, {4,7} = 11, {5,6,8,9} = 28.
        let x = image([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let include = try pool("avg", x, Pool2DParams(kernelSize: Pair(2), padding: Pair(1)))
        #expect(restRelError(include.data, [0.25, 1.25, 2.75, 7]) < tolerance)  // every divisor 4
        let exclude = try pool("avg", x, Pool2DParams(kernelSize: Pair(2), padding: Pair(1), countIncludePad: false))
        #expect(restRelError(exclude.data, [1, 2.5, 5.5, 7]) < tolerance)  // divisors 1, 2, 2, 4
    }

    @Test func avgPoolCeilModeClipsTheLastWindow() throws {
        // 5×5 ramp 0…24, kernel 2, stride 2, ceil_mode: Ho = ⌈(5 − 2)/2⌉ + 1 = 3. The last row/column of
        // windows hangs past the input and is clipped to it, so its divisor shrinks even with
        // count_include_pad (PyTorch's CPU rule: the window is clipped to [−p, in + p) before counting):
        // (0+1+5+6)/4 = 3, (2+3+7+8)/4 = 5, (4+9)/2 = 6.5, (14+19)/2 = 16.5, (20+21)/2 = 20.5,
        // (22+23)/2 = 22.5, 24/1 = 24.
        let x = Tensor(shape: [1, 1, 5, 5], data: (0..<25).map(Double.init))
        let y = try pool("avg", x, Pool2DParams(kernelSize: Pair(2), ceilMode: true))
        #expect(y.shape == [1, 1, 3, 3])
        #expect(restRelError(y.data, [3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24]) < tolerance)
        let m = try pool("max", x, Pool2DParams(kernelSize: Pair(2), ceilMode: true))
        #expect(m.data == [6, 8, 9, 16, 18, 19, 21, 23, 24])
    }

    @Test func ceilModeDropsAWindowThatWouldStartInThePadding() throws {
        // 4×4, kernel 2, stride 3, padding 1: ⌈(4 + 2 − 2)/3⌉ + 1 = 3, but window 2 would start at
        // 2·3 − 1 = 5 ≥ 4 (past the input), so PyTorch keeps 2.
        let p = Pool2DParams(kernelSize: Pair(2), stride: Pair(3), padding: Pair(1), ceilMode: true)
        let dropped = try p.outputSize(height: 4, width: 4)
        #expect(dropped.height == 2 && dropped.width == 2)
        // And where it does not drop: 5×5 kernel 2 stride 2 → 3 (checked above), floor mode → 2.
        let floor = try Pool2DParams(kernelSize: Pair(2)).outputSize(height: 5, width: 5)
        #expect(floor.height == 2 && floor.width == 2)
    }

    @Test func maxPoolPaddingIsNeverTheMaximum() throws {
        // PyTorch pads max pooling with −∞: all-negative input, padding 1 → no zero appears.
        // 2×2 input, kernel 2, stride 1, padding 1 → 3×3; each window sees the real cells it covers.
        let x = image([[-1, -2], [-3, -4]])
        let y = try pool("max", x, Pool2DParams(kernelSize: Pair(2), stride: Pair(1), padding: Pair(1)))
        #expect(y.data == [-1, -1, -2, -1, -1, -2, -3, -3, -4])
    }

    @Test func tiesRouteToTheFirstMaximum() throws {
        // Every cell equal: each window's gradient goes to its top-left cell (row-major first).
        let x = Tensor(shape: [1, 1, 4, 4], repeating: 5)
        var t = Tracer.untraced
        let g = try MaxPool2D.backward(
            input: x, params: Pool2DParams(kernelSize: Pair(2)), gradOutput: Tensor(shape: [1, 1, 2, 2], repeating: 1),
            tracer: &t)
        #expect(g.input.data == [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0])
        // A tie between (0,1) and (1,0) in one window: (0,1) comes first in row-major order.
        let tie = image([[0, 7], [7, 1]])
        let gt = try MaxPool2D.backward(
            input: tie, params: Pool2DParams(kernelSize: Pair(2)), gradOutput: image([[1]]), tracer: &t)
        #expect(gt.input.data == [0, 1, 0, 0])
    }

    @Test func overlappingWindowsAccumulate() throws {
        // 3×3 with the maximum 9 in the centre, kernel 2, stride 1: all four windows pick the centre,
        // so its gradient is 1 + 2 + 3 + 4 = 10.
        let x = image([[1, 2, 3], [4, 9, 5], [6, 7, 8]])
        var t = Tracer.untraced
        let g = try MaxPool2D.backward(
            input: x, params: Pool2DParams(kernelSize: Pair(2), stride: Pair(1)), gradOutput: image([[1, 2], [3, 4]]),
            tracer: &t)
        #expect(g.input.data == [0, 0, 0, 0, 10, 0, 0, 0, 0])
    }

    @Test func globalPools() throws {
        // Channel 0: 1…6 → max 6, mean 3.5; channel 1 has a tie of 4s at (0,1) and (1,0).
        let x = Tensor(shape: [1, 2, 2, 3], data: [1, 2, 3, 4, 5, 6, 0, 4, 1, 4, 2, 3])
        var t = Tracer.untraced
        let m = try GlobalMaxPool.forward(input: x, tracer: &t)
        #expect(m.shape == [1, 2, 1, 1])
        #expect(m.data == [6, 4])
        let a = try GlobalAvgPool.forward(input: x, tracer: &t)
        #expect(restRelError(a.data, [3.5, 14.0 / 6]) < tolerance)
        let gm = try GlobalMaxPool.backward(input: x, gradOutput: Tensor(shape: [1, 2, 1, 1], data: [2, 3]), tracer: &t)
        #expect(gm.input.data == [0, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0])
        let ga = try GlobalAvgPool.backward(input: x, gradOutput: Tensor(shape: [1, 2, 1, 1], data: [6, 12]), tracer: &t)
        #expect(ga.input.data == [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2])
    }

    @Test func errorsSayWhatWouldBeValid() throws {
        let x = Tensor(shape: [1, 1, 4, 4], repeating: 1)
        #expect(throws: EngineError.self) { try pool("max", x, Pool2DParams(kernelSize: Pair(2), padding: Pair(2))) }
        do {
            _ = try pool("avg", x, Pool2DParams(kernelSize: Pair(3), padding: Pair(2)))
            Issue.record("padding above kernel/2 must be refused")
        } catch let e as EngineError {
            #expect(e.message.contains("at most 1×1"))
        }
        do {
            _ = try pool("max", x, Pool2DParams(kernelSize: Pair(5)))
            Issue.record("a kernel larger than the input must be refused")
        } catch let e as EngineError {
            #expect(e.message.contains("too small"))
        }
        #expect(throws: EngineError.self) { try pool("max", x, Pool2DParams(kernelSize: Pair(2), stride: Pair(0))) }
        #expect(throws: EngineError.self) { try pool("max", x, Pool2DParams(kernelSize: Pair(0))) }
        #expect(throws: EngineError.self) {
            try pool("max", Tensor(shape: [4, 4], repeating: 1), Pool2DParams(kernelSize: Pair(2)))
        }
        var t = Tracer.untraced
        #expect(throws: EngineError.self) {
            try MaxPool2D.backward(
                input: x, params: Pool2DParams(kernelSize: Pair(2)), gradOutput: Tensor(shape: [1, 1, 3, 3]), tracer: &t)
        }
    }
}
