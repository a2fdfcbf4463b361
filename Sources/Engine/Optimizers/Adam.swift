// Engine — Adam (torch.optim.Adam): bias-corrected first and second moments; AdamW shares this update.

/// Resolved `adam` / `adamw` hyperparameters (PyTorch's names; defaults differ only in weight_decay).
public struct AdamParams: Equatable, Sendable {
    public var lr: Double
    /// β₁ (first moment) and β₂ (second moment).
    public var beta1: Double, beta2: Double
    public var eps: Double
    /// Adam: L2 added to the gradient; AdamW: decoupled decay θ ← θ·(1 − lr·weight_decay).
    public var weightDecay: Double
    public init(lr: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0) {
        self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
    }
}

/// Adam in PyTorch's order, at step t (1-based): weight decay (Adam: g ← g + wd·θ; AdamW: θ ← θ·(1 − lr·wd));
/// m ← lerp(m, g, 1 − β₁); v ← β₂·v + (1 − β₂)·g²; denominator = √v/√(1 − β₂ᵗ) + eps;
/// θ ← θ − (lr/(1 − β₁ᵗ))·m/denominator.
public enum Adam {
    /// Updates `value` (any shape) from `gradient` (same shape); `state.first` is m, `state.second` is v.
    ///
    /// Events per element: `gradient`, `decay` (weight_decay ≠ 0), `momentum` (m), `secondMoment` (v),
    /// `denominator`, `step`, `value`.
    /// - Complexity: O(elements).
    @inlinable
    public static func update<S: TraceSink>(
        _ value: inout Tensor, gradient: Tensor, state: inout OptimizerState, params p: AdamParams, decoupled: Bool,
        step: Int, target: GradTarget, tracer: inout Tracer<S>
    ) {
        var m = state.first ?? Tensor(shape: value.shape)
        var v = state.second ?? Tensor(shape: value.shape)
        let shape = value.shape
        let correction1 = 1 - power(p.beta1, step), correction2 = 1 - power(p.beta2, step)
        let stepSize = p.lr / correction1
        let correction2Root = correction2.squareRoot()
        for i in 0..<value.count {
            var theta = value.data[i]
            let g: Double
            if decoupled {  // AdamW: θ ← θ·(1 − lr·wd) before the moments; the gradient stays as it is
                g = gradient.data[i]
                OptimizerTrace.emit(&tracer, .gradient, step: step, target: target, element: i, shape: shape, a: g, acc: g)
                if p.weightDecay != 0 {
                    let factor = p.lr * p.weightDecay
                    let decayed = theta * (1 - factor)
                    OptimizerTrace.emit(&tracer, .decay, step: step, target: target, element: i, shape: shape,
                                        a: theta, b: factor, product: theta - decayed, acc: decayed)
                    theta = decayed
                }
            } else {
                g = OptimizerTrace.coupledGradient(&tracer, gradient: gradient.data[i], theta: theta, weightDecay: p.weightDecay,
                                                   step: step, target: target, element: i, shape: shape)
            }
            let oldM = m.data[i]
            let newM = OptimizerTrace.lerp(oldM, g, 1 - p.beta1)
            m.data[i] = newM
            OptimizerTrace.emit(&tracer, .momentum, step: step, target: target, element: i, shape: shape,
                                a: oldM, b: g, product: (1 - p.beta1) * g, acc: newM)
            let oldV = v.data[i]
            let square = (1 - p.beta2) * (g * g)
            let newV = oldV * p.beta2 + square
            v.data[i] = newV
            OptimizerTrace.emit(&tracer, .secondMoment, step: step, target: target, element: i, shape: shape,
                                a: oldV, b: g, product: square, acc: newV)
            let root = newV.squareRoot() / correction2Root
            let denominator = root + p.eps
            OptimizerTrace.emit(&tracer, .denominator, step: step, target: target, element: i, shape: shape,
                                a: root, b: p.eps, product: p.eps, acc: denominator)
            let direction = newM / denominator
            value.data[i] = OptimizerTrace.applyStep(&tracer, theta: theta, direction: direction, scale: -stepSize,
                                                     step: step, target: target, element: i, shape: shape)
        }
        state.first = m
        state.second = v
    }

