// Engine — the resolved parameters of each op. Specs produces these; trace headers record them.

/// A (y, x) pair: stride, dilation, kernel size or symmetric padding.
public struct Pair: Equatable, Hashable, Sendable {
    public var y: Int, x: Int
    @inlinable public init(_ y: Int, _ x: Int) { self.y = y; self.x = x }
    /// The same value on both axes.
    @inlinable public init(_ both: Int) { self.y = both; self.x = both }
}

/// Explicit padding on each side, in cells.
public struct Padding: Equatable, Hashable, Sendable {
    public var top: Int, bottom: Int, left: Int, right: Int
    @inlinable public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }
    /// `p` on every side.
    @inlinable public init(_ p: Int) { self.init(top: p, bottom: p, left: p, right: p) }
    /// `ph` top and bottom, `pw` left and right.
    @inlinable public init(_ ph: Int, _ pw: Int) { self.init(top: ph, bottom: ph, left: pw, right: pw) }
    public static let zero = Padding(0)
}

/// How a conv's padding is given before it is resolved against the kernel size.
public enum PaddingSpec: Equatable, Hashable, Sendable {
    case explicit(Padding)
    /// No padding.
    case valid
    /// Total d·(F−1) per axis, smaller half top/left; stride 1 only.
    case same
    /// d·(F−1) on every side.
    case full
}

/// What value a padding cell holds.
public enum PaddingMode: String, Equatable, Hashable, Sendable, CaseIterable {
    case zeros, reflect, replicate, circular
}

/// Resolved conv2d parameters.
public struct Conv2DParams: Equatable, Hashable, Sendable {
    public var stride: Pair
    public var padding: Padding
    public var paddingMode: PaddingMode
    public var dilation: Pair
    /// True convolution: the kernel is rotated 180° before the cross-correlation.
    public var flip: Bool
    /// Channel groups (PyTorch's `groups`): filter k sees only the C/groups input channels of its group
    /// (k / (K/groups)); the kernel is K×(C/groups)×Fh×Fw. 1 is an ordinary conv, C a depthwise one.
    public var groups: Int
    public init(stride: Pair = Pair(1), padding: Padding = .zero, paddingMode: PaddingMode = .zeros,
                dilation: Pair = Pair(1), flip: Bool = false, groups: Int = 1) {
        self.stride = stride; self.padding = padding; self.paddingMode = paddingMode
        self.dilation = dilation; self.flip = flip; self.groups = groups
    }
}

/// Resolved conv_transpose2d parameters (PyTorch's meaning: `padding` removes rows/columns from the
/// full scatter output; `outputPadding` adds them back on the bottom/right).
public struct ConvTranspose2DParams: Equatable, Hashable, Sendable {
    public var stride: Pair
    public var padding: Pair
    public var outputPadding: Pair
    public var dilation: Pair
    public init(stride: Pair = Pair(1), padding: Pair = Pair(0), outputPadding: Pair = Pair(0),
                dilation: Pair = Pair(1)) {
        self.stride = stride; self.padding = padding; self.outputPadding = outputPadding
        self.dilation = dilation
    }
}

/// Resolved max/avg pool parameters.
public struct Pool2DParams: Equatable, Hashable, Sendable {
    public var kernelSize: Pair
    public var stride: Pair
    public var padding: Pair
    public var ceilMode: Bool
    /// Average pool only: divide by the full window size including padding cells.
    public var countIncludePad: Bool
    public init(kernelSize: Pair, stride: Pair? = nil, padding: Pair = Pair(0), ceilMode: Bool = false,
                countIncludePad: Bool = true) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
        self.ceilMode = ceilMode; self.countIncludePad = countIncludePad
    }
}

/// Resolved batch_norm2d parameters (PyTorch `BatchNorm2d`, affine, tracking running statistics).
///
/// Shapes: `weight` (γ), `bias` (β), `runningMean`, `runningVar` each C values; nil means PyTorch's
/// initial value (γ = 1, β = 0, running mean 0, running variance 1).
public struct BatchNorm2DParams: Equatable, Sendable {
    public var weight: Tensor?
    public var bias: Tensor?
    public var runningMean: Tensor?
    public var runningVar: Tensor?
    /// Added to the variance under the square root.
    public var eps: Double
    /// Weight of the batch statistic in the running-statistics update.
    public var momentum: Double
    /// Batch statistics (true) or the running statistics (false).
    public var training: Bool
    public init(weight: Tensor? = nil, bias: Tensor? = nil, runningMean: Tensor? = nil, runningVar: Tensor? = nil,
                eps: Double = 1e-5, momentum: Double = 0.1, training: Bool = true) {
        self.weight = weight; self.bias = bias; self.runningMean = runningMean; self.runningVar = runningVar
        self.eps = eps; self.momentum = momentum; self.training = training
    }
}

