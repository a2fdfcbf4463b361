// Engine — what the engine says about each elementary step. Tracing encodes these; Storyboard reads them.

/// Forward or backward pass, or a training step's parameter update.
public enum Phase: UInt8, Sendable, CaseIterable {
    case forward = 0
    case backward = 1
    /// The optimizer's step after a backward pass (`update` events of a `train:` spec).
    case update = 2

    /// Name used in JSON Lines and on screen.
    public var name: String {
        switch self {
        case .forward: "forward"
        case .backward: "backward"
        case .update: "update"
        }
    }
}

/// What kind of elementary step an event records.
public enum EventKind: UInt8, Sendable, CaseIterable {
    /// One multiply-accumulate of a conv / transposed conv / linear layer:
    /// `acc += a · b` with `a` the input value read (padding value if `flags.padding`) and `b` the weight.
    case mac = 0
    /// A bias add into an output cell: `a` = accumulator before, `b` = bias, `acc` = after.
    case bias = 1
    /// An output cell is final: `acc` (and `a`) hold the value written at `output`.
    case output = 2
    /// One pooling term: `a` = the value read at `input`; `acc` = running max or running sum after it;
    /// `flags.selected` when this term became the current maximum (max pool).
    case pool = 3
    /// One activation applied: `a` = input value, `acc` = output value, at `output` (= `input`).
    case activation = 4
    /// One gradient term: `acc` (at the cell named by `target`) `+= a · b`, `product = a · b`.
    case grad = 5
    /// One loss term in the forward pass: `a` = prediction, `b` = target, `product` = this term's
    /// contribution, `acc` = running loss.
    case loss = 6
    /// One step of a batch normalisation (`batch_norm2d`): `kernel` = (channel, part, 0, 0) with the part a
    /// `NormPart` (a term of the mean or the variance, a running-statistics update, or one cell normalised).
    case norm = 7
    /// One cell of a residual join (`add`): `kernel.c` is the `AddPart` (the forward sum, the backward split
    /// onto the skip path, or the two gradients summed at the fork).
    case add = 8
    /// One term of an optimizer's parameter update (phase `update`): `output` = (training step, part, 0, 0)
    /// with the part an `UpdatePart` (the gradient, the decay, a buffer, the denominator, the step, the new
    /// value); `kernel` the parameter element and `target` its tensor (kernel / weight / γ, or bias / β).
    case update = 9

    /// Name used in JSON Lines and on screen.
    public var name: String {
        switch self {
        case .mac: "mac"
        case .bias: "bias"
        case .output: "output"
        case .pool: "pool"
        case .activation: "activation"
        case .grad: "grad"
        case .loss: "loss"
        case .norm: "norm"
        case .add: "add"
        case .update: "update"
        }
    }
}

/// What a `norm` event computes; its raw value is the event's `kernel.c` (`kernel.n` is the channel).
///
/// Values by part (M = N·H·W values per channel, μ the batch mean, σ² the biased batch variance):
/// - `mean`: one term of μ = Σ x/M: `a` = x at `input`, `b` = 1/M, `product` = a·b, `acc` = running sum.
/// - `variance`: one term of σ² = Σ (x − μ)²/M: `a` = x − μ, `b` = (x − μ)/M, `product` = a·b, `acc` = running sum.
/// - `runningMean` / `runningVar` (training only): `a` = the old running value, `b` = the batch statistic
///   (the unbiased variance σ²·M/(M−1) for `runningVar`), `product` = momentum·b, `acc` = the new value
///   (1 − momentum)·a + momentum·b.
/// - `normalize`: one cell x̂ = (x − μ)/√(σ² + eps): `a` = x − μ, `b` = 1/√(σ² + eps), `product` = `acc` = x̂,
///   at `input` = `output` (in evaluation μ and σ² are the running statistics).
public enum NormPart: Int32, Sendable, CaseIterable {
    case mean = 0
    case variance = 1
    case runningMean = 2
    case runningVar = 3
    case normalize = 4

    /// Name used on screen.
    public var name: String {
        switch self {
        case .mean: "mean"
        case .variance: "variance"
        case .runningMean: "running_mean"
        case .runningVar: "running_var"
        case .normalize: "normalize"
        }
    }
}

