// Specs — one layer (or loss) from its keys, with its output shape; every shape error names the key.
import Engine

extension SpecBuilder {
    /// A built layer, its engine output shape and the shapes its parameters were given in.
    struct BuiltLayer {
        var layer: Layer
        var output: [Int]
        var kernelShape: [Int]? = nil
        var biasShape: [Int]? = nil
    }

    /// Reads one layer op from its keys for an input of engine shape `input`.
    typealias LayerReader = @Sendable (SpecBuilder, Keys, SpecNode, [Int]) throws(SpecError) -> BuiltLayer

    /// Ops whose keys need more than `buildGeneric`: tensors in shorthand ranks, padding names, and checks
    /// that point at one key. Every other op is read from its descriptor's keys alone.
    static let customReaders: [String: LayerReader] = [
        Ops.conv2d.name: { b, keys, node, input throws(SpecError) in try b.buildConv(keys: keys, at: node, input: input) },
        Ops.convTranspose2d.name: { b, keys, node, input throws(SpecError) in
            try b.buildConvTranspose(keys: keys, at: node, input: input)
        },
        Ops.maxPool2d.name: { b, keys, node, input throws(SpecError) in
            try b.buildPool(Ops.maxPool2d, layer: Layer.maxPool2d, keys: keys, at: node, input: input)
        },
        Ops.avgPool2d.name: { b, keys, node, input throws(SpecError) in
            try b.buildPool(Ops.avgPool2d, layer: Layer.avgPool2d, keys: keys, at: node, input: input)
        },
        Ops.linear.name: { b, keys, node, input throws(SpecError) in try b.buildLinear(keys: keys, at: node, input: input) },
        Ops.flatten.name: { _, _, node, input throws(SpecError) in
            guard input.count == 4 else {
                throw node.error("flatten needs an N×C×H×W input, but its input is already N×F (\(ShapeText.join(input)))",
                                 valid: "remove this flatten")
            }
            return BuiltLayer(layer: .flatten, output: [input[0], input[1] * input[2] * input[3]])
        },
    ]

    /// Builds layer `op` from `keys` for an input of engine shape `input`.
    func buildLayer(_ op: String, keys: Keys, at node: SpecNode, input: [Int]) throws(SpecError) -> BuiltLayer {
        if let reader = SpecBuilder.customReaders[op] { return try reader(self, keys, node, input) }
        guard let descriptor = Ops.layer(named: op) else {
            throw node.error("unknown op '\(op)'", valid: OpCatalog.layerOps.joined(separator: ", "))
        }
        return try buildGeneric(descriptor, keys: keys, at: node, input: input)
    }

    /// The value of each declared key: as written (checked by its declared type), else its default; keys
    /// with neither are left out (the descriptor's `make` says what is missing).
    func declaredValues(_ declared: [OpKey], keys: Keys) throws(SpecError) -> [(String, ParameterValue)] {
        var values: [(String, ParameterValue)] = []
        for key in declared {
            if let (_, valueNode) = keys[key.name] {
                values.append((key.name, try value(of: key, keys: keys, at: valueNode)))
            } else if let value = key.defaultValue {
                values.append((key.name, value))
            }
        }
        return values
    }

    /// Where a descriptor's refusal belongs: the value of the first declared key the message names
    /// (`…: p must be …`, `…: mask[1] …`), else `node` (the op).
    func place(of message: String, declared: [OpKey], keys: Keys, else node: SpecNode) -> SpecNode {
        let named = declared.first { message.contains(": \($0.name) ") || message.contains(": \($0.name)[") }
        return named.flatMap { keys[$0.name]?.value } ?? node
    }

