// Engine — conv2d forward and backward (cross-correlation; true convolution with `flip`).

/// 2-D convolution as PyTorch computes it (cross-correlation unless `params.flip`).
///
/// Output cell (n, k, y, x) = bias[k] + Σ_{c,i,j} X̃[n, c, y·sy + i·dy, x·sx + j·dx] · K̃[k, c, i, j], where
/// X̃ is the input padded by `params.padding` under `params.paddingMode` and K̃ is the kernel, rotated
/// 180° when `params.flip` (K̃[k, c, i, j] = K[k, c, Fh−1−i, Fw−1−j]).
public enum Conv2D {
    /// Output of conv2d.
    ///
    /// Shapes: input N×C×H×W, kernel K×C×Fh×Fw, bias K → output N×K×Ho×Wo.
    ///
    /// Events, per output cell (n, k, y, x) in row-major order: for c, i, j (the window row-major) one
    /// `mac` (`input` = source cell — the virtual out-of-range cell for zeros padding, the real cell the
    /// mode reads otherwise —, `padded` = the cell in the padded grid, `kernel` = the kernel cell as
    /// given, i.e. rotated with `flip`, a = value read, b = weight, acc = running sum, `flags.padding` on
    /// padding cells); one `bias` when there is a bias; one `output`.
    /// - Throws: `EngineError` for bad shapes or parameters (see `Conv2DGeometry.init`).
    /// - Complexity: O(N·K·Ho·Wo·C·Fh·Fw).
    @inlinable
    public static func forward<S: TraceSink>(
        input: Tensor, kernel: Tensor, bias: Tensor?, params: Conv2DParams, tracer: inout Tracer<S>
    ) throws -> Tensor {
        let g = try Conv2DGeometry(input: input.shape, kernel: kernel.shape, bias: bias?.shape, params: params)
        let (C, H, W, Fh, Fw) = (g.channels, g.height, g.width, g.kernelHeight, g.kernelWidth)
        let (sy, sx, dy, dx) = (params.stride.y, params.stride.x, params.dilation.y, params.dilation.x)
        let (top, left, H0, W0) = (params.padding.top, params.padding.left, params.padding.top + H, params.padding.left + W)
        let zeros = params.paddingMode == .zeros
        let flip = params.flip
        let X = input.data, Kd = kernel.data, B = bias?.data
        let rowSource = g.rowSource, colSource = g.colSource
        var out = [Double](repeating: 0, count: g.outputShape.reduce(1, *))
        var o = 0
        for n in 0..<g.batch {
            for k in 0..<g.filters {
                for y in 0..<g.outHeight {
                    for x in 0..<g.outWidth {
                        var acc = 0.0
                        for c in 0..<C {
                            let xPlane = (n * C + c) * H * W
                            let kPlane = (k * C + c) * Fh * Fw
                            for i in 0..<Fh {
                                let hp = y * sy + i * dy
                                let sh = rowSource[hp]
                                let ki = flip ? Fh - 1 - i : i
                                for j in 0..<Fw {
                                    let wp = x * sx + j * dx
                                    let sw = colSource[wp]
                                    let kj = flip ? Fw - 1 - j : j
                                    let a = (sh >= 0 && sw >= 0) ? X[xPlane + sh * W + sw] : 0
                                    let b = Kd[kPlane + ki * Fw + kj]
                                    let product = a * b
                                    acc += product
                                    tracer.emit(TraceEvent(
                                        kind: .mac,
                                        flags: (hp < top || hp >= H0 || wp < left || wp >= W0) ? .padding : [],
                                        output: Index4(n, k, y, x),
                                        input: zeros || (sh >= 0 && sw >= 0 && hp >= top && hp < H0 && wp >= left && wp < W0)
                                            ? Index4(n, c, hp - top, wp - left) : Index4(n, c, sh, sw),
                                        padded: Index4(n, c, hp, wp), kernel: Index4(k, c, ki, kj),
                                        a: a, b: b, product: product, acc: acc))
                                }
                            }
                        }
                        if let B {
                            let before = acc
                            acc += B[k]
                            tracer.emit(TraceEvent(
                                kind: .bias, output: Index4(n, k, y, x), kernel: Index4(k, 0, 0, 0),
                                a: before, b: B[k], product: B[k], acc: acc))
                        }
                        out[o] = acc
                        o += 1
                        tracer.emit(TraceEvent(kind: .output, output: Index4(n, k, y, x), a: acc, acc: acc))
                    }
                }
            }
        }
        return Tensor(shape: g.outputShape, data: out)
    }

