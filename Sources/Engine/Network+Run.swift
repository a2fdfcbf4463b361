// Engine — running a network: layers forward, the loss, then every layer backward in reverse order.

extension Network {
    /// Runs the network forward, then backward when the network ends in a loss or `gradOutput` is given.
    ///
    /// Shapes: `input` N×C×H×W (or N×F for a network that starts with `linear`); `gradOutput` has the
    /// shape of the last layer's output and is ignored when there is a loss.
    /// Tracing: `tracer.layer` is the layer's index in `layers` (the loss is `layers.count`);
    /// `tracer.phase` is `.forward` for every layer then the loss, `.backward` for the loss then the
    /// layers from last to first.
    /// - Returns: every activation; the loss value; and, when a backward pass ran, `gradients[i]` for
    ///   layer i (input gradient always, kernel/weight and bias gradients for conv2d,
    ///   conv_transpose2d and linear). With a loss, `gradients` has one more entry,
    ///   `gradients[layers.count]`, whose `input` is dL/d(network output).
    /// - Throws: `EngineError` naming the layer index and op, e.g. "layer 3 (linear) expects 400
    ///   input features but layer 2 (flatten) gives 256".
    @inlinable
    public func run<S: TraceSink>(input: Tensor, gradOutput: Tensor? = nil, tracer: inout Tracer<S>) throws -> NetworkResult {
        var activations = [input]
        activations.reserveCapacity(layers.count + 1)
        tracer.phase = .forward
        for (i, layer) in layers.enumerated() {
            tracer.layer = i
            let x = activations[i]
            try checkInput(x, of: i)
            do {
                if case .add(let p) = layer {  // a residual join reads an earlier activation too
                    var skip = activations[p.from]
                    if let q = p.projection {  // the 1×1 projection's macs, on this layer, before the join
                        skip = try Conv2D.forward(input: skip, kernel: q.kernel, bias: q.bias, params: q.conv, tracer: &tracer)
                    }
                    activations.append(try Add.forward(main: x, skip: skip, tracer: &tracer))
                } else {
                    activations.append(try Self.forward(layer, input: x, tracer: &tracer))
                }
            } catch let error as EngineError {
                throw Self.located(error, layer: i, op: layer.opName)
            }
        }
        let output = activations[activations.count - 1]

        var lossValue: Double? = nil
        if let loss {
            tracer.layer = layers.count
            do {
                lossValue = try LossFunction.forward(loss, input: output, tracer: &tracer)
            } catch let error as EngineError {
                throw Self.located(error, layer: layers.count, op: loss.opName, after: describeSource(of: layers.count, output))
            }
        }

        guard loss != nil || gradOutput != nil else {
            return NetworkResult(activations: activations, loss: lossValue, gradients: nil)
        }
        tracer.phase = .backward
        var gradients: [LayerGradients] = []
        var upstream = Tensor(shape: output.shape)
        var lossGradient: Tensor? = nil
        if let loss {
            tracer.layer = layers.count
            do {
                upstream = try LossFunction.backward(loss, input: output, tracer: &tracer)
                lossGradient = upstream
            } catch let error as EngineError {
                throw Self.located(error, layer: layers.count, op: loss.opName)
            }
        } else if let gradOutput {
            guard gradOutput.shape == output.shape else {
                throw EngineError(
                    "grad_output has shape \(ShapeCheck.shapeText(gradOutput.shape)) but the network output "
                        + "(\(describeSource(of: layers.count, output))) has shape \(ShapeCheck.shapeText(output.shape)); "
                        + "give a grad_output of that shape")
            }
            upstream = gradOutput
        }
        var perLayer = [LayerGradients?](repeating: nil, count: layers.count)
        // Residual blocks: the skip path's gradient of activation f waits here (with the add layer that
        // sent it) until layer f has run backward, then the two are added at the fork.
        var skipGradients: [Int: (add: Int, gradient: Tensor)] = [:]
        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            tracer.layer = i
            do {
                if case .add(let p) = layers[i] {
                    var (main, skip) = Add.backward(gradOutput: upstream, tracer: &tracer)
                    var projected = LayerGradients(input: skip)
                    if let q = p.projection {  // back through the projection: its dK, db, and the block input's share
                        projected = try Conv2D.backward(input: activations[p.from], kernel: q.kernel, bias: q.bias,
                                                        params: q.conv, gradOutput: skip, tracer: &tracer)
                        skip = projected.input
                    }
                    // from == i adds the layer's own input (y = 2x): its fork is right here.
                    let input = p.from == i ? Add.fork(main: main, skip: skip, tracer: &tracer) : main
                    if p.from < i { skipGradients[p.from] = (i, skip) }
                    perLayer[i] = LayerGradients(input: input, kernel: projected.kernel, bias: projected.bias)
                    upstream = input
                    continue
                }
                var g = try Self.backward(
                    layers[i], input: activations[i], output: activations[i + 1], gradOutput: upstream, tracer: &tracer)
                if let (addLayer, skip) = skipGradients.removeValue(forKey: i) {
                    tracer.layer = addLayer  // the fork's sums belong to the add layer that split the gradient
                    g.input = Add.fork(main: g.input, skip: skip, tracer: &tracer)
                }
                perLayer[i] = g
                upstream = g.input
            } catch let error as EngineError {
                throw Self.located(error, layer: i, op: layers[i].opName)
            }
        }
        gradients = perLayer.compactMap { $0 }
        if let lossGradient {
            // dL/d(output): the loss's own "input gradient", at index layers.count like its trace layer.
            gradients.append(LayerGradients(input: lossGradient))
        }
        return NetworkResult(activations: activations, loss: lossValue, gradients: gradients)
    }

    /// One layer forward.
    @inlinable
    static func forward<S: TraceSink>(_ layer: Layer, input x: Tensor, tracer: inout Tracer<S>) throws -> Tensor {
        switch layer {
        case .conv2d(let p, let kernel, let bias):
            return try Conv2D.forward(input: x, kernel: kernel, bias: bias, params: p, tracer: &tracer)
        case .convTranspose2d(let p, let weight, let bias):
            return try ConvTranspose2D.forward(input: x, weight: weight, bias: bias, params: p, tracer: &tracer)
        case .maxPool2d(let p): return try MaxPool2D.forward(input: x, params: p, tracer: &tracer)
        case .avgPool2d(let p): return try AvgPool2D.forward(input: x, params: p, tracer: &tracer)
        case .globalMaxPool: return try GlobalMaxPool.forward(input: x, tracer: &tracer)
        case .globalAvgPool: return try GlobalAvgPool.forward(input: x, tracer: &tracer)
        case .relu: return try Activation.forward(.relu, input: x, tracer: &tracer)
        case .leakyRelu(let slope): return try Activation.forward(.leakyRelu(slope: slope), input: x, tracer: &tracer)
        case .sigmoid: return try Activation.forward(.sigmoid, input: x, tracer: &tracer)
        case .tanh: return try Activation.forward(.tanh, input: x, tracer: &tracer)
        case .softmax: return try Softmax.forward(input: x, tracer: &tracer)
        case .linear(let weight, let bias): return try Linear.forward(input: x, weight: weight, bias: bias, tracer: &tracer)
        case .flatten: return try Flatten.forward(input: x)
        case .batchNorm2d(let p): return try BatchNorm2D.forward(input: x, params: p, tracer: &tracer)
        case .dropout(let p): return try Dropout.forward(input: x, params: p, tracer: &tracer)
        case .add:  // `run` joins residual blocks itself (it holds the earlier activation); alone, add is x + x
            return try Add.forward(main: x, skip: x, tracer: &tracer)
        }
    }

    /// One layer backward; `y`, the layer's forward output, spares sigmoid and tanh recomputing f(x).
    @inlinable
    static func backward<S: TraceSink>(
        _ layer: Layer, input x: Tensor, output y: Tensor? = nil, gradOutput g: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        switch layer {
        case .conv2d(let p, let kernel, let bias):
            return try Conv2D.backward(input: x, kernel: kernel, bias: bias, params: p, gradOutput: g, tracer: &tracer)
        case .convTranspose2d(let p, let weight, let bias):
            return try ConvTranspose2D.backward(
                input: x, weight: weight, bias: bias, params: p, gradOutput: g, tracer: &tracer)
        case .maxPool2d(let p): return try MaxPool2D.backward(input: x, params: p, gradOutput: g, tracer: &tracer)
        case .avgPool2d(let p): return try AvgPool2D.backward(input: x, params: p, gradOutput: g, tracer: &tracer)
        case .globalMaxPool: return try GlobalMaxPool.backward(input: x, gradOutput: g, tracer: &tracer)
        case .globalAvgPool: return try GlobalAvgPool.backward(input: x, gradOutput: g, tracer: &tracer)
        case .relu: return try Activation.backward(.relu, input: x, gradOutput: g, tracer: &tracer)
        case .leakyRelu(let slope):
            return try Activation.backward(.leakyRelu(slope: slope), input: x, gradOutput: g, tracer: &tracer)
        case .sigmoid: return try Activation.backward(.sigmoid, input: x, output: y, gradOutput: g, tracer: &tracer)
        case .tanh: return try Activation.backward(.tanh, input: x, output: y, gradOutput: g, tracer: &tracer)
        case .softmax: return try Softmax.backward(input: x, gradOutput: g, tracer: &tracer)
        case .linear(let weight, let bias):
            return try Linear.backward(input: x, weight: weight, bias: bias, gradOutput: g, tracer: &tracer)
        case .flatten: return try Flatten.backward(input: x, gradOutput: g)
        case .batchNorm2d(let p): return try BatchNorm2D.backward(input: x, params: p, gradOutput: g, tracer: &tracer)
        case .dropout(let p): return try Dropout.backward(input: x, params: p, gradOutput: g, tracer: &tracer)
        case .add: return LayerGradients(input: Add.backward(gradOutput: g, tracer: &tracer).main)  // `run` handles the skip
        }
    }

    /// "the input" for layer 0, else "layer i−1 (op)": where layer i's input comes from.
    @inlinable
    func describeSource(of i: Int, _ x: Tensor) -> String {
        i == 0 ? "the input" : "layer \(i - 1) (\(layers[i - 1].opName))"
    }

    /// Checks that layer i accepts the shape the previous layer gives, before running it.
    @inlinable
    func checkInput(_ x: Tensor, of i: Int) throws {
        let layer = layers[i]
        // Computed only for a message: building them on every run cost more than some layers.
        var here: String { "layer \(i) (\(layer.opName))" }
        var source: String { describeSource(of: i, x) }
        var shape: String { ShapeCheck.shapeText(x.shape) }
        func needRank4() throws {
            guard x.rank == 4 else {
                let hint = x.rank == 2 ? "; it cannot follow a flatten or linear layer" : ""
                throw EngineError("\(here) expects an N×C×H×W input but \(source) gives \(shape)\(hint)")
            }
        }
        switch layer {
        case .conv2d(let p, let kernel, _):
            try needRank4()
            if kernel.rank == 4, kernel.shape[1] * p.groups != x.shape[1] {
                throw EngineError(
                    "\(here) expects \(kernel.shape[1] * p.groups) input channels (kernel \(ShapeCheck.shapeText(kernel.shape))"
                        + (p.groups == 1 ? "" : ", groups \(p.groups)") + ") but \(source) gives \(x.shape[1]) (shape \(shape))")
            }
        case .convTranspose2d(_, let weight, _):
            try needRank4()
            if weight.rank == 4, weight.shape[0] != x.shape[1] {
                throw EngineError(
                    "\(here) expects \(weight.shape[0]) input channels (weight \(ShapeCheck.shapeText(weight.shape))) "
                        + "but \(source) gives \(x.shape[1]) (shape \(shape))")
            }
        case .maxPool2d, .avgPool2d, .globalMaxPool, .globalAvgPool:
            try needRank4()
        case .batchNorm2d(let p):
            try needRank4()
            try BatchNorm2D.check(inputShape: x.shape, params: p, where: here)
        case .dropout(let p):
            try Dropout.check(inputShape: x.shape, params: p, where: here)
        case .linear(let weight, _):
            guard x.rank == 2 else {
                throw EngineError(
                    "\(here) expects an N×features input but \(source) gives \(shape); put a flatten layer before it")
            }
            if weight.rank == 2, weight.shape[1] != x.shape[1] {
                throw EngineError(
                    "\(here) expects \(weight.shape[1]) input features but \(source) gives \(x.shape[1])")
            }
        case .softmax:
            guard x.rank == 2 || x.rank == 4 else {
                throw EngineError("\(here) expects N×classes or N×C×H×W but \(source) gives \(shape)")
            }
        case .add(let p):
            guard p.from <= i else {
                throw EngineError("\(here) adds the input of layer \(p.from), which comes after it; "
                                  + "from must be this layer or an earlier one (0…\(i))")
            }
            for (j, other) in layers.enumerated() where j != i {
                if case .add(let q) = other, q.from == p.from {
                    throw EngineError("\(here) and layer \(j) (add) both add the input of layer \(p.from); "
                                      + "give each residual block its own first layer")
                }
            }
        case .relu, .leakyRelu, .sigmoid, .tanh, .flatten:
            break
        }
    }

    /// Prefixes an op's error with the layer it happened in ("layer 2 (max_pool2d): …").
    @inlinable
    static func located(_ error: EngineError, layer i: Int, op: String, after source: String? = nil) -> EngineError {
        var message = error.message
        for prefix in [op + ": ", op + " backward: "] where message.hasPrefix(prefix) {
            message.removeFirst(prefix.count)
            break
        }
        let from = source.map { " (its input comes from \($0))" } ?? ""
        return EngineError("layer \(i) (\(op))\(from): \(message)")
    }
}
