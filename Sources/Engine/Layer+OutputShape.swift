// Engine — the output shape of a layer from its input shape: the one place every module asks.

extension Layer {
    /// The shape this layer produces from an input of shape `input`, with the checks its forward pass makes.
    ///
    /// Shapes: conv2d N×C×H×W → N×K×Ho×Wo; conv_transpose2d N×C_in×H×W → N×C_out×Ho×Wo; pools
    /// N×C×H×W → N×C×Ho×Wo (global pools N×C×1×1); activations and softmax keep the shape; linear
    /// N×F_in → N×F_out; flatten N×… → N×(product of the rest).
    /// - Parameters:
    ///   - input: the input shape, as the engine holds it (rank 4, or rank 2 for linear).
    /// - Returns: the output shape.
    /// - Throws: `EngineError` when the input does not fit the layer (the same message its forward pass gives).
    public func outputShape(input: [Int]) throws -> [Int] {
        switch self {
        case .conv2d(let params, let kernel, let bias):
            return try Conv2DGeometry(input: input, kernel: kernel.shape, bias: bias?.shape, params: params).outputShape
        case .convTranspose2d(let params, let weight, let bias):
            return try ConvTranspose2DGeometry(input: input, weight: weight.shape, bias: bias?.shape, params: params)
                .outputShape
        case .maxPool2d(let params), .avgPool2d(let params):
            guard input.count == 4 else { throw rankError(input, expected: "N×C×H×W") }
            let size = try params.outputSize(height: input[2], width: input[3], op: opName)
            return [input[0], input[1], size.height, size.width]
        case .globalMaxPool, .globalAvgPool:
            guard input.count == 4 else { throw rankError(input, expected: "N×C×H×W") }
            return [input[0], input[1], 1, 1]
        case .relu, .leakyRelu, .sigmoid, .tanh, .softmax:
            return input
        case .linear(let weight, _):
            guard input.count == 2, weight.rank == 2 else { throw rankError(input, expected: "N×F (add a flatten layer first)") }
            guard input[1] == weight.shape[1] else {
                throw EngineError("linear: the input has \(input[1]) features but the weight (out×in = "
                                  + "\(ShapeCheck.shapeText(weight.shape))) expects \(weight.shape[1])")
            }
            return [input[0], weight.shape[0]]
        case .flatten:
            guard let n = input.first else { throw rankError(input, expected: "N×…") }
            return [n, input.dropFirst().reduce(1, *)]
        }
    }

    private func rankError(_ input: [Int], expected: String) -> EngineError {
        EngineError("\(opName): expects an input of shape \(expected), got \(ShapeCheck.shapeText(input))")
    }
}
