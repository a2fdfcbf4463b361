// Engine — the one list of every op convtrace knows; each descriptor lives in its op's own file.

/// Every op's descriptor. Add an op by writing its descriptor at the end of its Engine file
/// (`extension Ops { public static let myOp = OpDescriptor<Layer>(…) }`) and listing it here.
public enum Ops {
    /// Ops usable as a layer of a network (and as a single op), in the order specs and docs list them.
    public static let layers: [OpDescriptor<Layer>] = [
        conv2d, convTranspose2d, maxPool2d, avgPool2d, globalMaxPool, globalAvgPool,
        relu, leakyRelu, sigmoid, tanh, softmax, linear, flatten, batchNorm2d, dropout, add,
    ]

    /// Losses: the last layer of a network, or a single op.
    public static let losses: [OpDescriptor<Loss>] = [mse, softmaxCrossEntropy, bce]

    /// The layer op named `name`.
    public static func layer(named name: String) -> OpDescriptor<Layer>? { layers.first { $0.name == name } }

    /// The loss named `name`.
    public static func loss(named name: String) -> OpDescriptor<Loss>? { losses.first { $0.name == name } }
}
