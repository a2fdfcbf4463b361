// Tracing — TraceHeader's hand-written JSON form: readable keys, lossless for the network and tensors.
import Engine
import JSONText

extension TraceHeader {
    /// The header as JSON with keys in a fixed order (deterministic output).
    public func toJSON() -> JSONValue {
        var layers: [JSONValue] = []
        for (index, layer) in network.layers.enumerated() {
            var o = HeaderCoding.layerJSON(layer)
            let shape = index < layerShapes.count ? layerShapes[index] : nil
            o.append(("input_shape", shape.map { HeaderCoding.ints($0.input) } ?? .null))
            o.append(("output_shape", shape.map { HeaderCoding.ints($0.output) } ?? .null))
            layers.append(.object(o))
        }
        var loss: JSONValue = .null
        if let l = network.loss {
            var o = HeaderCoding.lossJSON(l)
            o.append(("input_shape", lossInputShape.map(HeaderCoding.ints) ?? .null))
            loss = .object(o)
        }
        return .object([
            ("format", .string(TraceHeader.formatName)),
            ("schema_version", .int(TraceHeader.schemaVersion)),
            ("spec", spec),
            ("input", HeaderCoding.tensorJSON(input)),
            ("grad_output", gradOutput.map(HeaderCoding.tensorJSON) ?? .null),
            ("layers", .array(layers)),
            ("loss", loss),
        ])
    }

    /// Rebuilds a header from its JSON form.
    /// - Throws: `TraceError` naming the key (`layers[2].stride: …`), or the unsupported schema version.
    public init(json: JSONValue) throws {
        guard case .object = json else { throw TraceError(message: "the header is a \(json.typeName), expected an object") }
        guard json["format"]?.stringValue == TraceHeader.formatName else {
            throw TraceError(message: "not a convtrace trace: the header's \"format\" is \(json["format"].map { $0.description } ?? "missing"), expected \"\(TraceHeader.formatName)\"")
        }
        guard let version = json["schema_version"]?.intValue else {
            throw TraceError(message: "the header has no integer \"schema_version\"")
        }
        guard version == TraceHeader.schemaVersion else {
            throw TraceError(message: "schema version \(version) is not supported; this convtrace reads version \(TraceHeader.schemaVersion)")
        }
        let c = HeaderCoding(path: "")
        let input = try c.tensor(json["input"], "input")
        let gradOutput = try c.optionalTensor(json["grad_output"], "grad_output")
        guard let layerArray = json["layers"]?.arrayValue else { throw c.error("layers", "missing or not an array") }
        var layers: [Layer] = []
        var shapes: [LayerShape?] = []
        for (i, item) in layerArray.enumerated() {
            let key = "layers[\(i)]"
            layers.append(try c.layer(item, key))
            let inShape = try c.optionalInts(item["input_shape"], key + ".input_shape")
            let outShape = try c.optionalInts(item["output_shape"], key + ".output_shape")
            if let inShape, let outShape { shapes.append(LayerShape(input: inShape, output: outShape)) } else { shapes.append(nil) }
        }
        var loss: Loss? = nil
        var lossShape: [Int]? = nil
        if let l = json["loss"], !l.isNull {
            loss = try c.loss(l, "loss")
            lossShape = try c.optionalInts(l["input_shape"], "loss.input_shape")
        }
        self.init(spec: json["spec"] ?? .null, network: Network(layers: layers, loss: loss), input: input,
                  gradOutput: gradOutput, layerShapes: shapes, lossInputShape: lossShape)
    }
}

/// Encoding and decoding of layers, losses and tensors in the header.
struct HeaderCoding {
    var path: String

    // MARK: writing

