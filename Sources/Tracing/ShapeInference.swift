// Tracing — ShapeInference: the output shape of a layer, for the shapes recorded in trace headers.
import Engine

/// Output shapes by PyTorch's formulas; `nil` when the input does not fit the layer.
enum ShapeInference {
    static func outputShape(of layer: Layer, input s: [Int]) -> [Int]? {
        switch layer {
        case .conv2d(let p, let kernel, _):
            guard s.count == 4, kernel.rank == 4 else { return nil }
            let ho = (s[2] + p.padding.top + p.padding.bottom - p.dilation.y * (kernel.shape[2] - 1) - 1)
            let wo = (s[3] + p.padding.left + p.padding.right - p.dilation.x * (kernel.shape[3] - 1) - 1)
            guard ho >= 0, wo >= 0, p.stride.y > 0, p.stride.x > 0 else { return nil }
            return [s[0], kernel.shape[0], ho / p.stride.y + 1, wo / p.stride.x + 1]
        case .convTranspose2d(let p, let weight, _):
            guard s.count == 4, weight.rank == 4 else { return nil }
            let ho = (s[2] - 1) * p.stride.y - 2 * p.padding.y + p.dilation.y * (weight.shape[2] - 1) + p.outputPadding.y + 1
            let wo = (s[3] - 1) * p.stride.x - 2 * p.padding.x + p.dilation.x * (weight.shape[3] - 1) + p.outputPadding.x + 1
            guard ho > 0, wo > 0 else { return nil }
            return [s[0], weight.shape[1], ho, wo]
        case .maxPool2d(let p), .avgPool2d(let p):
            guard s.count == 4, let ho = pooled(s[2], p.kernelSize.y, p.stride.y, p.padding.y, p.ceilMode),
                  let wo = pooled(s[3], p.kernelSize.x, p.stride.x, p.padding.x, p.ceilMode) else { return nil }
            return [s[0], s[1], ho, wo]
        case .globalMaxPool, .globalAvgPool:
            guard s.count == 4 else { return nil }
            return [s[0], s[1], 1, 1]
        case .relu, .leakyRelu, .sigmoid, .tanh, .softmax:
            return s
        case .linear(let weight, _):
            guard s.count == 2, weight.rank == 2 else { return nil }
            return [s[0], weight.shape[0]]
        case .flatten:
            guard let n = s.first else { return nil }
            return [n, s.dropFirst().reduce(1, *)]
        }
    }

    /// PyTorch's pooled length, including the ceil-mode rule that the last window must start inside
    /// the input or its left padding.
    static func pooled(_ size: Int, _ k: Int, _ stride: Int, _ pad: Int, _ ceilMode: Bool) -> Int? {
        guard stride > 0 else { return nil }
        let span = size + 2 * pad - k
        guard span >= 0 else { return nil }
        var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (out - 1) * stride >= size + pad { out -= 1 }
        return out
    }
}
