// JSONTextTests — JSONValue: deterministic text, exact doubles, ordered keys, parse errors with places.
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import JSONText

@Suite("JSONValue")
struct JSONValueTests {
    @Test("awkward doubles print shortest and read back with the same bits")
    func awkwardDoubles() throws {
        // Expected text: integers as integers (incl. "-0" to keep the sign), else Swift's shortest
        // round-trip description.
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (1e-300, "1e-300"), (-0.0, "-0"), (0, "0"), (123456789.123, "123456789.123"),
            (3, "3"), (-42, "-42"), (1.0 / 3.0, "0.3333333333333333"), (9007199254740991, "9007199254740991"),
            (1e16, "1e+16"), (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (Double.leastNonzeroMagnitude, "5e-324"), (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        ]
        for (value, text) in cases {
            #expect(JSONValue.number(value).serialized() == text)
            let back = try JSONValue(parsing: text)
            guard case .number(let d) = back else { Issue.record("\(text) did not parse as a number"); continue }
            #expect(d.bitPattern == value.bitPattern, "\(text) read back as \(d)")
        }
    }

    @Test("numbers read with strtod's bits: 60 000 decimals, with and without exponents, short and long")
    func numbersAgreeWithStrtod() throws {
        var state: UInt64 = 12345
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 11 }
        var fast = 0
        for k in 0..<60_000 {
            // Up to 15 digits (the fast path's), then up to 19 (strtod's), with a point anywhere.
            let digits = String(next() % (k % 3 == 2 ? 10_000_000_000_000_000_000 : 1_000_000_000_000_000))
            let point = Int(next() % 23)
            let padded = String(repeating: "0", count: max(0, point - digits.count + 1)) + digits
            let cut = padded.index(padded.endIndex, offsetBy: -point)
            var text = (next() & 1 == 0 ? "-" : "") + padded[..<cut] + (point > 0 ? "." + padded[cut...] : "")
            if k % 2 == 1 {  // an exponent: mostly within the fast path's ±22, sometimes far outside
                let e = Int(next() % 61) - 30
                text += (next() & 1 == 0 ? "e" : "E") + (e < 0 ? "-" : next() & 1 == 0 ? "+" : "") + String(abs(e))
            }
            let value = try JSONValue(parsing: text)
            let expected = strtod(text, nil)
            guard case .number(let d) = value else { Issue.record("\(text) did not parse as a number"); continue }
            #expect(d.bitPattern == expected.bitPattern, "\(text)")
            if digits.count <= 15 && !text.contains("e") && !text.contains("E") { fast += 1 }
        }
        #expect(fast > 20_000)  // the fast path was exercised, not only strtod
        for text in ["1e400", "-1e400", "1e-400", "4.9e-324", "2.2250738585072011e-308", "9007199254740993",
                     "123456789012345678901234567890", "0.1e99999999999999999999", "1E+2", "-0.0e5"] {
            guard case .number(let d) = try JSONValue(parsing: text) else { Issue.record("\(text)"); continue }
            #expect(d.bitPattern == strtod(text, nil).bitPattern, "\(text)")
        }
    }

