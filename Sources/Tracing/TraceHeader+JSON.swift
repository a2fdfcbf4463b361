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

    /// A layer as the header writes it: `op`, then its descriptor's parameters in their order.
    static func layerJSON(_ layer: Layer) -> [(String, JSONValue)] {
        [("op", .string(layer.opName))] + layer.descriptor.parameters(layer).map { ($0, json($1)) }
    }

    /// A loss as the header writes it: `op` (`bce` also for bce with logits), then its parameters.
    static func lossJSON(_ loss: Loss) -> [(String, JSONValue)] {
        [("op", .string(loss.descriptor.name))] + loss.descriptor.parameters(loss).map { ($0, json($1)) }
    }

    /// One parameter value as JSON: pairs and int lists as arrays, tensors as `{"shape", "data"}`, none as null.
    static func json(_ value: ParameterValue) -> JSONValue {
        switch value {
        case .int(let v): .int(v)
        case .pair(let p): pair(p)
        case .ints(let v): ints(v)
        case .bool(let v): .bool(v)
        case .double(let v): .number(v)
        case .string(let v): .string(v)
        case .tensor(let t): tensorJSON(t)
        case .none: .null
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

    /// A reader over the parameters of the layer or loss object `v` at `key`, with this header's messages.
    func parameters(_ v: JSONValue, _ key: String) -> ParameterReader {
        ParameterReader(contains: { v[$0] != nil }, read: { name, kind in try value(v[name], key + "." + name, kind) })
    }

    /// The JSON value `v` at `key` as a parameter of `kind`, or a `TraceError` naming the key.
    func value(_ v: JSONValue?, _ key: String, _ kind: ParameterKind) throws -> ParameterValue {
        switch kind {
        case .int: return .int(try int(v, key))
        case .pair: return .pair(try pair(v, key))
        case .ints(let count): return .ints(try ints(v, key, count: count))
        case .bool: return .bool(try bool(v, key))
        case .double:
            guard let d = v?.doubleValue else { throw error(key, "missing or not a number") }
            return .double(d)
        case .name(let names):
            guard let name = v?.stringValue, names.contains(name) else {
                throw error(key, "expected one of " + names.joined(separator: ", "))
            }
            return .string(name)
        case .tensor: return .tensor(try tensor(v, key))
        case .optionalTensor: return try optionalTensor(v, key).map(ParameterValue.tensor) ?? .none
        }
    }

    func layer(_ v: JSONValue, _ key: String) throws -> Layer {
        guard case .object = v else { throw error(key, "expected an object, found \(v.typeName)") }
        guard let op = v["op"]?.stringValue else { throw error(key + ".op", "missing or not a string") }
        guard let descriptor = Ops.layer(named: op) else {
            throw error(key + ".op", "unknown op \"\(op)\"; valid: \(Ops.layers.map(\.name).joined(separator: ", "))")
        }
        return try descriptor.make(parameters(v, key))
    }

    func loss(_ v: JSONValue, _ key: String) throws -> Loss {
        guard case .object = v else { throw error(key, "expected an object, found \(v.typeName)") }
        let op = v["op"]?.stringValue
        // `bce_with_logits` is the name `Loss.opName` gives bce on raw scores; read it as bce with `with_logits: true`.
        guard let descriptor = Ops.loss(named: op == "bce_with_logits" ? "bce" : op ?? "") else {
            let names = Ops.losses.map(\.name)
            throw error(key + ".op", "expected \(names.dropLast().joined(separator: ", ")) or \(names.last ?? ""), found \(v["op"]?.description ?? "nothing")")
        }
        var reader = parameters(v, key)
        if op == "bce_with_logits", v["with_logits"] == nil {
            let plain = reader
            reader = ParameterReader(contains: { $0 == "with_logits" || plain.contains($0) },
                                     read: { name, kind in name == "with_logits" ? .bool(true) : try plain.read(name, kind) })
        }
        return try descriptor.make(reader)
    }
}
