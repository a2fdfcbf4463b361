// LessonBuilder — how numbers are written in messages, tables and equations (deterministic).
import Foundation

/// Number formatting shared by every generated text: integers as integers, reals rounded.
public enum NumberFormat {
    /// `value` as text: integral values without a decimal point, others with at most `digits`
    /// significant digits and no trailing zeros (`17`, `-0.5`, `0.09003057`).
    public static func text(_ value: Double, digits: Int = 10) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e15 {
            let i = Int(value)
            return i == 0 ? "0" : String(i)
        }
        var s = String(format: "%.\(digits)g", value)
        if s.contains("e") { return s }
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    /// A number as a LaTeX operand: negative numbers in parentheses.
    public static func latex(_ value: Double, digits: Int = 6) -> String {
        let t = text(value, digits: digits)
        return value < 0 ? "(\(t))" : t
    }
}
