// Engine — add: the join of a residual block (y = F(x) + x), its backward split, and the join of the
// gradients at the fork.

/// Resolved add parameters: which earlier activation is added to this layer's input.
///
/// In a network, layer i = `.add(AddParams(from: f))` computes y = a_i + a_f, where a_i is its own input (the
/// output of layer i − 1, the end of the block's main path) and a_f the input of layer f (the block's input,
/// where the path forks). 0 ≤ f < i, and a_f must have a_i's shape.
public struct AddParams: Equatable, Sendable {
    /// The layer whose input is added (the first layer of the residual block).
    public var from: Int
    /// ResNet's projection shortcut: a 1×1 conv (kernel K×C×1×1, optional bias K, a stride) applied to the
    /// block input before it is added, for blocks that change the channels or the size; nil adds it as is.
    public var projection: Projection?
    public init(from: Int, projection: Projection? = nil) { self.from = from; self.projection = projection }

    /// A 1×1 convolution on the skip path.
    public struct Projection: Equatable, Sendable {
        /// K×C×1×1.
        public var kernel: Tensor
        /// K values, or nil.
        public var bias: Tensor?
        public var stride: Pair
        public init(kernel: Tensor, bias: Tensor? = nil, stride: Pair = Pair(1)) {
            self.kernel = kernel; self.bias = bias; self.stride = stride
        }
        /// The conv2d parameters of the projection (no padding).
        public var conv: Conv2DParams { Conv2DParams(stride: stride) }
    }
}

/// What an `add` event computes; its raw value is the event's `kernel.c`.
///
/// - `join` (forward): y = main + skip for one cell: `a` = main-path value (this layer's input at `output`),
///   `b` = skip value (the block input at `input`), `product` = b, `acc` = a + b, at `output`.
/// - `split` (backward): the gradient dY at `output` copied onto the skip path, to the block-input cell
///   `input`: `a` = dY, `b` = 1, `product` = `acc` = dY. (The main path's copy is the layer's ordinary
///   `grad` event with target `input`.)
/// - `fork` (backward, after the block's first layer ran backward): the two gradients of the block input
///   cell `input` added: `a` = the main path's gradient, `b` = the skip path's, `product` = b, `acc` = a + b.
public enum AddPart: Int32, Sendable, CaseIterable {
    case join = 0
    case split = 1
    case fork = 2

    /// Name used on screen.
    public var name: String {
        switch self {
        case .join: "join"
        case .split: "split"
        case .fork: "fork"
        }
    }
}

/// Element-wise sum of a residual block's main path and its input.
public enum Add {
    /// y = main + skip, element-wise.
    ///
    /// Shapes: main and skip the same (N×C×H×W or N×F) → the same.
    /// Events: per cell in row-major order one `add` (`join`): a = main, b = skip, acc = a + b.
    /// - Throws: `EngineError` when the shapes differ.
    @inlinable
    public static func forward<S: TraceSink>(main: Tensor, skip: Tensor, tracer: inout Tracer<S>) throws -> Tensor {
        try check(main: main.shape, skip: skip.shape)
        var out = [Double](repeating: 0, count: main.count)
        for i in 0..<main.count {
            let (a, b) = (main.data[i], skip.data[i])
            out[i] = a + b
            tracer.emit(TraceEvent(kind: .add, output: cell(i, main.shape), input: cell(i, main.shape),
                                   kernel: Index4(0, Int(AddPart.join.rawValue), 0, 0),
                                   a: a, b: b, product: b, acc: out[i]))
        }
        return Tensor(shape: main.shape, data: out)
    }

    /// The gradient of y = main + skip: dY flows unchanged down both paths.
    ///
    /// Shapes: dY as main → (main gradient, skip gradient), both dY's shape.
    /// Events: per cell one `grad` (target `input`, a = dY, b = 1, flag `selected`: the main path's copy, told
    /// apart from a projection's input-gradient terms) for the main path, then per cell one `add` (`split`,
    /// a = dY, b = 1) for the skip path.
    @inlinable
    public static func backward<S: TraceSink>(gradOutput: Tensor, tracer: inout Tracer<S>) -> (main: Tensor, skip: Tensor) {
        for i in 0..<gradOutput.count {
            let d = gradOutput.data[i]
            tracer.emit(TraceEvent(kind: .grad, target: .input, flags: .selected, output: cell(i, gradOutput.shape),
                                   input: cell(i, gradOutput.shape), a: d, b: 1, product: d, acc: d))
        }
        for i in 0..<gradOutput.count {
            let d = gradOutput.data[i]
            tracer.emit(TraceEvent(kind: .add, output: cell(i, gradOutput.shape), input: cell(i, gradOutput.shape),
                                   kernel: Index4(0, Int(AddPart.split.rawValue), 0, 0), a: d, b: 1, product: d, acc: d))
        }
        return (gradOutput, gradOutput)
    }

