// Engine — the output shape of a layer from its input shape: the one place every module asks.

extension Layer {
    /// The shape this layer produces from an input of shape `input`, with the checks its forward pass makes.
    ///
    /// Shapes: conv2d N×C×H×W → N×K×Ho×Wo; conv_transpose2d N×C_in×H×W → N×C_out×Ho×Wo; pools
    /// N×C×H×W → N×C×Ho×Wo (global pools N×C×1×1); activations and softmax keep the shape; linear
    /// N×F_in → N×F_out; flatten N×… → N×(product of the rest). Each op's rule is its descriptor's
    /// `outputShape`.
    /// - Parameters:
    ///   - input: the input shape, as the engine holds it (rank 4, or rank 2 for linear).
    /// - Returns: the output shape.
    /// - Throws: `EngineError` when the input does not fit the layer (the same message its forward pass gives).
    public func outputShape(input: [Int]) throws -> [Int] {
        try descriptor.outputShape(self, input)
    }
}
