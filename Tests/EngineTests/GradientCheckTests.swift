// EngineTests — finite-difference gradient checks of pooling, activations, softmax, linear and losses.
import Testing
@testable import Engine

// MARK: - Support shared by the non-convolution engine tests (names prefixed to stay out of others' way)

/// The conv tests' SplitMix64 generator (SeededRandom.swift), under the name these tests use.
typealias RestRNG = SeededRandom

extension SeededRandom {
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { double(lo, hi) }
    /// A tensor of `shape` with elements uniform in [lo, hi).
    mutating func tensor(_ shape: [Int], _ lo: Double, _ hi: Double) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in double(lo, hi) })
    }
}

/// max |a − b| divided by the largest magnitude of `b` (at least 1e-300): the team's relative error.
func restRelError(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    let scale = Swift.max(b.reduce(0) { Swift.max($0, abs($1)) }, 1e-300)
    var worst = 0.0
    for (x, y) in zip(a, b) { worst = Swift.max(worst, abs(x - y)) }
    return worst / scale
}

/// Central-difference gradient of a scalar function of `x`.
func restNumericGradient(_ x: Tensor, h: Double = 1e-6, _ f: (Tensor) throws -> Double) rethrows -> Tensor {
    var grad = Tensor(shape: x.shape)
    for i in 0..<x.count {
        var plus = x, minus = x
        plus.data[i] += h
        minus.data[i] -= h
        grad.data[i] = (try f(plus) - f(minus)) / (2 * h)
    }
    return grad
}

/// Σ dY·Y: the scalar whose gradient with respect to Y is dY.
func restDot(_ a: Tensor, _ b: Tensor) -> Double {
    zip(a.data, b.data).reduce(0) { $0 + $1.0 * $1.1 }
}

/// Finite differences agree with analytic gradients to this relative error (h = 1e-6, central).
let restFDTolerance = 1e-6

// MARK: - Checks

@Suite struct GradientCheckTests {
    @Test(arguments: [
        Pool2DParams(kernelSize: Pair(2)),
        Pool2DParams(kernelSize: Pair(3), stride: Pair(2), padding: Pair(1)),
        Pool2DParams(kernelSize: Pair(2, 3), stride: Pair(1, 2), padding: Pair(1, 1), ceilMode: true),
        Pool2DParams(kernelSize: Pair(3), stride: Pair(2), padding: Pair(1), ceilMode: true, countIncludePad: false),
    ])
    func avgPool(params: Pool2DParams) throws {
        var rng = RestRNG(seed: 11)
        let x = rng.tensor([2, 2, 5, 6])
        var t = Tracer.untraced
        let y = try AvgPool2D.forward(input: x, params: params, tracer: &t)
        let dY = rng.tensor(y.shape)
        let analytic = try AvgPool2D.backward(input: x, params: params, gradOutput: dY, tracer: &t).input
        let numeric = try restNumericGradient(x) { xi in
            var s = Tracer.untraced
            return restDot(try AvgPool2D.forward(input: xi, params: params, tracer: &s), dY)
        }
        #expect(restRelError(analytic.data, numeric.data) < restFDTolerance)
    }

    @Test(arguments: [
        Pool2DParams(kernelSize: Pair(2)),
        Pool2DParams(kernelSize: Pair(3), stride: Pair(1), padding: Pair(1)),
        Pool2DParams(kernelSize: Pair(3, 2), stride: Pair(2, 1), padding: Pair(1, 0), ceilMode: true),
    ])
    func maxPool(params: Pool2DParams) throws {
        // Distinct values (a shuffled ramp) keep every max more than 2h from its runner-up.
        var rng = RestRNG(seed: 12)
        var values = (0..<60).map { Double($0) * 0.1 }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        let x = Tensor(shape: [2, 2, 3, 5], data: values)
        var t = Tracer.untraced
        let y = try MaxPool2D.forward(input: x, params: params, tracer: &t)
        let dY = rng.tensor(y.shape)
        let analytic = try MaxPool2D.backward(input: x, params: params, gradOutput: dY, tracer: &t).input
        let numeric = try restNumericGradient(x) { xi in
            var s = Tracer.untraced
            return restDot(try MaxPool2D.forward(input: xi, params: params, tracer: &s), dY)
        }
        #expect(restRelError(analytic.data, numeric.data) < restFDTolerance)
    }

