// Engine — losses at the end of a network (mse, softmax cross-entropy, bce) and their gradients.

/// Loss values and dL/dprediction, PyTorch's definitions with `reduction='mean'`.
///
/// - mse: mean over every element of (x − t)².
/// - softmax_cross_entropy: logits N×classes (or N×classes×1×1), integer targets, mean over N of
///   lse(x_n) − x_n[t_n] with a max-shifted log-sum-exp.
/// - bce on probabilities: mean of −(t·max(log x, −100) + (1 − t)·max(log(1 − x), −100)) (PyTorch's
///   clamp of the log at −100); gradient (x − t) / max(x(1 − x), 1e-12) / count (PyTorch's epsilon).
/// - bce with logits: mean of (1 − t)·x − log σ(x), log σ(x) = min(x, 0) − log1p(exp(−|x|));
///   gradient (σ(x) − t) / count.
public enum LossFunction {
    /// The loss value.
    ///
    /// Events (`loss`, row-major): mse and bce one per element (a = prediction, b = target,
    /// product = the element's term / count, acc = running loss); cross-entropy one per (n, class)
    /// with a = softmax probability, b = one-hot target, product = −b·log p / N.
    /// The last event's `acc` is the returned loss.
    @inlinable
    public static func forward<S: TraceSink>(_ loss: Loss, input: Tensor, tracer: inout Tracer<S>) throws -> Double {
        var total = 0.0
        switch loss {
        case .mse(let target):
            try ShapeCheck.sameShape(target, as: input, op: "mse", name: "target", reference: "prediction")
            let m = Double(input.count)
            for i in 0..<input.count {
                let d = input.data[i] - target.data[i]
                let term = d * d / m
                total += term
                emitLoss(&tracer, i, input.shape, input.data[i], target.data[i], term, total)
            }
        case .softmaxCrossEntropy(let target):
            let (n, c) = try classLayout(input, target: target)
            for nn in 0..<n {
                let lse = logSumExp(input.data, base: nn * c, count: c)
                for cc in 0..<c {
                    let x = input.data[nn * c + cc]
                    let t: Double = target[nn] == cc ? 1 : 0
                    let term = t == 1 ? (lse - x) / Double(n) : 0
                    total += term
                    emitLoss(&tracer, nn * c + cc, input.shape, restExp(x - lse), t, term, total)
                }
            }
        case .bce(let target, let withLogits):
            try checkBCE(input, target: target, withLogits: withLogits)
            let m = Double(input.count)
            for i in 0..<input.count {
                let x = input.data[i], t = target.data[i]
                let term: Double
                if withLogits {
                    let logSigmoid = Swift.min(x, 0) - restLog1p(restExp(-abs(x)))
                    term = ((1 - t) * x - logSigmoid) / m
                } else {
                    let logX = Swift.max(restLog(x), -100)
                    let log1mX = Swift.max(restLog1p(-x), -100)
                    term = -(t * logX + (1 - t) * log1mX) / m
                }
                total += term
                emitLoss(&tracer, i, input.shape, x, t, term, total)
            }
        }
        return total
    }

    /// dL/dprediction, with the shape of `input`, scaled by `gradLoss` (1 for a loss at the end).
    ///
    /// Events: one `grad` per element, target input, a = gradLoss, b = ∂term/∂x, product = acc = a·b.
    @inlinable
    public static func backward<S: TraceSink>(
        _ loss: Loss, input: Tensor, gradLoss: Double = 1, tracer: inout Tracer<S>
    ) throws -> Tensor {
        var grad = Tensor(shape: input.shape)  // holds ∂term/∂x until scaled below
        switch loss {
        case .mse(let target):
            try ShapeCheck.sameShape(target, as: input, op: "mse", name: "target", reference: "prediction")
            let m = Double(input.count)
            for i in 0..<input.count {
                grad.data[i] = 2 * (input.data[i] - target.data[i]) / m
            }
        case .softmaxCrossEntropy(let target):
            let (n, c) = try classLayout(input, target: target)
            for nn in 0..<n {
                let lse = logSumExp(input.data, base: nn * c, count: c)
                for cc in 0..<c {
                    let p = restExp(input.data[nn * c + cc] - lse)
                    let t: Double = target[nn] == cc ? 1 : 0
                    grad.data[nn * c + cc] = (p - t) / Double(n)
                }
            }
        case .bce(let target, let withLogits):
            try checkBCE(input, target: target, withLogits: withLogits)
            let m = Double(input.count)
            for i in 0..<input.count {
                let x = input.data[i], t = target.data[i]
                let d: Double
                if withLogits {
                    d = (1 / (1 + restExp(-x)) - t) / m
                } else {
                    d = (x - t) / Swift.max((1 - x) * x, 1e-12) / m
                }
                grad.data[i] = d
            }
        }
        for i in 0..<grad.count {
            let d = grad.data[i]
            grad.data[i] = gradLoss * d
            if tracer.isRecording {
                let at = ShapeCheck.index4(ofFlat: i, in: input.shape)
                tracer.emit(TraceEvent(
                    kind: .grad, target: .input, output: at, input: at, padded: at,
                    a: gradLoss, b: d, product: grad.data[i], acc: grad.data[i]))
            }
        }
        return grad
    }

