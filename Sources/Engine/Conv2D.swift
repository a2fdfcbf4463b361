// Engine — conv2d forward and backward (cross-correlation; true convolution with `flip`).

/// 2-D convolution as PyTorch computes it (cross-correlation unless `params.flip`).
public enum Conv2D {
    /// Output of conv2d.
    ///
    /// Shapes: input N×C×H×W, kernel K×C×Fh×Fw, bias K → output N×K×Ho×Wo.
    @inlinable
    public static func forward<S: TraceSink>(
        input: Tensor, kernel: Tensor, bias: Tensor?, params: Conv2DParams, tracer: inout Tracer<S>
    ) throws -> Tensor {
        throw EngineError("conv2d forward: not implemented yet")
    }

    /// Gradients of conv2d given dY (N×K×Ho×Wo): dX (N×C×H×W), dK (K×C×Fh×Fw), db (K, when there is a bias).
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, kernel: Tensor, bias: Tensor?, params: Conv2DParams, gradOutput: Tensor,
        tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        throw EngineError("conv2d backward: not implemented yet")
    }
}
