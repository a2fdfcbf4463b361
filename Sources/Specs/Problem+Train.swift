// Specs — running a training spec: the work check, the training loop through the engine, and eval's JSON.
import Engine
import JSONText

extension Problem {
    /// Trains the network as `training` says (full batch, `training.steps` steps), checking the work first.
    ///
    /// - Throws: `SpecError` when the problem has no `train:` block, when steps × the events of one step go
    ///   over the limit, or carrying the engine's message.
    public func train<S: TraceSink>(tracer: inout Tracer<S>) throws(SpecError) -> TrainingResult {
        guard let training else {
            throw SpecError(file: file, path: "", problem: "the spec has no train: block", valid: "a network with train:")
        }
        try checkTrainingWork(traced: S.isRecording)
        do {
            return try network.train(input: input, optimizer: training.optimizer, steps: training.steps, tracer: &tracer)
        } catch let error as EngineError {
            throw SpecError(file: file, path: "", problem: error.message)
        } catch {
            throw SpecError(file: file, path: "", problem: "\(error)")
        }
    }

    /// Trains untraced.
    public func train() throws(SpecError) -> TrainingResult {
        var tracer = Tracer<NullSink>.untraced
        return try train(tracer: &tracer)
    }

    /// Parameters the optimizer updates (weights, biases, γ, β, a projection's kernel): the layers' own
    /// counts (`Layer.parameterCount`, what `shape` prints).
    public var parameterCount: Int {
        network.layers.indices.reduce(0) { total, i in
            Self.saturatingSum(total, network.layers[i].parameterCount(input: layerInfos[i].inputShape))
        }
    }

    /// The estimated events of a training run: steps × (one forward and backward pass + up to 8 update
    /// events per parameter).
    public var estimatedTrainingEvents: Int {
        let perStep = Self.saturatingSum(estimatedEvents, Self.product([parameterCount, 8]))
        return Self.product([perStep, training?.steps ?? 1])
    }

    /// Refuses a training run over the event limit (times `untracedWorkFactor` untraced), at `train.steps`.
    public func checkTrainingWork(traced: Bool = true, limits: ResourceLimits = .current) throws(SpecError) {
        let total = estimatedTrainingEvents
        let limit = traced ? limits.events : Self.product([limits.events, Self.untracedWorkFactor])
        guard total > limit else { return }
        let steps = training?.steps ?? 1
        let count = total == Int.max ? "more than \(Int.max)" : "about \(total)"
        throw SpecError(
            file: file, path: (training?.path ?? "train") + ".steps", line: training?.line,
            problem: "training for \(steps) steps would take \(count) trace events (every step runs forward, backward "
                + "and updates \(parameterCount) parameters), more than the limit of \(limit)"
                + (traced ? "" : " (\(Self.untracedWorkFactor)× the trace limit, as nothing is traced)"),
            valid: "fewer steps, a smaller network or input; or raise the limit with --max-events")
    }

    /// A training run as one JSON object: `optimizer`, `steps`, `losses` (one per step, before its update),
    /// `final_loss` (the loss after the last update), and `layers`: per layer its op and, where it has
    /// them, the final parameters in the shapes the spec gave them (`kernel` / `weight`, `bias`; batch norm
    /// `weight`, `bias`, `running_mean`, `running_var`).
    public func trainingJSON(_ result: TrainingResult) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        if let training {
            pairs.append(("optimizer", .string(training.optimizer.name)))
            pairs.append(("steps", .int(training.steps)))
        }
        pairs.append(("losses", .array(result.losses.map { .number($0) })))
        var after = result.network
        after.loss = network.loss
        var silent = Tracer<NullSink>.untraced
        if let final = try? after.run(input: input, tracer: &silent).loss {
            pairs.append(("final_loss", .number(final)))
        }
        var layers: [JSONValue] = []
        for (i, info) in layerInfos.enumerated() where !info.isLoss && i < result.network.layers.count {
            var entry: [(String, JSONValue)] = [("op", .string(info.op))]
            func put(_ key: String, _ t: Tensor?, _ shape: [Int]?) {
                guard let t else { return }
                entry.append((key, Problem.nested(t.data, shape: shape ?? t.shape)))
            }
            switch result.network.layers[i] {
            case .conv2d(_, let k, let b): put("kernel", k, info.kernelShape); put("bias", b, info.biasShape)
            case .convTranspose2d(_, let w, let b): put("weight", w, info.kernelShape); put("bias", b, info.biasShape)
            case .linear(let w, let b): put("weight", w, info.kernelShape); put("bias", b, info.biasShape)
            case .batchNorm2d(let p):
                put("weight", p.weight, nil); put("bias", p.bias, nil)
                put("running_mean", p.runningMean, nil); put("running_var", p.runningVar, nil)
            default: break
            }
            layers.append(.object(entry))
        }
        pairs.append(("layers", .array(layers)))
        return .object(pairs)
    }
}
