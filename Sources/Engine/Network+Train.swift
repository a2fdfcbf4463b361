// Engine — training a network: forward, loss, backward, then the optimizer's update, step after step.

/// What a training run produced.
public struct TrainingResult: Equatable, Sendable {
    /// The loss of each step, computed before that step's update (as a PyTorch loop's `loss.item()`).
    public var losses: [Double]
    /// The network after the last update: new weights, biases, γ and β, and batch-norm running statistics.
    public var network: Network
    /// The last step's forward and backward pass (on the parameters before its update).
    public var lastRun: NetworkResult
    public init(losses: [Double], network: Network, lastRun: NetworkResult) {
        self.losses = losses; self.network = network; self.lastRun = lastRun
    }
}

extension Network {
    /// Most training steps one run may take (work limits apply on top: `Problem.checkWork`).
    public static let maxTrainingSteps = 10_000

    /// Trains for `steps` full-batch steps on `input` against the network's loss target.
    ///
    /// Each step runs `run(input:tracer:)` (phases forward and backward), then sets `tracer.phase` to
    /// `.update` and, layer by layer in order (`tracer.layer` = the layer index), updates every parameter
    /// tensor with `optimizer` (kernel / weight / γ as target `kernel`, then bias / β as target `bias`).
    /// A batch-norm layer in training also takes its new running statistics from the step's forward pass;
    /// a dropout layer keeps its mask (the same seed every step).
    /// Shapes: `input` as for `run`.
    /// - Throws: `EngineError` for a network without a loss, steps outside 1…`maxTrainingSteps`, or what a
    ///   step's run throws.
    @inlinable
    public func train<S: TraceSink>(input: Tensor, optimizer: Optimizer, steps: Int, tracer: inout Tracer<S>) throws
        -> TrainingResult
    {
        guard loss != nil else {
            throw EngineError("train: the network must end in a loss (mse, softmax_cross_entropy or bce) to train")
        }
        guard steps >= 1, steps <= Self.maxTrainingSteps else {
            throw EngineError("train: steps must be from 1 to \(Self.maxTrainingSteps), got \(steps)")
        }
        var network = self
        var states = [[OptimizerState]](repeating: [OptimizerState(), OptimizerState()], count: layers.count)
        var losses: [Double] = []
        losses.reserveCapacity(steps)
        var last = NetworkResult(activations: [input])
        for t in 1...steps {
            let result = try network.run(input: input, tracer: &tracer)
            losses.append(result.loss ?? 0)
            guard let gradients = result.gradients else { break }
            tracer.phase = .update
            for i in network.layers.indices where i < gradients.count {
                tracer.layer = i
                network.layers[i] = try Self.updated(
                    network.layers[i], input: result.activations[i], gradients: gradients[i], optimizer: optimizer,
                    states: &states[i], step: t, tracer: &tracer)
            }
            last = result
        }
        return TrainingResult(losses: losses, network: network, lastRun: last)
    }

    /// One layer after an optimizer step: its parameter tensors updated from `gradients`, and a training
    /// batch norm's running statistics from its `input` of this step.
    @inlinable
    static func updated<S: TraceSink>(
        _ layer: Layer, input: Tensor, gradients g: LayerGradients, optimizer: Optimizer, states: inout [OptimizerState],
        step t: Int, tracer: inout Tracer<S>
    ) throws -> Layer {
        func update(_ value: Tensor?, _ gradient: Tensor?, _ slot: Int, _ target: GradTarget) -> Tensor? {
            guard var value, let gradient, gradient.count == value.count else { return value }
            optimizer.step(&value, gradient: gradient, state: &states[slot], step: t, target: target, tracer: &tracer)
            return value
        }
        switch layer {
        case .conv2d(let p, let kernel, let bias):
            return .conv2d(p, kernel: update(kernel, g.kernel, 0, .kernel) ?? kernel, bias: update(bias, g.bias, 1, .bias))
        case .convTranspose2d(let p, let weight, let bias):
            return .convTranspose2d(p, weight: update(weight, g.kernel, 0, .kernel) ?? weight,
                                    bias: update(bias, g.bias, 1, .bias))
        case .linear(let weight, let bias):
            return .linear(weight: update(weight, g.kernel, 0, .kernel) ?? weight, bias: update(bias, g.bias, 1, .bias))
        case .batchNorm2d(var p):
            let c = input.rank == 4 ? input.shape[1] : 0
            if p.training {
                let (mean, variance) = try BatchNorm2D.runningStatistics(input: input, params: p)
                p.runningMean = mean; p.runningVar = variance
            }
            p.weight = update(p.weight ?? Tensor(shape: [c], repeating: 1), g.kernel, 0, .kernel)
            p.bias = update(p.bias ?? Tensor(shape: [c]), g.bias, 1, .bias)
            return .batchNorm2d(p)
        case .add(var p):  // a residual projection's 1×1 kernel and bias (the add layer's gradients)
            guard var q = p.projection else { return layer }
            q.kernel = update(q.kernel, g.kernel, 0, .kernel) ?? q.kernel
            q.bias = update(q.bias, g.bias, 1, .bias)
            p.projection = q
            return .add(p)
        default:
            return layer
        }
    }
}
