// Engine — linear (fully connected) layer y = x·Wᵀ + b, forward and backward.

/// Fully connected layer, PyTorch layout: weight out×in, bias out, input N×in → output N×out.
public enum Linear {
    /// Output N×out.
    ///
    /// Events: per output cell (n, o) row-major: for i in 0..<in one `mac` (output = (n,o,0,0),
    /// input = (n,i,0,0), kernel = (o,i,0,0), a = x, b = w, acc = running sum); then `bias` if there
    /// is one; then `output`. So exactly N·out·in macs.
    /// - Complexity: O(N·out·in).
    @inlinable
    public static func forward<S: TraceSink>(
        input: Tensor, weight: Tensor, bias: Tensor?, tracer: inout Tracer<S>
    ) throws -> Tensor {
        let (n, fin, fout) = try check(input: input, weight: weight, bias: bias)
        var output = Tensor(shape: [n, fout])
        if !tracer.isRecording {  // the same sums, eight cells at a time (see LinearRowKernels)
            input.data.withUnsafeBufferPointer { X in
                weight.data.withUnsafeBufferPointer { W in
                    output.data.withUnsafeMutableBufferPointer { Y in
                        if let bias {
                            bias.data.withUnsafeBufferPointer { B in LinearRowKernels.forward(n, fin, fout, X, W, B, Y) }
                        } else {
                            LinearRowKernels.forward(n, fin, fout, X, W, nil, Y)
                        }
                    }
                }
            }
            return output
        }
        for nn in 0..<n {
            for o in 0..<fout {
                var acc = 0.0
                for i in 0..<fin {
                    let a = input.data[nn * fin + i], b = weight.data[o * fin + i]
                    acc += a * b
                    tracer.emit(TraceEvent(
                        kind: .mac, output: Index4(nn, o, 0, 0), input: Index4(nn, i, 0, 0),
                        padded: Index4(nn, i, 0, 0), kernel: Index4(o, i, 0, 0),
                        a: a, b: b, product: a * b, acc: acc))
                }
                if let bias {
                    let before = acc
                    acc += bias.data[o]
                    tracer.emit(TraceEvent(
                        kind: .bias, output: Index4(nn, o, 0, 0), kernel: Index4(o, 0, 0, 0),
                        a: before, b: bias.data[o], product: bias.data[o], acc: acc))
                }
                output.data[nn * fout + o] = acc
                tracer.emit(TraceEvent(kind: .output, output: Index4(nn, o, 0, 0), a: acc, product: acc, acc: acc))
            }
        }
        return output
    }

    /// dX (N×in), dW (out×in), db (out) given dY (N×out).
    ///
    /// Events, as for conv: first dW terms grouped by weight cell (o, i outer; n inner; a = dY[n,o],
    /// b = x[n,i]); then dX terms grouped by input cell (n, i outer; o inner; a = dY[n,o], b = w[o,i]);
    /// then db terms (o outer; n inner; a = dY, b = 1). acc is the running gradient of the target cell.
    @inlinable
    public static func backward<S: TraceSink>(
        input: Tensor, weight: Tensor, bias: Tensor?, gradOutput: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        let (n, fin, fout) = try check(input: input, weight: weight, bias: bias)
        try ShapeCheck.sameShape(
            gradOutput, as: Tensor(shape: [n, fout]), op: "linear backward", name: "grad_output", reference: "output")
        if !tracer.isRecording {  // the same sums, eight cells at a time (see LinearRowKernels)
            var dW = Tensor(shape: weight.shape), dX = Tensor(shape: input.shape)
            var db = [Double](repeating: 0, count: bias?.count ?? 0)
            input.data.withUnsafeBufferPointer { X in
                weight.data.withUnsafeBufferPointer { W in
                    gradOutput.data.withUnsafeBufferPointer { G in
                        dW.data.withUnsafeMutableBufferPointer { GW in
                            dX.data.withUnsafeMutableBufferPointer { GX in
                                db.withUnsafeMutableBufferPointer { GB in
                                    LinearRowKernels.backward(n, fin, fout, X, W, G, GW, GX, bias == nil ? nil : GB)
                                }
                            }
                        }
                    }
                }
            }
            return LayerGradients(input: dX, kernel: dW, bias: bias.map { Tensor(shape: $0.shape, data: db) })
        }
        var dW = Tensor(shape: weight.shape)
        for o in 0..<fout {
            for i in 0..<fin {
                var acc = 0.0
                for nn in 0..<n {
                    let a = gradOutput.data[nn * fout + o], b = input.data[nn * fin + i]
                    acc += a * b
                    tracer.emit(TraceEvent(
                        kind: .grad, target: .kernel, output: Index4(nn, o, 0, 0), input: Index4(nn, i, 0, 0),
                        padded: Index4(nn, i, 0, 0), kernel: Index4(o, i, 0, 0),
                        a: a, b: b, product: a * b, acc: acc))
                }
                dW.data[o * fin + i] = acc
            }
        }
        var dX = Tensor(shape: input.shape)
        for nn in 0..<n {
            for i in 0..<fin {
                var acc = 0.0
                for o in 0..<fout {
                    let a = gradOutput.data[nn * fout + o], b = weight.data[o * fin + i]
                    acc += a * b
                    tracer.emit(TraceEvent(
                        kind: .grad, target: .input, output: Index4(nn, o, 0, 0), input: Index4(nn, i, 0, 0),
                        padded: Index4(nn, i, 0, 0), kernel: Index4(o, i, 0, 0),
                        a: a, b: b, product: a * b, acc: acc))
                }
                dX.data[nn * fin + i] = acc
            }
        }
        var dB: Tensor? = nil
        if let bias {
            var db = Tensor(shape: bias.shape)
            for o in 0..<fout {
                var acc = 0.0
                for nn in 0..<n {
                    let a = gradOutput.data[nn * fout + o]
                    acc += a
                    tracer.emit(TraceEvent(
                        kind: .grad, target: .bias, output: Index4(nn, o, 0, 0), kernel: Index4(o, 0, 0, 0),
                        a: a, b: 1, product: a, acc: acc))
                }
                db.data[o] = acc
            }
            dB = db
        }
        return LayerGradients(input: dX, kernel: dW, bias: dB)
    }

