// Engine — a sequence of layers run forward and backward, with an optional loss at the end.

/// A stack of layers, optionally ending in a loss.
///
/// A single op is a network of one layer; `Specs` builds one either way.
public struct Network: Equatable, Sendable {
    public var layers: [Layer]
    public var loss: Loss?
    public init(layers: [Layer], loss: Loss? = nil) { self.layers = layers; self.loss = loss }
}

/// What a forward (and optional backward) run produced.
public struct NetworkResult: Equatable, Sendable {
    /// `activations[0]` is the input; `activations[i + 1]` the output of layer i.
    public var activations: [Tensor]
    /// The loss value, when the network has one.
    public var loss: Double?
    /// Per layer, when a backward pass ran (from `gradOutput` or the loss).
    public var gradients: [LayerGradients]?
    /// The network output.
    public var output: Tensor { activations[activations.count - 1] }
    public init(activations: [Tensor], loss: Double? = nil, gradients: [LayerGradients]? = nil) {
        self.activations = activations; self.loss = loss; self.gradients = gradients
    }
}
