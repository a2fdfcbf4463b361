// EngineTests — relu, leaky_relu, sigmoid, tanh and softmax values and derivatives (PyTorch's conventions).
import Testing
@testable import Engine
#if canImport(Glibc)
import Glibc
private func libmTanh(_ x: Double) -> Double { Glibc.tanh(x) }
#elseif canImport(Darwin)
import Darwin
private func libmTanh(_ x: Double) -> Double { Darwin.tanh(x) }
#endif

private let tolerance = 1e-12

private func row(_ v: [Double]) -> Tensor { Tensor(shape: [1, v.count], data: v) }

private func forward(_ f: Activation.Function, _ v: [Double]) throws -> [Double] {
    var t = Tracer.untraced
    return try Activation.forward(f, input: row(v), tracer: &t).data
}

private func backward(_ f: Activation.Function, _ v: [Double], _ g: [Double]) throws -> [Double] {
    var t = Tracer.untraced
    return try Activation.backward(f, input: row(v), gradOutput: row(g), tracer: &t).input.data
}

@Suite struct ActivationTests {
    @Test func relu() throws {
        #expect(try forward(.relu, [-2, 0, 3]) == [0, 0, 3])
        // PyTorch: threshold_backward(x ≤ 0 → 0), so relu′(0) = 0.
        #expect(try backward(.relu, [-2, 0, 3], [5, 5, 5]) == [0, 0, 5])
    }

    @Test func leakyRelu() throws {
        #expect(try forward(.leakyRelu(slope: 0.1), [-2, 0, 3]) == [-2 * 0.1, 0, 3])
        // PyTorch: x > 0 ? grad : grad·slope, so leaky_relu′(0) = slope.
        #expect(try backward(.leakyRelu(slope: 0.1), [-2, 0, 3], [5, 5, 5]) == [5 * 0.1, 5 * 0.1, 5])
    }

    @Test func sigmoid() throws {
        // σ(0) = 1/2; σ(ln 3) = 1/(1 + 1/3) = 3/4; σ′ = σ(1 − σ): 1/4 and 3/16.
        let ln3 = 1.0986122886681098
        #expect(restRelError(try forward(.sigmoid, [0, ln3]), [0.5, 0.75]) < tolerance)
        #expect(restRelError(try backward(.sigmoid, [0, ln3], [1, 2]), [0.25, 2 * 0.1875]) < tolerance)
    }

    @Test func tanh() throws {
        // tanh(ln 2) = (2 − 1/2)/(2 + 1/2) = 0.6; tanh′ = 1 − 0.36 = 0.64.
        let ln2 = 0.6931471805599453
        #expect(restRelError(try forward(.tanh, [0, ln2, -ln2]), [0, 0.6, -0.6]) < tolerance)
        #expect(restRelError(try backward(.tanh, [0, ln2], [1, 1]), [1, 0.64]) < tolerance)
    }

    /// The engine's own tanh (TanhKernel) against the exact value, computed in 80-bit precision where the
    /// platform has it: within 2 ulp over [−20, 20] and at the branch points; odd; saturating to ±1.
    @Test func tanhIsWithinTwoUlp() throws {
        var state: UInt64 = 0x7A4E
        var worst = 0.0
        var xs: [Double] = [0.625, 0.625.nextDown, 0x1p-28, 0x1p-28.nextUp, 1e-8, 19.1, 19.2, 0.5, 1, 2]
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(UInt64(1) << 53)
            xs.append(state & 1 == 0 ? (u - 0.5) * 40 : (u - 0.5) * 2)
        }
        let ys = try forward(.tanh, xs)
        for (x, y) in zip(xs, ys) {
            #expect(y.bitPattern == (-(try forward(.tanh, [-x])[0])).bitPattern, "tanh is odd at \(x)")
            #if arch(x86_64) && canImport(Glibc)
            let exact = tanhl(Float80(x))  // 64-bit significand: the reference to well below a Double ulp
            worst = Swift.max(worst, Double(abs(Float80(y) - exact) / Float80(Double(exact).ulp)))
            #else
            worst = Swift.max(worst, abs(y - libmTanh(x)) / y.ulp + 1)  // libm is itself within 1 ulp
            #endif
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
        #expect(try forward(.tanh, [.infinity, -.infinity, 25, -0.0]).map(\.bitPattern)
                == [1.0, -1.0, 1.0, -0.0].map(\.bitPattern))
        #expect(try forward(.tanh, [.nan])[0].isNaN)
    }

    @Test func softmaxOverAxisOne() throws {
        // softmax(ln 1, ln 2, ln 3) = (1, 2, 3)/6.
        let x = row([0, 0.6931471805599453, 1.0986122886681098])
        var t = Tracer.untraced
        let y = try Softmax.forward(input: x, tracer: &t)
        #expect(restRelError(y.data, [1.0 / 6, 2.0 / 6, 3.0 / 6]) < tolerance)
        // dY = (1, 0, 0): dX_i = y_0(δ_i0 − y_i) = (1/6·5/6, −1/6·2/6, −1/6·3/6) = (5, −2, −3)/36.
        let g = try Softmax.backward(input: x, gradOutput: row([1, 0, 0]), tracer: &t)
        #expect(restRelError(g.input.data, [5.0 / 36, -2.0 / 36, -3.0 / 36]) < tolerance)
    }

    @Test func softmaxOnImagesRunsOverChannelsPerPixel() throws {
        // N×C×H×W = 1×2×1×2: pixel 0 has logits (0, 0) → (1/2, 1/2); pixel 1 has (ln 3, 0) → (3/4, 1/4).
        let x = Tensor(shape: [1, 2, 1, 2], data: [0, 1.0986122886681098, 0, 0])
        var t = Tracer.untraced
        let y = try Softmax.forward(input: x, tracer: &t)
        #expect(restRelError(y.data, [0.5, 0.75, 0.5, 0.25]) < tolerance)
    }

    @Test func softmaxIsStableForHugeLogits() throws {
        var t = Tracer.untraced
        let y = try Softmax.forward(input: row([1000, 1000, -1000]), tracer: &t)
        #expect(y.data == [0.5, 0.5, 0])
    }

    @Test func eventsPerElement() throws {
        var t = Tracer(sink: RecordingSink())
        let x = Tensor(shape: [1, 2, 2, 2], data: [-1, 2, -3, 4, 0, 6, -7, 8])
        let y = try Activation.forward(.relu, input: x, tracer: &t)
        let events = t.sink.events
        #expect(events.count == 8)
        #expect(events.allSatisfy { $0.kind == .activation })
        #expect(events.map(\.acc) == y.data)
        #expect(events.map(\.a) == x.data)
        #expect(events[5].input == Index4(0, 1, 0, 1))
        _ = try Activation.backward(.relu, input: x, gradOutput: Tensor(shape: x.shape, repeating: 2), tracer: &t)
        let grads = t.sink.events.dropFirst(8)
        #expect(grads.count == 8)
        #expect(grads.map(\.b) == [0, 1, 0, 1, 0, 1, 0, 1])
        #expect(grads.allSatisfy { $0.kind == .grad && $0.target == .input && $0.product == $0.a * $0.b })
        // Softmax backward: C² Jacobian terms per slice; their running acc ends at dX.
        var s = Tracer(sink: RecordingSink())
        let logits = row([0.5, -1, 2])
        let dY = row([1, -2, 0.5])
        let dX = try Softmax.backward(input: logits, gradOutput: dY, tracer: &s).input
        #expect(s.sink.events.count == 9)
        let finals = stride(from: 2, to: 9, by: 3).map { s.sink.events[$0].acc }
        #expect(finals == dX.data)
    }
}
