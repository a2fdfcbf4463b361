// Engine — batch normalisation over N×H×W per channel (PyTorch BatchNorm2d), forward and backward.

/// Batch normalisation, PyTorch semantics: y = γ·(x − μ)/√(σ² + eps) + β per channel.
///
/// Training uses the batch mean μ and the biased batch variance σ² over the N·H·W values of each channel
/// and updates the running statistics as running = (1 − momentum)·running + momentum·batch, with the
/// unbiased variance σ²·M/(M−1) for `running_var`; evaluation uses the running statistics.
/// Shapes: input and output N×C×H×W; γ, β, running mean and variance C values each.
public enum BatchNorm2D {
    /// The per-channel statistics one forward pass uses, in the order the trace computes them.
    public struct Statistics: Equatable, Sendable {
        /// μ per channel (the running mean in evaluation).
        public var mean: [Double]
        /// σ² per channel (biased; the running variance in evaluation).
        public var variance: [Double]
        /// 1/√(σ² + eps) per channel.
        public var inverseStd: [Double]
        @inlinable public init(mean: [Double], variance: [Double], inverseStd: [Double]) {
            self.mean = mean; self.variance = variance; self.inverseStd = inverseStd
        }
    }

    /// Output N×C×H×W.
    ///
    /// Events per channel c (M = N·H·W, cells in row-major order): in training M `norm` events of part
    /// `mean`, M of part `variance`, then one `runningMean` and one `runningVar`; then per cell a `norm`
    /// of part `normalize`, a `mac` (a = x̂, b = γ, kernel (c,0,0,0)), a `bias` (b = β) and an `output`.
    /// - Throws: `EngineError` for a wrong shape or a single value per channel in training.
    /// - Complexity: O(N·C·H·W).
    @inlinable
    public static func forward<S: TraceSink>(
        input: Tensor, params: BatchNorm2DParams, tracer: inout Tracer<S>
    ) throws -> Tensor {
        try check(inputShape: input.shape, params: params, where: "batch_norm2d")
        let stats = statistics(input: input, params: params, tracer: &tracer)
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        var output = Tensor(shape: input.shape)
        for ch in 0..<c {
            let gamma = params.weight?.data[ch] ?? 1, beta = params.bias?.data[ch] ?? 0
            let mu = stats.mean[ch], inv = stats.inverseStd[ch]
            for nn in 0..<n {
                for y in 0..<h {
                    for x in 0..<w {
                        let o = input.offset(nn, ch, y, x)
                        let d = input.data[o] - mu
                        let xhat = d * inv
                        let scaled = gamma * xhat
                        let value = scaled + beta
                        output.data[o] = value
                        if tracer.isRecording {
                            let at = Index4(nn, ch, y, x)
                            tracer.emit(TraceEvent(
                                kind: .norm, output: at, input: at, padded: at,
                                kernel: Index4(ch, Int(NormPart.normalize.rawValue), 0, 0),
                                a: d, b: inv, product: xhat, acc: xhat))
                            tracer.emit(TraceEvent(
                                kind: .mac, output: at, input: at, padded: at, kernel: Index4(ch, 0, 0, 0),
                                a: xhat, b: gamma, product: scaled, acc: scaled))
                            tracer.emit(TraceEvent(
                                kind: .bias, output: at, kernel: Index4(ch, 0, 0, 0),
                                a: scaled, b: beta, product: beta, acc: value))
                            tracer.emit(TraceEvent(kind: .output, output: at, a: value, product: value, acc: value))
                        }
                    }
                }
            }
        }
        return output
    }