    @Test("the short-decimal writer gives the standard library's text for 300 000 values")
    func shortDecimalsMatchTheStandardLibrary() {
        func written(_ value: Double) -> String {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: NumberText.maxDoubleLength) { scratch in
                String(decoding: UnsafeBufferPointer(start: scratch.baseAddress!,
                                                     count: NumberText.writeDouble(value, to: scratch.baseAddress!)), as: UTF8.self)
            }
        }
        func expected(_ value: Double) -> String {
            value.rounded(.towardZero) == value && value.magnitude < 9_007_199_254_740_992
                ? (value == 0 ? (value.sign == .minus ? "-0" : "0") : String(Int(value))) : "\(value)"
        }
        var state: UInt64 = 99
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 11 }
        var values: [Double] = [1e-4, -1e-4, 1e-4.nextDown, 1e-4.nextUp, 1e15, 1e15.nextDown, 999999999999999.9,
                                0.1, 0.2, 0.30000000000000004, 0.05, -0.05, 12.5, 0.000123, 0.1234565, 1.000001,
                                1.0000001, 0.999999, 123456789.123456, 0.0001234, 99999999.999999]
        var shortSeen = 0
        for _ in 0..<100_000 {
            // A k-place decimal (k = 1…8) of up to 16 digits, the product of two of them, and raw bits.
            let places = Int(next() % 8) + 1
            var scale = 1.0
            for _ in 0..<places { scale *= 10 }
            let a = Double(Int64(next() % 10_000_000_000_000_000) - 5_000_000_000_000_000) / scale / Double(1 << (next() % 4))
            let b = Double(Int64(next() % 2000) - 1000) / 100
            values.append(contentsOf: [a, a * b, Double(bitPattern: next() << 11 | next() % 2048)])
        }
        for value in values where value.isFinite {
            let text = written(value)
            #expect(text == expected(value), "\(value.bitPattern)")
            var bytes = [UInt8](repeating: 0, count: NumberText.maxDoubleLength)
            if NumberText.writeShortDecimal(value, to: &bytes) > 0 { shortSeen += 1 }
        }
        // The fast path is taken for a real share of these values (so this compares it, not the fallback).
        #expect(shortSeen > 20_000)
        // Serialized in one array, each value twice (the second from the number cache, whose 512 entries
        // the 600 000 values evict over and over): the same text as value by value.
        let finite = values.filter(\.isFinite)
        let twice = finite.flatMap { [$0, $0] }
        let serialized = JSONValue.array(twice.map { .number($0) }).serialized()
        let expectedArray = "[" + twice.map(expected).joined(separator: ",") + "]"
        let same = serialized == expectedArray
        #expect(same, "the array's text differs from its values' texts")
    }

    @Test("non-finite numbers are written as strings and read back by doubleValue")
    func nonFinite() throws {
        let v = JSONValue.array([.number(.nan), .number(.infinity), .number(-.infinity)])
        #expect(v.serialized() == #"["NaN","Infinity","-Infinity"]"#)
        let back = try JSONValue(parsing: v.serialized())
        let values = back.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(values.count == 3 && values[0].isNaN && values[1] == .infinity && values[2] == -.infinity)
    }

    @Test("object keys keep insertion order; compact and pretty forms")
    func orderedKeys() throws {
        let v = JSONValue.object([("zeta", .int(1)), ("alpha", .array([.int(1), .number(2.5)])),
                                  ("m", .object([("s", .string("a\"b\\c\nd\u{1}é"))])), ("e", .array([])), ("n", .null), ("t", .bool(true))])
        #expect(v.serialized() == #"{"zeta":1,"alpha":[1,2.5],"m":{"s":"a\"b\\c\nd\u0001é"},"e":[],"n":null,"t":true}"#)
        #expect(v.serialized(pretty: true) == """
            {
              "zeta": 1,
              "alpha": [1, 2.5],
              "m": {
                "s": "a\\"b\\\\c\\nd\\u0001é"
              },
              "e": [],
              "n": null,
              "t": true
            }
            """)
        let back = try JSONValue(parsing: v.serialized(pretty: true))
        #expect(back == v)
        #expect(back.keys == ["zeta", "alpha", "m", "e", "n", "t"])
    }

    @Test("escapes and surrogate pairs parse")
    func escapes() throws {
        let v = try JSONValue(parsing: #"["\u00e9\ud83d\ude00\/\t"]"#)
        #expect(v == .array([.string("é😀/\t")]))
    }

    @Test("a large object parsed on two threads: the value and every error of one pass, over 400 damaged documents")
    func concurrentParseMatchesOnePass() throws {
        // Two large members (like a trace header's spec and layers), small ones around them, and strings
        // holding brackets, quotes and escapes that a careless scan would count.
        let numbers = JSONValue.array((0..<3000).map { .number(Double($0 % 17) / 4) })
        let nested = JSONValue.object([("weights", numbers), ("note", .string("a \"tricky\" ]} {[ text")), ("deep", .array([.array([.null, .bool(true)])]))])
        let document = JSONValue.object([
            ("format", .string("x")), ("spec", nested), ("input", .array([.number(1), .number(-2.5e-3)])),
            ("layers", .array([nested, numbers])), ("tail", .string("\u{e9}\\\""))])
        let text = Array(document.serialized(pretty: true).utf8)
        func parse(_ bytes: [UInt8], concurrently: Bool) -> String {
            bytes.withUnsafeBufferPointer { b in
                do {
                    let v = concurrently ? try JSONValue(parsingUTF8: b, concurrentlyAbove: 1000) : try JSONValue(parsingUTF8: b)
                    return "value " + v.serialized()
                } catch {
                    return "error \(error)"
                }
            }
        }
        #expect(parse(text, concurrently: true) == "value " + document.serialized())
        var state: UInt64 = 77
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var errors = 0
        for round in 0..<400 {
            var copy = text
            let at = next(copy.count)
            switch round % 4 {
            case 0: copy[at] = Array("{}[]\",:x0 \\".utf8)[next(11)]
            case 1: copy.remove(at: at)
            case 2: copy.insert(Array("{[\"]},".utf8)[next(6)], at: at)
            default: copy = Array(copy[0..<at])
            }
            let one = parse(copy, concurrently: false)
            #expect(parse(copy, concurrently: true) == one, "round \(round), byte \(at)")
            if one.hasPrefix("error") { errors += 1 }
        }
        #expect(errors > 200)  // most damage is caught, so the errors were compared
        // The largest member a number the scan reads further than the grammar does.
        let long = Array(("{\"a\": 1, \"b\": " + String(repeating: "7", count: 1500) + "x}").utf8)
        #expect(parse(long, concurrently: true) == parse(long, concurrently: false))
        #expect(parse(long, concurrently: false).hasPrefix("error line 1, column 1515"))
    }

    @Test("syntax errors name line and column")
    func errors() {
        func message(_ text: String) -> String {
            do { _ = try JSONValue(parsing: text); return "no error" } catch { return "\(error)" }
        }
        #expect(message("") == "line 1, column 1: empty document; expected a JSON value")
        #expect(message("{\n  \"a\": 1,\n  \"b\" 2\n}") == "line 3, column 7: expected ':' after key \"b\"")
        #expect(message("[1, 2") == "line 1, column 6: unexpected end of input inside an array")
        #expect(message("{\"a\":1,\"a\":2}") == "line 1, column 8: duplicate key \"a\"")
        #expect(message("01") == "line 1, column 1: invalid number: leading zero")
        #expect(message("[-]") == "line 1, column 3: invalid number: expected a digit")
        #expect(message("1.") == "line 1, column 3: invalid number: expected a digit after '.'")
        #expect(message("1e+") == "line 1, column 4: invalid number: expected a digit in the exponent")
        #expect(message("[1.5x]") == "line 1, column 5: unexpected 'x'; expected ',' or ']'")
        #expect(message("[1] x") == "line 1, column 5: unexpected 'x' after the JSON value")
    }
}