    /// (N, in, out) after checking input N×in, weight out×in and bias out.
    @inlinable
    static func check(input: Tensor, weight: Tensor, bias: Tensor?) throws -> (Int, Int, Int) {
        guard weight.rank == 2 else {
            throw EngineError("linear: weight must be out×in (rank 2), got shape \(ShapeCheck.shapeText(weight.shape))")
        }
        guard input.rank == 2 else {
            throw EngineError(
                "linear: input must be N×features (rank 2), got shape \(ShapeCheck.shapeText(input.shape)); "
                    + "put a flatten layer before linear")
        }
        let (fout, fin) = (weight.shape[0], weight.shape[1])
        guard input.shape[1] == fin else {
            throw EngineError(
                "linear: weight \(fout)×\(fin) expects \(fin) input features but the input has \(input.shape[1]) "
                    + "(shape \(ShapeCheck.shapeText(input.shape)))")
        }
        if let bias, bias.count != fout {
            throw EngineError(
                "linear: bias must have \(fout) values (one per output feature), got shape \(ShapeCheck.shapeText(bias.shape))")
        }
        return (input.shape[0], fin, fout)
    }
}

// MARK: - Descriptor

extension Ops {
    /// linear: its spec keys, shape rule, trace-header parameters and `shape` summary.
    public static let linear = OpDescriptor<Layer>(
        name: "linear",
        summary: "fully connected",
        keys: [
            .required("weight", .tensor(layout: "out×in (or in, for one output)"), hint: "the weight: out×in",
                      meaning: "`out×in` (a 1-D weight is one output)"),
            .bias(per: "output", meaning: "`out` values"),
        ],
        input: .features, shapeRule: "N×F_in → N×F_out",
        outputShape: { layer, input in
            guard case .linear(let weight, _) = layer else { return input }
            guard input.count == 2, weight.rank == 2 else {
                throw ParameterText.rankError("linear", input, expected: "N×F (add a flatten layer first)")
            }
            guard input[1] == weight.shape[1] else {
                throw EngineError("linear: the input has \(input[1]) features but the weight (out×in = "
                                  + "\(ShapeCheck.shapeText(weight.shape))) expects \(weight.shape[1])")
            }
            return [input[0], weight.shape[0]]
        },
        describe: { layer in
            guard case .linear(let weight, _) = layer else { return "" }
            return "\(weight.shape[1])→\(weight.shape[0])"
        },
        parameters: { layer in
            guard case .linear(let weight, let bias) = layer else { return [] }
            return [("weight", .tensor(weight)), ("bias", .optional(bias))]
        },
        learnable: ["weight", "bias"],
        multiplyAccumulates: { layer, input in
            // Each of the N rows meets every weight once.
            guard case .linear(let weight, _) = layer, let n = input.first else { return nil }
            return try LayerCounts.product([n, weight.count])
        },
        make: { r in .linear(weight: try r.tensor("weight"), bias: try r.optionalTensor("bias")) })
}