    static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .int($0) }) }
    static func pair(_ p: Pair) -> JSONValue { ints([p.y, p.x]) }
    static func tensorJSON(_ t: Tensor) -> JSONValue {
        .object([("shape", ints(t.shape)), ("data", .array(t.data.map { .number($0) }))])
    }
    static func optionalTensorJSON(_ t: Tensor?) -> JSONValue { t.map(tensorJSON) ?? .null }

    static func layerJSON(_ layer: Layer) -> [(String, JSONValue)] {
        var o: [(String, JSONValue)] = [("op", .string(layer.opName))]
        switch layer {
        case .conv2d(let p, let kernel, let bias):
            o += [("stride", pair(p.stride)),
                  ("padding", ints([p.padding.top, p.padding.bottom, p.padding.left, p.padding.right])),
                  ("padding_mode", .string(p.paddingMode.rawValue)),
                  ("dilation", pair(p.dilation)),
                  ("flip", .bool(p.flip)),
                  ("kernel_size", kernel.rank == 4 ? ints([kernel.shape[2], kernel.shape[3]]) : .null),
                  ("kernel", tensorJSON(kernel)),
                  ("bias", optionalTensorJSON(bias))]
        case .convTranspose2d(let p, let weight, let bias):
            o += [("stride", pair(p.stride)),
                  ("padding", pair(p.padding)),
                  ("output_padding", pair(p.outputPadding)),
                  ("dilation", pair(p.dilation)),
                  ("kernel_size", weight.rank == 4 ? ints([weight.shape[2], weight.shape[3]]) : .null),
                  ("weight", tensorJSON(weight)),
                  ("bias", optionalTensorJSON(bias))]
        case .maxPool2d(let p), .avgPool2d(let p):
            o += [("kernel_size", pair(p.kernelSize)),
                  ("stride", pair(p.stride)),
                  ("padding", pair(p.padding)),
                  ("ceil_mode", .bool(p.ceilMode)),
                  ("count_include_pad", .bool(p.countIncludePad))]
        case .leakyRelu(let slope):
            o.append(("slope", .number(slope)))
        case .linear(let weight, let bias):
            o += [("weight", tensorJSON(weight)), ("bias", optionalTensorJSON(bias))]
        case .globalMaxPool, .globalAvgPool, .relu, .sigmoid, .tanh, .softmax, .flatten:
            break
        }
        return o
    }

    static func lossJSON(_ loss: Loss) -> [(String, JSONValue)] {
        switch loss {
        case .mse(let target):
            return [("op", .string("mse")), ("target", tensorJSON(target))]
        case .softmaxCrossEntropy(let target):
            return [("op", .string("softmax_cross_entropy")), ("target", ints(target))]
        case .bce(let target, let withLogits):
            return [("op", .string("bce")), ("with_logits", .bool(withLogits)), ("target", tensorJSON(target))]
        }
    }

    // MARK: reading

    func error(_ key: String, _ message: String) -> TraceError {
        TraceError(message: "header key \(key): \(message)")
    }

    func int(_ v: JSONValue?, _ key: String) throws -> Int {
        guard let v else { throw error(key, "missing") }
        guard let i = v.intValue else { throw error(key, "expected an integer, found \(v)") }
        return i
    }

    func bool(_ v: JSONValue?, _ key: String) throws -> Bool {
        guard let v else { throw error(key, "missing") }
        guard let b = v.boolValue else { throw error(key, "expected true or false, found \(v)") }
        return b
    }

    func ints(_ v: JSONValue?, _ key: String, count: Int? = nil) throws -> [Int] {
        guard let v else { throw error(key, "missing") }
        guard let a = v.arrayValue else { throw error(key, "expected an array of integers, found \(v.typeName)") }
        if let count, a.count != count { throw error(key, "expected \(count) integers, found \(a.count)") }
        return try a.enumerated().map { try int($1, "\(key)[\($0)]") }
    }

    func optionalInts(_ v: JSONValue?, _ key: String) throws -> [Int]? {
        guard let v, !v.isNull else { return nil }
        return try ints(v, key)
    }

    func pair(_ v: JSONValue?, _ key: String) throws -> Pair {
        let a = try ints(v, key, count: 2)
        return Pair(a[0], a[1])
    }

    func tensor(_ v: JSONValue?, _ key: String) throws -> Tensor {
        guard let v else { throw error(key, "missing") }
        guard case .object = v else { throw error(key, "expected a tensor {\"shape\": [...], \"data\": [...]}, found \(v.typeName)") }
        let shape = try ints(v["shape"], key + ".shape")
        if let bad = shape.firstIndex(where: { $0 < 0 }) { throw error("\(key).shape[\(bad)]", "negative extent \(shape[bad])") }
        guard let items = v["data"]?.arrayValue else { throw error(key + ".data", "missing or not an array") }
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            if overflow { throw error(key + ".shape", "\(shape) has too many elements") }
            count = product
        }
        guard items.count == count else {
            throw error(key + ".data", "has \(items.count) numbers but shape \(shape) needs \(count)")
        }
        var data: [Double] = []
        data.reserveCapacity(count)
        for (i, item) in items.enumerated() {
            guard let d = item.doubleValue else { throw error("\(key).data[\(i)]", "expected a number, found \(item)") }
            data.append(d)
        }
        return Tensor(shape: shape, data: data)
    }

    func optionalTensor(_ v: JSONValue?, _ key: String) throws -> Tensor? {
        guard let v, !v.isNull else { return nil }
        return try tensor(v, key)
    }

    static let layerOps = ["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "global_max_pool",
                           "global_avg_pool", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "linear", "flatten"]

    func layer(_ v: JSONValue, _ key: String) throws -> Layer {
        guard case .object = v else { throw error(key, "expected an object, found \(v.typeName)") }
        guard let op = v["op"]?.stringValue else { throw error(key + ".op", "missing or not a string") }
        switch op {
        case "conv2d":
            let p = try ints(v["padding"], key + ".padding", count: 4)
            guard let mode = v["padding_mode"]?.stringValue.flatMap(PaddingMode.init(rawValue:)) else {
                throw error(key + ".padding_mode", "expected one of zeros, reflect, replicate, circular")
            }
            let params = Conv2DParams(stride: try pair(v["stride"], key + ".stride"),
                                      padding: Padding(top: p[0], bottom: p[1], left: p[2], right: p[3]),
                                      paddingMode: mode, dilation: try pair(v["dilation"], key + ".dilation"),
                                      flip: try bool(v["flip"], key + ".flip"))
            return .conv2d(params, kernel: try tensor(v["kernel"], key + ".kernel"),
                           bias: try optionalTensor(v["bias"], key + ".bias"))
        case "conv_transpose2d":
            let params = ConvTranspose2DParams(stride: try pair(v["stride"], key + ".stride"),
                                               padding: try pair(v["padding"], key + ".padding"),
                                               outputPadding: try pair(v["output_padding"], key + ".output_padding"),
                                               dilation: try pair(v["dilation"], key + ".dilation"))
            return .convTranspose2d(params, weight: try tensor(v["weight"], key + ".weight"),
                                    bias: try optionalTensor(v["bias"], key + ".bias"))
        case "max_pool2d", "avg_pool2d":
            let params = Pool2DParams(kernelSize: try pair(v["kernel_size"], key + ".kernel_size"),
                                      stride: try pair(v["stride"], key + ".stride"),
                                      padding: try pair(v["padding"], key + ".padding"),
                                      ceilMode: try bool(v["ceil_mode"], key + ".ceil_mode"),
                                      countIncludePad: try bool(v["count_include_pad"], key + ".count_include_pad"))
            return op == "max_pool2d" ? .maxPool2d(params) : .avgPool2d(params)
        case "global_max_pool": return .globalMaxPool
        case "global_avg_pool": return .globalAvgPool
        case "relu": return .relu
        case "leaky_relu":
            guard let slope = v["slope"]?.doubleValue else { throw error(key + ".slope", "missing or not a number") }
            return .leakyRelu(slope: slope)
        case "sigmoid": return .sigmoid
        case "tanh": return .tanh
        case "softmax": return .softmax
        case "linear":
            return .linear(weight: try tensor(v["weight"], key + ".weight"), bias: try optionalTensor(v["bias"], key + ".bias"))
        case "flatten": return .flatten
        default:
            throw error(key + ".op", "unknown op \"\(op)\"; valid: \(HeaderCoding.layerOps.joined(separator: ", "))")
        }
    }

    func loss(_ v: JSONValue, _ key: String) throws -> Loss {
        guard case .object = v else { throw error(key, "expected an object, found \(v.typeName)") }
        switch v["op"]?.stringValue {
        case "mse": return .mse(target: try tensor(v["target"], key + ".target"))
        case "softmax_cross_entropy": return .softmaxCrossEntropy(target: try ints(v["target"], key + ".target"))
        case "bce", "bce_with_logits":
            let withLogits = try v["with_logits"].map { try bool($0, key + ".with_logits") } ?? (v["op"]?.stringValue == "bce_with_logits")
            return .bce(target: try tensor(v["target"], key + ".target"), withLogits: withLogits)
        default:
            throw error(key + ".op", "expected mse, softmax_cross_entropy or bce, found \(v["op"]?.description ?? "nothing")")
        }
    }
}
