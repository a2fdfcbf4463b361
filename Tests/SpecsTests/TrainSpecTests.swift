// SpecsTests — a network's `train:` block: losses and final parameters worked by hand, every step in the trace,
// and refusals that name the key and what would be valid.
import Engine
import Foundation
import JSONText
import Specs
import Testing

@Suite struct TrainSpecTests {
    /// y = W·x + b with x = 2, W = 0.5, b = 0 against the target 3: y = 1, loss (1 − 3)² = 4,
    /// dL/dy = 2·(1 − 3) = −4, dW = −4·2 = −8, db = −4.
    static let line = "{op: network, input: [2], layers: [{op: linear, weight: [[0.5]], bias: [0]}, {op: mse, target: [3]}], "

    @Test func sgdStepWorkedByHand() throws {
        let problem = try parse(Self.line + "train: {optimizer: {name: sgd, lr: 0.1}, steps: 1}}")
        let json = problem.trainingJSON(try problem.train())
        #expect(numbers(json["losses"]).data == [4])
        // W ← 0.5 − 0.1·(−8) = 1.3, b ← 0 − 0.1·(−4) = 0.4; then y = 2·1.3 + 0.4 = 3: the loss is (about) 0.
        let layer = json["layers"]?.arrayValue?.first
        #expect(close(numbers(layer?["weight"]).data, [1.3]))
        #expect(close(numbers(layer?["bias"]).data, [0.4]))
        #expect(abs(numbers(json["final_loss"]).data[0]) < 1e-24)
    }

    @Test func momentumAndWeightDecayWorkedByHand() throws {
        // Step 1: g_W = −8 + 0.5·0.5 = −7.75 (decay 0.5), buf = −7.75, W = 0.5 + 0.1·7.75 = 1.275.
        let problem = try parse(Self.line + "train: {optimizer: {name: sgd, lr: 0.1, momentum: 0.9, weight_decay: 0.5}, steps: 2}}")
        let result = try problem.train()
        guard case .linear(let w1, _)? = try parse(Self.line + "train: {optimizer: {name: sgd, lr: 0.1, momentum: 0.9, weight_decay: 0.5}, steps: 1}}")
            .train().network.layers.first else { Issue.record("no linear layer"); return }
        #expect(close(w1.data, [1.275]))
        // Step 2: b = 0.4 (decay 0.5·0 at step 1), y = 2·1.275 + 0.4 = 2.95, dL/dy = −0.1, g_W = −0.2 + 0.5·1.275 = 0.4375,
        // buf = 0.9·(−7.75) + 0.4375 = −6.5375, W = 1.275 + 0.65375 = 1.92875.
        guard case .linear(let w2, _)? = result.network.layers.first else { Issue.record("no linear layer"); return }
        #expect(close(w2.data, [1.92875]))
        #expect(close(result.losses, [4, 0.05 * 0.05]))
    }

    @Test func adamFirstStepIsLrTimesTheSignOfTheGradient() throws {
        // m̂ = g and v̂ = g² after one step, so Δθ = −lr·g/(|g| + eps): W moves by +0.1·8/(8 + 1e-8).
        let problem = try parse(Self.line + "train: {optimizer: {name: adam, lr: 0.1}, steps: 1}}")
        guard case .linear(let w, let b)? = try problem.train().network.layers.first else { Issue.record("no linear"); return }
        #expect(close(w.data, [0.5 + 0.1 * 8 / (8 + 1e-8)]))
        #expect(close(b?.data ?? [], [0.1 * 4 / (4 + 1e-8)]))
    }

    @Test func adamwDecaysTheWeightBeforeTheStepAdamAddsItToTheGradient() throws {
        // AdamW: W ← 0.5·(1 − 0.1·0.5) = 0.475, then + 0.1·8/(8 + 1e-8).
        let w = try parse(Self.line + "train: {optimizer: {name: adamw, lr: 0.1, weight_decay: 0.5}, steps: 1}}").train()
        guard case .linear(let ww, _)? = w.network.layers.first else { Issue.record("no linear"); return }
        #expect(close(ww.data, [0.475 + 0.1 * 8 / (8 + 1e-8)]))
        // Adam with L2: g = −8 + 0.5·0.5 = −7.75, still one sign: the step is the same +0.1·7.75/(7.75 + 1e-8).
        let a = try parse(Self.line + "train: {optimizer: {name: adam, lr: 0.1, weight_decay: 0.5}, steps: 1}}").train()
        guard case .linear(let wa, _)? = a.network.layers.first else { Issue.record("no linear"); return }
        #expect(close(wa.data, [0.5 + 0.1 * 7.75 / (7.75 + 1e-8)]))
    }

    @Test func theTraceHoldsEveryStepAndEveryUpdateTerm() throws {
        let problem = try parse(Self.line + "train: {optimizer: {name: sgd, lr: 0.1, momentum: 0.9}, steps: 3}}")
        var tracer = Tracer(sink: RecordingSink())
        _ = try problem.run(tracer: &tracer)
        let events = tracer.sink.events
        #expect(events.filter { $0.kind == .loss }.count == 3)  // one mse term per step
        let updates = events.filter { $0.kind == .update }
        // 2 parameters (W, b) × 3 steps × (gradient, momentum, step, value).
        #expect(updates.count == 2 * 3 * 4)
        #expect(updates.allSatisfy { $0.phase == .update && $0.layer == 0 })
        #expect(Set(updates.map { Int($0.output.n) }) == [1, 2, 3])
        // Steps are numbered without gaps across the training steps.
        #expect(events.map(\.step) == Array(0..<events.count))
        // The last value event of W equals the trained weight.
        guard case .linear(let w, _)? = try problem.train().network.layers.first else { Issue.record("no linear"); return }
        let lastW = updates.last { $0.target == .kernel && $0.output.c == UpdatePart.value.rawValue }
        #expect(lastW?.acc == w.data[0])
    }

