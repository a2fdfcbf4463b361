// Storyboard — ValueFormat: the one way numbers are written for people (figures, terminal, Markdown).
import Foundation

/// Writes numbers for people, by one rule:
///
/// - an integral value below 10^15 in magnitude is written as an integer (`3`, `-2`; `-0` as `0`);
/// - NaN and infinities are written `nan`, `inf`, `-inf`;
/// - any other value is rounded as printf rounds it to the requested digits, then trailing zeros and
///   a bare `.` are removed and `-0` is written `0`. The digits are decimal places (`%.<digits>f`:
///   `format`, `text`) where values line up in a grid — frames and the terminal — or significant
///   digits (`%.<digits>g`, so very small or large values keep an exponent: `1.5e-07`) in prose —
///   Markdown lessons, verify messages.
///
/// Machine-readable output does not use this: JSON (`eval`, `stats`, trace files) writes every number
/// exactly, in its shortest round-trip form (JSONText's `NumberText`).
public struct ValueFormat: Equatable, Hashable, Sendable {
    /// Decimal places for non-integers (0…12).
    public var digits: Int
    public init(digits: Int = 2) { self.digits = max(0, min(12, digits)) }

    /// The text for `value`.
    public func text(_ value: Double) -> String { ValueFormat.format(value, digits: digits) }

    /// Shortest exact text for small integers, else `digits` decimals; used in notes.
    public static func plain(_ value: Double) -> String { format(value, digits: 4) }

    /// The text of integral and non-finite values (see the type's rule), nil for any other value.
    @inline(__always)
    private static func integerText(_ value: Double) -> String? {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return nil
    }

    /// `value` with `digits` decimal places (see the type's rule).
    ///
    /// The text is exactly what `String(format: "%.<digits>f")` gives with the trailing zeros (and a
    /// bare ".") removed: values below 10^15 after scaling are rounded here with integer arithmetic
    /// (a frame formats thousands of cells, and `String(format:)` costs about a microsecond each);
    /// larger ones go to `String(format:)`.
    public static func format(_ value: Double, digits: Int) -> String {
        if let s = integerText(value) { return s }
        if let s = fastDecimal(value, digits: digits) { return s }
        return trimmed(String(format: "%.\(digits)f", value))
    }

    /// `value` with at most `digits` significant digits (see the type's rule): `17`, `-0.5`,
    /// `0.09003057`, `1.5e-07`.
    public static func significant(_ value: Double, digits: Int) -> String {
        if let s = integerText(value) { return s }
        let s = String(format: "%.\(digits)g", value)
        return s.contains("e") ? s : trimmed(s)
    }

    /// printf text with the trailing zeros and a bare "." of its fraction removed, "-0" as "0".
    private static func trimmed(_ printed: String) -> String {
        var s = printed
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    /// 10^d for d in 0…12, exact in a Double.
    private static let powersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
                                                100_000_000, 1_000_000_000, 10_000_000_000, 100_000_000_000,
                                                1_000_000_000_000]

    /// `value` rounded to `digits` decimals as `%.<digits>f` rounds it (to nearest), trailing zeros
    /// removed; nil for values too large to scale exactly (|value|·10^digits ≥ 10^15).
    ///
    /// p = |value|·10^digits is computed in floating point; the exact product differs from p by at
    /// most half an ulp of p, while a fractional part of p other than ½ is at least an ulp away from
    /// ½ (both are multiples of p's ulp below 2^52), so the exact product rounds as p does; a
    /// fraction of exactly ½ is decided by the product's exact rounding error.
    private static func fastDecimal(_ value: Double, digits: Int) -> String? {
        guard digits >= 0, digits < powersOfTen.count else { return nil }
        let scaleInt = powersOfTen[digits]
        let p = abs(value) * Double(scaleInt)
        guard p < 1e15 else { return nil }
        let f = p.rounded(.down)
        let frac = p - f  // exact: f and p are within 1 of each other and p < 2^50
        let roundUp: Bool
        if frac != 0.5 {
            roundUp = frac > 0.5
        } else {
            // p's fraction is ½: the product's rounding error (exact through a fused multiply-add)
            // says on which side the exact value lies; an exact tie goes to even, as printf does.
            let err = (-p).addingProduct(abs(value), Double(scaleInt))
            roundUp = err > 0 || (err == 0 && UInt64(f) % 2 == 1)
        }
        let m = UInt64(f) + (roundUp ? 1 : 0)
        let intPart = m / scaleInt
        var fracPart = m % scaleInt
        var fracDigits = digits
        while fracDigits > 0 && fracPart % 10 == 0 { fracPart /= 10; fracDigits -= 1 }
        if intPart == 0 && fracDigits == 0 { return "0" }  // also "-0" → "0"

        var bytes: [UInt8] = []
        bytes.reserveCapacity(40)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(intPart, minimumCount: 1, to: &bytes)
        if fracDigits > 0 {
            bytes.append(UInt8(ascii: "."))
            appendDigits(fracPart, minimumCount: fracDigits, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the decimal digits of `n`, left-padded with zeros to `minimumCount` digits.
    private static func appendDigits(_ n: UInt64, minimumCount: Int, to bytes: inout [UInt8]) {
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var x = n
        withUnsafeMutableBytes(of: &tmp) { buf in
            repeat {
                buf[count] = UInt8(ascii: "0") + UInt8(x % 10)
                x /= 10
                count += 1
            } while x > 0
            while count < minimumCount { buf[count] = UInt8(ascii: "0"); count += 1 }
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buf[i]) }
        }
    }
}