    /// An op read from its descriptor alone: each key checked by its declared type (or its default), then
    /// the descriptor makes the layer and gives its output shape.
    func buildGeneric(_ descriptor: OpDescriptor<Layer>, keys: Keys, at node: SpecNode, input: [Int]) throws(SpecError) -> BuiltLayer {
        if descriptor.input == .image { try requireImage(descriptor.name, input, at: node) }
        let values = try declaredValues(descriptor.keys, keys: keys)
        do {
            let layer = try descriptor.make(ParameterReader(values))
            var built = BuiltLayer(layer: layer, output: try layer.outputShape(input: input))
            if case .batchNorm2d = layer, input.count == 4 {  // γ and β: one gradient per channel
                built.kernelShape = [input[1]]; built.biasShape = [input[1]]
            }
            return built
        } catch {
            let message = SpecBuilder.strip("\(error)")
            throw place(of: message, declared: descriptor.keys, keys: keys, else: node).error(message)
        }
    }

    /// The value of spec key `key` (its node is `node`), checked against the key's declared type and range.
    func value(of key: OpKey, keys: Keys, at node: SpecNode) throws(SpecError) -> ParameterValue {
        switch key.type {
        case .tensor(let layout):
            let t = try TensorReader.read(node, ranks: 0...4, layout: layout)
            return .tensor(Tensor(shape: t.shape, data: t.data))
        case .intOrPair(let min):
            return .pair(try pair(keys, key.name, default: Pair(min), min: min, fillY: min))
        case .convPadding:
            switch try convPadding(keys) {
            case .explicit(let p): return .ints([p.top, p.bottom, p.left, p.right])
            case .valid: return .string("valid")
            case .same: return .string("same")
            case .full: return .string("full")
            }
        case .bool:
            return .bool(try node.bool())
        case .number(let expected):
            return .double(try node.double(expected: expected))
        case .name(let names):
            return .string(try name(key.name, at: node, oneOf: names))
        }
    }

    /// A name from `names` (e.g. a padding mode), suggesting the nearest one for a near miss.
    func name(_ key: String, at node: SpecNode, oneOf names: [String]) throws(SpecError) -> String {
        let name = try node.string(expected: "a " + key.split(separator: "_").joined(separator: " "))
        guard names.contains(name) else {
            let hint = OpCatalog.didYouMean(name, among: names)
            throw node.error("unknown \(key) '\(name)'" + (hint.isEmpty ? "" : "; \(hint)"), valid: names.joined(separator: ", "))
        }
        return name
    }

    // MARK: - conv2d

