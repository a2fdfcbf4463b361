// Engine — global max and average pooling: each H×W plane condensed to one value (N×C×1×1).

/// Global max pooling (PyTorch `adaptive_max_pool2d(x, 1)`); ties route the gradient to the first
/// maximum in row-major order.
public enum GlobalMaxPool {
    /// Output N×C×1×1 of an N×C×H×W input.
    ///
    /// Events: per plane, one `pool` per cell (row-major), acc = running max, `flags.selected` when the
    /// cell became the current max (strictly greater); then `output`.
    @inlinable
    public static func forward<S: TraceSink>(input: Tensor, tracer: inout Tracer<S>) throws -> Tensor {
        try run(input: input, tracer: &tracer).0
    }

    /// dX (N×C×H×W) given dY (N×C×1×1): one `grad` per plane to its argmax, b = 1, `flags.selected`.
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, gradOutput: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        var silent = Tracer.untraced
        let (output, argmax) = try run(input: input, tracer: &silent)
        try ShapeCheck.sameShape(gradOutput, as: output, op: "global_max_pool backward", name: "grad_output", reference: "output")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        var dX = Tensor(shape: input.shape)
        for nn in 0..<n {
            for cc in 0..<c {
                let p = nn * c + cc
                let g = gradOutput.data[p]
                let src = argmax[p]
                dX.data[p * h * w + src] = g
                tracer.emit(TraceEvent(
                    kind: .grad, target: .input, flags: .selected,
                    output: Index4(nn, cc, 0, 0), input: Index4(nn, cc, src / w, src % w),
                    padded: Index4(nn, cc, src / w, src % w),
                    a: g, b: 1, product: g, acc: g))
            }
        }
        return LayerGradients(input: dX)
    }

    @inlinable
    static func run<S: TraceSink>(input: Tensor, tracer: inout Tracer<S>) throws -> (Tensor, [Int]) {
        try ShapeCheck.rank4(input, op: "global_max_pool")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        var output = Tensor(shape: [n, c, 1, 1])
        var argmax = [Int](repeating: 0, count: n * c)
        for nn in 0..<n {
            for cc in 0..<c {
                var best = -Double.infinity
                var bestAt = 0
                for ih in 0..<h {
                    for iw in 0..<w {
                        let v = input[nn, cc, ih, iw]
                        let selected = v > best
                        if selected { best = v; bestAt = ih * w + iw }
                        tracer.emit(TraceEvent(
                            kind: .pool, flags: selected ? .selected : [],
                            output: Index4(nn, cc, 0, 0), input: Index4(nn, cc, ih, iw),
                            padded: Index4(nn, cc, ih, iw), kernel: Index4(0, 0, ih, iw),
                            a: v, product: v, acc: best))
                    }
                }
                output.data[nn * c + cc] = best
                argmax[nn * c + cc] = bestAt
                tracer.emit(TraceEvent(
                    kind: .output, output: Index4(nn, cc, 0, 0),
                    input: Index4(nn, cc, bestAt / w, bestAt % w), padded: Index4(nn, cc, bestAt / w, bestAt % w),
                    a: best, product: best, acc: best))
            }
        }
        return (output, argmax)
    }
}

/// Global average pooling (PyTorch `adaptive_avg_pool2d(x, 1)`): the mean of each H×W plane.
public enum GlobalAvgPool {
    /// Output N×C×1×1 of an N×C×H×W input.
    ///
    /// Events: per plane, one `pool` per cell (acc = running sum); then `output` with a = sum,
    /// b = H·W, acc = mean.
    @inlinable
    public static func forward<S: TraceSink>(input: Tensor, tracer: inout Tracer<S>) throws -> Tensor {
        try ShapeCheck.rank4(input, op: "global_avg_pool")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        var output = Tensor(shape: [n, c, 1, 1])
        for nn in 0..<n {
            for cc in 0..<c {
                var sum = 0.0
                for ih in 0..<h {
                    for iw in 0..<w {
                        let v = input[nn, cc, ih, iw]
                        sum += v
                        tracer.emit(TraceEvent(
                            kind: .pool, output: Index4(nn, cc, 0, 0), input: Index4(nn, cc, ih, iw),
                            padded: Index4(nn, cc, ih, iw), kernel: Index4(0, 0, ih, iw),
                            a: v, product: v, acc: sum))
                    }
                }
                let value = sum / Double(h * w)
                output.data[nn * c + cc] = value
                tracer.emit(TraceEvent(
                    kind: .output, output: Index4(nn, cc, 0, 0), a: sum, b: Double(h * w), product: value, acc: value))
            }
        }
        return output
    }

    /// dX (N×C×H×W) given dY (N×C×1×1): one `grad` per cell, a = dY, b = 1/(H·W).
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, gradOutput: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        try ShapeCheck.rank4(input, op: "global_avg_pool")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        try ShapeCheck.sameShape(
            gradOutput, as: Tensor(shape: [n, c, 1, 1]), op: "global_avg_pool backward", name: "grad_output",
            reference: "output")
        var dX = Tensor(shape: input.shape)
        let scale = 1 / Double(h * w)
        for nn in 0..<n {
            for cc in 0..<c {
                let g = gradOutput.data[nn * c + cc]
                let share = g / Double(h * w)
                for ih in 0..<h {
                    for iw in 0..<w {
                        dX[nn, cc, ih, iw] = share
                        tracer.emit(TraceEvent(
                            kind: .grad, target: .input, output: Index4(nn, cc, 0, 0), input: Index4(nn, cc, ih, iw),
                            padded: Index4(nn, cc, ih, iw), kernel: Index4(0, 0, ih, iw),
                            a: g, b: scale, product: share, acc: share))
                    }
                }
            }
        }
        return LayerGradients(input: dX)
    }
}

// MARK: - Descriptors

extension Ops {
    /// global_max_pool: no keys; N×C×H×W → N×C×1×1.
    public static let globalMaxPool = globalPool("global_max_pool", summary: "global max pooling", layer: .globalMaxPool)
    /// global_avg_pool: no keys; N×C×H×W → N×C×1×1.
    public static let globalAvgPool = globalPool("global_avg_pool", summary: "global average pooling", layer: .globalAvgPool)

    static func globalPool(_ name: String, summary: String, layer: Layer) -> OpDescriptor<Layer> {
        OpDescriptor<Layer>(
            name: name, summary: summary, input: .image, shapeRule: "N×C×H×W → N×C×1×1",
            outputShape: { _, input in
                guard input.count == 4 else { throw ParameterText.rankError(name, input, expected: "N×C×H×W") }
                return [input[0], input[1], 1, 1]
            },
            make: { _ in layer })
    }
}
