// Engine — an optimizer: what updates a network's parameters after a backward pass, and its shared pieces.

/// One optimizer with its resolved hyperparameters (PyTorch's names, defaults and update order).
///
/// Each case has one file (`SGD.swift`, `Adam.swift`, `AdamW.swift`, `RMSProp.swift`) holding its update
/// and its `OpDescriptor<Optimizer>`; `Ops.optimizers` lists the descriptors. `step` dispatches.
public enum Optimizer: Equatable, Sendable {
    case sgd(SGDParams)
    case adam(AdamParams)
    /// Adam with decoupled weight decay (θ ← θ·(1 − lr·weight_decay) before the moments).
    case adamw(AdamParams)
    case rmsprop(RMSPropParams)

    /// This optimizer's descriptor: name, keys and parameter coding.
    public var descriptor: OpDescriptor<Optimizer> {
        switch self {
        case .sgd: Ops.sgd
        case .adam: Ops.adam
        case .adamw: Ops.adamw
        case .rmsprop: Ops.rmsprop
        }
    }

    /// The name as written in specs.
    public var name: String { descriptor.name }

    /// Updates one parameter tensor in place from its gradient and its state (buffers), emitting the
    /// `update` events of every element (`UpdatePart` says which term each event is).
    ///
    /// Shapes: `value`, `gradient` and every buffer in `state` have the same shape. `step` is the
    /// 1-based training step; `target` and `cell` say which tensor and element index the events name.
    @inlinable
    public func step<S: TraceSink>(
        _ value: inout Tensor, gradient: Tensor, state: inout OptimizerState, step: Int, target: GradTarget,
        tracer: inout Tracer<S>
    ) {
        switch self {
        case .sgd(let p): SGD.update(&value, gradient: gradient, state: &state, params: p, step: step, target: target, tracer: &tracer)
        case .adam(let p): Adam.update(&value, gradient: gradient, state: &state, params: p, decoupled: false, step: step, target: target, tracer: &tracer)
        case .adamw(let p): Adam.update(&value, gradient: gradient, state: &state, params: p, decoupled: true, step: step, target: target, tracer: &tracer)
        case .rmsprop(let p): RMSProp.update(&value, gradient: gradient, state: &state, params: p, step: step, target: target, tracer: &tracer)
        }
    }
}

/// The buffers an optimizer keeps for one parameter tensor between steps (same shape as the parameter).
///
/// SGD: `first` = momentum buffer. Adam / AdamW: `first` = exp_avg (m), `second` = exp_avg_sq (v).
/// RMSProp: `second` = square_avg, `first` = momentum buffer, `average` = grad_avg (centered).
/// A nil buffer has not been created yet (PyTorch creates SGD's momentum buffer from the first gradient).
public struct OptimizerState: Equatable, Sendable {
    public var first: Tensor?
    public var second: Tensor?
    public var average: Tensor?
    @inlinable public init(first: Tensor? = nil, second: Tensor? = nil, average: Tensor? = nil) {
        self.first = first; self.second = second; self.average = average
    }
}

/// What an `update` event computes; its raw value is the event's `output.c` (`output.n` is the 1-based
/// training step; `kernel` names the parameter element like a gradient event: (k, c, i, j) of a kernel or
/// weight with target `kernel`, (k, 0, 0, 0) of a bias, γ or β with target `kernel` / `bias`).
///
/// Values by part (g the gradient, θ the parameter, lr the learning rate):
/// - `gradient`: `a` = `acc` = g as the backward pass left it.
/// - `decay` (weight_decay ≠ 0): coupled (SGD, Adam, RMSProp): `a` = θ, `b` = weight_decay,
///   `product` = weight_decay·θ, `acc` = g + weight_decay·θ (the gradient from here on).
///   Decoupled (AdamW): `a` = θ, `b` = lr·weight_decay, `product` = lr·weight_decay·θ, `acc` = θ − product
///   (the parameter from here on).
/// - `momentum` (SGD's momentum buffer, Adam's m, RMSProp's momentum buffer): `a` = the old buffer,
///   `b` = the term added (SGD: g; Adam: g; RMSProp: g/denominator), `product` = the weighted term,
///   `acc` = the new buffer.
/// - `secondMoment` (Adam's v, RMSProp's square_avg): `a` = the old value, `b` = g, `product` = (1 − β)·g²,
///   `acc` = the new value.
/// - `gradAverage` (centered RMSProp): `a` = the old average, `b` = g, `acc` = the new average.
/// - `denominator` (Adam, RMSProp): `a` = √(v)/√(1 − β₂ᵗ) (Adam) or √(square_avg − grad_avg²) (RMSProp),
///   `b` = eps, `acc` = a + eps.
/// - `step`: `a` = the direction (SGD: the buffer or g, Nesterov g + momentum·buffer; Adam: m/denominator;
///   RMSProp: g/denominator or the buffer), `b` = −lr (Adam: −lr/(1 − β₁ᵗ)), `product` = `acc` = a·b = Δθ.
/// - `value`: `a` = θ before the step, `b` = Δθ, `product` = Δθ, `acc` = the new θ.
public enum UpdatePart: Int32, Sendable, CaseIterable {
    case gradient = 0
    case decay = 1
    case momentum = 2
    case secondMoment = 3
    case gradAverage = 4
    case denominator = 5
    case step = 6
    case value = 7

