// Engine — conv_transpose2d forward and backward (PyTorch weight layout C_in×C_out×Fh×Fw).

/// Transposed 2-D convolution: every input cell scatters input·weight into the output.
///
/// Y[n, co, h·sy − py + i·dy, w·sx − px + j·dx] += X[n, ci, h, w] · W[ci, co, i, j] for every landing
/// position inside the output, then Y[n, co, ·, ·] += bias[co] — exactly PyTorch's `conv_transpose2d`
/// (the gradient of conv2d with respect to its input).
public enum ConvTranspose2D {
    /// Output of conv_transpose2d.
    ///
    /// Shapes: input N×C_in×H×W, weight C_in×C_out×Fh×Fw, bias C_out → output N×C_out×Ho×Wo with
    /// Ho = (H−1)·s − 2p + d·(Fh−1) + output_padding + 1.
    ///
    /// Events: first the scatter, input cell (n, ci, h, w) outer, then co, i, j: one `mac` per input cell ×
    /// weight cell that lands inside the output (`output` = (n, co, oy, ox), `input` = `padded` =
    /// (n, ci, h, w), `kernel` = (ci, co, i, j), a = input, b = weight, acc = running value of that output
    /// cell); then per output cell, row-major, one `bias` (when there is a bias) and one `output`.
    /// - Throws: `EngineError` for bad shapes or parameters (see `ConvTranspose2DGeometry.init`).
    /// - Complexity: O(N·C_in·H·W·C_out·Fh·Fw).
    @inlinable
    public static func forward<S: TraceSink>(
        input: Tensor, weight: Tensor, bias: Tensor?, params: ConvTranspose2DParams, tracer: inout Tracer<S>
    ) throws -> Tensor {
        let g = try ConvTranspose2DGeometry(input: input.shape, weight: weight.shape, bias: bias?.shape, params: params)
        let (Ci, Co, H, W, Fh, Fw, Ho, Wo) = (g.inChannels, g.outChannels, g.height, g.width,
                                              g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth)
        let (sy, sx, dy, dx, py, px) = (params.stride.y, params.stride.x, params.dilation.y, params.dilation.x,
                                        params.padding.y, params.padding.x)
        let X = input.data, Wd = weight.data
        var out = [Double](repeating: 0, count: g.outputShape.reduce(1, *))
        for n in 0..<g.batch {
            for ci in 0..<Ci {
                for h in 0..<H {
                    for w in 0..<W {
                        let a = X[((n * Ci + ci) * H + h) * W + w]
                        for co in 0..<Co {
                            let oPlane = (n * Co + co) * Ho * Wo
                            let wPlane = (ci * Co + co) * Fh * Fw
                            for i in 0..<Fh {
                                let oy = h * sy - py + i * dy
                                guard oy >= 0 && oy < Ho else { continue }
                                for j in 0..<Fw {
                                    let ox = w * sx - px + j * dx
                                    guard ox >= 0 && ox < Wo else { continue }
                                    let b = Wd[wPlane + i * Fw + j]
                                    let product = a * b
                                    let o = oPlane + oy * Wo + ox
                                    out[o] += product
                                    tracer.emit(TraceEvent(
                                        kind: .mac, output: Index4(n, co, oy, ox), input: Index4(n, ci, h, w),
                                        padded: Index4(n, ci, h, w), kernel: Index4(ci, co, i, j),
                                        a: a, b: b, product: product, acc: out[o]))
                                }
                            }
                        }
                    }
                }
            }
        }
        var o = 0
        for n in 0..<g.batch {
            for co in 0..<Co {
                for y in 0..<Ho {
                    for x in 0..<Wo {
                        if let bias {
                            let before = out[o]
                            out[o] += bias.data[co]
                            tracer.emit(TraceEvent(
                                kind: .bias, output: Index4(n, co, y, x), kernel: Index4(co, 0, 0, 0),
                                a: before, b: bias.data[co], product: bias.data[co], acc: out[o]))
                        }
                        tracer.emit(TraceEvent(kind: .output, output: Index4(n, co, y, x), a: out[o], acc: out[o]))
                        o += 1
                    }
                }
            }
        }
        return Tensor(shape: g.outputShape, data: out)
    }

