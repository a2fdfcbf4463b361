// Engine — inverted dropout (PyTorch semantics) with a documented, seeded mask, forward and backward.

/// Inverted dropout: in training y = x·m/(1 − p) with m ∈ {0, 1} per element, in evaluation y = x.
///
/// The mask is the explicit `mask` when given, else `mask(count:p:seed:)`. Shapes: input, output and
/// mask all the same (any rank).
public enum Dropout {
    /// The multiplier of each element in row-major order: m/(1 − p) in training, 1 in evaluation.
    /// - Returns: the 0/1 mask (all ones in evaluation) and the scale 1/(1 − p) (1 in evaluation).
    @inlinable
    public static func multipliers(count: Int, params: DropoutParams) -> (mask: [Double], scale: Double) {
        guard params.training else { return ([Double](repeating: 1, count: count), 1) }
        let mask = params.mask?.data ?? Self.mask(count: count, p: params.p, seed: params.seed)
        return (mask, 1 / (1 - params.p))
    }

    /// The seeded mask: SplitMix64 from `seed`; element i (row-major) draws the i-th 64-bit output z,
    /// u = (z >> 11)·2⁻⁵³ in [0, 1), and is kept (1) when u ≥ p, dropped (0) when u < p.
    @inlinable
    public static func mask(count: Int, p: Double, seed: UInt64) -> [Double] {
        var state = seed
        var mask = [Double](repeating: 0, count: count)
        for i in 0..<count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let u = Double(z >> 11) * 0x1p-53
            mask[i] = u >= p ? 1 : 0
        }
        return mask
    }

    /// y = x·m/(1 − p) (training) or x (evaluation).
    ///
    /// Events: one `activation` per element, row-major: a = x, b = the multiplier m/(1 − p) (1 in
    /// evaluation), product = acc = y; `flags.selected` when the unit is kept (m = 1).
    /// - Complexity: O(count).
    @inlinable
    public static func forward<S: TraceSink>(input: Tensor, params: DropoutParams, tracer: inout Tracer<S>) throws -> Tensor {
        try check(inputShape: input.shape, params: params, where: "dropout")
        let (mask, scale) = multipliers(count: input.count, params: params)
        var output = input
        for i in 0..<input.count {
            let b = mask[i] * scale
            let y = input.data[i] * b
            output.data[i] = y
            if tracer.isRecording {
                let at = ShapeCheck.index4(ofFlat: i, in: input.shape)
                tracer.emit(TraceEvent(kind: .activation, flags: mask[i] == 1 ? .selected : [], output: at, input: at,
                                       padded: at, a: input.data[i], b: b, product: y, acc: y))
            }
        }
        return output
    }

    /// dX = dY·m/(1 − p) (training) or dY (evaluation). Events: one `grad` per element, target input,
    /// a = dY, b = the multiplier, product = acc = dX; `flags.selected` when kept.
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, params: DropoutParams, gradOutput: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        try check(inputShape: input.shape, params: params, where: "dropout")
        try ShapeCheck.sameShape(gradOutput, as: input, op: "dropout backward", name: "grad_output", reference: "output")
        let (mask, scale) = multipliers(count: input.count, params: params)
        var dX = gradOutput
        for i in 0..<input.count {
            let b = mask[i] * scale
            let g = gradOutput.data[i] * b
            dX.data[i] = g
            if tracer.isRecording {
                let at = ShapeCheck.index4(ofFlat: i, in: input.shape)
                tracer.emit(TraceEvent(kind: .grad, target: .input, flags: mask[i] == 1 ? .selected : [], output: at,
                                       input: at, padded: at, a: gradOutput.data[i], b: b, product: g, acc: g))
            }
        }
        return LayerGradients(input: dX)
    }

    /// The mask that applies to an input of `shape` (nil in evaluation): given or drawn from the seed.
    public static func mask(inputShape shape: [Int], params: DropoutParams) throws -> Tensor? {
        try check(inputShape: shape, params: params, where: "dropout")
        guard params.training else { return nil }
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, data: multipliers(count: count, params: params).mask)
    }

    /// Checks p and, when a mask is given, its shape against the input (leading 1s aside) and its values.
    @inlinable
    public static func check(inputShape shape: [Int], params: DropoutParams, where place: String) throws {
        try checkParameters(params, where: place)
        if let mask = params.mask {
            func trimmed(_ s: [Int]) -> [Int] { Array(s.drop { $0 == 1 }) }
            guard trimmed(mask.shape) == trimmed(shape) else {
                throw EngineError("\(place): mask has shape \(ShapeCheck.shapeText(mask.shape)) but the input has shape "
                                  + "\(ShapeCheck.shapeText(shape)); give a mask of the input's shape")
            }
        }
    }

    /// Checks p ∈ [0, 1) and that a mask holds only 0s and 1s.
    @inlinable
    public static func checkParameters(_ params: DropoutParams, where place: String) throws {
        guard params.p >= 0, params.p < 1 else {
            throw EngineError("\(place): p must be in [0, 1) (the probability of dropping a unit), got \(params.p)")
        }
        if let mask = params.mask, let bad = mask.data.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw EngineError("\(place): mask must hold only 0 (dropped) and 1 (kept), but element \(bad) "
                              + "(row-major) is \(mask.data[bad])")
        }
    }
}

// MARK: - Descriptor

extension Ops {
    /// dropout: inverted dropout with a seeded or explicit mask.
    public static let dropout = OpDescriptor<Layer>(
        name: "dropout",
        summary: "x·mask/(1 − p) in training, x in evaluation",
        keys: [
            .optional("p", .number(expected: "a probability in [0, 1), e.g. 0.5"), default: .double(0.5), shown: "0.5",
                      meaning: "probability of dropping a unit, in [0, 1)"),
            .optional("training", .bool, default: .bool(true), shown: "`true`",
                      meaning: "drop and scale; `false`: the identity"),
            .optional("seed", .number(expected: "an integer from 0 to 2^53"), default: .double(0), shown: "0",
                      meaning: "the mask generator's seed (SplitMix64; docs/spec-format.md)"),
            .optional("mask", .tensor(layout: "the input's shape, 0s and 1s"), default: nil, shown: "from `seed`",
                      meaning: "an explicit mask: the input's shape, 1 keeps, 0 drops"),
        ],
        shapeRule: "any shape, kept",
        outputShape: { layer, input in
            guard case .dropout(let p) = layer else { return input }
            try Dropout.check(inputShape: input, params: p, where: "dropout")
            return input
        },
        describe: { layer in
            guard case .dropout(let p) = layer else { return "" }
            return "p \(p.p)" + (p.training ? "" : ", eval")
        },
        receptiveField: { _ in .passes },
        parameters: { layer in
            guard case .dropout(let p) = layer else { return [] }
            return [("p", .double(p.p)), ("training", .bool(p.training)), ("seed", .double(Double(p.seed))),
                    ("mask", .optional(p.mask))]
        },
        make: { r in
            let seed = try r.double("seed")
            guard seed >= 0, seed <= 0x1p53, seed.rounded() == seed else {
                throw EngineError("dropout: seed must be an integer from 0 to 2^53, got \(seed)")
            }
            let p = DropoutParams(p: try r.double("p"), training: try r.bool("training"), seed: UInt64(seed),
                                  mask: try r.optionalTensor("mask"))
            try Dropout.checkParameters(p, where: "dropout")
            return .dropout(p)
        })
}