    func buildConv(keys: Keys, at node: SpecNode, input: [Int]) throws(SpecError) -> BuiltLayer {
        try requireImage(Ops.conv2d.name, input, at: node)
        let kernelNode = keys["kernel"]!.value
        let k = try TensorReader.read(kernelNode, ranks: 1...4, layout: "F, Fh×Fw, C×Fh×Fw (one filter) or K×C×Fh×Fw")
        let kShape: [Int]
        switch k.rank {
        case 1: kShape = [1, 1, 1, k.shape[0]]
        case 2: kShape = [1, 1, k.shape[0], k.shape[1]]
        case 3: kShape = [1] + k.shape
        default: kShape = k.shape
        }
        let (kCount, kChannels, fh, fw) = (kShape[0], kShape[1], kShape[2], kShape[3])
        let groups = try convGroups(keys, channels: input[1], filters: kCount, kernelShape: kShape)
        guard groups == 1 || kChannels * groups == input[1] else {
            throw kernelNode.error(
                "channel mismatch: with groups = \(groups) each filter sees C/groups = \(input[1] / groups) of the input's \(input[1]) channels, but the kernel (K×C/groups×Fh×Fw = \(ShapeText.join(kShape))) has \(kChannels)",
                valid: "a kernel of shape \(kCount)×\(input[1] / groups)×\(fh)×\(fw)")
        }
        guard groups > 1 || kChannels == input[1] else {
            let form = k.rank <= 2 ? "a \(k.rank)-D kernel has 1 channel" : "the kernel (\(k.rank == 3 ? "C×Fh×Fw" : "K×C×Fh×Fw") = \(k.shapeText)) has \(kChannels) channel\(kChannels == 1 ? "" : "s")"
            throw kernelNode.error("channel mismatch: \(form) but its input has \(input[1]) (input \(ShapeText.join(input)))",
                                   valid: "a kernel of shape \(input[1])×\(fh)×\(fw) or K×\(input[1])×\(fh)×\(fw)")
        }
        let (bias, biasShape) = try readBias(keys, count: kCount, what: "one value per filter (K = \(kCount))")
        let stride = try pair("stride", of: Ops.conv2d, keys)
        let dilation = try pair("dilation", of: Ops.conv2d, keys)
        let spec = try convPadding(keys)
        var mode = PaddingMode.zeros
        if let (_, m) = keys["padding_mode"] {
            mode = PaddingMode(rawValue: try name("padding_mode", at: m, oneOf: PaddingMode.allCases.map(\.rawValue))) ?? .zeros
        }
        let flip = try bool("flip", of: Ops.conv2d, keys)
        let padding: Padding
        do {
            padding = try spec.resolve(kernel: Pair(fh, fw), dilation: dilation, stride: stride)
        } catch {
            throw (keys["padding"]?.value ?? node).error(SpecBuilder.strip("\(error)"))
        }
        if mode != .zeros {
            do {
                try mode.validatePadding(before: padding.top, after: padding.bottom, size: input[2], axis: "height")
                try mode.validatePadding(before: padding.left, after: padding.right, size: input[3], axis: "width")
            } catch {
                throw (keys["padding_mode"]?.value ?? node).error(SpecBuilder.strip("\(error)"))
            }
        }
        let hp = try add(input[2], padding.top, padding.bottom, at: keys["padding"]?.value ?? node)
        let wp = try add(input[3], padding.left, padding.right, at: keys["padding"]?.value ?? node)
        try checkSize([input[0], input[1], hp, wp], at: keys["padding"]?.value ?? node, what: "the padded input")
        let ey = try extent(fh, dilation.y, at: keys["dilation"]?.value ?? kernelNode)
        let ex = try extent(fw, dilation.x, at: keys["dilation"]?.value ?? kernelNode)
        guard ey <= hp, ex <= wp else {
            let dil = (dilation.y == 1 && dilation.x == 1) ? "" : " (dilated to \(ey)×\(ex))"
            throw kernelNode.error("the kernel \(fh)×\(fw)\(dil) is larger than the padded input \(hp)×\(wp) "
                                   + "(input \(input[2])×\(input[3]), padding top \(padding.top), bottom \(padding.bottom), left \(padding.left), right \(padding.right))",
                                   valid: "a kernel of at most \(hp)×\(wp) cells (after dilation), or more padding")
        }
        let ho = (hp - ey) / stride.y + 1
        let wo = (wp - ex) / stride.x + 1
        let params = Conv2DParams(stride: stride, padding: padding, paddingMode: mode, dilation: dilation, flip: flip,
                                  groups: groups)
        return BuiltLayer(layer: .conv2d(params, kernel: Tensor(shape: kShape, data: k.data), bias: bias),
                          output: [input[0], kCount, ho, wo], kernelShape: k.shape, biasShape: biasShape)
    }

    /// conv2d's `groups`: an integer ≥ 1 dividing both the input channels and the filters (PyTorch's rule), 1 when absent.
    func convGroups(_ keys: Keys, channels: Int, filters: Int, kernelShape: [Int]) throws(SpecError) -> Int {
        guard let (_, node) = keys["groups"] else { return 1 }
        let valid = "an integer ≥ 1 that divides both C = \(channels) and K = \(filters): "
            + Conv2DGeometry.commonDivisors(channels, filters).map(String.init).joined(separator: ", ")
        let groups = try node.int(expected: valid)
        guard groups >= 1, channels % groups == 0, filters % groups == 0 else {
            let fails = [channels % Swift.max(groups, 1) != 0 ? "the input's \(channels) channels" : nil,
                         filters % Swift.max(groups, 1) != 0 ? "the kernel's \(filters) filters (K×C/groups×Fh×Fw = \(ShapeText.join(kernelShape)))" : nil]
                .compactMap { $0 }
            throw node.error(groups < 1 ? "groups = \(groups) must be at least 1"
                                 : "groups = \(groups) does not divide " + fails.joined(separator: " nor "),
                             valid: valid)
        }
        return groups
    }

    // MARK: - conv_transpose2d

