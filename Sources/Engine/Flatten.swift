// Engine — flatten N×C×H×W to N×(C·H·W); a reshape, so it emits no events.

/// Flattens every axis after the first (PyTorch `nn.Flatten()`), row-major: feature = (c·H + h)·W + w.
public enum Flatten {
    /// N×C×H×W (or any rank ≥ 2) → N×(C·H·W). No events.
    @inlinable
    public static func forward(input: Tensor) throws -> Tensor {
        guard input.rank >= 2 else {
            throw EngineError(
                "flatten: input must have a batch axis and at least one more (N×C×H×W), got shape "
                    + ShapeCheck.shapeText(input.shape))
        }
        return input.reshaped([input.shape[0], input.shape[1...].reduce(1, *)])
    }

    /// dX is dY reshaped back to the input's shape. No events.
    @inlinable
    public static func backward(input: Tensor, gradOutput: Tensor) throws -> LayerGradients {
        guard gradOutput.count == input.count, gradOutput.rank == 2, gradOutput.shape[0] == input.shape.first else {
            throw EngineError(
                "flatten backward: grad_output has shape \(ShapeCheck.shapeText(gradOutput.shape)) but the output "
                    + "has shape \(input.shape.first ?? 0)×\(input.shape.dropFirst().reduce(1, *))")
        }
        return LayerGradients(input: gradOutput.reshaped(input.shape))
    }
}

// MARK: - Descriptor

extension Ops {
    /// flatten: no keys; N×C×H×W → N×(C·H·W).
    public static let flatten = OpDescriptor<Layer>(
        name: "flatten", summary: "every axis after the first into one", input: .image,
        shapeRule: "N×C×H×W → N×(C·H·W)",
        outputShape: { _, input in
            guard let n = input.first else { throw ParameterText.rankError("flatten", input, expected: "N×…") }
            return [n, input.dropFirst().reduce(1, *)]
        },
        make: { _ in .flatten })
}