    /// βᵗ by repeated multiplication (t ≤ the step limit; Engine has no `pow`).
    @inlinable
    static func power(_ beta: Double, _ t: Int) -> Double {
        var result = 1.0
        for _ in 0..<Swift.max(t, 0) { result *= beta }
        return result
    }

    /// Checks lr, betas in [0, 1), eps and weight_decay (PyTorch's ranges).
    @inlinable
    public static func check(_ p: AdamParams, name: String) throws {
        try OptimizerTrace.check(p.lr, "lr", name, valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
        try OptimizerTrace.check(p.beta1, "betas[0]", name, valid: { $0 >= 0 && $0 < 1 }, expected: "in [0, 1)")
        try OptimizerTrace.check(p.beta2, "betas[1]", name, valid: { $0 >= 0 && $0 < 1 }, expected: "in [0, 1)")
        try OptimizerTrace.check(p.eps, "eps", name, valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
        try OptimizerTrace.check(p.weightDecay, "weight_decay", name, valid: { $0 >= 0 }, expected: "a finite number ≥ 0")
    }

    /// The keys adam and adamw share; only weight_decay's default and meaning differ.
    static func keys(weightDecay: Double, shown: String, meaning: String) -> [OpKey] {
        [
            Ops.learningRateKey(default: 1e-3, shown: "1e-3"),
            .optional("betas", .tensor(layout: "[β1, β2], each in [0, 1)"), default: .tensor(Tensor(shape: [2], data: [0.9, 0.999])),
                      shown: "[0.9, 0.999]", meaning: "β₁ for m, β₂ for v; each in [0, 1)"),
            .optional("eps", .number(expected: "a finite number ≥ 0, e.g. 1e-8"), default: .double(1e-8), shown: "1e-8",
                      meaning: "added to √v̂ in the denominator"),
            Ops.weightDecayKey(default: weightDecay, shown: shown, meaning: meaning),
        ]
    }

    /// The parameters of an Adam-family optimizer as a trace header writes them.
    static func parameters(_ p: AdamParams) -> [(String, ParameterValue)] {
        [("lr", .double(p.lr)), ("betas", .tensor(Tensor(shape: [2], data: [p.beta1, p.beta2]))),
         ("eps", .double(p.eps)), ("weight_decay", .double(p.weightDecay))]
    }

    /// Reads and checks Adam-family parameters.
    static func make(_ r: ParameterReader, name: String) throws -> AdamParams {
        let betas = try r.tensor("betas")
        guard betas.count == 2, betas.rank == 1 else {
            throw EngineError("\(name): betas must be two numbers [β1, β2], e.g. [0.9, 0.999], got shape "
                              + ShapeCheck.shapeText(betas.shape))
        }
        let p = AdamParams(lr: try r.double("lr"), beta1: betas.data[0], beta2: betas.data[1], eps: try r.double("eps"),
                           weightDecay: try r.double("weight_decay"))
        try check(p, name: name)
        return p
    }
}

extension Ops {
    /// adam: torch.optim.Adam (weight decay as an L2 term in the gradient).
    public static let adam = OpDescriptor<Optimizer>(
        name: "adam", summary: "θ ← θ − lr·m̂/(√v̂ + eps), bias-corrected moments, L2 in the gradient",
        keys: Adam.keys(weightDecay: 0, shown: "0", meaning: "L2 penalty: g ← g + weight_decay·θ"),
        shapeRule: "any parameter shape",
        describe: { o in
            guard case .adam(let p) = o else { return "" }
            return "lr \(p.lr), betas [\(p.beta1), \(p.beta2)]"
        },
        parameters: { o in
            guard case .adam(let p) = o else { return [] }
            return Adam.parameters(p)
        },
        make: { r in .adam(try Adam.make(r, name: "adam")) })
}
