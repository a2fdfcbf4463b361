// Engine — avg_pool2d forward and backward (PyTorch's divisor rule, count_include_pad, ceil_mode).

/// 2-D average pooling with implicit zero padding.
///
/// Divisor (PyTorch's CPU kernel): the window is first clipped to the padded input
/// `[−p, in + p)`; with `countIncludePad` the divisor is that clipped window's size, otherwise the
/// number of real input cells in it. A ceil_mode window that hangs past the padding is clipped, so
/// its divisor is smaller than kh·kw even with `countIncludePad`.
public enum AvgPool2D {
    /// Output of avg_pool2d.
    ///
    /// Shapes: input N×C×H×W → output N×C×Ho×Wo.
    /// Events: per output cell, one `pool` per window cell inside the padded input, row-major
    /// (padding cells as a = 0 with `flags.padding`), acc = running sum; then `output` with
    /// a = sum, b = divisor, acc = value.
    /// - Complexity: O(N·C·Ho·Wo·kh·kw).
    @inlinable
    public static func forward<S: TraceSink>(
        input: Tensor, params: Pool2DParams, tracer: inout Tracer<S>
    ) throws -> Tensor {
        try ShapeCheck.rank4(input, op: "avg_pool2d")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (ho, wo) = try params.outputSize(height: h, width: w, op: "avg_pool2d")
        let (py, px) = (params.padding.y, params.padding.x)
        var output = Tensor(shape: [n, c, ho, wo])
        if !tracer.isRecording {  // the same sums over raw buffers (see Pool2DKernels)
            input.data.withUnsafeBufferPointer { X in
                output.data.withUnsafeMutableBufferPointer { Y in Pool2DKernels.avgForward(n * c, h, w, ho, wo, params, X, Y) }
            }
            return output
        }
        for nn in 0..<n {
            for cc in 0..<c {
                for y in 0..<ho {
                    for x in 0..<wo {
                        let win = window(y: y, x: x, height: h, width: w, params: params)
                        var sum = 0.0
                        for ih in win.h0..<win.h1 {
                            for iw in win.w0..<win.w1 {
                                let isPad = ih < 0 || ih >= h || iw < 0 || iw >= w
                                let v = isPad ? 0 : input[nn, cc, ih, iw]
                                sum += v
                                tracer.emit(TraceEvent(
                                    kind: .pool, flags: isPad ? .padding : [],
                                    output: Index4(nn, cc, y, x), input: Index4(nn, cc, ih, iw),
                                    padded: Index4(nn, cc, ih + py, iw + px),
                                    kernel: Index4(0, 0, ih - win.start.h, iw - win.start.w),
                                    a: v, product: v, acc: sum))
                            }
                        }
                        let value = sum / Double(win.divisor)
                        output[nn, cc, y, x] = value
                        tracer.emit(TraceEvent(
                            kind: .output, output: Index4(nn, cc, y, x),
                            a: sum, b: Double(win.divisor), product: value, acc: value))
                    }
                }
            }
        }
        return output
    }

    /// Gradient of avg_pool2d: dX (N×C×H×W) given dY (N×C×Ho×Wo).
    ///
    /// Events: per output cell (row-major), one `grad` per real window cell (row-major): target input,
    /// a = dY, b = 1/divisor, product = dY/divisor, acc = running dX at that cell.
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, params: Pool2DParams, gradOutput: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        try ShapeCheck.rank4(input, op: "avg_pool2d")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (ho, wo) = try params.outputSize(height: h, width: w, op: "avg_pool2d")
        try ShapeCheck.sameShape(
            gradOutput, as: Tensor(shape: [n, c, ho, wo]), op: "avg_pool2d backward", name: "grad_output",
            reference: "output")
        let (py, px) = (params.padding.y, params.padding.x)
        var dX = Tensor(shape: input.shape)
        if !tracer.isRecording {  // the same shares in the same order over raw buffers (see Pool2DKernels)
            gradOutput.data.withUnsafeBufferPointer { G in
                dX.data.withUnsafeMutableBufferPointer { D in Pool2DKernels.avgBackward(n * c, h, w, ho, wo, params, G, D) }
            }
            return LayerGradients(input: dX)
        }
        for nn in 0..<n {
            for cc in 0..<c {
                for y in 0..<ho {
                    for x in 0..<wo {
                        let win = window(y: y, x: x, height: h, width: w, params: params)
                        let g = gradOutput[nn, cc, y, x]
                        let scale = 1 / Double(win.divisor)
                        let share = g / Double(win.divisor)
                        for ih in Swift.max(win.h0, 0)..<Swift.min(win.h1, h) {
                            for iw in Swift.max(win.w0, 0)..<Swift.min(win.w1, w) {
                                let o = dX.offset(nn, cc, ih, iw)
                                dX.data[o] += share
                                let acc = dX.data[o]
                                tracer.emit(TraceEvent(
                                    kind: .grad, target: .input,
                                    output: Index4(nn, cc, y, x), input: Index4(nn, cc, ih, iw),
                                    padded: Index4(nn, cc, ih + py, iw + px),
                                    kernel: Index4(0, 0, ih - win.start.h, iw - win.start.w),
                                    a: g, b: scale, product: share, acc: acc))
                            }
                        }
                    }
                }
            }
        }
        return LayerGradients(input: dX)
    }

    /// The window of output cell (y, x) clipped to the padded input, and its divisor.
    @usableFromInline
    struct Window {
        /// Unclipped top-left corner in unpadded coordinates.
        @usableFromInline var start: (h: Int, w: Int)
        /// Clipped to `[−p, in + p)`.
        @usableFromInline var h0: Int, h1: Int, w0: Int, w1: Int
        @usableFromInline var divisor: Int
        @inlinable init(start: (h: Int, w: Int), h0: Int, h1: Int, w0: Int, w1: Int, divisor: Int) {
            self.start = start; self.h0 = h0; self.h1 = h1; self.w0 = w0; self.w1 = w1; self.divisor = divisor
        }
    }

    @inlinable
    static func window(y: Int, x: Int, height h: Int, width w: Int, params: Pool2DParams) -> Window {
        let (py, px) = (params.padding.y, params.padding.x)
        let hs = y * params.stride.y - py, ws = x * params.stride.x - px
        let h1 = Swift.min(hs + params.kernelSize.y, h + py)
        let w1 = Swift.min(ws + params.kernelSize.x, w + px)
        let divisor: Int
        if params.countIncludePad {
            divisor = (h1 - hs) * (w1 - ws)
        } else {
            divisor = (Swift.min(h1, h) - Swift.max(hs, 0)) * (Swift.min(w1, w) - Swift.max(ws, 0))
        }
        return Window(start: (hs, ws), h0: hs, h1: h1, w0: ws, w1: w1, divisor: divisor)
    }
}

// MARK: - Descriptor

extension Ops {
    /// avg_pool2d: its spec keys, shape rule, trace-header parameters and `shape` summary.
    public static let avgPool2d = Pool2DParams.descriptor(
        name: "avg_pool2d", summary: "average pooling", countIncludePadKey: true, layer: { .avgPool2d($0) },
        params: { if case .avgPool2d(let p) = $0 { p } else { nil } })
}
