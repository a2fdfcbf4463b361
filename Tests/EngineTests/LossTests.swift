// EngineTests — mse, softmax cross-entropy and bce (probabilities and logits): values, gradients, edges.
import Testing
@testable import Engine

private let tolerance = 1e-12

private func value(_ loss: Loss, _ x: Tensor) throws -> Double {
    var t = Tracer.untraced
    return try LossFunction.forward(loss, input: x, tracer: &t)
}

private func gradient(_ loss: Loss, _ x: Tensor) throws -> [Double] {
    var t = Tracer.untraced
    return try LossFunction.backward(loss, input: x, tracer: &t).data
}

private func row(_ v: [Double]) -> Tensor { Tensor(shape: [1, v.count], data: v) }

@Suite struct LossTests {
    @Test func mse() throws {
        // x = [1, 2, 3], t = [1, 1, 1]: (0 + 1 + 4)/3 = 5/3; dL/dx = 2(x − t)/3 = [0, 2/3, 4/3].
        let loss = Loss.mse(target: row([1, 1, 1]))
        #expect(abs(try value(loss, row([1, 2, 3])) - 5.0 / 3) < tolerance)
        #expect(restRelError(try gradient(loss, row([1, 2, 3])), [0, 2.0 / 3, 4.0 / 3]) < tolerance)
    }

    @Test func softmaxCrossEntropy() throws {
        // Uniform logits over 3 classes: −log(1/3) = ln 3; gradient p − onehot = (1/3, −2/3, 1/3).
        let loss = Loss.softmaxCrossEntropy(target: [1])
        #expect(abs(try value(loss, row([0, 0, 0])) - 1.0986122886681098) < tolerance)
        #expect(restRelError(try gradient(loss, row([0, 0, 0])), [1.0 / 3, -2.0 / 3, 1.0 / 3]) < tolerance)
        // Mean over N: sample 0 as above (ln 3), sample 1 logits (ln 3, 0) target 0: p = 3/4 → −ln(3/4).
        let batch = Tensor(shape: [2, 2], data: [0, 0, 1.0986122886681098, 0])
        let two = Loss.softmaxCrossEntropy(target: [1, 0])
        // Sample 0 over 2 classes: ln 2.  Mean: (ln 2 − ln 0.75)/2.
        let expected = (0.6931471805599453 + 0.2876820724517809) / 2
        #expect(abs(try value(two, batch) - expected) < tolerance)
        #expect(restRelError(try gradient(two, batch), [0.25, -0.25, -0.125, 0.125]) < tolerance)
    }

    @Test func crossEntropyIsStableForHugeLogits() throws {
        // log-sum-exp shifted by the max: no overflow at 1000.
        #expect(try value(.softmaxCrossEntropy(target: [0]), row([1000, 0])) == 0)
        #expect(abs(try value(.softmaxCrossEntropy(target: [1]), row([1000, 0])) - 1000) < 1e-9)
    }

    @Test func bceOnProbabilities() throws {
        // x = 0.5, t = 1: −ln 0.5 = ln 2; gradient (x − t)/(x(1 − x)) = −0.5/0.25 = −2.
        let loss = Loss.bce(target: row([1]), withLogits: false)
        #expect(abs(try value(loss, row([0.5])) - 0.6931471805599453) < tolerance)
        #expect(try gradient(loss, row([0.5])) == [-2])
        // PyTorch clamps the log at −100: x = 0 with t = 1 costs exactly 100, not ∞; its gradient uses
        // max(x(1 − x), 1e-12): (0 − 1)/1e-12 = −1e12.
        #expect(try value(loss, row([0])) == 100)
        #expect(restRelError(try gradient(loss, row([0])), [-1e12]) < tolerance)
        #expect(try value(loss, row([1])) == 0)
        // Mean over elements: [0.5 → ln 2, 1 with t = 0 → 100] / 2.
        let two = Loss.bce(target: row([1, 0]), withLogits: false)
        #expect(abs(try value(two, row([0.5, 1])) - (0.6931471805599453 + 100) / 2) < tolerance)
    }

    @Test func bceWithLogits() throws {
        // x = 0, t = 1: −log σ(0) = ln 2; gradient σ(0) − 1 = −1/2.
        let loss = Loss.bce(target: row([1]), withLogits: true)
        #expect(abs(try value(loss, row([0])) - 0.6931471805599453) < tolerance)
        #expect(try gradient(loss, row([0])) == [-0.5])
        // Stable for large logits: x = 1000, t = 0 costs 1000; x = −1000, t = 0 costs ~0.
        let zero = Loss.bce(target: row([0]), withLogits: true)
        #expect(try value(zero, row([1000])) == 1000)
        #expect(try value(zero, row([-1000])) == 0)
        // ln(1 + e^2) − 0·2 at x = 2, t = 0: 2.1269280110429727.
        #expect(abs(try value(zero, row([2])) - 2.1269280110429727) < tolerance)
    }

    @Test func lossEventsEndAtTheLoss() throws {
        var t = Tracer(sink: RecordingSink())
        let x = Tensor(shape: [2, 3], data: [0.5, -1, 2, 0, 0, 1])
        let l = try LossFunction.forward(.softmaxCrossEntropy(target: [2, 0]), input: x, tracer: &t)
        // One event per (sample, class): a = probability, b = one-hot target.
        #expect(t.sink.events.count == 6)
        #expect(t.sink.events.allSatisfy { $0.kind == .loss })
        #expect(t.sink.events.last?.acc == l)
        #expect(t.sink.events.map(\.b) == [0, 0, 1, 1, 0, 0])
        let g = try LossFunction.backward(.softmaxCrossEntropy(target: [2, 0]), input: x, tracer: &t)
        let grads = t.sink.events.dropFirst(6)
        #expect(grads.count == 6)
        #expect(grads.map(\.acc) == g.data)
    }

    @Test func badTargetsAreRefused() throws {
        do {
            _ = try value(.softmaxCrossEntropy(target: [3]), row([0, 0, 0]))
            Issue.record("class 3 of 3 must be refused")
        } catch let e as EngineError {
            #expect(e.message.contains("0...2"))
        }
        #expect(throws: EngineError.self) { try value(.softmaxCrossEntropy(target: [0, 1]), row([0, 0])) }
        #expect(throws: EngineError.self) { try value(.mse(target: row([1, 2])), row([1, 2, 3])) }
        do {
            _ = try value(.bce(target: row([1]), withLogits: false), row([1.5]))
            Issue.record("a probability of 1.5 must be refused")
        } catch let e as EngineError {
            #expect(e.message.contains("with_logits"))
        }
        #expect(throws: EngineError.self) { try value(.bce(target: row([2]), withLogits: true), row([0.5])) }
    }
}
