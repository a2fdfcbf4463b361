// EngineTests — residual blocks (`add`): the join, the split of the gradient and the sum at the fork, in
// numbers and in the trace. PyTorch agreement is in `PyTorchConformanceTests` (Fixtures/residual_networks.json).
import Testing
@testable import Engine

@Suite struct ResidualTests {
    /// conv(3×3, padding 1) → relu, joined to the block input, then a loss; batch 2, two channels.
    static func network(_ rng: inout SeededRandom) -> Network {
        Network(layers: [
            .conv2d(Conv2DParams(padding: Padding(1)), kernel: rng.tensor([2, 2, 3, 3]), bias: rng.tensor([2])),
            .relu,
            .add(AddParams(from: 0)),
            .tanh,
        ], loss: .mse(target: rng.tensor([2, 2, 3, 3])))
    }

    @Test("the trace: join = F(x) + x per cell, dY splits unchanged, the fork adds both paths' gradients")
    func traceInvariants() throws {
        var rng = SeededRandom(seed: 0xADD)
        let net = Self.network(&rng)
        let x = rng.tensor([2, 2, 3, 3])
        var tracer = Tracer(sink: RecordingSink())
        let r = try net.run(input: x, tracer: &tracer)
        let events = tracer.sink.events
        let joins = events.filter { $0.kind == .add && $0.kernel.c == AddPart.join.rawValue }
        #expect(joins.count == x.count)
        for (i, e) in joins.enumerated() {
            #expect(e.layer == 2 && e.phase == .forward)
            #expect(e.a == r.activations[2].data[i] && e.b == x.data[i] && e.acc == r.activations[3].data[i])
        }
        let grads = try #require(r.gradients)
        let dY = grads[3].input  // dL/d(add output) = tanh's input gradient
        let splits = events.filter { $0.kind == .add && $0.kernel.c == AddPart.split.rawValue }
        #expect(splits.map(\.a) == dY.data)
        #expect(grads[2].input.data == dY.data)  // the main path gets dY unchanged
        let forks = events.filter { $0.kind == .add && $0.kernel.c == AddPart.fork.rawValue }
        #expect(forks.count == x.count)
        // The fork comes after layer 0's backward and sums its input gradient (main path) with dY (skip path).
        let lastConvGrad = try #require(events.lastIndex { $0.layer == 0 && $0.phase == .backward })
        let firstFork = try #require(events.firstIndex { $0.kind == .add && $0.kernel.c == AddPart.fork.rawValue })
        #expect(firstFork > lastConvGrad)
        var mainOnly = Tracer.untraced
        let viaMain = try Conv2D.backward(input: x, kernel: { if case .conv2d(_, let k, _) = net.layers[0] { k } else { Tensor(shape: [1]) } }(),
                                          bias: { if case .conv2d(_, _, let b) = net.layers[0] { b } else { nil } }(),
                                          params: Conv2DParams(padding: Padding(1)), gradOutput: grads[1].input, tracer: &mainOnly)
        for (i, e) in forks.enumerated() {
            #expect(e.layer == 2 && e.phase == .backward)
            #expect(e.a == viaMain.input.data[i] && e.b == dY.data[i] && e.acc == grads[0].input.data[i])
        }
    }

    @Test("untraced and traced runs agree bit for bit")
    func tracedUntraced() throws {
        var rng = SeededRandom(seed: 0xADD2)
        let net = Self.network(&rng)
        let x = rng.tensor([2, 2, 3, 3])
        var traced = Tracer(sink: RecordingSink())
        var untraced = Tracer.untraced
        let a = try net.run(input: x, tracer: &traced), b = try net.run(input: x, tracer: &untraced)
        #expect(a.output.data.map(\.bitPattern) == b.output.data.map(\.bitPattern))
        #expect(a.gradients?.map { $0.input.data.map(\.bitPattern) } == b.gradients?.map { $0.input.data.map(\.bitPattern) })
    }

