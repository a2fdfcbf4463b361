// Storyboard — how numbers are written in frames: integers as integers, reals rounded to N digits.
import Foundation

/// Formats cell values: integers as integers ("3", "-2"), other values rounded to `digits`
/// decimal places with trailing zeros removed ("0.25", "1.333"), "-0" written as "0".
public struct ValueFormat: Equatable, Hashable, Sendable, Codable {
    /// Decimal places for non-integers (0…12).
    public var digits: Int
    public init(digits: Int = 2) { self.digits = max(0, min(12, digits)) }

    /// The text for `value`.
    public func text(_ value: Double) -> String { ValueFormat.format(value, digits: digits) }

    /// Shortest exact text for small integers, else `digits` decimals; used in notes.
    public static func plain(_ value: Double) -> String { format(value, digits: 4) }

    /// See the type's summary.
    public static func format(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == value.rounded(), abs(value) < 1e15 {
            let i = Int(value)
            return String(i)
        }
        var s = String(format: "%.\(digits)f", value)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s == "-0" { s = "0" }
        return s
    }
}