    @inlinable
    static func emitLoss<S: TraceSink>(
        _ tracer: inout Tracer<S>, _ flat: Int, _ shape: [Int], _ a: Double, _ b: Double, _ term: Double, _ acc: Double
    ) {
        guard tracer.isRecording else { return }
        let at = ShapeCheck.index4(ofFlat: flat, in: shape)
        tracer.emit(TraceEvent(kind: .loss, output: at, input: at, padded: at, a: a, b: b, product: term, acc: acc))
    }

    /// log Σ exp(x) over `count` values from `base`, shifted by the maximum.
    @inlinable
    static func logSumExp(_ x: [Double], base: Int, count: Int) -> Double {
        var m = -Double.infinity
        for i in 0..<count { m = Swift.max(m, x[base + i]) }
        var s = 0.0
        for i in 0..<count { s += restExp(x[base + i] - m) }
        return m + restLog(s)
    }

    /// (N, classes) of N×classes logits (or N×classes×1×1), after checking the targets.
    @inlinable
    static func classLayout(_ input: Tensor, target: [Int]) throws -> (Int, Int) {
        let ok = input.rank == 2 || (input.rank == 4 && input.shape[2] == 1 && input.shape[3] == 1)
        guard ok, input.shape[1] > 0 else {
            throw EngineError(
                "softmax_cross_entropy: input must be logits N×classes, got shape \(ShapeCheck.shapeText(input.shape))")
        }
        let (n, c) = (input.shape[0], input.shape[1])
        guard target.count == n else {
            throw EngineError(
                "softmax_cross_entropy: target must have one class index per sample (\(n)), got \(target.count)")
        }
        for (i, t) in target.enumerated() where t < 0 || t >= c {
            throw EngineError(
                "softmax_cross_entropy: target[\(i)] = \(t) is not a class index; valid classes are 0...\(c - 1)")
        }
        return (n, c)
    }

    /// The checks bce makes in both passes: target shaped like the prediction, target in [0, 1], and the
    /// prediction in [0, 1] unless it is a logit.
    @inlinable
    static func checkBCE(_ input: Tensor, target: Tensor, withLogits: Bool) throws {
        let op = withLogits ? "bce_with_logits" : "bce"
        try ShapeCheck.sameShape(target, as: input, op: op, name: "target", reference: "prediction")
        try checkProbabilities(target, op: op, name: "target")
        if !withLogits { try checkProbabilities(input, op: op, name: "input (a probability)") }
    }

    /// Refuses values outside [0, 1] (PyTorch: "all elements of input should be between 0 and 1").
    @inlinable
    static func checkProbabilities(_ t: Tensor, op: String, name: String) throws {
        if let i = t.data.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw EngineError(
                "\(op): every element of the \(name) must lie in [0, 1]; element \(i) is \(t.data[i])"
                    + (op == "bce" && name != "target" ? " (use with_logits: true for raw scores)" : ""))
        }
    }
}

// MARK: - Descriptors

extension Ops {
    /// mse: mean squared error against a target shaped like the prediction.
    public static let mse = OpDescriptor<Loss>(
        name: "mse", summary: "mean squared error, mean over every element",
        keys: [.required("target", .tensor(layout: "the shape of the prediction"), hint: "the target tensor, shaped like the input",
                         meaning: "the shape of the prediction")],
        input: .featuresOrImage, shapeRule: "any shape → a scalar", outputShape: { _, _ in [] },
        parameters: { loss in if case .mse(let target) = loss { [("target", .tensor(target))] } else { [] } },
        make: { r in .mse(target: try r.tensor("target")) })

    /// softmax_cross_entropy: cross-entropy of softmax(logits) against class indices.
    public static let softmaxCrossEntropy = OpDescriptor<Loss>(
        name: "softmax_cross_entropy",
        summary: "cross-entropy of softmax(logits) against class indices, mean over N; logits `classes` or `N×classes`",
        keys: [.required("target", .tensor(layout: "a class index, or a list of N class indices"),
                         hint: "the class index: an int or a list of N ints", meaning: "an int, or a list of N ints")],
        input: .features, shapeRule: "N×classes → a scalar", outputShape: { _, _ in [] },
        parameters: { loss in if case .softmaxCrossEntropy(let target) = loss { [("target", .ints(target))] } else { [] } },
        make: { r in .softmaxCrossEntropy(target: try r.ints("target")) })

    /// bce: binary cross-entropy on probabilities, or on raw scores with `with_logits`.
    public static let bce = OpDescriptor<Loss>(
        name: "bce",
        summary: "binary cross-entropy, mean over every element",
        keys: [
            .required("target", .tensor(layout: "the shape of the prediction"), hint: "the target tensor, shaped like the input",
                      meaning: "the shape of the prediction, values in [0, 1]"),
            .optional("with_logits", .bool, default: .bool(false), shown: "`false`",
                      meaning: "`true` applies the sigmoid inside (the input is raw scores); `false` expects probabilities in [0, 1]"),
        ],
        input: .featuresOrImage, shapeRule: "any shape → a scalar", outputShape: { _, _ in [] },
        parameters: { loss in
            guard case .bce(let target, let withLogits) = loss else { return [] }
            return [("with_logits", .bool(withLogits)), ("target", .tensor(target))]
        },
        make: { r in
            let withLogits = r.contains("with_logits") ? try r.bool("with_logits") : false
            return .bce(target: try r.tensor("target"), withLogits: withLogits)
        })
}