    /// dX (N×C×H×W), dγ (C) in `kernel`, dβ (C) in `bias`, given dY (N×C×H×W).
    ///
    /// With x̂ the normalised input, k = γ/√(σ² + eps) and M = N·H·W, training gives the three-term
    /// dX = k·dY − (k/M)·Σ dY − x̂·(k/M)·Σ dY·x̂ (the mean and the variance depend on every x);
    /// evaluation gives dX = k·dY. Events per channel c: M `grad` terms of dβ (target bias, a = dY, b = 1),
    /// M of dγ (target kernel, a = dY, b = x̂), then per cell the terms of dX (target input,
    /// kernel = (c, t, 0, 0)): t = 1: a = dY, b = k; in training also t = 2: a = Σ dY, b = −k/M and
    /// t = 3: a = x̂, b = −(k/M)·Σ dY·x̂. `acc` is the running value of the target cell.
    /// - Complexity: O(N·C·H·W).
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, params: BatchNorm2DParams, gradOutput: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        try check(inputShape: input.shape, params: params, where: "batch_norm2d")
        try ShapeCheck.sameShape(gradOutput, as: input, op: "batch_norm2d backward", name: "grad_output", reference: "output")
        var silent = Tracer<NullSink>.untraced
        let stats = statistics(input: input, params: params, tracer: &silent)
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let m = Double(n * h * w)
        var dX = Tensor(shape: input.shape)
        var dGamma = Tensor(shape: [c]), dBeta = Tensor(shape: [c])
        for ch in 0..<c {
            let gamma = params.weight?.data[ch] ?? 1
            let mu = stats.mean[ch], inv = stats.inverseStd[ch]
            var sumDy = 0.0
            for nn in 0..<n { for y in 0..<h { for x in 0..<w {
                let at = Index4(nn, ch, y, x)
                let dy = gradOutput.data[input.offset(nn, ch, y, x)]
                sumDy += dy
                tracer.emit(TraceEvent(kind: .grad, target: .bias, output: at, kernel: Index4(ch, 0, 0, 0),
                                       a: dy, b: 1, product: dy, acc: sumDy))
            } } }
            var sumDyXhat = 0.0
            for nn in 0..<n { for y in 0..<h { for x in 0..<w {
                let at = Index4(nn, ch, y, x), o = input.offset(nn, ch, y, x)
                let dy = gradOutput.data[o], xhat = (input.data[o] - mu) * inv
                sumDyXhat += dy * xhat
                tracer.emit(TraceEvent(kind: .grad, target: .kernel, output: at, input: at, padded: at,
                                       kernel: Index4(ch, 0, 0, 0), a: dy, b: xhat, product: dy * xhat, acc: sumDyXhat))
            } } }
            dBeta.data[ch] = sumDy
            dGamma.data[ch] = sumDyXhat
            let k = gamma * inv
            let b2 = -k / m, b3 = -k * sumDyXhat / m
            for nn in 0..<n { for y in 0..<h { for x in 0..<w {
                let at = Index4(nn, ch, y, x), o = input.offset(nn, ch, y, x)
                let dy = gradOutput.data[o]
                var acc = k * dy
                tracer.emit(TraceEvent(kind: .grad, target: .input, output: at, input: at, padded: at,
                                       kernel: Index4(ch, 1, 0, 0), a: dy, b: k, product: k * dy, acc: acc))
                if params.training {
                    let xhat = (input.data[o] - mu) * inv
                    acc += sumDy * b2
                    tracer.emit(TraceEvent(kind: .grad, target: .input, output: at, input: at, padded: at,
                                           kernel: Index4(ch, 2, 0, 0), a: sumDy, b: b2, product: sumDy * b2, acc: acc))
                    acc += xhat * b3
                    tracer.emit(TraceEvent(kind: .grad, target: .input, output: at, input: at, padded: at,
                                           kernel: Index4(ch, 3, 0, 0), a: xhat, b: b3, product: xhat * b3, acc: acc))
                }
                dX.data[o] = acc
            } } }
        }
        return LayerGradients(input: dX, kernel: dGamma, bias: dBeta)
    }

    /// The statistics the forward pass normalises with; in training also the running-statistics events.
    ///
    /// Emits (training only) the `mean`, `variance`, `runningMean` and `runningVar` events of each channel.
    @inlinable
    public static func statistics<S: TraceSink>(
        input: Tensor, params: BatchNorm2DParams, tracer: inout Tracer<S>
    ) -> Statistics {
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 1, count: c)
        guard params.training else {
            for ch in 0..<c {
                mean[ch] = params.runningMean?.data[ch] ?? 0
                variance[ch] = params.runningVar?.data[ch] ?? 1
            }
            return Statistics(mean: mean, variance: variance,
                              inverseStd: variance.map { 1 / (($0 + params.eps).squareRoot()) })
        }
        let count = n * h * w
        let invM = 1 / Double(count)
        for ch in 0..<c {
            var acc = 0.0
            for nn in 0..<n { for y in 0..<h { for x in 0..<w {
                let v = input[nn, ch, y, x]
                acc += v * invM
                let at = Index4(nn, ch, y, x)
                tracer.emit(TraceEvent(kind: .norm, output: at, input: at, padded: at,
                                       kernel: Index4(ch, Int(NormPart.mean.rawValue), 0, 0),
                                       a: v, b: invM, product: v * invM, acc: acc))
            } } }
            let mu = acc
            mean[ch] = mu
            acc = 0
            for nn in 0..<n { for y in 0..<h { for x in 0..<w {
                let d = input[nn, ch, y, x] - mu
                let b = d * invM
                acc += d * b
                let at = Index4(nn, ch, y, x)
                tracer.emit(TraceEvent(kind: .norm, output: at, input: at, padded: at,
                                       kernel: Index4(ch, Int(NormPart.variance.rawValue), 0, 0),
                                       a: d, b: b, product: d * b, acc: acc))
            } } }
            variance[ch] = acc
            if tracer.isRecording {
                let (rm, rv) = runningUpdate(channel: ch, mean: mu, variance: acc, count: count, params: params)
                tracer.emit(TraceEvent(kind: .norm, kernel: Index4(ch, Int(NormPart.runningMean.rawValue), 0, 0),
                                       a: rm.old, b: mu, product: params.momentum * mu, acc: rm.new))
                tracer.emit(TraceEvent(kind: .norm, kernel: Index4(ch, Int(NormPart.runningVar.rawValue), 0, 0),
                                       a: rv.old, b: rv.batch, product: params.momentum * rv.batch, acc: rv.new))
            }
        }
        return Statistics(mean: mean, variance: variance,
                          inverseStd: variance.map { 1 / (($0 + params.eps).squareRoot()) })
    }

    /// The running mean and variance after one forward pass (C values each): updated in training with
    /// the batch mean and the unbiased batch variance, unchanged in evaluation.
    public static func runningStatistics(input: Tensor, params: BatchNorm2DParams) throws -> (mean: Tensor, variance: Tensor) {
        try check(inputShape: input.shape, params: params, where: "batch_norm2d")
        let c = input.shape[1]
        var silent = Tracer<NullSink>.untraced
        let stats = statistics(input: input, params: params, tracer: &silent)
        var mean = Tensor(shape: [c]), variance = Tensor(shape: [c])
        let count = input.shape[0] * input.shape[2] * input.shape[3]
        for ch in 0..<c {
            if params.training {
                let (rm, rv) = runningUpdate(channel: ch, mean: stats.mean[ch], variance: stats.variance[ch],
                                             count: count, params: params)
                mean.data[ch] = rm.new; variance.data[ch] = rv.new
            } else {
                mean.data[ch] = stats.mean[ch]; variance.data[ch] = stats.variance[ch]
            }
        }
        return (mean, variance)
    }

    /// One channel's running-statistics update: (old, new) mean and (old, unbiased batch, new) variance.
    @inlinable
    static func runningUpdate(channel ch: Int, mean: Double, variance: Double, count: Int, params: BatchNorm2DParams)
        -> (mean: (old: Double, new: Double), variance: (old: Double, batch: Double, new: Double))
    {
        let m = params.momentum
        let oldMean = params.runningMean?.data[ch] ?? 0, oldVar = params.runningVar?.data[ch] ?? 1
        let unbiased = variance * Double(count) / Double(count - 1)
        return ((oldMean, (1 - m) * oldMean + m * mean), (oldVar, unbiased, (1 - m) * oldVar + m * unbiased))
    }

    /// Checks an N×C×H×W input against the per-channel tensors, eps, momentum and the training mode.
    /// - Parameter place: how messages start ("batch_norm2d", or "layer 2 (batch_norm2d)").
    @inlinable
    public static func check(inputShape shape: [Int], params: BatchNorm2DParams, where place: String) throws {
        guard shape.count == 4 else {
            throw EngineError("\(place): expects an input of shape N×C×H×W, got \(ShapeCheck.shapeText(shape))")
        }
        try checkParameters(params, channels: shape[1], where: place)
        let m = shape[0] * shape[2] * shape[3]
        if params.training && m == 1 {
            throw EngineError(
                "\(place): expected more than 1 value per channel when training, got input of shape "
                    + "\(ShapeCheck.shapeText(shape)) (N·H·W = 1: the batch variance is undefined); give more "
                    + "than one value per channel (a larger batch or image) or set training: false")
        }
    }

    /// Checks eps, momentum, and that γ, β and the running statistics have `channels` values.
    @inlinable
    public static func checkParameters(_ params: BatchNorm2DParams, channels c: Int?, where place: String) throws {
        guard params.eps.isFinite, params.eps >= 0 else {
            throw EngineError("\(place): eps must be a finite number ≥ 0 (PyTorch's default is 1e-5), got \(params.eps)")
        }
        guard params.momentum.isFinite else {
            throw EngineError("\(place): momentum must be a finite number, e.g. 0.1, got \(params.momentum)")
        }
        let tensors: [(String, Tensor?)] = [("weight", params.weight), ("bias", params.bias),
                                            ("running_mean", params.runningMean), ("running_var", params.runningVar)]
        for (key, t) in tensors {
            guard let t else { continue }
            guard t.rank == 1 else {
                throw EngineError("\(place): \(key) must be a list of one value per channel, got shape \(ShapeCheck.shapeText(t.shape))")
            }
            if let c, t.count != c {
                throw EngineError("\(place): \(key) has \(t.count) values but the input has C = \(c) channels; "
                                  + "give one value per channel")
            }
        }
        if let v = params.runningVar, v.data.contains(where: { !($0 >= 0) }) {
            throw EngineError("\(place): running_var must hold variances ≥ 0")
        }
    }
}