    /// Name used on screen.
    public var name: String {
        switch self {
        case .gradient: "gradient"
        case .decay: "decay"
        case .momentum: "momentum"
        case .secondMoment: "second_moment"
        case .gradAverage: "grad_average"
        case .denominator: "denominator"
        case .step: "step"
        case .value: "value"
        }
    }
}

/// Helpers the optimizers share: the event of one term and PyTorch's lerp.
public enum OptimizerTrace {
    /// The `kernel` index of flat element `i` of a parameter of `shape` (rank 1, 2 or 4).
    @inlinable
    public static func cell(_ i: Int, shape: [Int]) -> Index4 {
        switch shape.count {
        case 4:
            let w = shape[3], h = shape[2], c = shape[1]
            return Index4(i / (c * h * w), (i / (h * w)) % c, (i / w) % h, i % w)
        case 2: return Index4(i / shape[1], i % shape[1], 0, 0)
        default: return Index4(i, 0, 0, 0)
        }
    }

    /// Emits one `update` event of part `part` for element `i`.
    @inlinable @inline(__always)
    public static func emit<S: TraceSink>(
        _ tracer: inout Tracer<S>, _ part: UpdatePart, step: Int, target: GradTarget, element i: Int, shape: [Int],
        a: Double, b: Double = 0, product: Double = 0, acc: Double
    ) {
        guard S.isRecording else { return }
        tracer.emit(TraceEvent(kind: .update, target: target, output: Index4(step, Int(part.rawValue), 0, 0),
                               kernel: cell(i, shape: shape), a: a, b: b, product: product, acc: acc))
    }

    /// The gradient g the backward pass gave (traced as `gradient`), plus PyTorch's coupled L2 term
    /// wd·θ when `weightDecay` ≠ 0 (traced as `decay`): returns g + wd·θ, the gradient the optimizer uses.
    @inlinable @inline(__always)
    public static func coupledGradient<S: TraceSink>(
        _ tracer: inout Tracer<S>, gradient g: Double, theta: Double, weightDecay: Double, step: Int, target: GradTarget,
        element i: Int, shape: [Int]
    ) -> Double {
        emit(&tracer, .gradient, step: step, target: target, element: i, shape: shape, a: g, acc: g)
        guard weightDecay != 0 else { return g }
        let term = weightDecay * theta
        let decayed = g + term
        emit(&tracer, .decay, step: step, target: target, element: i, shape: shape,
             a: theta, b: weightDecay, product: term, acc: decayed)
        return decayed
    }

    /// The last two terms of every update: Δθ = direction·scale (traced as `step`, `scale` being −lr or
    /// Adam's −lr/(1 − β₁ᵗ)), then θ + Δθ (traced as `value`): returns the new θ.
    @inlinable @inline(__always)
    public static func applyStep<S: TraceSink>(
        _ tracer: inout Tracer<S>, theta: Double, direction: Double, scale: Double, step: Int, target: GradTarget,
        element i: Int, shape: [Int]
    ) -> Double {
        let delta = direction * scale
        emit(&tracer, .step, step: step, target: target, element: i, shape: shape,
             a: direction, b: scale, product: delta, acc: delta)
        let next = theta + delta
        emit(&tracer, .value, step: step, target: target, element: i, shape: shape,
             a: theta, b: delta, product: delta, acc: next)
        return next
    }

    /// PyTorch's `lerp(start, end, weight)`: start + weight·(end − start) for weight < 0.5, else
    /// end − (end − start)·(1 − weight) (the same rounding as `torch.lerp`).
    @inlinable @inline(__always)
    public static func lerp(_ start: Double, _ end: Double, _ weight: Double) -> Double {
        weight < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
    }

    /// Checks that a hyperparameter is a finite number in a range, with PyTorch's wording of the range.
    @inlinable
    public static func check(_ value: Double, _ key: String, _ optimizer: String, valid: (Double) -> Bool,
                             expected: String) throws {
        guard value.isFinite, valid(value) else {
            throw EngineError("\(optimizer): \(key) must be \(expected), got \(value)")
        }
    }
}

extension Ops {
    /// Every optimizer a `train:` block may name, in the order the docs list them.
    public static let optimizers: [OpDescriptor<Optimizer>] = [sgd, adam, adamw, rmsprop]

    /// The optimizer named `name`.
    public static func optimizer(named name: String) -> OpDescriptor<Optimizer>? { optimizers.first { $0.name == name } }

    /// `lr`: a finite number ≥ 0 (`default` is PyTorch's).
    static func learningRateKey(default value: Double, shown: String) -> OpKey {
        .optional("lr", .number(expected: "a finite number ≥ 0, e.g. \(shown)"), default: .double(value), shown: shown,
                  meaning: "learning rate, ≥ 0")
    }

    /// `weight_decay`: the L2 factor added to the gradient (AdamW: decoupled).
    static func weightDecayKey(default value: Double, shown: String, meaning: String) -> OpKey {
        .optional("weight_decay", .number(expected: "a finite number ≥ 0, e.g. \(shown)"), default: .double(value),
                  shown: shown, meaning: meaning)
    }
}
