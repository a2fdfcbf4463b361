// Engine — max_pool2d forward and backward (PyTorch rules: padding ≤ kernel/2, ceil_mode, first max wins).

/// 2-D max pooling; ties route the gradient to the first maximum in row-major window order.
public enum MaxPool2D {
    /// Output of max_pool2d.
    ///
    /// Shapes: input N×C×H×W → output N×C×Ho×Wo (see `Pool2DParams.outputSize`).
    /// Events: per output cell, one `pool` per real (non-padding) window cell, row-major, `acc` = running
    /// max, `flags.selected` when the term became the current max (strictly greater); then `output`.
    /// - Complexity: O(N·C·Ho·Wo·kh·kw).
    @inlinable
    public static func forward<S: TraceSink>(
        input: Tensor, params: Pool2DParams, tracer: inout Tracer<S>
    ) throws -> Tensor {
        let (output, _) = try run(input: input, params: params, tracer: &tracer)
        return output
    }

    /// Gradient of max_pool2d: dX (N×C×H×W) given dY (N×C×Ho×Wo).
    ///
    /// Events: per output cell (row-major), one `grad` to the argmax input cell: target input,
    /// a = dY, b = 1, `flags.selected`, acc = running dX at that cell.
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, params: Pool2DParams, gradOutput: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        var silent = Tracer.untraced
        let (output, argmax) = try run(input: input, params: params, tracer: &silent)
        try ShapeCheck.sameShape(gradOutput, as: output, op: "max_pool2d backward", name: "grad_output", reference: "output")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (ho, wo) = (output.shape[2], output.shape[3])
        var dX = Tensor(shape: input.shape)
        if !tracer.isRecording {  // the same sums in the same order over raw buffers (see Pool2DKernels)
            argmax.withUnsafeBufferPointer { A in
                gradOutput.data.withUnsafeBufferPointer { G in
                    dX.data.withUnsafeMutableBufferPointer { D in Pool2DKernels.maxBackward(n * c, h, w, ho, wo, A, G, D) }
                }
            }
            return LayerGradients(input: dX)
        }
        for nn in 0..<n {
            for cc in 0..<c {
                for y in 0..<ho {
                    for x in 0..<wo {
                        let o = output.offset(nn, cc, y, x)
                        let src = argmax[o]
                        let g = gradOutput.data[o]
                        let flat = (nn * c + cc) * h * w + src
                        dX.data[flat] += g
                        let acc = dX.data[flat]
                        tracer.emit(TraceEvent(
                            kind: .grad, target: .input, flags: .selected,
                            output: Index4(nn, cc, y, x),
                            input: Index4(nn, cc, src / w, src % w),
                            padded: Index4(nn, cc, src / w + params.padding.y, src % w + params.padding.x),
                            a: g, b: 1, product: g, acc: acc))
                    }
                }
            }
        }
        return LayerGradients(input: dX)
    }

    /// Forward pass that also returns, per output cell, the argmax as a flat offset h·W + w in its plane.
    @inlinable
    static func run<S: TraceSink>(
        input: Tensor, params: Pool2DParams, tracer: inout Tracer<S>
    ) throws -> (Tensor, [Int]) {
        try ShapeCheck.rank4(input, op: "max_pool2d")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (ho, wo) = try params.outputSize(height: h, width: w, op: "max_pool2d")
        let (kh, kw) = (params.kernelSize.y, params.kernelSize.x)
        let (sy, sx) = (params.stride.y, params.stride.x)
        let (py, px) = (params.padding.y, params.padding.x)
        var output = Tensor(shape: [n, c, ho, wo])
        var argmax = [Int](repeating: 0, count: output.count)
        if !tracer.isRecording {  // the same comparisons over raw buffers (see Pool2DKernels)
            input.data.withUnsafeBufferPointer { X in
                output.data.withUnsafeMutableBufferPointer { Y in
                    argmax.withUnsafeMutableBufferPointer { A in Pool2DKernels.maxForward(n * c, h, w, ho, wo, params, X, Y, A) }
                }
            }
            return (output, argmax)
        }
        for nn in 0..<n {
            for cc in 0..<c {
                for y in 0..<ho {
                    for x in 0..<wo {
                        let h0 = y * sy - py, w0 = x * sx - px
                        let hStart = Swift.max(h0, 0), hEnd = Swift.min(h0 + kh, h)
                        let wStart = Swift.max(w0, 0), wEnd = Swift.min(w0 + kw, w)
                        var best = -Double.infinity
                        var bestAt = hStart * w + wStart
                        for ih in hStart..<hEnd {
                            for iw in wStart..<wEnd {
                                let v = input[nn, cc, ih, iw]
                                let selected = v > best
                                if selected { best = v; bestAt = ih * w + iw }
                                tracer.emit(TraceEvent(
                                    kind: .pool, flags: selected ? .selected : [],
                                    output: Index4(nn, cc, y, x), input: Index4(nn, cc, ih, iw),
                                    padded: Index4(nn, cc, ih + py, iw + px),
                                    kernel: Index4(0, 0, ih - h0, iw - w0),
                                    a: v, product: v, acc: best))
                            }
                        }
                        let o = output.offset(nn, cc, y, x)
                        output.data[o] = best
                        argmax[o] = bestAt
                        tracer.emit(TraceEvent(
                            kind: .output, output: Index4(nn, cc, y, x),
                            input: Index4(nn, cc, bestAt / w, bestAt % w),
                            padded: Index4(nn, cc, bestAt / w + py, bestAt % w + px),
                            a: best, product: best, acc: best))
                    }
                }
            }
        }
        return (output, argmax)
    }
}

// MARK: - Descriptor

extension Ops {
    /// max_pool2d: its spec keys, shape rule, trace-header parameters and `shape` summary.
    public static let maxPool2d = Pool2DParams.descriptor(
        name: "max_pool2d", summary: "max pooling", countIncludePadKey: false, layer: { .maxPool2d($0) },
        params: { if case .maxPool2d(let p) = $0 { p } else { nil } })
}
