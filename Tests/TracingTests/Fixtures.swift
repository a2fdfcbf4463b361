// TracingTests — shared fixtures: a small network header, hand-made events, temporary folders.
import Engine
import JSONText
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Tracing

enum Fixtures {
    /// A 1×1×3×3 input, a 2×2 kernel with bias, stride 1, zero padding 1: output 1×1×4×4.
    static var convHeader: TraceHeader {
        let input = Tensor(shape: [1, 1, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let kernel = Tensor(shape: [1, 1, 2, 2], data: [1, 0, 0, -1])
        let params = Conv2DParams(padding: Padding(1))
        let spec = JSONValue.object([("op", .string("conv2d")), ("padding", .int(1))])
        return TraceHeader(spec: spec, network: Network(layers: [.conv2d(params, kernel: kernel, bias: Tensor(shape: [1], data: [0.5]))]),
                           input: input, gradOutput: Tensor(shape: [1, 1, 4, 4], repeating: 1))
    }

    /// Hand-made events covering every kind, target and flag, with awkward doubles.
    static var events: [TraceEvent] {
        var list: [TraceEvent] = [
            TraceEvent(kind: .mac, flags: .padding, output: Index4(0, 0, 0, 0), input: Index4(0, 0, -1, -1),
                       padded: Index4(0, 0, 0, 0), kernel: Index4(0, 0, 0, 0), a: 0, b: 1, product: 0, acc: 0),
            TraceEvent(kind: .mac, output: Index4(0, 0, 0, 0), input: Index4(0, 0, 0, 0), padded: Index4(0, 0, 1, 1),
                       kernel: Index4(0, 0, 1, 1), a: 0.1, b: 1e-300, product: 0.1 * 1e-300, acc: -0.0),
            TraceEvent(kind: .bias, output: Index4(0, 0, 0, 0), kernel: Index4(0, 0, 0, 0), a: 123456789.123, b: 0.5, product: 0.5, acc: 123456789.623),
            TraceEvent(kind: .output, output: Index4(0, 0, 0, 0), a: -1.5, acc: -1.5),
            TraceEvent(layer: 1, kind: .pool, flags: .selected, output: Index4(0, 2, 1, 1), input: Index4(0, 2, 2, 3), padded: Index4(0, 2, 2, 3), a: 7, acc: 7),
            TraceEvent(layer: 2, kind: .activation, output: Index4(0, 3, 0, 0), input: Index4(0, 3, 0, 0), a: -2, acc: 0),
            TraceEvent(layer: 3, kind: .loss, output: Index4(1, 9, 0, 0), a: 2.5e-8, b: 1, product: -17.7, acc: 2147483647.25),
            TraceEvent(phase: .backward, layer: 0, kind: .grad, target: .kernel, output: Index4(0, 0, 3, 3), input: Index4(0, 0, 2, 2),
                       padded: Index4(0, 0, 3, 3), kernel: Index4(0, 0, 1, 1), a: 1, b: 9, product: 9, acc: 45),
            TraceEvent(phase: .backward, kind: .grad, target: .input, output: Index4(0, 0, 1, 1), input: Index4(0, 0, 0, 0),
                       kernel: Index4(0, 0, 1, 1), a: 1, b: -1, product: -1, acc: -1),
            TraceEvent(phase: .backward, kind: .grad, target: .bias, flags: [.padding, .selected], output: Index4(0, 0, 1, 1),
                       kernel: Index4(0, 0, 0, 0), a: .nan, b: .infinity, product: -.infinity, acc: 5e-324),
            TraceEvent(phase: .backward, layer: 7, kind: .grad, output: Index4(Int(Int32.max), Int(Int32.min), -7, 0),
                       a: Double.greatestFiniteMagnitude, b: -Double.leastNormalMagnitude, product: 1e300, acc: -1e-7),
        ]
        for i in list.indices { list[i].step = i }
        return list
    }

    /// A fresh empty folder under /tmp.
    static func folder() -> String {
        var template = Array("/tmp/convtrace-tracing-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    static func remove(_ folder: String) {
        for name in list(folder) { unlink(folder + "/" + name) }
        rmdir(folder)
    }

    /// Names in `folder` (including dot files, excluding . and ..).
    static func list(_ folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func readBytes(_ path: String) -> [UInt8] {
        guard let f = fopen(path, "rb") else { return [] }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func writeBytes(_ bytes: [UInt8], to path: String) {
        guard let f = fopen(path, "wb") else { return }
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
    }

    static func writeJSONL(_ path: String, header: TraceHeader = convHeader, events: [TraceEvent] = events) throws {
        let w = try JSONLWriter(path: path, header: header)
        for e in events { w.record(e) }
        try w.finish()
    }

    static func writeBinary(_ path: String, header: TraceHeader = convHeader, events: [TraceEvent] = events) throws {
        let w = try BinaryWriter(path: path, header: header)
        for e in events { w.record(e) }
        try w.finish()
    }

    /// The names `writeEveryEncoding` writes: JSON Lines, binary version 1, binary version 2.
    static let everyEncoding = ["t.jsonl", "t1.ctb", "t2.ctb"]

    /// Writes `events` into `dir` in every encoding (`everyEncoding`), for round-trip tests.
    static func writeEveryEncoding(_ dir: String, header: TraceHeader, events: [TraceEvent]) throws {
        try writeJSONL(dir + "/t.jsonl", header: header, events: events)
        try writeBinary(dir + "/t1.ctb", header: header, events: events)
        let compact = try CompactBinaryWriter(path: dir + "/t2.ctb", header: header)
        for e in events { compact.record(e) }
        try compact.finish()
    }

    static func readAll(_ path: String) throws -> (TraceHeader, [TraceEvent]) {
        let r = try TraceReader(path: path)
        var out: [TraceEvent] = []
        while let e = try r.next() { out.append(e) }
        return (r.header, out)
    }

    /// The message of the error `body` throws, or "no error".
    static func errorMessage(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }
}

/// Events compare bit-for-bit on doubles (NaN == NaN, 0 != -0).
func sameBits(_ a: [TraceEvent], _ b: [TraceEvent]) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        var x2 = x, y2 = y
        guard x.a.bitPattern == y.a.bitPattern, x.b.bitPattern == y.b.bitPattern,
              x.product.bitPattern == y.product.bitPattern, x.acc.bitPattern == y.acc.bitPattern else { return false }
        x2.a = 0; x2.b = 0; x2.product = 0; x2.acc = 0; y2.a = 0; y2.b = 0; y2.product = 0; y2.acc = 0
        if x2 != y2 { return false }
    }
    return true
}