    /// Gradients given dY (N×C_out×Ho×Wo): dX, dW (C_in×C_out×Fh×Fw), db (C_out).
    ///
    /// dW[ci,co,i,j] = Σ_{n,h,w} dY[n,co,oy,ox] · X[n,ci,h,w]; dX[n,ci,h,w] = Σ_{co,i,j} dY[n,co,oy,ox] ·
    /// W[ci,co,i,j]; db[co] = Σ dY[n,co,·,·] — sums over landing positions inside the output only.
    ///
    /// Events (`grad`), in this order: weight terms grouped by weight cell (ci, co, i, j outer; n, h, w
    /// inner), a = dY, b = X; input terms grouped by input cell (n, ci, h, w outer; co, i, j inner),
    /// a = dY, b = W; bias terms (co outer; n, y, x inner), `kernel` = (co, 0, 0, 0), a = dY, b = 1.
    /// One weight term and one input term per forward `mac`.
    /// - Throws: `EngineError` for bad shapes or parameters, or a `gradOutput` not shaped like the output.
    /// - Complexity: O(N·C_in·H·W·C_out·Fh·Fw).
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, weight: Tensor, bias: Tensor?, params: ConvTranspose2DParams, gradOutput: Tensor,
        tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        let g = try ConvTranspose2DGeometry(input: input.shape, weight: weight.shape, bias: bias?.shape, params: params)
        guard gradOutput.shape == g.outputShape else {
            throw EngineError(
                "conv_transpose2d backward: grad_output must have the shape of the output, N×C_out×Ho×Wo = "
                    + "\(ShapeCheck.shapeText(g.outputShape)), got \(ShapeCheck.shapeText(gradOutput.shape))")
        }
        let (N, Ci, Co, H, W, Fh, Fw, Ho, Wo) = (g.batch, g.inChannels, g.outChannels, g.height, g.width,
                                                 g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth)
        let (sy, sx, dy, dx, py, px) = (params.stride.y, params.stride.x, params.dilation.y, params.dilation.x,
                                        params.padding.y, params.padding.x)
        let X = input.data, Wd = weight.data, dY = gradOutput.data

        var dW = [Double](repeating: 0, count: weight.count)
        for ci in 0..<Ci {
            for co in 0..<Co {
                for i in 0..<Fh {
                    for j in 0..<Fw {
                        var acc = 0.0
                        for n in 0..<N {
                            let xPlane = (n * Ci + ci) * H * W
                            let yPlane = (n * Co + co) * Ho * Wo
                            for h in 0..<H {
                                let oy = h * sy - py + i * dy
                                guard oy >= 0 && oy < Ho else { continue }
                                for w in 0..<W {
                                    let ox = w * sx - px + j * dx
                                    guard ox >= 0 && ox < Wo else { continue }
                                    let a = dY[yPlane + oy * Wo + ox]
                                    let b = X[xPlane + h * W + w]
                                    let product = a * b
                                    acc += product
                                    tracer.emit(TraceEvent(
                                        kind: .grad, target: .kernel, output: Index4(n, co, oy, ox),
                                        input: Index4(n, ci, h, w), padded: Index4(n, ci, h, w),
                                        kernel: Index4(ci, co, i, j), a: a, b: b, product: product, acc: acc))
                                }
                            }
                        }
                        dW[((ci * Co + co) * Fh + i) * Fw + j] = acc
                    }
                }
            }
        }

        var dX = [Double](repeating: 0, count: input.count)
        for n in 0..<N {
            for ci in 0..<Ci {
                for h in 0..<H {
                    for w in 0..<W {
                        var acc = 0.0
                        for co in 0..<Co {
                            let yPlane = (n * Co + co) * Ho * Wo
                            let wPlane = (ci * Co + co) * Fh * Fw
                            for i in 0..<Fh {
                                let oy = h * sy - py + i * dy
                                guard oy >= 0 && oy < Ho else { continue }
                                for j in 0..<Fw {
                                    let ox = w * sx - px + j * dx
                                    guard ox >= 0 && ox < Wo else { continue }
                                    let a = dY[yPlane + oy * Wo + ox]
                                    let b = Wd[wPlane + i * Fw + j]
                                    let product = a * b
                                    acc += product
                                    tracer.emit(TraceEvent(
                                        kind: .grad, target: .input, output: Index4(n, co, oy, ox),
                                        input: Index4(n, ci, h, w), padded: Index4(n, ci, h, w),
                                        kernel: Index4(ci, co, i, j), a: a, b: b, product: product, acc: acc))
                                }
                            }
                        }
                        dX[((n * Ci + ci) * H + h) * W + w] = acc
                    }
                }
            }
        }

        var dB: Tensor? = nil
        if let bias {
            var db = [Double](repeating: 0, count: Co)
            for co in 0..<Co {
                var acc = 0.0
                for n in 0..<N {
                    let yPlane = (n * Co + co) * Ho * Wo
                    for y in 0..<Ho {
                        for x in 0..<Wo {
                            let a = dY[yPlane + y * Wo + x]
                            acc += a
                            tracer.emit(TraceEvent(
                                kind: .grad, target: .bias, output: Index4(n, co, y, x), kernel: Index4(co, 0, 0, 0),
                                a: a, b: 1, product: a, acc: acc))
                        }
                    }
                }
                db[co] = acc
            }
            dB = Tensor(shape: bias.shape, data: db)
        }
        return LayerGradients(
            input: Tensor(shape: input.shape, data: dX), kernel: Tensor(shape: weight.shape, data: dW), bias: dB)
    }
}

