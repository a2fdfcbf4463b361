// JSONText — NumberText: the one way convtrace writes numbers as text (JSON Lines, headers, CLI JSON).

/// Formats integers and doubles as JSON number text into raw byte buffers, without allocating.
///
/// Doubles whose value is an integer below 2^53 in magnitude are written as integers (`3`, `-0`);
/// every other finite double is written with Swift's shortest round-trip description (`0.1`,
/// `1e-300`, `123456789.123`), so parsing the text gives back the same bits. Non-finite values are
/// not numbers in JSON; callers write them as the strings "NaN", "Infinity", "-Infinity".
///
/// This is the machine rule (exact, for JSON and JSON Lines, documented in docs/trace-format.md); text
/// for people (figures, terminal, Markdown) is written by Storyboard's `ValueFormat`.
///
/// `package` and `@inlinable`: the JSON Lines encoder in Tracing writes every event through these,
/// and they must inline there as they did when they lived in the same module.
package enum NumberText {
    /// The longest text `writeDouble` produces (e.g. `-2.2250738585072014e-308` is 24 bytes).
    package static let maxDoubleLength = 32
    /// The longest text `writeInt` produces (`-9223372036854775808` is 20 bytes).
    package static let maxIntLength = 20

    /// Writes `value` in decimal at `p`; returns the number of bytes written (at most 20).
    @inlinable @inline(__always)
    package static func writeInt(_ value: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if value >= 0 && value < 10 { p[0] = 48 &+ UInt8(truncatingIfNeeded: value); return 1 }
        if value >= 10 && value < 100 {  // indices are mostly small
            let v = UInt8(truncatingIfNeeded: value)
            p[0] = 48 &+ v / 10; p[1] = 48 &+ v % 10
            return 2
        }
        var n = 0
        var magnitude = value.magnitude
        if value < 0 { p[0] = 45; n = 1 }  // '-'
        var count = 1, bound: UInt = 10
        while count < 20 && magnitude >= bound { count += 1; bound = bound &* 10 }
        var end = n + count
        while magnitude >= 100 {  // two digits per division
            let pair = magnitude % 100
            magnitude /= 100
            end -= 2
            p[end] = 48 &+ UInt8(truncatingIfNeeded: pair / 10)
            p[end + 1] = 48 &+ UInt8(truncatingIfNeeded: pair % 10)
        }
        if magnitude >= 10 {
            p[end - 2] = 48 &+ UInt8(truncatingIfNeeded: magnitude / 10)
            p[end - 1] = 48 &+ UInt8(truncatingIfNeeded: magnitude % 10)
        } else {
            p[end - 1] = 48 &+ UInt8(truncatingIfNeeded: magnitude)
        }
        return n + count
    }

    /// Writes finite `value` at `p` (see the type's rules); returns the number of bytes (at most 32).
    /// - Precondition: `value.isFinite`.
    @inlinable @inline(__always)
    package static func writeDouble(_ value: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if value.rounded(.towardZero) == value && value.magnitude < 9_007_199_254_740_992 {
            if value == 0 {
                if value.sign == .minus { p[0] = 45; p[1] = 48; return 2 }  // "-0" keeps the sign
                p[0] = 48; return 1
            }
            return writeInt(Int(value), to: p)
        }
        let short = writeShortDecimal(value, to: p)
        if short > 0 { return short }
        var stream = PointerStream(base: p)
        value.write(to: &stream)
        return stream.count
    }

    /// Writes a non-integer `value` with at most six digits after the point and 1e-4 ≤ |value| < 1e15
    /// (`0.05`, `-12.375`) at `p` and returns the byte count; returns 0, writing nothing, for any other value.
    ///
    /// The text is the standard library's for these values (they print without an exponent): the
    /// shortest decimal that reads back as `value`. The smallest k with round(|value|·10^k) / 10^k == |value|
    /// gives it: that division is the correctly rounded value of the k-place decimal, i.e. what parsing
    /// it returns; no decimal with fewer places reads back as `value` (a smaller k failed), and at this k
    /// the integer is the only one within reach (it is below 1e15, where neighbouring k-place decimals
    /// are many ulps apart). Written by hand because the general algorithm was most of the 6–9 ms that
    /// LeNet-5's 0.7 MB trace header took to serialize, and a lesson's weights and a trace header are
    /// mostly such short decimals (tested against the standard library in JSONValueTests).
    @inlinable @inline(__always)
    package static func writeShortDecimal(_ value: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let magnitude = value.magnitude
        guard magnitude >= 1e-4 && magnitude < 1e15 else { return 0 }
        // One test rejects most other values (a trace's products and sums): a decimal of k ≤ 6 places is
        // also one of 6 places (the same number), so if six places do not read back, none fewer will.
        if magnitude < 1e9 {
            let product = magnitude * 1e6
            if Double(UInt64(product + 0.5)) / 1e6 != magnitude { return 0 }
        }
        var places = 1, scale = 10.0, digits: UInt64 = 0
        while true {
            // The nearest integer without libm's `round` (a call on baseline x86-64): a tie may pick
            // either neighbour, and the check below rejects a wrong pick.
            let product = magnitude * scale
            if product >= 1e15 { return 0 }
            digits = UInt64(product + 0.5)
            if Double(digits) / scale == magnitude { break }
            if places == 6 { return 0 }
            places += 1; scale *= 10
        }
        var n = 0
        if value < 0 { p[0] = 45; n = 1 }  // '-'
        // The integer part, then the point, then exactly `places` digits (leading zeros kept).
        var powerOfTen: UInt64 = 1
        for _ in 0..<places { powerOfTen &*= 10 }
        let integerPart = digits / powerOfTen
        digits -= integerPart &* powerOfTen
        n += writeInt(Int(integerPart), to: p + n)
        p[n] = 46  // '.'
        var end = n + places
        for _ in 0..<places {
            p[end] = 48 &+ UInt8(truncatingIfNeeded: digits % 10)
            digits /= 10
            end -= 1
        }
        return n + 1 + places
    }
}

/// Copies a few bytes without calling `memmove` (which dominates for the 2–30-byte pieces of an event line).
@inlinable @inline(__always)
package func copySmall(_ destination: UnsafeMutablePointer<UInt8>, _ source: UnsafePointer<UInt8>, _ count: Int) {
    let d = UnsafeMutableRawPointer(destination), s = UnsafeRawPointer(source)
    var k = 0
    while k + 8 <= count {
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: k, as: UInt64.self), toByteOffset: k, as: UInt64.self)
        k += 8
    }
    if count - k >= 4 {
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: k, as: UInt32.self), toByteOffset: k, as: UInt32.self)
        k += 4
    }
    if count - k >= 2 {
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: k, as: UInt16.self), toByteOffset: k, as: UInt16.self)
        k += 2
    }
    if count - k >= 1 { destination[k] = source[k] }
}

/// Receives the ASCII digits the standard library produces for a `Double` and copies them to a pointer.
@usableFromInline
struct PointerStream: TextOutputStream {
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    @usableFromInline var count = 0
    @inlinable init(base: UnsafeMutablePointer<UInt8>) { self.base = base }
    @inlinable mutating func write(_ string: String) {
        for byte in string.utf8 { base[count] = byte; count += 1 }
    }
    // The standard library writes floating-point text through this hook without building a String.
    @inlinable mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard let source = buffer.baseAddress else { return }
        copySmall(base + count, source, buffer.count)
        count += buffer.count
    }
}