    /// The gradient of the block input: the main path's plus the skip path's, cell by cell.
    ///
    /// Shapes: both as the block input → the same.
    /// Events: per cell one `add` (`fork`): a = main-path gradient, b = skip gradient, acc = a + b.
    @inlinable
    public static func fork<S: TraceSink>(main: Tensor, skip: Tensor, tracer: inout Tracer<S>) -> Tensor {
        var out = [Double](repeating: 0, count: main.count)
        for i in 0..<main.count {
            let (a, b) = (main.data[i], skip.data[i])
            out[i] = a + b
            tracer.emit(TraceEvent(kind: .add, output: cell(i, main.shape), input: cell(i, main.shape),
                                   kernel: Index4(0, Int(AddPart.fork.rawValue), 0, 0),
                                   a: a, b: b, product: b, acc: out[i]))
        }
        return Tensor(shape: main.shape, data: out)
    }

    /// Refuses a skip whose shape differs from the main path's.
    @inlinable
    public static func check(main: [Int], skip: [Int], where place: String = "add") throws {
        guard main == skip else {
            throw EngineError(
                "\(place): the block's output has shape \(ShapeCheck.shapeText(main)) but its input has shape "
                    + "\(ShapeCheck.shapeText(skip)); a residual block must keep the shape (same channels, height and width)")
        }
    }

    /// Row-major flat index i of `shape` (rank 2 or 4) as an (n, c, h, w) index; N×F is (n, f, 0, 0).
    @inlinable
    static func cell(_ i: Int, _ shape: [Int]) -> Index4 {
        if shape.count == 4 {
            let (c, h, w) = (shape[1], shape[2], shape[3])
            return Index4(i / (c * h * w), (i / (h * w)) % c, (i / w) % h, i % w)
        }
        let f = shape.count == 2 ? shape[1] : max(shape.last ?? 1, 1)
        return Index4(i / f, i % f, 0, 0)
    }
}

// MARK: - Descriptor

extension Ops {
    /// add: the join of a residual block; in specs written as a `residual:` block (or `{op: add, from: i}`).
    public static let add = OpDescriptor<Layer>(
        name: "add",
        summary: "y = x + the input of layer `from` (a residual block's join)",
        keys: [.required("from", .number(expected: "the index of an earlier layer, e.g. 0"),
                         hint: "from: the layer whose input is added (the residual block's first layer)",
                         meaning: "the layer whose input is added: y = x + (input of layer `from`)")],
        shapeRule: "any shape, kept (the added input must have it)",
        describe: { layer in
            guard case .add(let p) = layer else { return "" }
            return "+ input of layer \(p.from)"
        },
        receptiveField: { _ in .passes },
        parameters: { layer in
            guard case .add(let p) = layer else { return [] }
            guard let q = p.projection else { return [("from", .int(p.from))] }  // headers without a projection unchanged
            return [("from", .int(p.from)), ("projection_stride", .pair(q.stride)),
                    ("projection_kernel", .tensor(q.kernel)), ("projection_bias", .optional(q.bias))]
        },
        learnable: ["projection_kernel", "projection_bias"],
        multiplyAccumulates: { layer, input in
            // The projection only: one product per output cell (N·K·Ho·Wo, the main path's shape) and block-input channel.
            guard case .add(let p) = layer, let q = p.projection, input.count == 4, q.kernel.rank == 4 else { return nil }
            return try LayerCounts.product([input[0], q.kernel.shape[0], input[2], input[3], q.kernel.shape[1]])
        },
        make: { r in
            let from = try r.double("from")  // an int in trace headers, a number in specs
            guard from >= 0, from < 0x1p31, from.rounded() == from else {
                throw EngineError("add: from must be the index of an earlier layer (an integer ≥ 0), got \(from)")
            }
            guard let kernel = try r.optionalTensor("projection_kernel") else { return .add(AddParams(from: Int(from))) }
            guard kernel.rank == 4, kernel.shape[2] == 1, kernel.shape[3] == 1 else {
                throw EngineError("add: projection_kernel must be K×C×1×1, got shape " + ShapeCheck.shapeText(kernel.shape))
            }
            return .add(AddParams(from: Int(from), projection: .init(
                kernel: kernel, bias: try r.optionalTensor("projection_bias"),
                stride: r.contains("projection_stride") ? try r.pair("projection_stride") : Pair(1))))
        })
}
