// JSONText — JSONParser: JSON text → JSONValue, keeping object key order and exact doubles.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON syntax error with the line and column (1-based) where it was found.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
    /// Parses JSON text. Numbers are converted with correct rounding (`strtod`), so every double
    /// written by `serialized()` reads back with the same bits.
    /// - Throws: `JSONParseError` naming line and column.
    public init(parsing text: String) throws {
        var copy = text
        self = try copy.withUTF8 { try JSONValue(parsingUTF8: $0) }
    }

    /// Parses JSON from UTF-8 bytes.
    public init(parsingUTF8 bytes: UnsafeBufferPointer<UInt8>) throws {
        var parser = JSONParser(bytes)
        self = try parser.parseDocument()
    }

    /// Parses JSON from an array of UTF-8 bytes.
    public init(parsingUTF8 bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBufferPointer { try JSONValue(parsingUTF8: $0) }
    }
}

/// A recursive-descent JSON parser over a byte buffer (RFC 8259; depth limited to 512).
///
/// `package`: Tracing's JSON Lines decoder reads event numbers with `parseNumber()` (inlined there).
package struct JSONParser {
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next unread byte.
    package var i = 0
    @usableFromInline var depth = 0
    /// A member value of the top-level object parsed elsewhere (`JSONValue(parsingUTF8:concurrentlyAbove:)`):
    /// skipped here, a `.null` put in its place, at `deferredPair` of the top-level object's pairs.
    var deferred: Range<Int>?
    private(set) var deferredPair: Int?

    @inlinable
    package init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func parseDocument() throws -> JSONValue {
        skipSpace()
        if i == bytes.count { throw error("empty document; expected a JSON value") }
        let value = try parseValue()
        skipSpace()
        if i < bytes.count { throw error("unexpected \(describe(bytes[i])) after the JSON value") }
        return value
    }

    @usableFromInline
    func error(_ message: String) -> JSONParseError {
        var line = 1, column = 1
        for k in 0..<min(i, bytes.count) {
            if bytes[k] == 10 { line += 1; column = 1 } else if bytes[k] & 0xC0 != 0x80 { column += 1 }
        }
        return JSONParseError(line: line, column: column, message: message)
    }

    func describe(_ byte: UInt8) -> String {
        byte >= 32 && byte < 127 ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 10 || bytes[i] == 13 || bytes[i] == 9 { i += 1 }
    }

    mutating func expectWord(_ word: String, _ value: JSONValue) throws -> JSONValue {
        for b in word.utf8 {
            guard i < bytes.count, bytes[i] == b else { throw error("invalid literal; expected '\(word)'") }
            i += 1
        }
        return value
    }

    mutating func parseValue() throws -> JSONValue {
        guard i < bytes.count else { throw error("unexpected end of input; expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expectWord("true", .bool(true))
        case UInt8(ascii: "f"): return try expectWord("false", .bool(false))
        case UInt8(ascii: "n"): return try expectWord("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected \(describe(bytes[i])); expected a value")
        }
    }

    mutating func enter() throws {
        depth += 1
        if depth > 512 { throw error("nesting deeper than 512 levels") }
    }

    mutating func parseObject() throws -> JSONValue {
        try enter(); defer { depth -= 1 }
        i += 1
        var pairs: [(String, JSONValue)] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
        while true {
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of input inside an object") }
            guard bytes[i] == UInt8(ascii: "\"") else { throw error("unexpected \(describe(bytes[i])); expected a key string") }
            let keyStart = i
            let key = try parseString()
            if pairs.contains(where: { $0.0 == key }) {
                i = keyStart
                throw error("duplicate key \"\(key)\"")
            }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
            i += 1
            skipSpace()
            if depth == 1, let deferred, i == deferred.lowerBound {
                deferredPair = pairs.count
                pairs.append((key, .null))
                i = deferred.upperBound
            } else {
                pairs.append((key, try parseValue()))
            }
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of input inside an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
            throw error("unexpected \(describe(bytes[i])); expected ',' or '}'")
        }
    }

    mutating func parseArray() throws -> JSONValue {
        try enter(); defer { depth -= 1 }
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipSpace()
            // Numbers directly: most of a header's arrays are weights.
            if i < bytes.count, bytes[i] &- 48 < 10 || bytes[i] == UInt8(ascii: "-") {
                items.append(.number(try parseNumber()))
            } else {
                items.append(try parseValue())
            }
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of input inside an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw error("unexpected \(describe(bytes[i])); expected ',' or ']'")
        }
    }

    mutating func parseHex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    mutating func parseString() throws -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != 34, bytes[i] != 92, bytes[i] >= 32 { i += 1 }
        if i < bytes.count, bytes[i] == 34 {
            let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            i += 1
            return s
        }
        var out: [UInt8] = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw error("unterminated string") }
            let c = bytes[i]
            if c == 34 { i += 1; break }
            if c < 32 { throw error("control character in a string (escape it)") }
            if c != 92 { out.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw error("unterminated escape") }
            let e = bytes[i]; i += 1
            switch e {
            case 34: out.append(34)
            case 92: out.append(92)
            case 47: out.append(47)
            case 98: out.append(8)
            case 102: out.append(12)
            case 110: out.append(10)
            case 114: out.append(13)
            case 116: out.append(9)
            case 117:
                var scalar = try parseHex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard i + 6 <= bytes.count, bytes[i] == 92, bytes[i + 1] == 117 else { throw error("unpaired surrogate in \\u escape") }
                    i += 2
                    let low = try parseHex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("invalid low surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                i -= 1
                throw error("invalid escape \\\(describe(e))")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads one number: checks JSON's number grammar and converts it in the same pass.
    ///
    /// Fast path (Clinger): a decimal mantissa of at most 2⁵³ (so exact as a double) and a decimal
    /// exponent within ±22 (so an exact power of ten) make one IEEE multiplication or division, which
    /// rounds correctly. Everything else goes to the C library's correctly rounded `strtod`. One pass,
    /// no table, the position in a local: a trace header is mostly one- and two-digit numbers
    /// (LeNet-5's: 125 000 of them), and scanning then converting cost half of reading it.
    @inlinable
    package mutating func parseNumber() throws -> Double {
        let start = i
        let n = bytes.count
        var j = i
        let negative = bytes[j] == UInt8(ascii: "-")
        if negative { j += 1 }
        var mantissa: UInt64 = 0
        var exponent = 0
        let intStart = j
        while j < n, bytes[j] &- 48 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(bytes[j] &- 48)
            j += 1
        }
        var digits = j - intStart
        if digits == 0 { i = j; throw error("invalid number: expected a digit") }
        if digits > 1 && bytes[intStart] == 48 { i = intStart; throw error("invalid number: leading zero") }
        if j < n, bytes[j] == UInt8(ascii: ".") {
            j += 1
            let fracStart = j
            while j < n, bytes[j] &- 48 < 10 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[j] &- 48)
                j += 1
            }
            if j == fracStart { i = j; throw error("invalid number: expected a digit after '.'") }
            exponent = fracStart - j
            digits += j - fracStart
        }
        if j < n, bytes[j] | 0x20 == UInt8(ascii: "e") {
            j += 1
            var negativeExponent = false
            if j < n, bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") {
                negativeExponent = bytes[j] == UInt8(ascii: "-")
                j += 1
            }
            let expStart = j
            var value = 0
            while j < n, bytes[j] &- 48 < 10 {
                if value < 100_000 { value = value &* 10 &+ Int(bytes[j] &- 48) }  // past that, strtod decides
                j += 1
            }
            if j == expStart { i = j; throw error("invalid number: expected a digit in the exponent") }
            exponent &+= negativeExponent ? -value : value
        }
        i = j
        // 19 digits cannot wrap the 64-bit mantissa; 2^53 and below convert exactly.
        if digits <= 19 && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var scale = 1.0  // 10^|exponent|, exact: every power of ten up to 10^22 is a double
            for _ in 0..<(exponent < 0 ? -exponent : exponent) { scale *= 10 }
            let value = exponent < 0 ? Double(mantissa) / scale : Double(mantissa) * scale
            return negative ? -value : value
        }
        return Self.convertWithStrtod(UnsafeBufferPointer(rebasing: bytes[start..<i]))
    }

    /// The C library's correctly rounded conversion of validated number text (kept out of
    /// `parseNumber`, whose common case then needs no stack buffer).
    @usableFromInline @inline(never)
    static func convertWithStrtod(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buf in
            for k in 0..<text.count { buf[k] = CChar(bitPattern: text[k]) }
            buf[text.count] = 0
            return buf.baseAddress.map { strtod($0, nil) } ?? .nan
        }
    }
}