/// Resolved dropout parameters: drop probability, mode, and where the mask comes from.
public struct DropoutParams: Equatable, Sendable {
    /// Probability that a unit is dropped, in [0, 1).
    public var p: Double
    /// Inverted dropout (true) or the identity (false).
    public var training: Bool
    /// Seed of the mask generator (`DropoutMask`), used when `mask` is nil.
    public var seed: UInt64
    /// An explicit mask of 0s and 1s with the input's shape.
    public var mask: Tensor?
    public init(p: Double = 0.5, training: Bool = true, seed: UInt64 = 0, mask: Tensor? = nil) {
        self.p = p; self.training = training; self.seed = seed; self.mask = mask
    }
}

/// One layer of a network with its parameters and weights.
///
/// Shapes: conv kernel K×C×Fh×Fw, bias K; transposed-conv weight C_in×C_out×Fh×Fw, bias C_out;
/// linear weight out×in, bias out.
public enum Layer: Equatable, Sendable {
    case conv2d(Conv2DParams, kernel: Tensor, bias: Tensor?)
    case convTranspose2d(ConvTranspose2DParams, weight: Tensor, bias: Tensor?)
    case maxPool2d(Pool2DParams)
    case avgPool2d(Pool2DParams)
    case globalMaxPool
    case globalAvgPool
    case relu
    case leakyRelu(slope: Double)
    case sigmoid
    case tanh
    /// Softmax over axis 1 (channels / classes).
    case softmax
    case linear(weight: Tensor, bias: Tensor?)
    /// N×C×H×W → N×(C·H·W).
    case flatten
    /// Per-channel normalisation over N×H×W, then scale γ and shift β.
    case batchNorm2d(BatchNorm2DParams)
    /// Inverted dropout: kept units scaled by 1/(1−p) in training, the identity in evaluation.
    case dropout(DropoutParams)
    /// A residual join: this layer's input plus the input of layer `from` (`Add`).
    case add(AddParams)

    /// This layer's op: its name, keys, shape rule and trace-header coding.
    public var descriptor: OpDescriptor<Layer> {
        switch self {
        case .conv2d: Ops.conv2d
        case .convTranspose2d: Ops.convTranspose2d
        case .maxPool2d: Ops.maxPool2d
        case .avgPool2d: Ops.avgPool2d
        case .globalMaxPool: Ops.globalMaxPool
        case .globalAvgPool: Ops.globalAvgPool
        case .relu: Ops.relu
        case .leakyRelu: Ops.leakyRelu
        case .sigmoid: Ops.sigmoid
        case .tanh: Ops.tanh
        case .softmax: Ops.softmax
        case .linear: Ops.linear
        case .flatten: Ops.flatten
        case .batchNorm2d: Ops.batchNorm2d
        case .dropout: Ops.dropout
        case .add: Ops.add
        }
    }

    /// The op name as written in specs and trace headers.
    public var opName: String { descriptor.name }
}

/// A loss at the end of a network.
public enum Loss: Equatable, Sendable {
    /// Mean squared error, mean over every element (PyTorch `reduction='mean'`).
    case mse(target: Tensor)
    /// Cross-entropy of softmax(logits) (N×classes) against integer class indices, mean over N.
    case softmaxCrossEntropy(target: [Int])
    /// Binary cross-entropy, mean over every element; `withLogits` applies the sigmoid inside.
    case bce(target: Tensor, withLogits: Bool)

    /// This loss's op: its name, keys and trace-header coding.
    public var descriptor: OpDescriptor<Loss> {
        switch self {
        case .mse: Ops.mse
        case .softmaxCrossEntropy: Ops.softmaxCrossEntropy
        case .bce: Ops.bce
        }
    }

    /// The op name for messages and trace listings (`bce_with_logits` for bce on raw scores).
    public var opName: String {
        if case .bce(_, true) = self { return "bce_with_logits" }
        return descriptor.name
    }
}

/// Gradients of one layer: always the input's, plus its parameters' when it has them.
public struct LayerGradients: Equatable, Sendable {
    /// Same shape as the layer's input.
    public var input: Tensor
    /// Same shape as the kernel / weight.
    public var kernel: Tensor?
    /// Same shape as the bias.
    public var bias: Tensor?
    public init(input: Tensor, kernel: Tensor? = nil, bias: Tensor? = nil) {
        self.input = input; self.kernel = kernel; self.bias = bias
    }
}