    func buildConvTranspose(keys: Keys, at node: SpecNode, input: [Int]) throws(SpecError) -> BuiltLayer {
        try requireImage(Ops.convTranspose2d.name, input, at: node)
        let weightNode = keys["weight"]!.value
        let w = try TensorReader.read(weightNode, ranks: 1...4, layout: "F, Fh×Fw, C_in×Fh×Fw or C_in×C_out×Fh×Fw")
        let wShape: [Int]
        switch w.rank {
        case 1: wShape = [1, 1, 1, w.shape[0]]
        case 2: wShape = [1, 1, w.shape[0], w.shape[1]]
        case 3: wShape = [w.shape[0], 1, w.shape[1], w.shape[2]]
        default: wShape = w.shape
        }
        let (cIn, cOut, fh, fw) = (wShape[0], wShape[1], wShape[2], wShape[3])
        guard cIn == input[1] else {
            throw weightNode.error("channel mismatch: the weight (C_in×C_out×Fh×Fw = \(ShapeText.join(wShape))) takes \(cIn) input channel\(cIn == 1 ? "" : "s") but its input has \(input[1]) (input \(ShapeText.join(input)))",
                                   valid: "a weight of shape \(input[1])×C_out×\(fh)×\(fw)")
        }
        let (bias, biasShape) = try readBias(keys, count: cOut, what: "one value per output channel (C_out = \(cOut))")
        let stride = try pair("stride", of: Ops.convTranspose2d, keys)
        let dilation = try pair("dilation", of: Ops.convTranspose2d, keys)
        let padding = try pair("padding", of: Ops.convTranspose2d, keys)
        let outputPadding = try pair("output_padding", of: Ops.convTranspose2d, keys)
        if outputPadding.y >= Swift.max(stride.y, dilation.y) || outputPadding.x >= Swift.max(stride.x, dilation.x) {
            throw (keys["output_padding"]?.value ?? node).error(
                "output_padding [\(outputPadding.y), \(outputPadding.x)] must be smaller than the stride or the dilation on each axis (PyTorch's rule)",
                valid: "output_padding below [\(Swift.max(stride.y, dilation.y)), \(Swift.max(stride.x, dilation.x))]")
        }
        func axis(_ n: Int, _ s: Int, _ p: Int, _ d: Int, _ f: Int, _ op: Int) -> Int? {
            let (a, o1) = (n - 1).multipliedReportingOverflow(by: s)
            let (e, o2) = d.multipliedReportingOverflow(by: f - 1)
            guard !o1, !o2 else { return nil }
            let (p2, o3) = p.multipliedReportingOverflow(by: 2)
            guard !o3 else { return nil }
            let (r1, o4) = a.addingReportingOverflow(e)
            let (r2, o5) = r1.addingReportingOverflow(op + 1)
            guard !o4, !o5 else { return nil }
            return r2 - p2
        }
        guard let ho = axis(input[2], stride.y, padding.y, dilation.y, fh, outputPadding.y),
              let wo = axis(input[3], stride.x, padding.x, dilation.x, fw, outputPadding.x) else {
            throw node.error("the output size overflows", valid: "smaller stride, dilation or kernel")
        }
        guard ho >= 1, wo >= 1 else {
            throw (keys["padding"]?.value ?? node).error(
                "the output would be \(ho)×\(wo): padding [\(padding.y), \(padding.x)] removes more than the scatter produces",
                valid: "Ho = (H−1)·s − 2p + d·(F−1) + output_padding + 1 must be at least 1; use less padding")
        }
        try checkSize([input[0], cOut, ho, wo], at: keys["stride"]?.value ?? node, what: "the output of conv_transpose2d")
        let params = ConvTranspose2DParams(stride: stride, padding: padding, outputPadding: outputPadding, dilation: dilation)
        return BuiltLayer(layer: .convTranspose2d(params, weight: Tensor(shape: wShape, data: w.data), bias: bias),
                          output: [input[0], cOut, ho, wo], kernelShape: w.shape, biasShape: biasShape)
    }

    // MARK: - pools

