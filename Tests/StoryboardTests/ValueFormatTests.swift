// StoryboardTests — cell text: the integer-arithmetic formatter agrees with printf's rounding.
import Foundation
import Storyboard
import Testing

@Suite struct ValueFormatTests {
    /// The reference: `%.<digits>f` with trailing zeros and a bare "." removed, "-0" as "0" (what the
    /// formatter did before its fast path, and what it documents).
    static func printfText(_ value: Double, digits: Int) -> String {
        var s = String(format: "%.\(digits)f", value)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    @Test func handPickedValues() {
        #expect(ValueFormat.format(-3.5, digits: 2) == "-3.5")
        #expect(ValueFormat.format(17, digits: 2) == "17")
        #expect(ValueFormat.format(1.0 / 3.0, digits: 2) == "0.33")
        #expect(ValueFormat.format(2.0 / 3.0, digits: 3) == "0.667")
        #expect(ValueFormat.format(-0.001, digits: 2) == "0")
        // Exact binary ties go to even, as glibc's printf rounds them: 0.125 → 0.12, 0.375 → 0.38.
        #expect(ValueFormat.format(0.125, digits: 2) == "0.12")
        #expect(ValueFormat.format(0.375, digits: 2) == "0.38")
        // 2.675 is stored just below the tie (2.67499999…), so it rounds down.
        #expect(ValueFormat.format(2.675, digits: 2) == "2.67")
    }

    /// Ties k/2^n and their one-ulp neighbours, short decimals and seeded random values, at every digits
    /// setting the renderer allows, agree with printf byte for byte.
    @Test func agreesWithPrintf() {
        var values: [Double] = []
        for n in 1...12 {
            let scale = Double(1 << n)
            for k in stride(from: -40, through: 40, by: 1) {
                let v = Double(k) / scale
                values += [v, v.nextUp, v.nextDown]
            }
        }
        for k in -2_000...2_000 { values.append(Double(k) / 1_000) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<5_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit = Double(state >> 11) / Double(1 << 53)
            values.append((unit - 0.5) * 2_000)
        }
        var mismatches: [String] = []
        for v in values {
            for digits in 0...6 where ValueFormat.format(v, digits: digits) != Self.printfText(v, digits: digits) {
                mismatches.append("\(v) at \(digits) digits: \(ValueFormat.format(v, digits: digits)) vs \(Self.printfText(v, digits: digits))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// The prose form (Markdown, verify messages): the same rule with significant digits, as the lesson
    /// builder's own formatter wrote them before there was one formatter (so Output/ keeps its text).
    @Test func significantDigits() {
        #expect(ValueFormat.significant(17, digits: 10) == "17")
        #expect(ValueFormat.significant(-0.0, digits: 6) == "0")
        #expect(ValueFormat.significant(-0.5, digits: 6) == "-0.5")
        #expect(ValueFormat.significant(0.0900305700001, digits: 10) == "0.09003057")
        #expect(ValueFormat.significant(1.0 / 3.0, digits: 6) == "0.333333")
        #expect(ValueFormat.significant(1.5e-7, digits: 6) == "1.5e-07")
        #expect(ValueFormat.significant(123456.75, digits: 6) == "123457")
        #expect(ValueFormat.significant(2e15, digits: 6) == "2e+15")
        #expect(ValueFormat.significant(.nan, digits: 6) == "nan")
        #expect(ValueFormat.significant(-.infinity, digits: 6) == "-inf")
        // 17 significant digits read back with the same bits (the lesson builder's generated tensors).
        for v in [0.1, 1.0 / 3.0, -2.2250738585072014e-308, 123456789.123] {
            #expect(Double(ValueFormat.significant(v, digits: 17)) == v)
        }
    }
}