    /// Gradients of conv2d given dY (N×K×Ho×Wo): dX (N×C×H×W), dK (K×C×Fh×Fw), db (K, when there is a bias).
    ///
    /// dK[k,c,i,j] = Σ_{n,y,x} dY[n,k,y,x] · X̃[n, c, y·sy + i'·dy, x·sx + j'·dx] (i', j' the window tap the
    /// kernel cell sits at: (i, j), or (Fh−1−i, Fw−1−j) with flip); dX[n,c,h,w] = Σ dY · K over every
    /// `mac` that read input cell (n,c,h,w) — for reflect/replicate/circular padding reads included, since
    /// their value came from that cell; db[k] = Σ_{n,y,x} dY[n,k,y,x].
    ///
    /// Events (`grad`), in this order: kernel terms grouped by dK cell (k, c, i, j outer; n, y, x inner),
    /// a = dY, b = the input value read (0 for a zero padding cell), one per `mac`; input terms grouped by
    /// dX cell (n, c, h, w outer; k, then y, x, i, j inner — the `mac` order), a = dY, b = weight; bias
    /// terms (k outer; n, y, x inner), a = dY, b = 1. `acc` is the running value of the target cell.
    /// - Throws: `EngineError` for bad shapes or parameters, or a `gradOutput` not shaped N×K×Ho×Wo.
    /// - Complexity: O(N·K·Ho·Wo·C·Fh·Fw).
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, kernel: Tensor, bias: Tensor?, params: Conv2DParams, gradOutput: Tensor,
        tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        let g = try Conv2DGeometry(input: input.shape, kernel: kernel.shape, bias: bias?.shape, params: params)
        guard gradOutput.shape == g.outputShape else {
            throw EngineError(
                "conv2d backward: grad_output must have the shape of the output, N×K×Ho×Wo = "
                    + "\(ShapeCheck.shapeText(g.outputShape)), got \(ShapeCheck.shapeText(gradOutput.shape))")
        }
        let (N, K, C, H, W) = (g.batch, g.filters, g.channels, g.height, g.width)
        let (Fh, Fw, Ho, Wo) = (g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth)
        let (sy, sx, dy, dx) = (params.stride.y, params.stride.x, params.dilation.y, params.dilation.x)
        let (top, left, H0, W0) = (params.padding.top, params.padding.left, params.padding.top + H, params.padding.left + W)
        let zeros = params.paddingMode == .zeros
        let flip = params.flip
        let X = input.data, Kd = kernel.data, dY = gradOutput.data
        let rowSource = g.rowSource, colSource = g.colSource

