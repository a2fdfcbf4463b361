// Tracing — JSONLEventDecoder: one JSON Lines event line → TraceEvent, without building a JSON tree.
import Engine
import JSONText
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a JSON Lines line held: an event, or the end line with its event count.
enum JSONLLine {
    case event(TraceEvent)
    case end(events: Int)
}

/// Parses the event lines `JSONLEventEncoder` writes (fields in any order; unknown fields refused).
struct JSONLEventDecoder {
    private var p: UnsafeBufferPointer<UInt8>
    private var i = 0

    /// Errors carry only the message; the reader adds file and line.
    struct Failure: Error { var message: String }


    static func decode(_ line: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONLLine {
        var d = JSONLEventDecoder(p: line)
        return try d.parse()
    }

    private init(p: UnsafeBufferPointer<UInt8>) { self.p = p }

    private func fail(_ message: String) -> Failure { Failure(message: message) }

    private mutating func space() { while i < p.count, p[i] == 32 || p[i] == 9 || p[i] == 13 { i += 1 } }

    @inline(__always)
    private mutating func expect(_ c: UInt8, _ what: @autoclosure () -> String) throws(Failure) {
        if i < p.count, p[i] == c { i += 1; return }  // the common case: no space, the right byte
        space()
        guard i < p.count else { throw fail("the line ends early; expected \(what())") }
        guard p[i] == c else { throw fail("unexpected '\(Character(Unicode.Scalar(p[i])))' at column \(i + 1); expected \(what())") }
        i += 1
    }

    /// Reads a string without escapes and returns its byte range (no allocation).
    private mutating func rawString() throws(Failure) -> Range<Int> {
        try expect(34, "a string")
        let s = i
        while i < p.count, p[i] != 34 { if p[i] == 92 { throw fail("escapes are not used in event lines (column \(i + 1))") }; i += 1 }
        guard i < p.count else { throw fail("the line ends inside a string") }
        i += 1
        return s..<(i - 1)
    }

    @inline(__always)
    private func equals(_ r: Range<Int>, _ word: StaticString) -> Bool {
        guard r.count == word.utf8CodeUnitCount else { return false }
        return memcmp(p.baseAddress! + r.lowerBound, word.utf8Start, r.count) == 0
    }

    private func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: p[r]), as: UTF8.self) }

    private mutating func int(_ key: StaticString) throws(Failure) -> Int {
        space()
        let s = i
        var negative = false
        if i < p.count, p[i] == 45 { negative = true; i += 1 }
        var value = 0
        let digitsStart = i
        while i < p.count, p[i] >= 48, p[i] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(p[i] - 48))
            if o1 || o2 { throw fail("\"\(key)\" is out of range") }
            value = a; i += 1
        }
        if i == digitsStart || (i < p.count && (p[i] == 46 || p[i] == 101 || p[i] == 69)) {
            i = s
            throw fail("\"\(key)\" must be an integer")
        }
        return negative ? -value : value
    }

    private mutating func int32(_ key: StaticString) throws(Failure) -> Int32 {
        let v = try int(key)
        guard let r = Int32(exactly: v) else { throw fail("\"\(key)\" value \(v) does not fit in 32 bits") }
        return r
    }

    private mutating func index(_ key: StaticString) throws(Failure) -> Index4 {
        try expect(91, "'[' starting the 4 indices of \"\(key)\"")
        let n = try int32(key); try expect(44, "',' in \"\(key)\" (4 indices)")
        let c = try int32(key); try expect(44, "',' in \"\(key)\" (4 indices)")
        let h = try int32(key); try expect(44, "',' in \"\(key)\" (4 indices)")
        let w = try int32(key); try expect(93, "']' after 4 indices in \"\(key)\"")
        var r = Index4.zero
        r.n = n; r.c = c; r.h = h; r.w = w
        return r
    }

    private mutating func double(_ key: StaticString) throws(Failure) -> Double {
        space()
        guard i < p.count else { throw fail("the line ends early; expected the number \"\(key)\"") }
        if p[i] == 34 {
            let r = try rawString()
            if equals(r, "NaN") { return .nan }
            if equals(r, "Infinity") { return .infinity }
            if equals(r, "-Infinity") { return -.infinity }
            throw fail("\"\(key)\" must be a number (or \"NaN\", \"Infinity\", \"-Infinity\"), found \"\(text(r))\"")
        }
        // Scan and convert in one pass; a number followed by more number characters (`1.2.3`) is not one.
        var number = JSONParser(UnsafeBufferPointer(rebasing: p[i...]))
        guard let value = try? number.parseNumber() else { throw fail("\"\(key)\" must be a number") }
        i += number.i
        if i < p.count, (p[i] >= 48 && p[i] <= 57) || p[i] == 45 || p[i] == 43 || p[i] == 46 || p[i] == 101 || p[i] == 69 {
            throw fail("\"\(key)\" must be a number")
        }
        return value
    }

    private mutating func bool(_ key: StaticString) throws(Failure) -> Bool {
        space()
        if p.count - i >= 4, p[i] == 116, p[i + 1] == 114, p[i + 2] == 117, p[i + 3] == 101 { i += 4; return true }
        if p.count - i >= 5, p[i] == 102, p[i + 1] == 97, p[i + 2] == 108, p[i + 3] == 115, p[i + 4] == 101 { i += 5; return false }
        throw fail("\"\(key)\" must be true or false")
    }

    private mutating func parse() throws(Failure) -> JSONLLine {
        var e = TraceEvent(kind: .mac)
        var seen: UInt32 = 0
        let required: UInt32 = (1 << 12) - 1  // step … acc
        var isEnd = false
        var endEvents: Int? = nil
        try expect(123, "'{' (an event object)")
        space()
        if i < p.count, p[i] == 125 { throw fail("an empty object is not an event") }
        while true {
            let k = try rawString()
            try expect(58, "':' after a key")
            let bit: UInt32
            // Dispatch on the key's bytes (no String per key).
            if equals(k, "step") { e.step = try int("step"); bit = 1 << 0 }
            else if equals(k, "phase") {
                let v = try rawString()
                if equals(v, "forward") { e.phase = .forward } else if equals(v, "backward") { e.phase = .backward }
                else if equals(v, "update") { e.phase = .update }
                else { throw fail("unknown phase \"\(text(v))\"; valid phases: forward, backward, update") }
                bit = 1 << 1
            }
            else if equals(k, "layer") { e.layer = try int("layer"); bit = 1 << 2 }
            else if equals(k, "kind") {
                let v = try rawString()
                if equals(v, "mac") { e.kind = .mac } else if equals(v, "grad") { e.kind = .grad }
                else if equals(v, "bias") { e.kind = .bias } else if equals(v, "output") { e.kind = .output }
                else if equals(v, "pool") { e.kind = .pool } else if equals(v, "activation") { e.kind = .activation }
                else if equals(v, "loss") { e.kind = .loss } else if equals(v, "norm") { e.kind = .norm }
                else if equals(v, "update") { e.kind = .update }
                else if equals(v, "add") { e.kind = .add }
                else { throw fail("unknown kind \"\(text(v))\"; valid kinds: \(EventKind.allCases.map(\.name).joined(separator: ", "))") }
                bit = 1 << 3
            }
            else if equals(k, "out") { e.output = try index("out"); bit = 1 << 4 }
            else if equals(k, "in") { e.input = try index("in"); bit = 1 << 5 }
            else if equals(k, "padded") { e.padded = try index("padded"); bit = 1 << 6 }
            else if equals(k, "k") { e.kernel = try index("k"); bit = 1 << 7 }
            else if equals(k, "a") { e.a = try double("a"); bit = 1 << 8 }
            else if equals(k, "b") { e.b = try double("b"); bit = 1 << 9 }
            else if equals(k, "product") { e.product = try double("product"); bit = 1 << 10 }
            else if equals(k, "acc") { e.acc = try double("acc"); bit = 1 << 11 }
            else if equals(k, "target") {
                let v = try rawString()
                if equals(v, "input") { e.target = .input } else if equals(v, "kernel") { e.target = .kernel }
                else if equals(v, "bias") { e.target = .bias }
                else { throw fail("unknown target \"\(text(v))\"; valid targets: input, kernel, bias") }
                bit = 1 << 12
            }
            else if equals(k, "padding") { if try bool("padding") { e.flags.insert(.padding) }; bit = 1 << 13 }
            else if equals(k, "selected") { if try bool("selected") { e.flags.insert(.selected) }; bit = 1 << 14 }
            else if equals(k, "end") { isEnd = try bool("end"); bit = 1 << 15 }
            else if equals(k, "events") { endEvents = try int("events"); bit = 1 << 16 }
            else {
                throw fail("unknown field \"\(text(k))\"; event fields: step, phase, layer, kind, target, padding, selected, out, in, padded, k, a, b, product, acc")
            }
            if seen & bit != 0 { throw fail("field \"\(text(k))\" appears twice") }
            seen |= bit
            space()
            guard i < p.count else { throw fail("the line ends inside the event object (truncated?)") }
            if p[i] == 44 { i += 1; space(); continue }
            if p[i] == 125 { i += 1; break }
            throw fail("unexpected '\(Character(Unicode.Scalar(p[i])))' at column \(i + 1); expected ',' or '}'")
        }
        space()
        if i < p.count { throw fail("unexpected text after the event object at column \(i + 1)") }
        if seen & (1 << 15) != 0 {
            guard isEnd, let endEvents, seen == (1 << 15 | 1 << 16) else {
                throw fail("an end line is {\"end\":true,\"events\":N} and nothing else")
            }
            return .end(events: endEvents)
        }
        if seen & required != required {
            let names = ["step", "phase", "layer", "kind", "out", "in", "padded", "k", "a", "b", "product", "acc"]
            let missing = names.indices.filter { seen & (1 << UInt32($0)) == 0 }.map { names[$0] }
            throw fail("missing field\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))")
        }
        if seen & (1 << 16) != 0 { throw fail("unknown field \"events\" in an event") }
        return .event(e)
    }
}