    @Test func inputsAndTargetsReplaceTheDataSet() throws {
        // inputs [1] and targets [0.5]: y = 0.5, loss 0, no change.
        let problem = try parse(Self.line + "train: {optimizer: {name: sgd, lr: 0.1}, steps: 1, inputs: [1], targets: [0.5]}}")
        let result = try problem.train()
        #expect(result.losses == [0])
        guard case .linear(let w, _)? = result.network.layers.first else { Issue.record("no linear"); return }
        #expect(w.data == [0.5])
    }

    @Test func refusalsNameTheKeyAndWhatIsValid() {
        let cases: [(String, String)] = [
            ("train: {optimizer: {name: sgdd}, steps: 1}}", "unknown optimizer 'sgdd'; did you mean 'sgd'?"),
            ("train: {optimizer: {name: sgd, momentom: 0.9}, steps: 1}}", "unknown key 'momentom' for sgd; did you mean 'momentum'?"),
            ("train: {optimizer: {name: adam, lr: .inf}, steps: 1}}", "NaN and infinities are refused"),
            ("train: {optimizer: {name: adam, lr: -1}, steps: 1}}", "lr must be a finite number ≥ 0"),
            ("train: {optimizer: {name: adam, betas: [0.9, 1]}, steps: 1}}", "betas[1] must be in [0, 1)"),
            ("train: {optimizer: {name: adam, betas: [0.9]}, steps: 1}}", "betas must be two numbers"),
            ("train: {optimizer: {name: sgd, nesterov: true}, steps: 1}}", "nesterov needs a momentum > 0"),
            ("train: {optimizer: sgd, steps: 10001}}", "10001 steps is outside the training limit (1 to 10000 steps)"),
            ("train: {optimizer: sgd, steps: 0}}", "outside the training limit"),
            ("train: {optimizer: sgd}}", "missing required key 'steps' for train"),
            ("train: {steps: 3}}", "missing required key 'optimizer' for train"),
            ("train: {optimiser: sgd, steps: 1}}", "did you mean 'optimizer'?"),
            ("train: {optimizer: sgd, steps: 1, inputs: [[1, 2]]}}", "has shape 1×2 but input has shape 1"),
        ]
        for (train, message) in cases {
            let text = specError(Self.line + train)?.description ?? ""
            #expect(text.hasPrefix("t.yaml"), "\(train): \(text)")
            #expect(text.contains("train"), "\(train): \(text)")
            #expect(text.contains(message), "\(train): \(text)")
        }
        let noLoss = specError("{op: network, input: [2], layers: [{op: linear, weight: [[0.5]]}], train: {optimizer: sgd, steps: 1}}")
        #expect(noLoss?.description.contains("needs a loss to minimise") == true, "\(String(describing: noLoss))")
    }

    @Test func trainingWorkIsCheckedBeforeItRuns() throws {
        let problem = try parse(Self.line + "train: {optimizer: sgd, steps: 10000}}")
        #expect(problem.estimatedTrainingEvents >= 10000 * problem.estimatedEvents)
        #expect(throws: SpecError.self) { try problem.checkTrainingWork(limits: ResourceLimits(events: 1000)) }
        var message = ""
        do { try problem.checkTrainingWork(limits: ResourceLimits(events: 1000)) } catch { message = error.description }
        #expect(message.contains("training for 10000 steps") && message.contains("--max-events"), "\(message)")
        try problem.checkTrainingWork(limits: ResourceLimits(events: 1 << 24))
    }
}

@Suite struct OptimizerCatalogTests {
    @Test("docs/spec-format.md has a heading and the descriptor's key table for every optimizer")
    func docTablesMatch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/spec-format.md")
        let doc = try String(contentsOf: url, encoding: .utf8)
        let headings = doc.split(separator: "\n").filter { $0.hasPrefix("#### ") }
        for d in Ops.optimizers {
            #expect(headings.contains { $0.contains("`\(d.name)`") }, "no heading for \(d.name)")
            let table = OpCatalog.keyTable(d.keys)
            #expect(doc.contains(table + "\n\n"), "docs/spec-format.md lacks this table for \(d.name):\n\(table)")
        }
    }

    @Test("each optimizer's parameters rebuild it (the descriptor's make inverts parameters)")
    func parametersRoundTrip() throws {
        let samples: [Optimizer] = [
            .sgd(SGDParams(lr: 0.2, momentum: 0.8, dampening: 0, nesterov: true, weightDecay: 0.01)),
            .adam(AdamParams(lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1)),
            .adamw(AdamParams(lr: 0.02, weightDecay: 0.3)),
            .rmsprop(RMSPropParams(lr: 0.1, alpha: 0.9, eps: 1e-7, momentum: 0.5, centered: true, weightDecay: 0.2)),
        ]
        for o in samples {
            let rebuilt = try o.descriptor.make(ParameterReader(o.descriptor.parameters(o)))
            #expect(rebuilt == o)
            #expect(o.descriptor.parameters(o).map(\.0) == o.descriptor.keys.map(\.name))
        }
    }
}