        // dK: one term per mac, grouped by kernel cell as given.
        var dK = [Double](repeating: 0, count: kernel.count)
        for k in 0..<K {
            for c in 0..<C {
                for ki in 0..<Fh {
                    let i = flip ? Fh - 1 - ki : ki
                    for kj in 0..<Fw {
                        let j = flip ? Fw - 1 - kj : kj
                        var acc = 0.0
                        for n in 0..<N {
                            let xPlane = (n * C + c) * H * W
                            let yPlane = (n * K + k) * Ho * Wo
                            for y in 0..<Ho {
                                let hp = y * sy + i * dy
                                let sh = rowSource[hp]
                                for x in 0..<Wo {
                                    let wp = x * sx + j * dx
                                    let sw = colSource[wp]
                                    let a = dY[yPlane + y * Wo + x]
                                    let b = (sh >= 0 && sw >= 0) ? X[xPlane + sh * W + sw] : 0
                                    let product = a * b
                                    acc += product
                                    tracer.emit(TraceEvent(
                                        kind: .grad, target: .kernel,
                                        flags: (hp < top || hp >= H0 || wp < left || wp >= W0) ? .padding : [],
                                        output: Index4(n, k, y, x),
                                        input: zeros || (hp >= top && hp < H0 && wp >= left && wp < W0)
                                            ? Index4(n, c, hp - top, wp - left) : Index4(n, c, sh, sw),
                                        padded: Index4(n, c, hp, wp), kernel: Index4(k, c, ki, kj),
                                        a: a, b: b, product: product, acc: acc))
                                }
                            }
                        }
                        dK[((k * C + c) * Fh + ki) * Fw + kj] = acc
                    }
                }
            }
        }

        // dX: per input cell, every mac that read it, in mac order (k, y, x, i, j).
        let rows = g.rowTaps(), cols = g.colTaps()
        var dX = [Double](repeating: 0, count: input.count)
        for n in 0..<N {
            for c in 0..<C {
                for h in 0..<H {
                    let rEnd = rows.start[h + 1]
                    for w in 0..<W {
                        let cEnd = cols.start[w + 1]
                        var acc = 0.0
                        for k in 0..<K {
                            let yPlane = (n * K + k) * Ho * Wo
                            let kPlane = (k * C + c) * Fh * Fw
                            var r0 = rows.start[h]
                            while r0 < rEnd {
                                let y = rows.out[r0]
                                var r1 = r0 + 1
                                while r1 < rEnd && rows.out[r1] == y { r1 += 1 }
                                var c0 = cols.start[w]
                                while c0 < cEnd {
                                    let x = cols.out[c0]
                                    var c1 = c0 + 1
                                    while c1 < cEnd && cols.out[c1] == x { c1 += 1 }
                                    let a = dY[yPlane + y * Wo + x]
                                    for r in r0..<r1 {
                                        let i = rows.tap[r]
                                        let ki = flip ? Fh - 1 - i : i
                                        for q in c0..<c1 {
                                            let j = cols.tap[q]
                                            let kj = flip ? Fw - 1 - j : j
                                            let b = Kd[kPlane + ki * Fw + kj]
                                            let product = a * b
                                            acc += product
                                            tracer.emit(TraceEvent(
                                                kind: .grad, target: .input,
                                                flags: (y * sy + i * dy == h + top && x * sx + j * dx == w + left)
                                                    ? [] : .padding,
                                                output: Index4(n, k, y, x), input: Index4(n, c, h, w),
                                                padded: Index4(n, c, y * sy + i * dy, x * sx + j * dx),
                                                kernel: Index4(k, c, ki, kj),
                                                a: a, b: b, product: product, acc: acc))
                                        }
                                    }
                                    c0 = c1
                                }
                                r0 = r1
                            }
                        }
                        dX[((n * C + c) * H + h) * W + w] = acc
                    }
                }
            }
        }

        // db: Σ dY over n, y, x per filter.
        var dB: Tensor? = nil
        if let bias {
            var db = [Double](repeating: 0, count: K)
            for k in 0..<K {
                var acc = 0.0
                for n in 0..<N {
                    let yPlane = (n * K + k) * Ho * Wo
                    for y in 0..<Ho {
                        for x in 0..<Wo {
                            let a = dY[yPlane + y * Wo + x]
                            acc += a
                            tracer.emit(TraceEvent(
                                kind: .grad, target: .bias, output: Index4(n, k, y, x), kernel: Index4(k, 0, 0, 0),
                                a: a, b: 1, product: a, acc: acc))
                        }
                    }
                }
                db[k] = acc
            }
            dB = Tensor(shape: bias.shape, data: db)
        }
        return LayerGradients(
            input: Tensor(shape: input.shape, data: dX), kernel: Tensor(shape: kernel.shape, data: dK), bias: dB)
    }
}