// MARK: - Descriptor

extension Ops {
    /// conv_transpose2d: its spec keys, shape rule, trace-header parameters and `shape` summary.
    public static let convTranspose2d = OpDescriptor<Layer>(
        name: "conv_transpose2d",
        summary: "transposed convolution",
        keys: [
            .required("weight", .tensor(layout: "F, Fh×Fw, C_in×Fh×Fw or C_in×C_out×Fh×Fw"),
                      hint: "the weight: C_in×C_out×Fh×Fw (or Fh×Fw)",
                      meaning: "`C_in×C_out×Fh×Fw` (PyTorch layout); shorthand `Fh×Fw` (1 channel in and out), `F`, or `C_in×Fh×Fw` (C_out = 1)"),
            .bias(per: "output channel", meaning: "`C_out` values (scalar for one)"),
            .stride,
            .optional("padding", .intOrPair(min: 0), default: .pair(Pair(0)), shown: "0",
                      meaning: "int ≥ 0 or pair (PyTorch's meaning: rows/columns removed from each side of the full scatter)"),
            .optional("output_padding", .intOrPair(min: 0), default: .pair(Pair(0)), shown: "0",
                      meaning: "int or pair, smaller than the stride or the dilation"),
            .dilation,
        ],
        input: .image,
        shapeRule: "N×C_in×H×W → N×C_out×Ho×Wo",
        formula: "Ho = (H − 1)·s − 2p + d·(F − 1) + output_padding + 1",
        outputShape: { layer, input in
            guard case .convTranspose2d(let params, let weight, let bias) = layer else { return input }
            return try ConvTranspose2DGeometry(input: input, weight: weight.shape, bias: bias?.shape, params: params)
                .outputShape
        },
        describe: { layer in
            guard case .convTranspose2d(let p, let weight, _) = layer else { return "" }
            return "\(weight.shape[1])@\(weight.shape[2])×\(weight.shape[3])"
                + ParameterText.pair(", stride", p.stride, hideIf: 1) + ParameterText.pair(", padding", p.padding, hideIf: 0)
        },
        sizes: { layer, input in
            guard case .convTranspose2d(let p, let weight, _) = layer else { return nil }
            let (h, w) = input.count == 4 ? (input[2], input[3]) : (0, 0)
            return (try OutputSize.transposedConvolution(input: h, kernel: weight.shape[2], stride: p.stride.y, padding: p.padding.y,
                                                         outputPadding: p.outputPadding.y, dilation: p.dilation.y, axis: "height"),
                    try OutputSize.transposedConvolution(input: w, kernel: weight.shape[3], stride: p.stride.x, padding: p.padding.x,
                                                         outputPadding: p.outputPadding.x, dilation: p.dilation.x, axis: "width"))
        },
        parameters: { layer in
            guard case .convTranspose2d(let p, let weight, let bias) = layer else { return [] }
            return [("stride", .pair(p.stride)),
                    ("padding", .pair(p.padding)),
                    ("output_padding", .pair(p.outputPadding)),
                    ("dilation", .pair(p.dilation)),
                    ("kernel_size", weight.rank == 4 ? .ints([weight.shape[2], weight.shape[3]]) : .none),
                    ("weight", .tensor(weight)),
                    ("bias", .optional(bias))]
        },
        learnable: ["weight", "bias"],
        multiplyAccumulates: { layer, input in
            // Every input cell scatters into each output channel the kernel taps that land inside the output
            // (the padding crops the rest, and the forward pass skips them).
            guard case .convTranspose2d(let p, let weight, let bias) = layer else { return nil }
            let g = try ConvTranspose2DGeometry(input: input, weight: weight.shape, bias: bias?.shape, params: p)
            let rows = LayerCounts.scatterTaps(size: g.height, kernel: g.kernelHeight, stride: p.stride.y,
                                               padding: p.padding.y, dilation: p.dilation.y, output: g.outHeight)
            let columns = LayerCounts.scatterTaps(size: g.width, kernel: g.kernelWidth, stride: p.stride.x,
                                                  padding: p.padding.x, dilation: p.dilation.x, output: g.outWidth)
            let channelPairs = weight.count / max(1, g.kernelHeight * g.kernelWidth)
            return try LayerCounts.product([g.batch, channelPairs, rows, columns])
        },
        make: { r in
            let params = ConvTranspose2DParams(stride: try r.pair("stride"), padding: try r.pair("padding"),
                                               outputPadding: try r.pair("output_padding"), dilation: try r.pair("dilation"))
            return .convTranspose2d(params, weight: try r.tensor("weight"), bias: try r.optionalTensor("bias"))
        })
}
