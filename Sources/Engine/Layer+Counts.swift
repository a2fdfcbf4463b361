// Engine — what a layer costs: its parameter tensors (so counts follow the op, e.g. a grouped kernel) and
// its multiply-adds for an input shape.

extension Layer {
    /// The tensors a layer learns, by name: a conv's kernel (K×C/groups×Fh×Fw) and bias, a transposed
    /// conv's or linear layer's weight and bias, batch norm's γ and β (C each, counted even when left at
    /// their defaults). Empty for layers without parameters. `channels` is the input's C (for batch norm).
    public func parameterShapes(channels: Int) -> [(name: String, shape: [Int])] {
        switch self {
        case .conv2d(_, let k, let b): [("kernel", k.shape)] + (b.map { [("bias", $0.shape)] } ?? [])
        case .convTranspose2d(_, let w, let b), .linear(let w, let b): [("weight", w.shape)] + (b.map { [("bias", $0.shape)] } ?? [])
        case .batchNorm2d: [("weight", [channels]), ("bias", [channels])]
        case .add(let p): p.projection.map { q in [("projection_kernel", q.kernel.shape)] + (q.bias.map { [("projection_bias", $0.shape)] } ?? []) } ?? []
        default: []
        }
    }

    /// The number of learned values: the element counts of `parameterShapes` added up.
    public func parameterCount(channels: Int) -> Int {
        parameterShapes(channels: channels).reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// Multiply-adds of one forward pass on `input` — exactly the number of `mac` events the layer emits:
    /// conv2d N·K·Ho·Wo·(C/groups)·Fh·Fw, conv_transpose2d N·C_in·H·W·C_out·Fh·Fw, linear N·out·in; 0 for
    /// layers that multiply no weights.
    /// - Throws: `EngineError` when the input does not fit the layer.
    public func multiplyAdds(input: [Int]) throws -> Int {
        switch self {
        case .conv2d(let p, let k, let b):
            return try Conv2DGeometry(input: input, kernel: k.shape, bias: b?.shape, params: p).macCount
        case .convTranspose2d(_, let w, _):
            guard input.count == 4, w.rank == 4 else { return 0 }
            return input.reduce(1, *) * w.shape[1] * w.shape[2] * w.shape[3]
        case .linear(let w, _):
            guard input.count == 2, w.rank == 2 else { return 0 }
            return input[0] * w.shape[0] * w.shape[1]
        case .add(let p):  // the projection: one product per output cell and block-input channel
            guard let q = p.projection, input.count == 4, q.kernel.rank == 4 else { return 0 }
            return input[0] * q.kernel.shape[0] * input[2] * input[3] * q.kernel.shape[1]
        default:
            return 0
        }
    }
}
