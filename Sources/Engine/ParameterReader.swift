// Engine — typed access to an op's parameters, whatever format they come from (trace header, spec, a list).

/// Reads named op parameters of a given kind. The format behind it (a trace header's JSON, a spec's keys,
/// or a plain list of `ParameterValue`s) checks each value and throws its own located error, so the
/// descriptors that rebuild layers (`OpDescriptor.make`) stay free of any format.
public struct ParameterReader {
    /// Whether the parameter `key` is present.
    public let contains: (String) -> Bool
    /// The value of `key`, converted to `kind`; throws the format's own error when it is missing or wrong.
    public let read: (String, ParameterKind) throws -> ParameterValue

    public init(contains: @escaping (String) -> Bool, read: @escaping (String, ParameterKind) throws -> ParameterValue) {
        self.contains = contains; self.read = read
    }

    /// A reader over values already in hand (`OpDescriptor.parameters` output, or spec keys with defaults).
    /// - Throws: `EngineError` when a key is missing or holds another kind of value.
    public init(_ values: [(String, ParameterValue)]) {
        var table: [String: ParameterValue] = [:]
        for (key, value) in values { table[key] = value }
        self.contains = { table[$0] != nil }
        self.read = { key, kind in
            guard let value = table[key] else {
                if kind == .optionalTensor { return .none }
                throw EngineError("parameter \(key) is missing")
            }
            return value
        }
    }

    public func int(_ key: String) throws -> Int {
        if case .int(let v) = try read(key, .int) { return v }
        throw mismatch(key, "an integer")
    }

    public func pair(_ key: String) throws -> Pair {
        if case .pair(let v) = try read(key, .pair) { return v }
        throw mismatch(key, "a pair [y, x]")
    }

    public func ints(_ key: String, count: Int? = nil) throws -> [Int] {
        if case .ints(let v) = try read(key, .ints(count: count)), count == nil || v.count == count { return v }
        throw mismatch(key, count.map { "\($0) integers" } ?? "a list of integers")
    }

    public func bool(_ key: String) throws -> Bool {
        if case .bool(let v) = try read(key, .bool) { return v }
        throw mismatch(key, "true or false")
    }

    public func double(_ key: String) throws -> Double {
        switch try read(key, .double) {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: throw mismatch(key, "a number")
        }
    }

    /// One of `names`.
    public func name(_ key: String, oneOf names: [String]) throws -> String {
        if case .string(let v) = try read(key, .name(oneOf: names)), names.contains(v) { return v }
        throw mismatch(key, "one of " + names.joined(separator: ", "))
    }

    public func tensor(_ key: String) throws -> Tensor {
        if case .tensor(let v) = try read(key, .tensor) { return v }
        throw mismatch(key, "a tensor")
    }

    /// A tensor, or nil when the parameter is absent or `.none`.
    public func optionalTensor(_ key: String) throws -> Tensor? {
        switch try read(key, .optionalTensor) {
        case .tensor(let v): return v
        case .none: return nil
        default: throw mismatch(key, "a tensor or nothing")
        }
    }

    private func mismatch(_ key: String, _ expected: String) -> EngineError {
        EngineError("parameter \(key): expected \(expected)")
    }
}
