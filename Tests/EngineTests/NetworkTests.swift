// EngineTests — Network.run: forward, loss, backward through every layer; finite differences on every parameter.
import Testing
@testable import Engine

/// Analytic vs central-difference gradients of the loss with respect to every parameter tensor and the input.
private func checkEveryParameter(_ net: Network, input: Tensor, sourceLocation: SourceLocation = #_sourceLocation) throws {
    var t = Tracer.untraced
    let result = try net.run(input: input, tracer: &t)
    let grads = try #require(result.gradients, sourceLocation: sourceLocation)
    func loss(_ n: Network, _ x: Tensor) throws -> Double {
        var s = Tracer.untraced
        return try n.run(input: x, tracer: &s).loss ?? .nan
    }
    let dX = try restNumericGradient(input) { try loss(net, $0) }
    #expect(restRelError(grads[0].input.data, dX.data) < restFDTolerance, "input", sourceLocation: sourceLocation)
    for (i, layer) in net.layers.enumerated() {
        var weights: Tensor? = nil, bias: Tensor? = nil
        func rebuild(_ w: Tensor?, _ b: Tensor?) -> Layer {
            switch layer {
            case .conv2d(let p, _, _): return .conv2d(p, kernel: w!, bias: b)
            case .convTranspose2d(let p, _, _): return .convTranspose2d(p, weight: w!, bias: b)
            case .linear: return .linear(weight: w!, bias: b)
            default: return layer
            }
        }
        switch layer {
        case .conv2d(_, let k, let b): weights = k; bias = b
        case .convTranspose2d(_, let w, let b): weights = w; bias = b
        case .linear(let w, let b): weights = w; bias = b
        default: continue
        }
        if let w = weights {
            let numeric = try restNumericGradient(w) { wi in
                var n = net
                n.layers[i] = rebuild(wi, bias)
                return try loss(n, input)
            }
            #expect(restRelError(grads[i].kernel?.data ?? [], numeric.data) < restFDTolerance,
                    "layer \(i) weights", sourceLocation: sourceLocation)
        }
        if let b = bias {
            let numeric = try restNumericGradient(b) { bi in
                var n = net
                n.layers[i] = rebuild(weights, bi)
                return try loss(n, input)
            }
            #expect(restRelError(grads[i].bias?.data ?? [], numeric.data) < restFDTolerance,
                    "layer \(i) bias", sourceLocation: sourceLocation)
        }
    }
}

@Suite struct NetworkTests {
    @Test func convReluPoolFlattenLinearCrossEntropy() throws {
        // 2 samples 1×6×6 → conv 3×3 (2 filters, padding 1) → relu → max_pool 2 → flatten (2·3·3 = 18)
        // → linear 18→3 → softmax_cross_entropy. Finite differences on the input and every parameter.
        var rng = RestRNG(seed: 21)
        let net = Network(
            layers: [
                .conv2d(Conv2DParams(padding: Padding(1)), kernel: rng.tensor([2, 1, 3, 3]), bias: rng.tensor([2])),
                .relu,
                .maxPool2d(Pool2DParams(kernelSize: Pair(2))),
                .flatten,
                .linear(weight: rng.tensor([3, 18]), bias: rng.tensor([3])),
            ],
            loss: .softmaxCrossEntropy(target: [2, 0]))
        try checkEveryParameter(net, input: rng.tensor([2, 1, 6, 6]))
    }

    @Test func linearTanhLinearMse() throws {
        var rng = RestRNG(seed: 22)
        let net = Network(
            layers: [
                .linear(weight: rng.tensor([4, 3]), bias: rng.tensor([4])),
                .tanh,
                .linear(weight: rng.tensor([2, 4]), bias: nil),
                .sigmoid,
            ],
            loss: .mse(target: rng.tensor([2, 2])))
        try checkEveryParameter(net, input: rng.tensor([2, 3]))
    }

    @Test func poolsSoftmaxAndBce() throws {
        var rng = RestRNG(seed: 23)
        let net = Network(
            layers: [
                .avgPool2d(Pool2DParams(kernelSize: Pair(3), stride: Pair(2), padding: Pair(1), ceilMode: true)),
                .leakyRelu(slope: 0.2),
                .globalMaxPool,
                .flatten,
                .linear(weight: rng.tensor([2, 3]), bias: rng.tensor([2])),
                .softmax,
            ],
            loss: .bce(target: Tensor(shape: [1, 2], data: [1, 0]), withLogits: false))
        try checkEveryParameter(net, input: rng.tensor([1, 3, 5, 5]))
    }