    @Test func globalPools() throws {
        var rng = RestRNG(seed: 13)
        let x = rng.tensor([2, 3, 4, 3])
        let dY = rng.tensor([2, 3, 1, 1])
        var t = Tracer.untraced
        let gMax = try GlobalMaxPool.backward(input: x, gradOutput: dY, tracer: &t).input
        let nMax = try restNumericGradient(x) { xi in
            var s = Tracer.untraced
            return restDot(try GlobalMaxPool.forward(input: xi, tracer: &s), dY)
        }
        #expect(restRelError(gMax.data, nMax.data) < restFDTolerance)
        let gAvg = try GlobalAvgPool.backward(input: x, gradOutput: dY, tracer: &t).input
        let nAvg = try restNumericGradient(x) { xi in
            var s = Tracer.untraced
            return restDot(try GlobalAvgPool.forward(input: xi, tracer: &s), dY)
        }
        #expect(restRelError(gAvg.data, nAvg.data) < restFDTolerance)
    }

    @Test(arguments: [Activation.Function.relu, .leakyRelu(slope: 0.1), .sigmoid, .tanh])
    func activation(function: Activation.Function) throws {
        var rng = RestRNG(seed: 14)
        // Keep |x| ≥ 0.05 so the relu kink is never inside the difference interval.
        var x = rng.tensor([2, 2, 3, 3], -2, 2)
        x.data = x.data.map { abs($0) < 0.05 ? $0 + 0.1 : $0 }
        let dY = rng.tensor(x.shape)
        var t = Tracer.untraced
        let analytic = try Activation.backward(function, input: x, gradOutput: dY, tracer: &t).input
        let numeric = try restNumericGradient(x) { xi in
            var s = Tracer.untraced
            return restDot(try Activation.forward(function, input: xi, tracer: &s), dY)
        }
        #expect(restRelError(analytic.data, numeric.data) < restFDTolerance)
    }

    @Test(arguments: [[3, 4], [2, 3, 2, 2]])
    func softmax(shape: [Int]) throws {
        var rng = RestRNG(seed: 15)
        let x = rng.tensor(shape, -3, 3)
        let dY = rng.tensor(shape)
        var t = Tracer.untraced
        let analytic = try Softmax.backward(input: x, gradOutput: dY, tracer: &t).input
        let numeric = try restNumericGradient(x) { xi in
            var s = Tracer.untraced
            return restDot(try Softmax.forward(input: xi, tracer: &s), dY)
        }
        #expect(restRelError(analytic.data, numeric.data) < restFDTolerance)
    }

    @Test func linear() throws {
        var rng = RestRNG(seed: 16)
        let x = rng.tensor([3, 5]), w = rng.tensor([4, 5]), b = rng.tensor([4])
        let dY = rng.tensor([3, 4])
        var t = Tracer.untraced
        let g = try Linear.backward(input: x, weight: w, bias: b, gradOutput: dY, tracer: &t)
        func f(_ x: Tensor, _ w: Tensor, _ b: Tensor) throws -> Double {
            var s = Tracer.untraced
            return restDot(try Linear.forward(input: x, weight: w, bias: b, tracer: &s), dY)
        }
        let nX = try restNumericGradient(x) { try f($0, w, b) }
        let nW = try restNumericGradient(w) { try f(x, $0, b) }
        let nB = try restNumericGradient(b) { try f(x, w, $0) }
        #expect(restRelError(g.input.data, nX.data) < restFDTolerance)
        #expect(restRelError(g.kernel?.data ?? [], nW.data) < restFDTolerance)
        #expect(restRelError(g.bias?.data ?? [], nB.data) < restFDTolerance)
    }

    @Test func losses() throws {
        var rng = RestRNG(seed: 17)
        let x = rng.tensor([3, 4], -2, 2)
        let probabilities = rng.tensor([3, 4], 0.1, 0.9)
        let soft = rng.tensor([3, 4], 0, 1)
        let cases: [(Loss, Tensor)] = [
            (.mse(target: rng.tensor([3, 4])), x),
            (.softmaxCrossEntropy(target: [2, 0, 3]), x),
            (.bce(target: soft, withLogits: false), probabilities),
            (.bce(target: soft, withLogits: true), x),
        ]
        for (loss, input) in cases {
            var t = Tracer.untraced
            let analytic = try LossFunction.backward(loss, input: input, tracer: &t)
            let numeric = try restNumericGradient(input) { xi in
                var s = Tracer.untraced
                return try LossFunction.forward(loss, input: xi, tracer: &s)
            }
            #expect(restRelError(analytic.data, numeric.data) < restFDTolerance, "\(loss.opName)")
        }
    }
}