/// Which tensor a gradient term accumulates into.
public enum GradTarget: UInt8, Sendable, CaseIterable {
    /// Not a gradient event.
    case none = 0
    /// dX: the cell is `input` (unpadded coordinates).
    case input = 1
    /// dK (conv) or dW (linear): the cell is `kernel`.
    case kernel = 2
    /// db: the cell is `kernel.k` (filter / output feature index).
    case bias = 3

    /// Name used in JSON Lines and on screen.
    public var name: String {
        switch self {
        case .none: "none"
        case .input: "input"
        case .kernel: "kernel"
        case .bias: "bias"
        }
    }
}

/// Bit flags on an event.
public struct EventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The input cell read lies in the padding; `a` is the value the padding mode supplied.
    public static let padding = EventFlags(rawValue: 1 << 0)
    /// Pooling: this term is the current maximum (max pool) / the routed maximum (backward).
    public static let selected = EventFlags(rawValue: 1 << 1)
}

/// A 4-component index (n, c, h, w) or (k, c, i, j); components are `Int32` to keep records fixed-width.
public struct Index4: Equatable, Hashable, Sendable {
    public var n: Int32, c: Int32, h: Int32, w: Int32
    @inlinable public init(_ n: Int, _ c: Int, _ h: Int, _ w: Int) {
        self.n = Int32(truncatingIfNeeded: n); self.c = Int32(truncatingIfNeeded: c)
        self.h = Int32(truncatingIfNeeded: h); self.w = Int32(truncatingIfNeeded: w)
    }
    /// All zeros: "not used by this event".
    public static let zero = Index4(0, 0, 0, 0)
}

/// One elementary step of a traced computation.
///
/// Index meaning by kind (unused indices are zero):
/// - `output`: the output cell (n, k, y, x) this step writes or accumulates into; for `grad` the dY cell.
/// - `input`: the input cell (n, c, h, w) in *unpadded* coordinates (may lie outside the input when
///   `flags.padding`); for linear layers (n, feature, 0, 0).
/// - `padded`: the same cell in padded coordinates (n, c, h + padTop, w + padLeft).
/// - `kernel`: the kernel cell (k, c, i, j) (transposed conv: (c_in, c_out, i, j); linear: (out, in, 0, 0)).
///
/// Values: `a` and `b` are the operands, `product` = a · b (or the term's contribution), `acc` the
/// running accumulator of the destination cell after this step.
public struct TraceEvent: Equatable, Sendable {
    // Stored in this order on purpose: the four index quadruples first, at offsets 0, 16, 32, 48, so a
    // 16-byte load of one lines up with the 16-byte stores a caller's copy of the event makes (with the
    // quadruples at byte 28, the v2 encoder's loads of them missed store forwarding: a quarter of its
    // samples sat there); the 8-byte fields follow, the 1-byte fields last, 120 bytes a value instead of
    // 128. Measured on LeNet-5's events in memory, the stall mostly moved to the load from memory, so the
    // gain in time was small; the smaller value is the lasting part.
    public var output: Index4
    public var input: Index4
    public var padded: Index4
    public var kernel: Index4
    public var a: Double
    public var b: Double
    public var product: Double
    public var acc: Double
    /// 0-based position in the trace.
    public var step: Int
    /// 0-based index of the layer in the network (0 for a single op).
    public var layer: Int
    public var phase: Phase
    public var kind: EventKind
    public var target: GradTarget
    public var flags: EventFlags

    @inlinable
    public init(
        step: Int = 0, phase: Phase = .forward, layer: Int = 0, kind: EventKind,
        target: GradTarget = .none, flags: EventFlags = [],
        output: Index4 = .zero, input: Index4 = .zero, padded: Index4 = .zero, kernel: Index4 = .zero,
        a: Double = 0, b: Double = 0, product: Double = 0, acc: Double = 0
    ) {
        self.step = step; self.phase = phase; self.layer = layer; self.kind = kind
        self.target = target; self.flags = flags
        self.output = output; self.input = input; self.padded = padded; self.kernel = kernel
        self.a = a; self.b = b; self.product = product; self.acc = acc
    }
}
