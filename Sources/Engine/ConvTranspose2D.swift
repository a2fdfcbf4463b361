// Engine — conv_transpose2d forward and backward (PyTorch weight layout C_in×C_out×Fh×Fw).

/// Transposed 2-D convolution: every input cell scatters input·weight into the output.
public enum ConvTranspose2D {
    /// Output of conv_transpose2d.
    ///
    /// Shapes: input N×C_in×H×W, weight C_in×C_out×Fh×Fw, bias C_out → output N×C_out×Ho×Wo with
    /// Ho = (H−1)·s − 2p + d·(Fh−1) + output_padding + 1.
    @inlinable
    public static func forward<S: TraceSink>(
        input: Tensor, weight: Tensor, bias: Tensor?, params: ConvTranspose2DParams, tracer: inout Tracer<S>
    ) throws -> Tensor {
        throw EngineError("conv_transpose2d forward: not implemented yet")
    }

    /// Gradients given dY (N×C_out×Ho×Wo): dX, dW (C_in×C_out×Fh×Fw), db (C_out).
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, weight: Tensor, bias: Tensor?, params: ConvTranspose2DParams, gradOutput: Tensor,
        tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        throw EngineError("conv_transpose2d backward: not implemented yet")
    }
}
