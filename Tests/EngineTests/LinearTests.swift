// EngineTests — the linear layer: values, gradients, flatten, events and shape errors.
import Testing
@testable import Engine

@Suite struct LinearTests {
    // x = [1, 2]; W = [[1, 0], [0, 1], [1, 1]]; b = [0.5, 0, −1]
    // y = [1 + 0.5, 2 + 0, 1 + 2 − 1] = [1.5, 2, 2].
    static let x = Tensor(shape: [1, 2], data: [1, 2])
    static let w = Tensor(shape: [3, 2], data: [1, 0, 0, 1, 1, 1])
    static let b = Tensor(shape: [3], data: [0.5, 0, -1])

    @Test func forwardByHand() throws {
        var t = Tracer.untraced
        let y = try Linear.forward(input: Self.x, weight: Self.w, bias: Self.b, tracer: &t)
        #expect(y.shape == [1, 3])
        #expect(y.data == [1.5, 2, 2])
    }

    @Test func backwardByHand() throws {
        // dY = [1, 2, 3]: dX = Wᵀ·dY = [1 + 3, 2 + 3] = [4, 5]; dW = dYᵀ·x = [[1, 2], [2, 4], [3, 6]]; db = dY.
        var t = Tracer.untraced
        let g = try Linear.backward(
            input: Self.x, weight: Self.w, bias: Self.b, gradOutput: Tensor(shape: [1, 3], data: [1, 2, 3]), tracer: &t)
        #expect(g.input.data == [4, 5])
        #expect(g.kernel == Tensor(shape: [3, 2], data: [1, 2, 2, 4, 3, 6]))
        #expect(g.bias == Tensor(shape: [3], data: [1, 2, 3]))
        let noBias = try Linear.backward(
            input: Self.x, weight: Self.w, bias: nil, gradOutput: Tensor(shape: [1, 3], data: [1, 2, 3]), tracer: &t)
        #expect(noBias.bias == nil)
    }

    @Test func eventsFollowTheConvConvention() throws {
        var t = Tracer(sink: RecordingSink())
        let x = Tensor(shape: [2, 2], data: [1, 2, 3, 4])
        let y = try Linear.forward(input: x, weight: Self.w, bias: Self.b, tracer: &t)
        let forward = t.sink.events
        // Per output cell: 2 macs, 1 bias, 1 output → 2·3·4 = 24 events, of which N·out·in = 12 macs.
        #expect(forward.count == 24)
        #expect(forward.filter { $0.kind == .mac }.count == 12)
        #expect(forward.filter { $0.kind == .output }.map(\.acc) == y.data)
        #expect(forward[1].kernel == Index4(0, 1, 0, 0) && forward[1].input == Index4(0, 1, 0, 0))
        // Replay: Σ a·b over an output's macs plus its bias is the output.
        for (k, value) in y.data.enumerated() {
            let (n, o) = (k / 3, k % 3)
            let macs = forward.filter { $0.kind == .mac && $0.output == Index4(n, o, 0, 0) }
            #expect(macs.reduce(0) { $0 + $1.a * $1.b } + Self.b.data[o] == value)
        }
        _ = try Linear.backward(input: x, weight: Self.w, bias: Self.b, gradOutput: Tensor(shape: [2, 3], repeating: 1), tracer: &t)
        let backward = t.sink.events.dropFirst(24)
        #expect(backward.filter { $0.target == .kernel }.count == 12)
        #expect(backward.filter { $0.target == .input }.count == 12)
        #expect(backward.filter { $0.target == .bias }.count == 6)
        // Kernel terms come first, grouped by weight cell: (0,0) from n = 0 and n = 1.
        #expect(backward.prefix(2).map(\.kernel) == [Index4(0, 0, 0, 0), Index4(0, 0, 0, 0)])
        #expect(backward.prefix(2).map(\.output) == [Index4(0, 0, 0, 0), Index4(1, 0, 0, 0)])
    }

    @Test func flattenIsARowMajorReshape() throws {
        // cnn-basics-backprop.md: "15x15x4 -> 900 x1 vector": 15·15·4 = 900.
        let x = Tensor(shape: [1, 4, 15, 15], data: (0..<900).map(Double.init))
        let y = try Flatten.forward(input: x)
        #expect(y.shape == [1, 900])
        #expect(y.data == x.data)
        let g = try Flatten.backward(input: x, gradOutput: y)
        #expect(g.input == x)
    }

    @Test func shapeErrors() throws {
        var t = Tracer.untraced
        do {
            _ = try Linear.forward(input: Tensor(shape: [1, 3]), weight: Self.w, bias: nil, tracer: &t)
            Issue.record("feature mismatch must be refused")
        } catch let e as EngineError {
            #expect(e.message.contains("expects 2 input features but the input has 3"))
        }
        do {
            _ = try Linear.forward(input: Tensor(shape: [1, 1, 1, 2]), weight: Self.w, bias: nil, tracer: &t)
            Issue.record("rank-4 input must be refused")
        } catch let e as EngineError {
            #expect(e.message.contains("flatten"))
        }
        #expect(throws: EngineError.self) {
            try Linear.forward(input: Self.x, weight: Self.w, bias: Tensor(shape: [2]), tracer: &t)
        }
    }
}
