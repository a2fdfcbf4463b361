// Engine — RMSProp (torch.optim.RMSprop): divide the gradient by a running root mean square, optionally centered.

/// Resolved `rmsprop` hyperparameters (PyTorch's names and defaults).
public struct RMSPropParams: Equatable, Sendable {
    public var lr: Double
    /// Smoothing constant of the running average of g².
    public var alpha: Double
    public var eps: Double
    public var momentum: Double
    /// Subtract the squared running mean of g (an estimate of the variance instead of the raw second moment).
    public var centered: Bool
    /// L2 factor added to the gradient: g ← g + weight_decay·θ.
    public var weightDecay: Double
    public init(lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, momentum: Double = 0,
                centered: Bool = false, weightDecay: Double = 0) {
        self.lr = lr; self.alpha = alpha; self.eps = eps; self.momentum = momentum; self.centered = centered
        self.weightDecay = weightDecay
    }
}

/// RMSProp in PyTorch's order: g ← g + wd·θ; s ← α·s + (1 − α)·g²; centered: ḡ ← lerp(ḡ, g, 1 − α) and
/// denominator = √(s − ḡ²) + eps, else √s + eps; with momentum buf ← momentum·buf + g/denominator and
/// θ ← θ − lr·buf, else θ ← θ − lr·g/denominator.
public enum RMSProp {
    /// Updates `value` (any shape) from `gradient` (same shape); `state.second` is s, `state.average` ḡ,
    /// `state.first` the momentum buffer.
    ///
    /// Events per element: `gradient`, `decay` (weight_decay ≠ 0), `secondMoment`, `gradAverage` (centered),
    /// `denominator`, `momentum` (momentum > 0), `step`, `value`.
    /// - Complexity: O(elements).
    @inlinable
    public static func update<S: TraceSink>(
        _ value: inout Tensor, gradient: Tensor, state: inout OptimizerState, params p: RMSPropParams, step: Int,
        target: GradTarget, tracer: inout Tracer<S>
    ) {
        let shape = value.shape
        var square = state.second ?? Tensor(shape: shape)
        var average = p.centered ? (state.average ?? Tensor(shape: shape)) : nil
        var buffer = p.momentum > 0 ? (state.first ?? Tensor(shape: shape)) : nil
        for i in 0..<value.count {
            let theta = value.data[i]
            let g = OptimizerTrace.coupledGradient(&tracer, gradient: gradient.data[i], theta: theta, weightDecay: p.weightDecay,
                                                   step: step, target: target, element: i, shape: shape)
            let oldS = square.data[i]
            let term = (1 - p.alpha) * (g * g)
            let newS = oldS * p.alpha + term
            square.data[i] = newS
            OptimizerTrace.emit(&tracer, .secondMoment, step: step, target: target, element: i, shape: shape,
                                a: oldS, b: g, product: term, acc: newS)
            var root: Double
            if average != nil {
                let oldA = average!.data[i]
                let newA = OptimizerTrace.lerp(oldA, g, 1 - p.alpha)
                average!.data[i] = newA
                OptimizerTrace.emit(&tracer, .gradAverage, step: step, target: target, element: i, shape: shape,
                                    a: oldA, b: g, product: (1 - p.alpha) * g, acc: newA)
                root = (newS + -1 * (newA * newA)).squareRoot()
            } else {
                root = newS.squareRoot()
            }
            let denominator = root + p.eps
            OptimizerTrace.emit(&tracer, .denominator, step: step, target: target, element: i, shape: shape,
                                a: root, b: p.eps, product: p.eps, acc: denominator)
            let direction: Double
            if buffer != nil {
                let old = buffer!.data[i]
                let scaled = g / denominator
                let new = old * p.momentum + scaled
                buffer!.data[i] = new
                OptimizerTrace.emit(&tracer, .momentum, step: step, target: target, element: i, shape: shape,
                                    a: old, b: scaled, product: scaled, acc: new)
                direction = new
            } else {
                direction = g / denominator
            }
            value.data[i] = OptimizerTrace.applyStep(&tracer, theta: theta, direction: direction, scale: -p.lr,
                                                     step: step, target: target, element: i, shape: shape)
        }
        state.second = square
        state.average = average
        state.first = buffer
    }

    /// Checks lr, alpha, eps, momentum and weight_decay (PyTorch's ranges).
    @inlinable
    public static func check(_ p: RMSPropParams) throws {
        try OptimizerTrace.check(p.lr, "lr", "rmsprop", valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
        try OptimizerTrace.check(p.alpha, "alpha", "rmsprop", valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
        try OptimizerTrace.check(p.eps, "eps", "rmsprop", valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
        try OptimizerTrace.check(p.momentum, "momentum", "rmsprop", valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
        try OptimizerTrace.check(p.weightDecay, "weight_decay", "rmsprop", valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
    }
}

extension Ops {
    /// rmsprop: torch.optim.RMSprop.
    public static let rmsprop = OpDescriptor<Optimizer>(
        name: "rmsprop", summary: "θ ← θ − lr·g/(√(running mean of g²) + eps), optional momentum and centering",
        keys: [
            learningRateKey(default: 1e-2, shown: "1e-2"),
            .optional("alpha", .number(expected: "a finite number ≥ 0, e.g. 0.99"), default: .double(0.99), shown: "0.99",
                      meaning: "s ← alpha·s + (1 − alpha)·g²"),
            .optional("eps", .number(expected: "a finite number ≥ 0, e.g. 1e-8"), default: .double(1e-8), shown: "1e-8",
                      meaning: "added to √s in the denominator"),
            .optional("momentum", .number(expected: "a finite number ≥ 0, e.g. 0.9"), default: .double(0), shown: "0",
                      meaning: "buf ← momentum·buf + g/denominator"),
            .optional("centered", .bool, default: .bool(false), shown: "`false`",
                      meaning: "divide by √(s − ḡ²) + eps, ḡ the running mean of g"),
            weightDecayKey(default: 0, shown: "0", meaning: "L2 penalty: g ← g + weight_decay·θ"),
        ],
        shapeRule: "any parameter shape",
        describe: { o in
            guard case .rmsprop(let p) = o else { return "" }
            return "lr \(p.lr), alpha \(p.alpha)" + (p.momentum != 0 ? ", momentum \(p.momentum)" : "")
                + (p.centered ? ", centered" : "")
        },
        parameters: { o in
            guard case .rmsprop(let p) = o else { return [] }
            return [("lr", .double(p.lr)), ("alpha", .double(p.alpha)), ("eps", .double(p.eps)),
                    ("momentum", .double(p.momentum)), ("centered", .bool(p.centered)),
                    ("weight_decay", .double(p.weightDecay))]
        },
        make: { r in
            let p = RMSPropParams(lr: try r.double("lr"), alpha: try r.double("alpha"), eps: try r.double("eps"),
                                  momentum: try r.double("momentum"), centered: try r.bool("centered"),
                                  weightDecay: try r.double("weight_decay"))
            try RMSProp.check(p)
            return .rmsprop(p)
        })
}
