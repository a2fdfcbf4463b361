// EngineTests — batch_norm2d and dropout against PyTorch 2.13 float64 (Fixtures/normalization.json),
// finite-difference gradient checks, and the refusals PyTorch makes too.
import Foundation
import Testing
@testable import Engine

/// One batch_norm2d or dropout case as `tools/pytorch-fixtures/make_fixtures.py` records it.
struct NormalizationCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var op: String
    var params: FixtureParams
    var input: FixtureTensor
    var weight: FixtureTensor?
    var bias: FixtureTensor?
    var runningMean: FixtureTensor?
    var runningVar: FixtureTensor?
    var mask: FixtureTensor?
    var gradOutput: FixtureTensor
    var output: FixtureTensor
    var gradInput: FixtureTensor
    var gradWeight: FixtureTensor?
    var gradBias: FixtureTensor?
    var newRunningMean: FixtureTensor?
    var newRunningVar: FixtureTensor?

    var testDescription: String { "normalization/\(name)" }

    var layer: Layer {
        switch op {
        case "batch_norm2d":
            .batchNorm2d(BatchNorm2DParams(
                weight: weight?.tensor, bias: bias?.tensor, runningMean: runningMean?.tensor,
                runningVar: runningVar?.tensor, eps: params.eps ?? 1e-5, momentum: params.momentum ?? 0.1,
                training: params.training ?? true))
        default:
            .dropout(DropoutParams(p: params.p ?? 0.5, training: params.training ?? true, mask: mask?.tensor))
        }
    }

    static var all: [NormalizationCase] {
        guard let url = try? Fixtures.url("normalization"), let data = try? Data(contentsOf: url),
              let file = try? Fixtures.decoder().decode(FixtureFile<NormalizationCase>.self, from: data)
        else { return [] }
        return file.cases
    }
}

@Suite struct NormalizationConformanceTests {
    @Test func fixtureLoads() {
        let cases = NormalizationCase.all
        #expect(cases.count == 11)
        #expect(cases.filter { $0.op == "batch_norm2d" }.count == 7)
        #expect(cases.contains { $0.op == "batch_norm2d" && $0.params.training == false })
    }

    @Test("forward, backward and running statistics match PyTorch, traced and untraced", arguments: NormalizationCase.all)
    func matchesPyTorch(_ c: NormalizationCase) throws {
        let network = Network(layers: [c.layer])
        var untraced = Tracer.untraced
        let result = try network.run(input: c.input.tensor, gradOutput: c.gradOutput.tensor, tracer: &untraced)
        expectMatches(result.output, c.output, "output", in: c.testDescription)
        let g = try #require(result.gradients?.first)
        expectMatches(g.input, c.gradInput, "grad_input", in: c.testDescription)
        expectMatches(g.kernel, c.gradWeight, "grad_weight", in: c.testDescription)
        expectMatches(g.bias, c.gradBias, "grad_bias", in: c.testDescription)
        if case .batchNorm2d(let p) = c.layer {
            let (mean, variance) = try BatchNorm2D.runningStatistics(input: c.input.tensor, params: p)
            expectMatches(mean, c.newRunningMean, "running_mean", in: c.testDescription)
            expectMatches(variance, c.newRunningVar, "running_var", in: c.testDescription)
        }
        // The traced run gives the same numbers, and its last event per cell is the value.
        var traced = Tracer(sink: RecordingSink())
        let tracedResult = try network.run(input: c.input.tensor, gradOutput: c.gradOutput.tensor, tracer: &traced)
        #expect(tracedResult == result, "\(c.testDescription): traced and untraced runs differ")
    }

