// Storyboard — which scene (layout and story) a frame belongs to.

/// The scene a frame belongs to. Open set (a struct) so new scenes do not break views.
public struct SceneKind: RawRepresentable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// conv2d forward: (padded) input per channel, kernel per channel, output per filter.
    public static let conv = SceneKind(rawValue: "conv")
    /// Cross-correlation and true convolution side by side (kernel as given and rotated).
    public static let correlationVsConvolution = SceneKind(rawValue: "correlation_vs_convolution")
    /// Transposed conv as a scatter: each input cell times the kernel added into the output.
    public static let transposedScatter = SceneKind(rawValue: "transposed_scatter")
    /// Transposed conv as a direct conv over the zero-inserted, padded input with the rotated kernel.
    public static let transposedDirect = SceneKind(rawValue: "transposed_direct")
    /// Max / average pooling forward.
    public static let pooling = SceneKind(rawValue: "pooling")
    /// Pooling backward: where the gradient is routed (max) or spread (average).
    public static let poolingBackward = SceneKind(rawValue: "pooling_backward")
    /// dK[k,c,i,j] = Σ dY · X.
    public static let kernelGradient = SceneKind(rawValue: "kernel_gradient")
    /// dX = full convolution of dY with the rotated kernel.
    public static let inputGradient = SceneKind(rawValue: "input_gradient")
    /// db[k] = Σ dY[k].
    public static let biasGradient = SceneKind(rawValue: "bias_gradient")
    /// Element-wise activation forward / backward.
    public static let activation = SceneKind(rawValue: "activation")
    /// Fully connected layer.
    public static let linear = SceneKind(rawValue: "linear")
    /// Loss terms.
    public static let loss = SceneKind(rawValue: "loss")
    /// Anything else (a generic grid view of the event).
    public static let generic = SceneKind(rawValue: "generic")
    /// A residual block's join (forward), the gradient split onto both paths, and the sum at the fork.
    public static let residual = SceneKind(rawValue: "residual")
}
