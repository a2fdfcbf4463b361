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
        let buffer = JSONTextBuffer()
        write(to: buffer, pretty: pretty, indent: 0)
        return buffer.bytes()
    }

    private var isScalar: Bool {
        switch self {
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        default: return true
        }
    }

    private func write(to out: JSONTextBuffer, pretty: Bool, indent: Int) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .number(let d): out.appendDouble(d)
        case .string(let s): JSONValue.appendQuoted(s, to: out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            let oneLine = !pretty || items.allSatisfy(\.isScalar)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")); if pretty && oneLine { out.append(32) } }
                if !oneLine { JSONValue.newline(out, indent + 1) }
                item.write(to: out, pretty: pretty, indent: indent + 1)
            }
            if !oneLine && !items.isEmpty { JSONValue.newline(out, indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { JSONValue.newline(out, indent + 1) }
                JSONValue.appendQuoted(key, to: out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(32) }
                value.write(to: out, pretty: pretty, indent: indent + 1)
            }
            if pretty && !pairs.isEmpty { JSONValue.newline(out, indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: JSONTextBuffer, _ indent: Int) {
        out.append(10)
        for _ in 0..<(2 * indent) { out.append(32) }
    }

    /// Appends `s` as a JSON string literal (quotes, backslash and control characters escaped).
    static func appendQuoted(_ s: String, to out: JSONTextBuffer) {
        let hex: StaticString = "0123456789abcdef"
        out.append(34)
        for byte in s.utf8 {
            switch byte {
            case 34: out.append(92); out.append(34)
            case 92: out.append(92); out.append(92)
            case 10: out.append(92); out.append(110)
            case 13: out.append(92); out.append(114)
            case 9: out.append(92); out.append(116)
            case 8: out.append(92); out.append(98)
            case 12: out.append(92); out.append(102)
            case 0..<32:
                out.append("\\u00")
                out.append(hex.utf8Start[Int(byte >> 4)]); out.append(hex.utf8Start[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(34)
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { serialized() }
}
