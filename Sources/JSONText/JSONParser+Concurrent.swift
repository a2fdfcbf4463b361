// JSONText — a large JSON object parsed on two threads: its largest member's value on another one.
import Dispatch

extension JSONValue {
    /// Parses JSON like `init(parsingUTF8:)`, on two threads when the document is an object one of whose
    /// member values takes `threshold` bytes or more: the first such value is parsed on another thread
    /// while this one parses the rest. The value and the errors (the first in the text, with its line and column)
    /// are those of parsing in one pass; a document the quick scan for member values does not take
    /// apart is parsed in one pass.
    ///
    /// For trace headers: LeNet-5's (0.7 MB) is two halves, the spec and the layers, each holding the
    /// weights, and the spec comes first; opening its trace was a quarter of reading it.
    public init(parsingUTF8 bytes: UnsafeBufferPointer<UInt8>, concurrentlyAbove threshold: Int) throws {
        guard bytes.count >= threshold, let range = JSONParser.firstMemberValue(bytes, atLeast: threshold) else {
            self = try JSONValue(parsingUTF8: bytes)
            return
        }
        let member = JSONMemberJob(bytes, range)
        DispatchQueue.global().async { member.run() }
        var parser = JSONParser(bytes)
        parser.deferred = range
        let rest: Result<JSONValue, Error>
        do { rest = .success(try parser.parseDocument()) } catch { rest = .failure(error) }
        member.done.wait()  // always: the other thread reads `bytes`
        // The first error in the text: this thread's when it stopped before the member, else the member's.
        if case .failure(let e) = rest, parser.deferredPair == nil { throw e }
        let value = try member.result.get()
        guard member.end == range.upperBound else {
            self = try JSONValue(parsingUTF8: bytes)  // the scan and the grammar disagree: one pass decides
            return
        }
        guard case .object(var pairs) = try rest.get(), let k = parser.deferredPair else {
            self = try JSONValue(parsingUTF8: bytes)
            return
        }
        pairs[k].1 = value
        self = .object(pairs)
    }
}

/// One member value parsed on another thread: its value or error, and where it ended. Read after `done`.
private final class JSONMemberJob: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
    let range: Range<Int>
    var result: Result<JSONValue, Error> = .success(.null)
    var end = 0
    let done = DispatchSemaphore(value: 0)

    init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) { self.bytes = bytes; self.range = range }

    func run() {
        defer { done.signal() }
        var parser = JSONParser(bytes)
        parser.i = range.lowerBound
        parser.depth = 1  // inside the top-level object, for the nesting limit
        do { result = .success(try parser.parseValue()) } catch { result = .failure(error) }
        end = parser.i
    }
}

extension JSONParser {
    /// Where the first member value of the top-level object that takes `threshold` bytes or more lies,
    /// from a quick scan that matches brackets and skips strings without checking the rest of the
    /// grammar; nil when there is none, the document is not an object or the scan loses its way (the
    /// parser then finds what is wrong).
    static func firstMemberValue(_ b: UnsafeBufferPointer<UInt8>, atLeast threshold: Int) -> Range<Int>? {
        let n = b.count
        var i = 0
        func space() { while i < n, b[i] == 32 || b[i] == 10 || b[i] == 13 || b[i] == 9 { i += 1 } }
        /// Moves past the string that starts at `i`; false when it does not end.
        func string() -> Bool {
            i += 1
            while i < n {
                switch b[i] {
                case UInt8(ascii: "\\"): i += 2
                case UInt8(ascii: "\""): i += 1; return true
                default: i += 1
                }
            }
            return false
        }
        /// Moves past the value that starts at `i`; false when its brackets do not close.
        func value() -> Bool {
            guard i < n else { return false }
            switch b[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < n {
                    let c = b[i]
                    // '[' and '{' are 0x5B and 0x7B, ']' and '}' 0x5D and 0x7D: one test each.
                    if c & 0xDF == 0x5B {
                        depth += 1
                    } else if c & 0xDF == 0x5D {
                        depth -= 1
                        if depth == 0 { i += 1; return true }
                    } else if c == UInt8(ascii: "\"") {
                        if !string() { return false }
                        continue
                    }
                    i += 1
                }
                return false
            case UInt8(ascii: "\""):
                return string()
            default:
                let start = i
                while i < n, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]"),
                      b[i] != 32, b[i] != 10, b[i] != 13, b[i] != 9 { i += 1 }
                return i > start
            }
        }
        space()
        guard i < n, b[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        while true {
            space()
            guard i < n, b[i] == UInt8(ascii: "\""), string() else { return nil }
            space()
            guard i < n, b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            space()
            let start = i
            guard value() else { return nil }
            if i - start >= threshold { return start..<i }
            space()
            guard i < n, b[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
    }
}