    @Test("finite differences: the input gradient includes the skip path")
    func finiteDifferences() throws {
        var rng = SeededRandom(seed: 0xADD3)
        let net = Self.network(&rng)
        let x = rng.tensor([2, 2, 3, 3])
        var t = Tracer.untraced
        let g = try #require(try net.run(input: x, tracer: &t).gradients?[0].input)
        let h = 1e-6
        for i in stride(from: 0, to: x.count, by: 5) {
            var xp = x, xm = x
            xp.data[i] += h; xm.data[i] -= h
            let lp = try #require(try net.run(input: xp, tracer: &t).loss), lm = try #require(try net.run(input: xm, tracer: &t).loss)
            #expect(abs((lp - lm) / (2 * h) - g.data[i]) < 1e-6, "cell \(i)")
        }
    }

    @Test("refusals: a later layer, a shape that changes, two joins of one block")
    func refusals() throws {
        var t = Tracer.untraced
        func message(_ layers: [Layer], _ shape: [Int]) -> String {
            do { _ = try Network(layers: layers).run(input: Tensor(shape: shape), tracer: &t); return "" } catch { return "\(error)" }
        }
        #expect(message([.relu, .add(AddParams(from: 3))], [1, 1, 2, 2]).contains("layer 1 (add) adds the input of layer 3, which comes after it"))
        let conv = Layer.conv2d(Conv2DParams(), kernel: Tensor(shape: [1, 1, 2, 2]), bias: nil)
        let shape = message([conv, .add(AddParams(from: 0))], [1, 1, 3, 3])
        #expect(shape.contains("layer 1 (add): the block's output has shape 1×1×2×2 but its input has shape 1×1×3×3"), "\(shape)")
        #expect(message([.relu, .add(AddParams(from: 0)), .add(AddParams(from: 0))], [1, 1, 2, 2]).contains("both add the input of layer 0"))
        // add of its own input: y = 2x, dx = 2·dY.
        let r = try Network(layers: [.add(AddParams(from: 0))]).run(input: Tensor(shape: [1, 2], data: [1, -3]),
                                                                     gradOutput: Tensor(shape: [1, 2], data: [1, 1]), tracer: &t)
        #expect(r.output.data == [2, -6])
        #expect(r.gradients?[0].input.data == [2, 2])
    }
}

@Suite("Residual projection in training")
struct ResidualProjectionTrainingTests {
    @Test("one SGD step moves the projection's kernel and bias by −lr × their gradients from the run (not left as they were)")
    func projectionIsTrained() throws {
        let projection = AddParams.Projection(kernel: Tensor(shape: [2, 1, 1, 1], data: [1, -1]),
                                              bias: Tensor(shape: [2], data: [0.5, 0]))
        let network = Network(layers: [
            .conv2d(Conv2DParams(), kernel: Tensor(shape: [2, 1, 1, 1], data: [2, 1]), bias: nil),
            .add(AddParams(from: 0, projection: projection)),
        ], loss: .mse(target: Tensor(shape: [1, 2, 2, 2], data: [1, 0, 2, 1, 0, 1, 1, 3])))
        let input = Tensor(shape: [1, 1, 2, 2], data: [1, 2, -1, 0.5])
        var untraced = Tracer<NullSink>.untraced
        let run = try network.run(input: input, tracer: &untraced)
        let g = try #require(run.gradients?[1])
        let dK = try #require(g.kernel), db = try #require(g.bias)
        #expect(dK.data.contains { $0 != 0 } && db.data.contains { $0 != 0 })
        let lr = 0.1
        let trained = try network.train(input: input, optimizer: .sgd(SGDParams(lr: lr)), steps: 1, tracer: &untraced)
        guard case .add(let p) = trained.network.layers[1], let q = p.projection else {
            Issue.record("the add layer lost its projection"); return
        }
        #expect(q.kernel.data == zip(projection.kernel.data, dK.data).map { $0 + $1 * -lr })
        #expect(q.bias?.data == zip(projection.bias!.data, db.data).map { $0 + $1 * -lr })
    }
}
