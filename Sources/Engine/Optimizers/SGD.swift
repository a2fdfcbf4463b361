// Engine — stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD).

/// Resolved `sgd` hyperparameters (PyTorch's names and defaults).
public struct SGDParams: Equatable, Sendable {
    public var lr: Double
    public var momentum: Double
    public var dampening: Double
    public var nesterov: Bool
    /// L2 factor added to the gradient: g ← g + weight_decay·θ.
    public var weightDecay: Double
    public init(lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                weightDecay: Double = 0) {
        self.lr = lr; self.momentum = momentum; self.dampening = dampening; self.nesterov = nesterov
        self.weightDecay = weightDecay
    }
}

/// SGD, in PyTorch's order: g ← g + wd·θ; buf ← g at the first step, else momentum·buf + (1 − dampening)·g;
/// the direction is buf (Nesterov: g + momentum·buf), or g without momentum; θ ← θ − lr·direction.
public enum SGD {
    /// Updates `value` (any shape) from `gradient` (same shape); `state.first` is the momentum buffer.
    ///
    /// Events per element: `gradient`, `decay` (weight_decay ≠ 0), `momentum` (momentum ≠ 0), `step`, `value`.
    /// - Complexity: O(elements).
    @inlinable
    public static func update<S: TraceSink>(
        _ value: inout Tensor, gradient: Tensor, state: inout OptimizerState, params p: SGDParams, step: Int,
        target: GradTarget, tracer: inout Tracer<S>
    ) {
        let useMomentum = p.momentum != 0
        var buffer = state.first
        let fresh = buffer == nil
        if useMomentum && fresh { buffer = Tensor(shape: value.shape) }
        let shape = value.shape
        for i in 0..<value.count {
            let theta = value.data[i]
            let g = OptimizerTrace.coupledGradient(&tracer, gradient: gradient.data[i], theta: theta, weightDecay: p.weightDecay,
                                                   step: step, target: target, element: i, shape: shape)
            var direction = g
            if useMomentum {
                let old = fresh ? 0 : buffer!.data[i]
                let term = fresh ? g : (1 - p.dampening) * g
                let new = fresh ? g : old * p.momentum + term
                buffer!.data[i] = new
                OptimizerTrace.emit(&tracer, .momentum, step: step, target: target, element: i, shape: shape,
                                    a: old, b: g, product: term, acc: new)
                direction = p.nesterov ? g + p.momentum * new : new
            }
            value.data[i] = OptimizerTrace.applyStep(&tracer, theta: theta, direction: direction, scale: -p.lr,
                                                     step: step, target: target, element: i, shape: shape)
        }
        if useMomentum { state.first = buffer }
    }

    /// Checks lr, momentum, dampening and weight_decay, and that Nesterov has a momentum and no dampening.
    @inlinable
    public static func check(_ p: SGDParams) throws {
        try OptimizerTrace.check(p.lr, "lr", "sgd", valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
        try OptimizerTrace.check(p.momentum, "momentum", "sgd", valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
        try OptimizerTrace.check(p.dampening, "dampening", "sgd", valid: { _ in true }, expected: "a finite number")
        try OptimizerTrace.check(p.weightDecay, "weight_decay", "sgd", valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
        if p.nesterov && (p.momentum <= 0 || p.dampening != 0) {
            throw EngineError("sgd: nesterov needs a momentum > 0 and dampening 0 (as PyTorch requires), got momentum "
                              + "\(p.momentum) and dampening \(p.dampening)")
        }
    }
}

extension Ops {
    /// sgd: torch.optim.SGD.
    public static let sgd = OpDescriptor<Optimizer>(
        name: "sgd", summary: "θ ← θ − lr·(g + wd·θ), with an optional (Nesterov) momentum buffer",
        keys: [
            learningRateKey(default: 1e-3, shown: "1e-3"),
            .optional("momentum", .number(expected: "a finite number ≥ 0, e.g. 0.9"), default: .double(0), shown: "0",
                      meaning: "buf ← momentum·buf + (1 − dampening)·g"),
            .optional("dampening", .number(expected: "a finite number, e.g. 0"), default: .double(0), shown: "0",
                      meaning: "damps the gradient's share of the buffer (not at the first step)"),
            .optional("nesterov", .bool, default: .bool(false), shown: "`false`",
                      meaning: "step along g + momentum·buf (needs momentum > 0, dampening 0)"),
            weightDecayKey(default: 0, shown: "0", meaning: "L2 penalty: g ← g + weight_decay·θ"),
        ],
        shapeRule: "any parameter shape",
        describe: { o in
            guard case .sgd(let p) = o else { return "" }
            return "lr \(p.lr), momentum \(p.momentum)" + (p.nesterov ? ", nesterov" : "")
                + (p.weightDecay != 0 ? ", weight_decay \(p.weightDecay)" : "")
        },
        parameters: { o in
            guard case .sgd(let p) = o else { return [] }
            return [("lr", .double(p.lr)), ("momentum", .double(p.momentum)), ("dampening", .double(p.dampening)),
                    ("nesterov", .bool(p.nesterov)), ("weight_decay", .double(p.weightDecay))]
        },
        make: { r in
            let p = SGDParams(lr: try r.double("lr"), momentum: try r.double("momentum"),
                              dampening: try r.double("dampening"), nesterov: try r.bool("nesterov"),
                              weightDecay: try r.double("weight_decay"))
            try SGD.check(p)
            return .sgd(p)
        })
}
