// Specs — running a Problem through the engine and folding the results back to the ranks the spec used.
import Engine
import JSONText
import Tracing

extension Problem {
    /// Runs the network forward (and backward when the spec has `grad_output` or a loss).
    ///
    /// - Throws: `SpecError` carrying the engine's message, prefixed with the file name.
    /// - Throws: `SpecError` before running when the estimated events exceed `ResourceLimits.current.events`.
    /// A spec with `train:` trains instead (`train(tracer:)`: every step's events) and returns the last step's pass.
    public func run<S: TraceSink>(tracer: inout Tracer<S>) throws(SpecError) -> NetworkResult {
        if training != nil { return try train(tracer: &tracer).lastRun }
        try checkWork(traced: S.isRecording)
        do {
            return try network.run(input: input, gradOutput: gradOutput, tracer: &tracer)
        } catch let error as EngineError {
            throw SpecError(file: file, path: "", problem: error.message)
        } catch {
            throw SpecError(file: file, path: "", problem: "\(error)")
        }
    }

    /// Runs untraced.
    public func run() throws(SpecError) -> NetworkResult {
        var tracer = Tracer<NullSink>.untraced
        return try run(tracer: &tracer)
    }

    /// The trace header for this problem (spec, network, input, grad_output).
    public func traceHeader() -> TraceHeader {
        TraceHeader(spec: document, network: network, input: input, gradOutput: gradOutput)
    }

    /// The result as one JSON object, folded to the ranks the spec gave.
    ///
    /// Keys, in this order: `output`, `output_shape`, then when a backward pass ran `grad_input`,
    /// `grad_kernel` (conv2d) or `grad_weight` (conv_transpose2d, linear) and `grad_bias` for a single op;
    /// `loss` when there is one; a single op's state (`running_mean`, `running_var` of batch_norm2d, `mask`
    /// of dropout in training); and for a network `layers`: one `{op, grad_kernel|grad_weight, grad_bias,
    /// state}` object per layer (parameter gradients only where the layer has parameters).
    /// A single loss op reports the loss as its `output` (shape `[]`).
    public func evalJSON(_ result: NetworkResult) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        let lossOnly = network.layers.isEmpty
        if lossOnly, let loss = result.loss {
            pairs.append(("output", .number(loss)))
            pairs.append(("output_shape", .array([])))
        } else {
            let shape = outputShape
            pairs.append(("output", Problem.nested(result.output.data, shape: shape)))
            pairs.append(("output_shape", .array(shape.map { .int($0) })))
        }
        if let gradients = result.gradients, let first = gradients.first {
            pairs.append(("grad_input", Problem.nested(first.input.data, shape: folding.givenInputShape)))
            if op != "network", !lossOnly, let info = layerInfos.first {
                pairs.append(contentsOf: parameterGradients(first, info: info))
            }
        }
        if let loss = result.loss { pairs.append(("loss", .number(loss))) }
        if op != "network", !lossOnly { pairs.append(contentsOf: layerState(0, result)) }
        let states = network.layers.indices.map { layerState($0, result) }
        if op == "network", result.gradients != nil || states.contains(where: { !$0.isEmpty }) {
            let gradients = result.gradients ?? []
            var layers: [JSONValue] = []
            for (i, info) in layerInfos.enumerated() where !info.isLoss {
                var entry: [(String, JSONValue)] = [("op", .string(info.op))]
                if i < gradients.count { entry.append(contentsOf: parameterGradients(gradients[i], info: info)) }
                if i < states.count { entry.append(contentsOf: states[i]) }
                layers.append(.object(entry))
            }
            pairs.append(("layers", .array(layers)))
        }
        return .object(pairs)
    }

    /// What a layer leaves behind besides its output: batch_norm2d's running statistics after the pass
    /// (`running_mean`, `running_var`, C values each; updated in training) and dropout's mask in training
    /// (`mask`, 0s and 1s in the shape of the layer's input as the spec gave it).
    func layerState(_ i: Int, _ result: NetworkResult) -> [(String, JSONValue)] {
        guard i < network.layers.count, i < result.activations.count else { return [] }
        let x = result.activations[i]
        switch network.layers[i] {
        case .batchNorm2d(let p):
            guard let (mean, variance) = try? BatchNorm2D.runningStatistics(input: x, params: p) else { return [] }
            return [("running_mean", Problem.nested(mean.data, shape: mean.shape)),
                    ("running_var", Problem.nested(variance.data, shape: variance.shape))]
        case .dropout(let p):
            guard let mask = try? Dropout.mask(inputShape: x.shape, params: p) else { return [] }
            let shape = i == 0 ? folding.givenInputShape : x.shape
            return [("mask", Problem.nested(mask.data, shape: shape))]
        default:
            return []
        }
    }

    /// `grad_kernel`/`grad_weight` and `grad_bias` of one layer, in the shapes the spec gave them.
    func parameterGradients(_ g: LayerGradients, info: LayerInfo) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        if let k = g.kernel, let shape = info.kernelShape {
            out.append((info.kernelGradientKey, Problem.nested(k.data, shape: shape)))
        }
        if let b = g.bias, let shape = info.biasShape {
            out.append(("grad_bias", Problem.nested(b.data, shape: shape)))
        }
        return out
    }

    /// Row-major `data` as nested JSON arrays of `shape` (a number for shape `[]`).
    public static func nested(_ data: [Double], shape: [Int]) -> JSONValue {
        guard !shape.isEmpty else { return .number(data.first ?? 0) }
        func build(_ offset: Int, _ axis: Int) -> JSONValue {
            let n = shape[axis]
            if axis == shape.count - 1 {
                return .array((0..<n).map { .number(data[offset + $0]) })
            }
            let stride = shape[(axis + 1)...].reduce(1, *)
            return .array((0..<n).map { build(offset + $0 * stride, axis + 1) })
        }
        return build(0, 0)
    }

    /// Folds an engine-rank tensor of the network output to the output shape as reported.
    public func foldedOutput(_ t: Tensor) -> Tensor {
        Tensor(shape: folding.fold(t.shape), data: t.data)
    }
}
