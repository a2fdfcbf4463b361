// Engine — softmax over axis 1 (classes / channels), forward and backward through the Jacobian.

/// softmax(x)_c = exp(x_c − m) / Σ_j exp(x_j − m), m = max_j x_j, over axis 1 of N×C or N×C×H×W.
public enum Softmax {
    /// Output of softmax over axis 1.
    ///
    /// Events: per element (row-major), one `activation`: a = x, b = Σ_j exp(x_j − m) of its slice,
    /// product = exp(x − m), acc = y.
    @inlinable
    public static func forward<S: TraceSink>(input: Tensor, tracer: inout Tracer<S>) throws -> Tensor {
        let (n, c, inner) = try layout(input)
        var output = input
        for nn in 0..<n {
            for s in 0..<inner {
                let base = nn * c * inner + s
                var m = -Double.infinity
                for cc in 0..<c { m = Swift.max(m, input.data[base + cc * inner]) }
                var sum = 0.0
                for cc in 0..<c {
                    let e = restExp(input.data[base + cc * inner] - m)
                    output.data[base + cc * inner] = e
                    sum += e
                }
                for cc in 0..<c { output.data[base + cc * inner] /= sum }
                if tracer.isRecording {
                    for cc in 0..<c {
                        let flat = base + cc * inner
                        let at = ShapeCheck.index4(ofFlat: flat, in: input.shape)
                        let y = output.data[flat]
                        tracer.emit(TraceEvent(
                            kind: .activation, output: at, input: at, padded: at,
                            a: input.data[flat], b: sum, product: restExp(input.data[flat] - m), acc: y))
                    }
                }
            }
        }
        return output
    }

    /// dX_i = Σ_j dY_j · y_j (δ_ij − y_i).
    ///
    /// Events: per slice, per input element i (outer, row-major), per output element j: one `grad`,
    /// target input, input = i, output = j, a = dY_j, b = ∂y_j/∂x_i = y_j(δ_ij − y_i), acc = running dX_i.
    /// So C² terms per slice.
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, gradOutput: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        try ShapeCheck.sameShape(gradOutput, as: input, op: "softmax backward", name: "grad_output", reference: "output")
        var silent = Tracer.untraced
        let y = try forward(input: input, tracer: &silent)
        let (n, c, inner) = try layout(input)
        var dX = Tensor(shape: input.shape)
        for nn in 0..<n {
            for s in 0..<inner {
                let base = nn * c * inner + s
                for i in 0..<c {
                    let fi = base + i * inner
                    let yi = y.data[fi]
                    var acc = 0.0
                    for j in 0..<c {
                        let fj = base + j * inner
                        let yj = y.data[fj]
                        let jac = i == j ? yj * (1 - yi) : -yj * yi
                        let g = gradOutput.data[fj]
                        let product = g * jac
                        acc += product
                        if tracer.isRecording {
                            let at = ShapeCheck.index4(ofFlat: fi, in: input.shape)
                            tracer.emit(TraceEvent(
                                kind: .grad, target: .input,
                                output: ShapeCheck.index4(ofFlat: fj, in: input.shape), input: at, padded: at,
                                a: g, b: jac, product: product, acc: acc))
                        }
                    }
                    dX.data[fi] = acc
                }
            }
        }
        return LayerGradients(input: dX)
    }

    /// (N, C, H·W) of an N×C or N×C×H×W tensor.
    @inlinable
    static func layout(_ t: Tensor) throws -> (Int, Int, Int) {
        switch t.rank {
        case 2: return (t.shape[0], t.shape[1], 1)
        case 4: return (t.shape[0], t.shape[1], t.shape[2] * t.shape[3])
        default:
            throw EngineError(
                "softmax: input must be N×classes or N×C×H×W (softmax runs over axis 1), got shape "
                    + ShapeCheck.shapeText(t.shape))
        }
    }
}

// MARK: - Descriptor

extension Ops {
    /// softmax over axis 1 (the classes of N×F, the channels of N×C×H×W).
    public static let softmax = OpDescriptor<Layer>(
        name: "softmax", summary: "softmax over axis 1", input: .featuresOrImage, shapeRule: "N×F or N×C×H×W, kept",
        receptiveField: { _ in .passes }, make: { _ in .softmax })
}
