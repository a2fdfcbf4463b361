// Engine — conv2d forward and backward (cross-correlation; true convolution with `flip`).

/// 2-D convolution as PyTorch computes it (cross-correlation unless `params.flip`).
///
/// Output cell (n, k, y, x) = bias[k] + Σ_{c,i,j} X̃[n, c0 + c, y·sy + i·dy, x·sx + j·dx] · K̃[k, c, i, j], where
/// X̃ is the input padded by `params.padding` under `params.paddingMode`, K̃ is the kernel, rotated
/// 180° when `params.flip` (K̃[k, c, i, j] = K[k, c, Fh−1−i, Fw−1−j]), c runs over the C/G channels of
/// filter k's group and c0 = (k / (K/G))·(C/G) is that group's first input channel (G = `params.groups`;
/// c0 = 0 for an ordinary conv).
///
/// Shapes are checked once by `Conv2DGeometry`; the loops then run over raw buffers. With `NullSink`
/// every `tracer.emit` is compiled away; for stride 1 and dilation 1 the untraced run takes the
/// vectorized `Conv2DRowKernels` instead, which compute every cell bit-identically (see there).
public enum Conv2D {
    /// Output of conv2d.
    ///
    /// Shapes: input N×C×H×W, kernel K×(C/G)×Fh×Fw, bias K → output N×K×Ho×Wo.
    ///
    /// Events, per output cell (n, k, y, x) in row-major order: for c, i, j (c the kernel channel within
    /// the group, i, j the window row-major) one
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
        var out = [Double](repeating: 0, count: g.outputShape.reduce(1, *))
        let noBias: [Double] = []
        input.data.withUnsafeBufferPointer { X in
            kernel.data.withUnsafeBufferPointer { K in
                (bias?.data ?? noBias).withUnsafeBufferPointer { B in
                    g.rowSource.withUnsafeBufferPointer { rows in
                        g.colSource.withUnsafeBufferPointer { cols in
                            out.withUnsafeMutableBufferPointer { Y in
                                if !tracer.isRecording && Conv2DRowKernels.supportsForward(g) {
                                    Conv2DRowKernels.forward(g, X, K, bias == nil ? nil : B, Y)
                                } else {
                                    forwardLoops(g, X, K, bias == nil ? nil : B, rows, cols, Y, &tracer)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: g.outputShape, data: out)
    }

    @inlinable
    static func forwardLoops<S: TraceSink>(
        _ g: Conv2DGeometry, _ X: UnsafeBufferPointer<Double>, _ K: UnsafeBufferPointer<Double>,
        _ B: UnsafeBufferPointer<Double>?, _ rowSource: UnsafeBufferPointer<Int>, _ colSource: UnsafeBufferPointer<Int>,
        _ Y: UnsafeMutableBufferPointer<Double>, _ tracer: inout Tracer<S>
    ) {
        let (C, Cg, H, W, Fh, Fw) = (g.channels, g.groupChannels, g.height, g.width, g.kernelHeight, g.kernelWidth)
        let p = g.params
        let (sy, sx, dy, dx) = (p.stride.y, p.stride.x, p.dilation.y, p.dilation.x)
        let (top, left) = (p.padding.top, p.padding.left)
        let zeros = p.paddingMode == .zeros, flip = p.flip
        var o = 0
        for n in 0..<g.batch {
            for k in 0..<g.filters {
                let c0 = g.firstChannel(ofFilter: k)
                for y in 0..<g.outHeight {
                    for x in 0..<g.outWidth {
                        var acc = 0.0
                        for c in 0..<Cg {
                            let xc = c0 + c  // the input channel kernel channel c reads
                            let xPlane = (n * C + xc) * H * W
                            let kPlane = (k * Cg + c) * Fh * Fw
                            for i in 0..<Fh {
                                let hp = y * sy + i * dy
                                let sh = rowSource[hp]
                                let ki = flip ? Fh - 1 - i : i
                                let xRow = xPlane + sh * W, kRow = kPlane + ki * Fw  // xRow unused when sh < 0
                                for j in 0..<Fw {
                                    let wp = x * sx + j * dx
                                    let sw = colSource[wp]
                                    let kj = flip ? Fw - 1 - j : j
                                    let a = (sh >= 0 && sw >= 0) ? X[xRow + sw] : 0
                                    let b = K[kRow + kj]
                                    let product = a * b
                                    acc += product
                                    tracer.emit(TraceEvent(
                                        kind: .mac, flags: isPadding(hp, wp, g) ? .padding : [],
                                        output: Index4(n, k, y, x),
                                        input: zeros || !isPadding(hp, wp, g)
                                            ? Index4(n, xc, hp - top, wp - left) : Index4(n, xc, sh, sw),
                                        padded: Index4(n, xc, hp, wp), kernel: Index4(k, c, ki, kj),
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
                        Y[o] = acc
                        o += 1
                        tracer.emit(TraceEvent(kind: .output, output: Index4(n, k, y, x), a: acc, acc: acc))
                    }
                }
            }
        }
    }

    /// Whether padded cell (hp, wp) lies in the padding.
    @inlinable
    static func isPadding(_ hp: Int, _ wp: Int, _ g: Conv2DGeometry) -> Bool {
        let (top, left) = (g.params.padding.top, g.params.padding.left)
        return hp < top || hp >= top + g.height || wp < left || wp >= left + g.width
    }

    /// Gradients of conv2d given dY (N×K×Ho×Wo): dX (N×C×H×W), dK (K×(C/G)×Fh×Fw), db (K, when there is a bias).
    ///
    /// dK[k,c,i,j] = Σ_{n,y,x} dY[n,k,y,x] · X̃[n, c, y·sy + i'·dy, x·sx + j'·dx] (i', j' the window tap the
    /// kernel cell sits at: (i, j), or (Fh−1−i, Fw−1−j) with flip); dX[n,c,h,w] = Σ dY · K over every
    /// `mac` that read input cell (n,c,h,w) — for reflect/replicate/circular padding reads included, since
    /// their value came from that cell; db[k] = Σ_{n,y,x} dY[n,k,y,x].
    ///
    /// Events (`grad`), in this order: kernel terms grouped by dK cell (k, c, i, j outer; n, y, x inner),
    /// a = dY, b = the input value read (0 for a zero padding cell), one per `mac`; input terms grouped by
    /// dX cell (n, c, h, w outer; k over the filters of c's group, then y, x, i, j inner — the `mac` order),
    /// a = dY, b = weight; bias
    /// terms (k outer; n, y, x inner), `kernel` = (k, 0, 0, 0), a = dY, b = 1. `acc` is the running value
    /// of the target cell; the gradients are exactly the last `acc` of each cell.
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
        var dK = [Double](repeating: 0, count: kernel.count)
        var dX = [Double](repeating: 0, count: input.count)
        var db = [Double](repeating: 0, count: bias == nil ? 0 : g.filters)
        input.data.withUnsafeBufferPointer { X in
            gradOutput.data.withUnsafeBufferPointer { dY in
                kernel.data.withUnsafeBufferPointer { K in
                    g.rowSource.withUnsafeBufferPointer { rows in
                        g.colSource.withUnsafeBufferPointer { cols in
                            dK.withUnsafeMutableBufferPointer { dK in
                                dX.withUnsafeMutableBufferPointer { dX in
                                    db.withUnsafeMutableBufferPointer { db in
                                        if tracer.isRecording {
                                            kernelGradientLoops(g, X, dY, rows, cols, dK, &tracer)
                                            inputGradientLoops(g, K, dY, g.rowTaps(), g.colTaps(), dX, &tracer)
                                            if bias != nil { biasGradientLoops(g, dY, db, &tracer) }
                                        } else if Conv2DRowKernels.supportsBackward(g, K) {
                                            Conv2DRowKernels.backward(g, X, K, dY, dK, dX, bias == nil ? nil : db)
                                        } else {
                                            untracedBackwardLoops(g, X, K, dY, rows, cols, dK, dX, bias == nil ? nil : db)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return LayerGradients(
            input: Tensor(shape: input.shape, data: dX), kernel: Tensor(shape: kernel.shape, data: dK),
            bias: bias.map { Tensor(shape: $0.shape, data: db) })
    }

    /// dK, dX and db in one pass over the `mac`s, for runs that record nothing.
    ///
    /// Bit-identical to the traced schedule: restricted to one dK cell (k, c, i, j) the `mac` order
    /// (n, k, y, x, c, i, j) visits (n, y, x) in order; restricted to one dX cell it visits (k, y, x, i, j)
    /// in order; to one db cell, (n, y, x). So every cell receives the same terms in the same order,
    /// starting from 0, and the floating-point sums agree to the last bit (the trace-invariant tests check it).
    @inlinable
    static func untracedBackwardLoops(
        _ g: Conv2DGeometry, _ X: UnsafeBufferPointer<Double>, _ K: UnsafeBufferPointer<Double>,
        _ dY: UnsafeBufferPointer<Double>, _ rowSource: UnsafeBufferPointer<Int>,
        _ colSource: UnsafeBufferPointer<Int>, _ dK: UnsafeMutableBufferPointer<Double>,
        _ dX: UnsafeMutableBufferPointer<Double>, _ db: UnsafeMutableBufferPointer<Double>?
    ) {
        let (C, Cg, H, W, Fh, Fw) = (g.channels, g.groupChannels, g.height, g.width, g.kernelHeight, g.kernelWidth)
        let p = g.params
        let (sy, sx, dy, dx) = (p.stride.y, p.stride.x, p.dilation.y, p.dilation.x)
        let flip = p.flip
        var o = 0
        for n in 0..<g.batch {
            for k in 0..<g.filters {
                let c0 = g.firstChannel(ofFilter: k)
                for y in 0..<g.outHeight {
                    for x in 0..<g.outWidth {
                        let d = dY[o]
                        o += 1
                        if let db { db[k] += d }
                        for c in 0..<Cg {
                            let xPlane = (n * C + c0 + c) * H * W
                            let kPlane = (k * Cg + c) * Fh * Fw
                            for i in 0..<Fh {
                                let hp = y * sy + i * dy
                                let sh = rowSource[hp]
                                let xRow = xPlane + sh * W, kRow = kPlane + (flip ? Fh - 1 - i : i) * Fw
                                for j in 0..<Fw {
                                    let sw = colSource[x * sx + j * dx]
                                    let kCell = kRow + (flip ? Fw - 1 - j : j)
                                    if sh >= 0 && sw >= 0 {
                                        dK[kCell] += d * X[xRow + sw]
                                        dX[xRow + sw] += d * K[kCell]
                                    } else {
                                        dK[kCell] += d * 0  // the padding term (±0), kept for bit-identity
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dK: one term per `mac`, grouped by kernel cell as given.
    @inlinable
    static func kernelGradientLoops<S: TraceSink>(
        _ g: Conv2DGeometry, _ X: UnsafeBufferPointer<Double>, _ dY: UnsafeBufferPointer<Double>,
        _ rowSource: UnsafeBufferPointer<Int>, _ colSource: UnsafeBufferPointer<Int>,
        _ dK: UnsafeMutableBufferPointer<Double>, _ tracer: inout Tracer<S>
    ) {
        let (N, K, C, Cg, H, W) = (g.batch, g.filters, g.channels, g.groupChannels, g.height, g.width)
        let (Fh, Fw, Ho, Wo) = (g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth)
        let p = g.params
        let (sy, sx, dy, dx) = (p.stride.y, p.stride.x, p.dilation.y, p.dilation.x)
        let (top, left) = (p.padding.top, p.padding.left)
        let zeros = p.paddingMode == .zeros, flip = p.flip
        var cell = 0
        for k in 0..<K {
            let c0 = g.firstChannel(ofFilter: k)
            for c in 0..<Cg {
                let xc = c0 + c
                for ki in 0..<Fh {
                    let i = flip ? Fh - 1 - ki : ki
                    for kj in 0..<Fw {
                        let j = flip ? Fw - 1 - kj : kj
                        var acc = 0.0
                        for n in 0..<N {
                            let xPlane = (n * C + xc) * H * W
                            let yPlane = (n * K + k) * Ho * Wo
                            for y in 0..<Ho {
                                let hp = y * sy + i * dy
                                let sh = rowSource[hp]
                                let xRow = xPlane + sh * W, yRow = yPlane + y * Wo
                                for x in 0..<Wo {
                                    let wp = x * sx + j * dx
                                    let sw = colSource[wp]
                                    let a = dY[yRow + x]
                                    let b = (sh >= 0 && sw >= 0) ? X[xRow + sw] : 0
                                    let product = a * b
                                    acc += product
                                    tracer.emit(TraceEvent(
                                        kind: .grad, target: .kernel, flags: isPadding(hp, wp, g) ? .padding : [],
                                        output: Index4(n, k, y, x),
                                        input: zeros || !isPadding(hp, wp, g)
                                            ? Index4(n, xc, hp - top, wp - left) : Index4(n, xc, sh, sw),
                                        padded: Index4(n, xc, hp, wp), kernel: Index4(k, c, ki, kj),
                                        a: a, b: b, product: product, acc: acc))
                                }
                            }
                        }
                        dK[cell] = acc
                        cell += 1
                    }
                }
            }
        }
    }

    /// dX: per input cell, every `mac` that read it, in `mac` order (k, y, x, i, j).
    @inlinable
    static func inputGradientLoops<S: TraceSink>(
        _ g: Conv2DGeometry, _ Kd: UnsafeBufferPointer<Double>, _ dY: UnsafeBufferPointer<Double>,
        _ rows: Conv2DGeometry.Taps, _ cols: Conv2DGeometry.Taps,
        _ dX: UnsafeMutableBufferPointer<Double>, _ tracer: inout Tracer<S>
    ) {
        let (N, K, C, Cg, H, W) = (g.batch, g.filters, g.channels, g.groupChannels, g.height, g.width)
        let (Fh, Fw, Ho, Wo) = (g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth)
        let p = g.params
        let (sy, sx, dy, dx) = (p.stride.y, p.stride.x, p.dilation.y, p.dilation.x)
        let flip = p.flip
        var cell = 0
        for n in 0..<N {
            for c in 0..<C {
                // Only the filters of c's group read it, through their kernel channel c − group·(C/G).
                let group = c / Cg, kc = c - group * Cg
                for h in 0..<H {
                    for w in 0..<W {
                        var acc = 0.0
                        for k in (group * g.groupFilters)..<((group + 1) * g.groupFilters) {
                            let yPlane = (n * K + k) * Ho * Wo
                            let kPlane = (k * Cg + kc) * Fh * Fw
                            for gy in rows.groupStart[h]..<rows.groupStart[h + 1] {
                                let y = rows.groupOut[gy]
                                for gx in cols.groupStart[w]..<cols.groupStart[w + 1] {
                                    let x = cols.groupOut[gx]
                                    let a = dY[yPlane + y * Wo + x]
                                    for r in rows.tapStart[gy]..<rows.tapStart[gy + 1] {
                                        let i = rows.tap[r]
                                        let kRow = kPlane + (flip ? Fh - 1 - i : i) * Fw
                                        for q in cols.tapStart[gx]..<cols.tapStart[gx + 1] {
                                            let j = cols.tap[q]
                                            let kj = flip ? Fw - 1 - j : j
                                            let b = Kd[kRow + kj]
                                            let product = a * b
                                            acc += product
                                            tracer.emit(TraceEvent(
                                                kind: .grad, target: .input,
                                                flags: isPadding(y * sy + i * dy, x * sx + j * dx, g) ? .padding : [],
                                                output: Index4(n, k, y, x), input: Index4(n, c, h, w),
                                                padded: Index4(n, c, y * sy + i * dy, x * sx + j * dx),
                                                kernel: Index4(k, kc, flip ? Fh - 1 - i : i, kj),
                                                a: a, b: b, product: product, acc: acc))
                                        }
                                    }
                                }
                            }
                        }
                        dX[cell] = acc
                        cell += 1
                    }
                }
            }
        }
    }

    /// db: Σ dY over n, y, x per filter.
    @inlinable
    static func biasGradientLoops<S: TraceSink>(
        _ g: Conv2DGeometry, _ dY: UnsafeBufferPointer<Double>, _ db: UnsafeMutableBufferPointer<Double>,
        _ tracer: inout Tracer<S>
    ) {
        let (N, K, Ho, Wo) = (g.batch, g.filters, g.outHeight, g.outWidth)
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
    }
}

// MARK: - Descriptor

extension Ops {
    /// conv2d: its spec keys, shape rule, trace-header parameters and `shape` summary.
    public static let conv2d = OpDescriptor<Layer>(
        name: "conv2d",
        summary: "2-D convolution (cross-correlation)",
        keys: [
            .required("kernel", .tensor(layout: "F, Fh×Fw, C×Fh×Fw (one filter) or K×C×Fh×Fw"),
                      hint: "the kernel: F, Fh×Fw, C×Fh×Fw or K×C×Fh×Fw",
                      meaning: "`F`, `Fh×Fw`, `C×Fh×Fw` (one filter) or `K×C×Fh×Fw`"),
            .bias(per: "filter", meaning: "`K` values; a scalar is allowed for one filter"),
            .stride,
            .optional("padding", .convPadding, default: .ints([0, 0, 0, 0]), shown: "0",
                      meaning: "int, `[ph, pw]`, `[top, bottom, left, right]`, or `valid`, `same`, `full`"),
            .optional("padding_mode", .name(oneOf: PaddingMode.allCases.map(\.rawValue)), default: .string("zeros"),
                      shown: "`zeros`", meaning: "`zeros`, `reflect`, `replicate`, `circular`"),
            .dilation,
            .optional("flip", .bool, default: .bool(false), shown: "`false`",
                      meaning: "`true`: true convolution (kernel rotated 180°, as `scipy.signal.convolve2d`)"),
            .optional("groups", .number(expected: "an integer ≥ 1 that divides C and K, e.g. 2"), default: .int(1),
                      shown: "1", meaning: "channel groups (PyTorch's `groups`): the kernel is `K×C/groups×Fh×Fw`; "
                          + "`groups = C` is depthwise"),
        ],
        input: .image,
        shapeRule: "N×C×H×W → N×K×Ho×Wo",
        formula: "Ho = ⌊(H + pad_top + pad_bottom − d·(Fh − 1) − 1)/s⌋ + 1",
        outputShape: { layer, input in
            guard case .conv2d(let params, let kernel, let bias) = layer else { return input }
            return try Conv2DGeometry(input: input, kernel: kernel.shape, bias: bias?.shape, params: params).outputShape
        },
        describe: { layer in
            guard case .conv2d(let p, let kernel, _) = layer else { return "" }
            return "\(kernel.shape[0])@\(kernel.shape[2])×\(kernel.shape[3])"
                + ParameterText.pair(", stride", p.stride, hideIf: 1) + ParameterText.padding(p.padding)
                + ParameterText.pair(", dilation", p.dilation, hideIf: 1)
                + (p.groups == 1 ? "" : ", groups \(p.groups)")
        },
        sizes: { layer, input in
            guard case .conv2d(let p, let kernel, _) = layer else { return nil }
            let (h, w) = input.count == 4 ? (input[2], input[3]) : (0, 0)
            return (try OutputSize.convolution(input: h, kernel: kernel.shape[2], stride: p.stride.y,
                                               padding: (p.padding.top, p.padding.bottom), dilation: p.dilation.y, axis: "height"),
                    try OutputSize.convolution(input: w, kernel: kernel.shape[3], stride: p.stride.x,
                                               padding: (p.padding.left, p.padding.right), dilation: p.dilation.x, axis: "width"))
        },
        receptiveField: { layer in
            guard case .conv2d(let p, let kernel, _) = layer else { return .stops }
            guard kernel.rank == 4 else {
                throw EngineError("kernel must be K×C×Fh×Fw, got shape " + ShapeCheck.shapeText(kernel.shape))
            }
            return .window(y: .init(name: "conv2d", kernel: kernel.shape[2], stride: p.stride.y, dilation: p.dilation.y),
                           x: .init(name: "conv2d", kernel: kernel.shape[3], stride: p.stride.x, dilation: p.dilation.x))
        },
        parameters: { layer in
            guard case .conv2d(let p, let kernel, let bias) = layer else { return [] }
            // `groups` only when it is not 1, so the headers of ungrouped convs stay as they were.
            return [("stride", .pair(p.stride)),
                    ("padding", .ints([p.padding.top, p.padding.bottom, p.padding.left, p.padding.right])),
                    ("padding_mode", .string(p.paddingMode.rawValue)),
                    ("dilation", .pair(p.dilation)),
                    ("flip", .bool(p.flip))]
                + (p.groups == 1 ? [] : [("groups", .int(p.groups))])
                + [("kernel_size", kernel.rank == 4 ? .ints([kernel.shape[2], kernel.shape[3]]) : .none),
                   ("kernel", .tensor(kernel)),
                   ("bias", .optional(bias))]
        },
        learnable: ["kernel", "bias"],
        multiplyAccumulates: { layer, input in
            // Every output cell reads one window: kernel.count / K terms (C/groups · Fh · Fw), padding included.
            guard case .conv2d(let p, let kernel, let bias) = layer else { return nil }
            let output = try Conv2DGeometry(input: input, kernel: kernel.shape, bias: bias?.shape, params: p).outputShape
            return try LayerCounts.product(output + [kernel.count / max(1, kernel.shape[0])])
        },
        make: { r in
            let p = try r.ints("padding", count: 4)
            let mode = PaddingMode(rawValue: try r.name("padding_mode", oneOf: PaddingMode.allCases.map(\.rawValue)))!
            let params = Conv2DParams(stride: try r.pair("stride"),
                                      padding: Padding(top: p[0], bottom: p[1], left: p[2], right: p[3]),
                                      paddingMode: mode, dilation: try r.pair("dilation"), flip: try r.bool("flip"),
                                      groups: r.contains("groups") ? try r.int("groups") : 1)  // traces before groups: 1
            guard params.groups >= 1 else { throw EngineError("conv2d: groups must be at least 1, got \(params.groups)") }
            return .conv2d(params, kernel: try r.tensor("kernel"), bias: try r.optionalTensor("bias"))
        })
}