    func buildPool(_ descriptor: OpDescriptor<Layer>, layer: (Pool2DParams) -> Layer, keys: Keys, at node: SpecNode,
                   input: [Int]) throws(SpecError) -> BuiltLayer {
        let op = descriptor.name
        try requireImage(op, input, at: node)
        let kernelSize = try pair("kernel_size", of: descriptor, keys)
        let stride = try pair("stride", of: descriptor, keys, default: kernelSize)
        let padding = try pair("padding", of: descriptor, keys)
        if padding.y > kernelSize.y / 2 || padding.x > kernelSize.x / 2 {
            throw keys["padding"]!.value.error(
                "padding [\(padding.y), \(padding.x)] is more than half the kernel_size [\(kernelSize.y), \(kernelSize.x)]",
                valid: "at most [\(kernelSize.y / 2), \(kernelSize.x / 2)] (PyTorch's rule)")
        }
        let ceil = try bool("ceil_mode", of: descriptor, keys)
        // max_pool2d has no count_include_pad key; its parameters keep PyTorch's default, true.
        let countIncludePad = descriptor.key("count_include_pad") == nil ? true : try bool("count_include_pad", of: descriptor, keys)
        let params = Pool2DParams(kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceil,
                                  countIncludePad: countIncludePad)
        let size: (height: Int, width: Int)
        do {
            size = try params.outputSize(height: input[2], width: input[3], op: op)
        } catch {
            throw keys["kernel_size"]!.value.error(SpecBuilder.strip("\(error)"))
        }
        return BuiltLayer(layer: layer(params),
                          output: [input[0], input[1], size.height, size.width])
    }

    // MARK: - linear

    func buildLinear(keys: Keys, at node: SpecNode, input: [Int]) throws(SpecError) -> BuiltLayer {
        guard input.count == 2 else {
            throw node.error("linear needs N×F features but its input is N×C×H×W = \(ShapeText.join(input))",
                             valid: "add {op: flatten} before it")
        }
        let weightNode = keys["weight"]!.value
        let w = try TensorReader.read(weightNode, ranks: 1...2, layout: "out×in (or in, for one output)")
        let wShape = w.rank == 1 ? [1, w.shape[0]] : w.shape
        guard wShape[1] == input[1] else {
            throw weightNode.error("the weight is out×in = \(ShapeText.join(wShape)) but the input has \(input[1]) features",
                                   valid: "a weight of shape out×\(input[1])")
        }
        let (bias, biasShape) = try readBias(keys, count: wShape[0], what: "one value per output (out = \(wShape[0]))")
        return BuiltLayer(layer: .linear(weight: Tensor(shape: wShape, data: w.data), bias: bias),
                          output: [input[0], wShape[0]], kernelShape: w.shape, biasShape: biasShape)
    }

    // MARK: - losses

    func buildLoss(_ op: String, keys: Keys, at node: SpecNode, prediction: [Int], folding: Folding) throws(SpecError) -> Loss {
        let targetNode = keys["target"]!.value
        switch op {
        case Ops.softmaxCrossEntropy.name:
            guard prediction.count == 2 else {
                throw node.error("softmax_cross_entropy needs N×classes logits but its input is \(ShapeText.join(prediction))",
                                 valid: "add {op: flatten} (and a linear layer) before it")
            }
            let t = try TensorReader.read(targetNode, ranks: 0...1, layout: "a class index, or a list of N class indices")
            guard t.data.count == prediction[0] else {
                throw targetNode.error("has \(t.data.count) class ind\(t.data.count == 1 ? "ex" : "ices") but the batch has N = \(prediction[0])",
                                       valid: "one class index per sample")
            }
            var classes: [Int] = []
            for (i, v) in t.data.enumerated() {
                let at = t.rank == 0 ? targetNode : (targetNode.items()?[i] ?? targetNode)
                guard v == v.rounded(), v >= 0, v < Double(prediction[1]) else {
                    throw at.error("\(TensorReader.format(v)) is not a class index for \(prediction[1]) classes",
                                   valid: "an integer from 0 to \(prediction[1] - 1)")
                }
                classes.append(Int(v))
            }
            return .softmaxCrossEntropy(target: classes)
        default:
            let t = try TensorReader.read(targetNode, ranks: 0...4, layout: "the shape of the prediction")
            let folded = folding.fold(prediction)
            guard t.shape == folded || t.shape == prediction || (t.shape.isEmpty && prediction.reduce(1, *) == 1) else {
                throw targetNode.error("has shape \(t.shapeText) but the prediction has shape \(ShapeText.join(folded))",
                                       valid: "a target of shape \(ShapeText.join(folded))")
            }
            let target = Tensor(shape: prediction, data: t.data)
            if op == Ops.mse.name { return .mse(target: target) }
            let withLogits = try bool("with_logits", of: Ops.bce, keys)
            for (i, v) in t.data.enumerated() where v < 0 || v > 1 {
                throw targetNode.error("bce targets are probabilities, but element \(i) is \(TensorReader.format(v))",
                                       valid: "values from 0 to 1")
            }
            return .bce(target: target, withLogits: withLogits)
        }
    }