// MARK: - Descriptor

extension Ops {
    /// batch_norm2d: per-channel normalisation, PyTorch names and defaults.
    public static let batchNorm2d = OpDescriptor<Layer>(
        name: "batch_norm2d",
        summary: "per channel (x − mean)/√(var + eps)·γ + β",
        keys: [
            .optional("weight", .tensor(layout: "C values"), default: nil, shown: "1 per channel",
                      meaning: "γ: `C` values"),
            .optional("bias", .tensor(layout: "C values"), default: nil, shown: "0 per channel",
                      meaning: "β: `C` values"),
            .optional("eps", .number(expected: "a number ≥ 0, e.g. 1e-5"), default: .double(1e-5), shown: "1e-5",
                      meaning: "added to the variance under the square root"),
            .optional("momentum", .number(expected: "a number, e.g. 0.1"), default: .double(0.1), shown: "0.1",
                      meaning: "running = (1 − momentum)·running + momentum·batch"),
            .optional("training", .bool, default: .bool(true), shown: "`true`",
                      meaning: "batch statistics (and update the running ones); `false`: the running statistics"),
            .optional("running_mean", .tensor(layout: "C values"), default: nil, shown: "0 per channel",
                      meaning: "`C` values"),
            .optional("running_var", .tensor(layout: "C values"), default: nil, shown: "1 per channel",
                      meaning: "`C` values ≥ 0"),
        ],
        input: .image, shapeRule: "N×C×H×W, kept",
        outputShape: { layer, input in
            guard case .batchNorm2d(let p) = layer else { return input }
            try BatchNorm2D.check(inputShape: input, params: p, where: "batch_norm2d")
            return input
        },
        describe: { layer in
            guard case .batchNorm2d(let p) = layer else { return "" }
            return (p.training ? "training" : "eval") + ", eps \(p.eps), momentum \(p.momentum)"
        },
        receptiveField: { _ in .passes },
        parameters: { layer in
            guard case .batchNorm2d(let p) = layer else { return [] }
            return [("weight", .optional(p.weight)), ("bias", .optional(p.bias)), ("eps", .double(p.eps)),
                    ("momentum", .double(p.momentum)), ("training", .bool(p.training)),
                    ("running_mean", .optional(p.runningMean)), ("running_var", .optional(p.runningVar))]
        },
        learnable: ["weight", "bias"],
        learnedDefaults: { layer, input in
            // γ and β not given are 1 and 0 per channel, and training learns them all the same (as PyTorch's affine default).
            guard case .batchNorm2d(let p) = layer, input.count >= 2 else { return 0 }
            return (p.weight == nil ? input[1] : 0) + (p.bias == nil ? input[1] : 0)
        },
        make: { r in
            let p = BatchNorm2DParams(
                weight: try r.optionalTensor("weight").map(flat), bias: try r.optionalTensor("bias").map(flat),
                runningMean: try r.optionalTensor("running_mean").map(flat),
                runningVar: try r.optionalTensor("running_var").map(flat),
                eps: try r.double("eps"), momentum: try r.double("momentum"), training: try r.bool("training"))
            try BatchNorm2D.checkParameters(p, channels: nil, where: "batch_norm2d")
            return .batchNorm2d(p)
        })

    /// A per-channel tensor as a list: a scalar (one channel) becomes one value.
    @Sendable static func flat(_ t: Tensor) -> Tensor { t.rank == 0 ? Tensor(shape: [1], data: t.data) : t }
}