    @Test("the trace spells the three-term dX: every cell's terms sum to its gradient")
    func threeTermsInTrace() throws {
        let c = try #require(NormalizationCase.all.first { $0.name == "train_affine_eps_momentum_2x2x3x3" })
        var tracer = Tracer(sink: RecordingSink())
        let result = try Network(layers: [c.layer]).run(input: c.input.tensor, gradOutput: c.gradOutput.tensor, tracer: &tracer)
        let dX = try #require(result.gradients?.first?.input)
        let terms = tracer.sink.events.filter { $0.kind == .grad && $0.target == .input }
        #expect(terms.count == 3 * dX.count)
        var sums = [Double](repeating: 0, count: dX.count)
        for e in terms {
            #expect(e.product == e.a * e.b)
            sums[dX.offset(Int(e.input.n), Int(e.input.c), Int(e.input.h), Int(e.input.w))] += e.product
        }
        for i in sums.indices { #expect(abs(sums[i] - dX.data[i]) <= 1e-12 * max(1, abs(dX.data[i]))) }
        // Mean and variance terms: M of each per channel, whose last acc is the statistic.
        let m = c.input.shape[0] * c.input.shape[2] * c.input.shape[3]
        let means = tracer.sink.events.filter { $0.kind == .norm && $0.kernel.c == NormPart.mean.rawValue }
        #expect(means.count == m * c.input.shape[1])
        let running = tracer.sink.events.filter { $0.kind == .norm && $0.kernel.c == NormPart.runningMean.rawValue }
        expectMatches(Tensor(shape: [running.count], data: running.map(\.acc)), c.newRunningMean, "running_mean events",
                      in: c.testDescription)
    }

    @Test("finite differences: dX, dγ and dβ of batch_norm2d in training and evaluation", arguments: [true, false])
    func finiteDifferences(training: Bool) throws {
        var rng = SeededRandom(seed: training ? 21 : 22)
        let x = Tensor(shape: [2, 2, 3, 2], data: (0..<24).map { _ in rng.double(-2, 2) })
        let gy = Tensor(shape: [2, 2, 3, 2], data: (0..<24).map { _ in rng.double(-1, 1) })
        let gamma = Tensor(shape: [2], data: [1.3, -0.7]), beta = Tensor(shape: [2], data: [0.2, 0.5])
        func params(_ w: Tensor, _ b: Tensor) -> BatchNorm2DParams {
            BatchNorm2DParams(weight: w, bias: b, runningMean: Tensor(shape: [2], data: [0.1, -0.3]),
                              runningVar: Tensor(shape: [2], data: [1.5, 0.6]), eps: 1e-3, training: training)
        }
        func loss(_ x: Tensor, _ w: Tensor, _ b: Tensor) throws -> Double {
            var t = Tracer.untraced
            let y = try BatchNorm2D.forward(input: x, params: params(w, b), tracer: &t)
            return zip(y.data, gy.data).reduce(0) { $0 + $1.0 * $1.1 }
        }
        var t = Tracer.untraced
        let g = try BatchNorm2D.backward(input: x, params: params(gamma, beta), gradOutput: gy, tracer: &t)
        let h = 1e-6
        func central(_ f: (Double) throws -> Double) rethrows -> Double { (try f(h) - f(-h)) / (2 * h) }
        for i in 0..<x.count {
            let d = try central { e in var xp = x; xp.data[i] += e; return try loss(xp, gamma, beta) }
            #expect(abs(d - g.input.data[i]) < 1e-6, "dX[\(i)]: finite difference \(d), backward \(g.input.data[i])")
        }
        for i in 0..<2 {
            let dw = try central { e in var w = gamma; w.data[i] += e; return try loss(x, w, beta) }
            let db = try central { e in var b = beta; b.data[i] += e; return try loss(x, gamma, b) }
            #expect(abs(dw - (g.kernel?.data[i] ?? .nan)) < 1e-6)
            #expect(abs(db - (g.bias?.data[i] ?? .nan)) < 1e-6)
        }
    }

    @Test("dropout: the seeded mask is reproducible, about 1 − p kept, and gradients follow the mask")
    func seededDropout() throws {
        let a = Dropout.mask(count: 10_000, p: 0.3, seed: 5), b = Dropout.mask(count: 10_000, p: 0.3, seed: 5)
        #expect(a == b)
        #expect(a != Dropout.mask(count: 10_000, p: 0.3, seed: 6))
        let kept = a.reduce(0, +)
        #expect(kept > 6_700 && kept < 7_300, "kept \(kept) of 10000 at p = 0.3")
        // SplitMix64 from seed 0: first output 0xE220A8397B1DCDAF, u ≈ 0.883 ≥ 0.5, so unit 0 is kept.
        #expect(Dropout.mask(count: 1, p: 0.88, seed: 0) == [1])
        #expect(Dropout.mask(count: 1, p: 0.89, seed: 0) == [0])
        let x = Tensor(shape: [1, 1, 1, 4], data: [1, -2, 3, 4])
        var t = Tracer.untraced
        let params = DropoutParams(p: 0.5, mask: Tensor(shape: [4], data: [1, 0, 0, 1]))
        #expect(try Dropout.forward(input: x, params: params, tracer: &t).data == [2, 0, 0, 8])
        let g = try Dropout.backward(input: x, params: params, gradOutput: Tensor(shape: [1, 1, 1, 4], repeating: 1), tracer: &t)
        #expect(g.input.data == [2, 0, 0, 2])
        var off = params; off.training = false
        #expect(try Dropout.forward(input: x, params: off, tracer: &t) == x)
    }

    @Test("refusals: one value per channel in training, per-channel sizes, p, mask")
    func refusals() {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        var t = Tracer.untraced
        let one = Tensor(shape: [1, 2, 1, 1], data: [1, 2])
        #expect(message { _ = try BatchNorm2D.forward(input: one, params: BatchNorm2DParams(), tracer: &t) }
            .contains("expected more than 1 value per channel when training"))
        #expect(message { _ = try BatchNorm2D.forward(input: one, params: BatchNorm2DParams(training: false), tracer: &t) } == "no error")
        let x = Tensor(shape: [2, 2, 1, 1], data: [1, 2, 3, 4])
        #expect(message { _ = try BatchNorm2D.forward(input: x, params: BatchNorm2DParams(runningVar: Tensor(shape: [3], repeating: 1)), tracer: &t) }
            == "batch_norm2d: running_var has 3 values but the input has C = 2 channels; give one value per channel")
        #expect(message { _ = try Dropout.forward(input: x, params: DropoutParams(p: 1), tracer: &t) }
            .contains("p must be in [0, 1)"))
        #expect(message { _ = try Dropout.forward(input: x, params: DropoutParams(p: -0.1), tracer: &t) }
            .contains("p must be in [0, 1)"))
        #expect(message { _ = try Dropout.forward(input: x, params: DropoutParams(mask: Tensor(shape: [3], repeating: 1)), tracer: &t) }
            .contains("mask has shape 3 but the input has shape 2×2×1×1"))
        #expect(message { _ = try Dropout.forward(input: x, params: DropoutParams(mask: Tensor(shape: [2, 2, 1, 1], data: [1, 2, 0, 1])), tracer: &t) }
            .contains("mask must hold only 0 (dropped) and 1 (kept)"))
    }
}