    // MARK: - parameter helpers

    /// Refuses a non-image (N×F) input for an op that needs N×C×H×W.
    func requireImage(_ op: String, _ input: [Int], at node: SpecNode) throws(SpecError) {
        guard input.count == 4 else {
            throw node.error("\(op) needs an N×C×H×W input but its input is N×F = \(ShapeText.join(input))",
                             valid: "put \(op) before the flatten / linear layers")
        }
    }

    /// A bias of `count` values (a scalar when `count` is 1), or nil when the key is absent.
    func readBias(_ keys: Keys, count: Int, what: String) throws(SpecError) -> (Tensor?, [Int]?) {
        guard let (_, b) = keys["bias"], !b.isNull else { return (nil, nil) }
        let t = try TensorReader.read(b, ranks: 0...1, layout: what)
        guard t.data.count == count else {
            throw b.error("has \(t.data.count) value\(t.data.count == 1 ? "" : "s") but there \(count == 1 ? "is 1 filter" : "are \(count) filters/outputs")",
                          valid: what)
        }
        return (Tensor(shape: [count], data: t.data), t.shape)
    }

    /// The int-or-pair key `name` of `op`, in the range its descriptor declares; when absent, the declared
    /// default, or `value` for a default that depends on another key (a pool's stride is its kernel size).
    func pair(_ name: String, of op: OpDescriptor<Layer>, _ keys: Keys, default value: Pair? = nil) throws(SpecError) -> Pair {
        guard let key = op.key(name), case .intOrPair(let min) = key.type else {
            preconditionFailure("\(op.name) declares no int-or-pair key '\(name)'")
        }
        var fallback = Pair(min)
        if case .pair(let declared)? = key.defaultValue { fallback = declared }
        return try pair(keys, name, default: value ?? fallback, min: min, fillY: min)
    }

    /// The bool key `name` of `op`, or its declared default when absent.
    func bool<Op>(_ name: String, of op: OpDescriptor<Op>, _ keys: Keys) throws(SpecError) -> Bool {
        if let (_, node) = keys[name] { return try node.bool() }
        guard case .bool(let declared)? = op.key(name)?.defaultValue else {
            preconditionFailure("\(op.name) declares no bool key '\(name)' with a default")
        }
        return declared
    }

    /// An int or [y, x] pair of at least `min`; for a 1-D signal a single int is the x value and y is `fillY`.
    func pair(_ keys: Keys, _ name: String, default value: Pair, min: Int, fillY: Int) throws(SpecError) -> Pair {
        guard let (_, node) = keys[name] else { return value }
        let valid = "an int ≥ \(min) or a pair [y, x] of them, each at most \(OutputSize.maxExtent)"
        let result: Pair
        if let items = node.items() {
            guard items.count == 2 || (oneD && items.count == 1) else {
                throw node.error("has \(items.count) values", valid: valid)
            }
            let ints = try items.map { (n: SpecNode) throws(SpecError) -> Int in try n.int(expected: valid) }
            result = ints.count == 1 ? Pair(fillY, ints[0]) : Pair(ints[0], ints[1])
            for (i, v) in ints.enumerated() where v < min || v > OutputSize.maxExtent {
                throw items[i].error(SpecBuilder.outOfRange(name, v, min), valid: valid)
            }
        } else {
            let v = try node.int(expected: valid)
            if v < min || v > OutputSize.maxExtent { throw node.error(SpecBuilder.outOfRange(name, v, min), valid: valid) }
            result = oneD ? Pair(fillY, v) : Pair(v)
        }
        return result
    }

