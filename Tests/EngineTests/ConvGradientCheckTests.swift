// EngineTests — conv2d and conv_transpose2d gradients against central finite differences on random cases.
import Testing
@testable import Engine

/// Compares analytic gradients with central differences of L = Σ dY ⊙ f(…), h = 1e-6.
///
/// Both ops are linear in each argument, so the central difference is exact up to rounding (≈ 1e-10
/// relative); the tolerance 1e-6 relative to the largest gradient magnitude leaves ample room.
@Suite struct ConvGradientCheckTests {
    static let h = 1e-6
    static let tolerance = 1e-6

    /// ∂L/∂t by central differences, L evaluated by `loss`.
    static func numeric(_ t: Tensor, _ loss: (Tensor) throws -> Double) rethrows -> Tensor {
        var g = Tensor(shape: t.shape)
        for i in 0..<t.count {
            var plus = t, minus = t
            plus.data[i] += h
            minus.data[i] -= h
            g.data[i] = (try loss(plus) - loss(minus)) / (2 * h)
        }
        return g
    }

    @Test(arguments: PaddingMode.allCases)
    func conv2d(mode: PaddingMode) throws {
        var rng = SeededRandom(seed: 0x5EED_0000 &+ UInt64(PaddingMode.allCases.firstIndex(of: mode)!))
        var flips = Set<Bool>(), strides = Set<Int>(), dilations = Set<Int>(), rectangular = false
        for _ in 0..<12 {
            let c = ConvCase.random(&rng, mode: mode)
            flips.insert(c.params.flip); strides.insert(c.params.stride.y); dilations.insert(c.params.dilation.x)
            if c.kernel.shape[2] != c.kernel.shape[3] { rectangular = true }
            func forward(_ x: Tensor, _ k: Tensor, _ b: Tensor?) throws -> Tensor {
                var t = Tracer.untraced
                return try Conv2D.forward(input: x, kernel: k, bias: b, params: c.params, tracer: &t)
            }
            let dY = rng.tensor(try forward(c.input, c.kernel, c.bias).shape)
            var t = Tracer.untraced
            let g = try Conv2D.backward(input: c.input, kernel: c.kernel, bias: c.bias, params: c.params,
                                        gradOutput: dY, tracer: &t)
            let dX = try Self.numeric(c.input) { convDot(try forward($0, c.kernel, c.bias), dY) }
            let dK = try Self.numeric(c.kernel) { convDot(try forward(c.input, $0, c.bias), dY) }
            #expect(convRelativeError(g.input, dX) <= Self.tolerance, "dX \(c)")
            #expect(convRelativeError(try #require(g.kernel), dK) <= Self.tolerance, "dK \(c)")
            if let bias = c.bias {
                let db = try Self.numeric(bias) { convDot(try forward(c.input, c.kernel, $0), dY) }
                #expect(convRelativeError(try #require(g.bias), db) <= Self.tolerance, "db \(c)")
            }
        }
        // The random cases did cover what they claim to.
        #expect(flips.count == 2 && strides.count >= 2 && dilations.count == 2 && rectangular)
    }

    @Test func convTranspose2d() throws {
        var rng = SeededRandom(seed: 0x7_0000)
        var checked = 0
        for _ in 0..<20 {
            let (n, ci, co) = (rng.int(1...2), rng.int(1...3), rng.int(1...3))
            let (stride, dilation) = (Pair(rng.int(1...3), rng.int(1...3)), Pair(rng.int(1...2), rng.int(1...2)))
            let params = ConvTranspose2DParams(
                stride: stride, padding: Pair(rng.int(0...1), rng.int(0...1)),
                outputPadding: Pair(rng.int(0...max(stride.y, dilation.y) - 1), rng.int(0...max(stride.x, dilation.x) - 1)),
                dilation: dilation)
            let x = rng.tensor([n, ci, rng.int(1...4), rng.int(1...4)])
            let w = rng.tensor([ci, co, rng.int(1...3), rng.int(1...3)])
            let b: Tensor? = rng.bool() ? rng.tensor([co]) : nil
            func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor?) throws -> Tensor {
                var t = Tracer.untraced
                return try ConvTranspose2D.forward(input: x, weight: w, bias: b, params: params, tracer: &t)
            }
            guard let y = try? forward(x, w, b) else { continue }  // padding cropped everything away
            checked += 1
            let dY = rng.tensor(y.shape)
            var t = Tracer.untraced
            let g = try ConvTranspose2D.backward(input: x, weight: w, bias: b, params: params, gradOutput: dY, tracer: &t)
            let label = "x \(x.shape) w \(w.shape) \(params)"
            #expect(convRelativeError(g.input, try Self.numeric(x) { convDot(try forward($0, w, b), dY) }) <= Self.tolerance, "\(label)")
            #expect(convRelativeError(try #require(g.kernel), try Self.numeric(w) { convDot(try forward(x, $0, b), dY) }) <= Self.tolerance, "\(label)")
            if let b {
                #expect(convRelativeError(try #require(g.bias), try Self.numeric(b) { convDot(try forward(x, w, $0), dY) }) <= Self.tolerance, "\(label)")
            }
        }
        #expect(checked >= 15)
    }
}
