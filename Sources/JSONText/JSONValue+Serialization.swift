// JSONText — JSONValue serialization: deterministic compact and pretty JSON text.

extension JSONValue {
    /// JSON text: compact (`{"a":1,"b":[1,2]}`) or pretty (two-space indent; arrays of scalars on one line).
    ///
    /// Deterministic: object keys in insertion order, numbers as `NumberText` writes them, non-finite
    /// numbers as the strings "NaN", "Infinity", "-Infinity". No trailing newline.
    public func serialized(pretty: Bool = false) -> String {
        String(decoding: serializedBytes(pretty: pretty), as: UTF8.self)
    }

    /// The UTF-8 bytes of `serialized(pretty:)`.
    public func serializedBytes(pretty: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        write(to: &bytes, pretty: pretty, indent: 0)
        return bytes
    }

    private var isScalar: Bool {
        switch self {
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        default: return true
        }
    }

    private func write(to bytes: inout [UInt8], pretty: Bool, indent: Int) {
        switch self {
        case .null: bytes.append(contentsOf: [110, 117, 108, 108])
        case .bool(let b): bytes.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .number(let d): NumberText.appendDouble(d, to: &bytes)
        case .string(let s): JSONValue.appendQuoted(s, to: &bytes)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            let oneLine = !pretty || items.allSatisfy(\.isScalar)
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")); if pretty && oneLine { bytes.append(32) } }
                if !oneLine { JSONValue.newline(&bytes, indent + 1) }
                item.write(to: &bytes, pretty: pretty, indent: indent + 1)
            }
            if !oneLine && !items.isEmpty { JSONValue.newline(&bytes, indent) }
            bytes.append(UInt8(ascii: "]"))
        case .object(let pairs):
            bytes.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                if pretty { JSONValue.newline(&bytes, indent + 1) }
                JSONValue.appendQuoted(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                if pretty { bytes.append(32) }
                value.write(to: &bytes, pretty: pretty, indent: indent + 1)
            }
            if pretty && !pairs.isEmpty { JSONValue.newline(&bytes, indent) }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ bytes: inout [UInt8], _ indent: Int) {
        bytes.append(10)
        bytes.append(contentsOf: repeatElement(32, count: 2 * indent))
    }

    /// Appends `s` as a JSON string literal (quotes, backslash and control characters escaped).
    static func appendQuoted(_ s: String, to bytes: inout [UInt8]) {
        bytes.append(34)
        for byte in s.utf8 {
            switch byte {
            case 34: bytes.append(contentsOf: [92, 34])
            case 92: bytes.append(contentsOf: [92, 92])
            case 10: bytes.append(contentsOf: [92, 110])
            case 13: bytes.append(contentsOf: [92, 114])
            case 9: bytes.append(contentsOf: [92, 116])
            case 8: bytes.append(contentsOf: [92, 98])
            case 12: bytes.append(contentsOf: [92, 102])
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(34)
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { serialized() }
}