    @Test func resultsAndTraceStamps() throws {
        // x = [1, −2]; linear W = [[1, 1], [2, 0]], b = [0, 1] → [−1, 3]; relu → [0, 3];
        // mse against [1, 1]: ((0 − 1)² + (3 − 1)²)/2 = 2.5.
        let net = Network(
            layers: [.linear(weight: Tensor(shape: [2, 2], data: [1, 1, 2, 0]), bias: Tensor(shape: [2], data: [0, 1])), .relu],
            loss: .mse(target: Tensor(shape: [1, 2], data: [1, 1])))
        var t = Tracer(sink: RecordingSink())
        let r = try net.run(input: Tensor(shape: [1, 2], data: [1, -2]), tracer: &t)
        #expect(r.activations.map(\.data) == [[1, -2], [-1, 3], [0, 3]])
        #expect(r.loss == 2.5)
        let g = try #require(r.gradients)
        // dL/dy = 2(y − t)/2 = [−1, 2]; relu′ = [0, 1] → [0, 2]; dX = Wᵀ[0, 2] = [4, 0]; dW = [0, 2]ᵀ[1, −2].
        #expect(g.count == 3)
        #expect(g[2].input.data == [-1, 2])  // the loss entry: dL/d(output)
        #expect(g[1].input.data == [0, 2])
        #expect(g[0].input.data == [4, 0])
        #expect(g[0].kernel?.data == [0, 0, 2, -4])
        #expect(g[0].bias?.data == [0, 2])
        // Layer and phase stamps: forward 0, 1, loss (2); backward loss (2), 1, 0; steps numbered in order.
        var order: [String] = []
        for e in t.sink.events {
            let tag = "\(e.phase.name) \(e.layer)"
            if order.last != tag { order.append(tag) }
        }
        #expect(order == ["forward 0", "forward 1", "forward 2", "backward 2", "backward 1", "backward 0"])
        #expect(t.sink.events.map(\.step) == Array(0..<t.sink.events.count))
    }

    @Test func gradOutputWithoutLoss() throws {
        let net = Network(layers: [.relu, .flatten])
        var t = Tracer.untraced
        let x = Tensor(shape: [1, 1, 2, 2], data: [1, -1, 2, -2])
        let r = try net.run(input: x, gradOutput: Tensor(shape: [1, 4], data: [5, 6, 7, 8]), tracer: &t)
        #expect(r.loss == nil)
        #expect(r.gradients?.count == 2)
        #expect(r.gradients?[0].input == Tensor(shape: [1, 1, 2, 2], data: [5, 0, 7, 0]))
        #expect(try net.run(input: x, tracer: &t).gradients == nil)
        do {
            _ = try net.run(input: x, gradOutput: Tensor(shape: [1, 1, 2, 2]), tracer: &t)
            Issue.record("a grad_output of the wrong shape must be refused")
        } catch let e as EngineError {
            #expect(e.message.contains("1×4"))
        }
    }

    @Test func lossOnlyNetworkGivesTheInputGradient() throws {
        // A loss spec alone (no layers): gradients[0] is dL/dinput.
        let net = Network(layers: [], loss: .mse(target: Tensor(shape: [1, 2], data: [0, 0])))
        var t = Tracer.untraced
        let r = try net.run(input: Tensor(shape: [1, 2], data: [1, 2]), tracer: &t)
        #expect(r.loss == 2.5)
        #expect(r.gradients?.first?.input.data == [1, 2])
    }

    @Test func shapeErrorsNameTheLayers() throws {
        var t = Tracer.untraced
        let net = Network(layers: [
            .maxPool2d(Pool2DParams(kernelSize: Pair(2))),
            .relu,
            .flatten,
            .linear(weight: Tensor(shape: [10, 400]), bias: nil),
        ])
        do {
            _ = try net.run(input: Tensor(shape: [1, 4, 16, 16]), tracer: &t)  // flatten gives 4·8·8 = 256
            Issue.record("feature mismatch must be refused")
        } catch let e as EngineError {
            #expect(e.message == "layer 3 (linear) expects 400 input features but layer 2 (flatten) gives 256")
        }
        let conv = Network(layers: [.conv2d(Conv2DParams(), kernel: Tensor(shape: [2, 3, 3, 3]), bias: nil)])
        do {
            _ = try conv.run(input: Tensor(shape: [1, 1, 5, 5]), tracer: &t)
            Issue.record("channel mismatch must be refused")
        } catch let e as EngineError {
            #expect(e.message.hasPrefix("layer 0 (conv2d) expects 3 input channels"))
            #expect(e.message.contains("the input gives 1"))
        }
        let noFlatten = Network(layers: [.globalAvgPool, .linear(weight: Tensor(shape: [2, 3]), bias: nil)])
        do {
            _ = try noFlatten.run(input: Tensor(shape: [1, 3, 2, 2]), tracer: &t)
            Issue.record("linear after a rank-4 tensor must be refused")
        } catch let e as EngineError {
            #expect(e.message.contains("layer 1 (linear)") && e.message.contains("flatten"))
        }
        let badPool = Network(layers: [.relu, .maxPool2d(Pool2DParams(kernelSize: Pair(5)))])
        do {
            _ = try badPool.run(input: Tensor(shape: [1, 1, 3, 3]), tracer: &t)
            Issue.record("a pool larger than its input must be refused")
        } catch let e as EngineError {
            #expect(e.message.hasPrefix("layer 1 (max_pool2d): "))
        }
    }
}