    static func outOfRange(_ name: String, _ v: Int, _ min: Int) -> String {
        if v > OutputSize.maxExtent {
            return "\(name) must be at most \(OutputSize.maxExtent) (2^20, the largest size convtrace computes with), got \(v)"
        }
        return min == 0 ? "\(name) must not be negative, got \(v)" : "\(name) must be at least \(min), got \(v)"
    }

    /// conv2d `padding`: an int, [ph, pw], [top, bottom, left, right] or valid / same / full.
    func convPadding(_ keys: Keys) throws(SpecError) -> PaddingSpec {
        guard let (_, node) = keys["padding"] else { return .explicit(.zero) }
        let valid = oneD
            ? "an int ≥ 0, [left, right], or one of valid, same, full (at most \(OutputSize.maxExtent) cells)"
            : "an int ≥ 0, [ph, pw], [top, bottom, left, right], or one of valid, same, full (at most \(OutputSize.maxExtent) cells)"
        if let items = node.items() {
            let ints = try items.map { (n: SpecNode) throws(SpecError) -> Int in try n.int(expected: valid) }
            for (i, v) in ints.enumerated() where v < 0 || v > OutputSize.maxExtent {
                throw items[i].error(SpecBuilder.outOfRange("padding", v, 0), valid: valid)
            }
            switch (ints.count, oneD) {
            case (2, true): return .explicit(Padding(top: 0, bottom: 0, left: ints[0], right: ints[1]))
            case (2, false): return .explicit(Padding(ints[0], ints[1]))
            case (4, _): return .explicit(Padding(top: ints[0], bottom: ints[1], left: ints[2], right: ints[3]))
            default: throw node.error("has \(ints.count) values", valid: valid)
            }
        }
        let text = try node.scalarText(expected: valid)
        switch text {
        case "valid": return .valid
        case "same": return .same
        case "full": return .full
        default: break
        }
        guard let v = try? node.int(expected: valid) else {
            let hint = OpCatalog.didYouMean(text, among: ["valid", "same", "full"])
            throw node.error("'\(text)' is not a padding" + (hint.isEmpty ? "" : "; \(hint)"), valid: valid)
        }
        guard v >= 0, v <= OutputSize.maxExtent else { throw node.error(SpecBuilder.outOfRange("padding", v, 0), valid: valid) }
        return .explicit(oneD ? Padding(top: 0, bottom: 0, left: v, right: v) : Padding(v))
    }

    /// n + a + b, refusing overflow as "too large".
    func add(_ n: Int, _ a: Int, _ b: Int, at node: SpecNode) throws(SpecError) -> Int {
        let (s1, o1) = n.addingReportingOverflow(a)
        let (s2, o2) = s1.addingReportingOverflow(b)
        guard !o1, !o2 else {
            throw node.error("the padded input would be too large to count", valid: "a padding that fits in memory")
        }
        return s2
    }

    /// The dilated kernel extent d·(F−1)+1, refusing overflow.
    func extent(_ f: Int, _ d: Int, at node: SpecNode) throws(SpecError) -> Int {
        let (e, o) = d.multipliedReportingOverflow(by: f - 1)
        guard !o, e < Int.max else { throw node.error("the dilated kernel would be too large", valid: "a smaller dilation") }
        return e + 1
    }

    /// Drops the leading "op: " of an engine message (the key path already says where).
    static func strip(_ message: String) -> String {
        for prefix in ["padding: ", "conv2d: ", "max_pool2d: ", "avg_pool2d: "] where message.hasPrefix(prefix) {
            return String(message.dropFirst(prefix.count))
        }
        return message
    }
}
