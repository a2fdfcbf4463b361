// TracingTests — the writers' output path: many buffers, direct (O_DIRECT) block writes, the same bytes.
import Engine
import Testing
@testable import Tracing

@Suite("Output buffers")
struct DirectOutputTests {
    /// 40 000 events with values that do not repeat: about 8 MB of JSON Lines, eight 1 MiB buffers.
    static let events: [TraceEvent] = (0..<40_000).map(event)

    /// Event `i` of `events`.
    static func event(_ i: Int) -> TraceEvent {
        let grad = i % 7 == 0
        let output = Index4(0, i % 6, i / 100 % 28, i % 28)
        let input = Index4(0, 0, i % 9, i % 11)
        let kernel = Index4(i % 6, 0, i % 5, i % 3)
        let a = Double(i) * 0.1, b = 1 / Double(i + 3)
        return TraceEvent(step: i, phase: i % 3 == 0 ? .backward : .forward, layer: i % 5,
                          kind: grad ? .grad : .mac, target: grad ? .kernel : .none,
                          output: output, input: input, kernel: kernel,
                          a: a, b: b, product: a * b, acc: Double(i) / 7)
    }

    /// The JSON Lines file as one thread would format it, without the output buffers.
    static func expectedJSONL(_ header: TraceHeader) -> [UInt8] {
        var bytes = header.toJSON().serializedBytes()
        bytes.append(10)
        for line in JSONLWriter.lines(of: events) { bytes += Array(line.utf8); bytes.append(10) }
        bytes += JSONLEventEncoder.endLine(events: events.count)
        return bytes
    }

    @Test("a multi-buffer JSON Lines trace has exactly the bytes of the single-threaded encoding")
    func jsonlManyBuffers() throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        let w = try JSONLWriter(path: dir + "/many.jsonl", header: Fixtures.convHeader)
        for e in Self.events { w.record(e) }
        try w.finish()
        let bytes = Fixtures.readBytes(dir + "/many.jsonl")
        let expected = Self.expectedJSONL(Fixtures.convHeader)
        #expect(bytes.count > 4 << 20)  // several buffers
        #expect(bytes.count % AtomicFileOutput.directAlignment != 0)  // an unaligned tail
        #expect(bytes == expected)
        #expect(Fixtures.list(dir) == ["many.jsonl"])
    }

    @Test("a multi-buffer binary trace has exactly the bytes of the single-threaded encoding")
    func binaryManyBuffers() throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        let w = try BinaryWriter(path: dir + "/many.ctb", header: Fixtures.convHeader)
        for e in Self.events { w.record(e) }
        try w.finish()
        let bytes = Fixtures.readBytes(dir + "/many.ctb")
        let json = Fixtures.convHeader.toJSON().serializedBytes()
        let start = 24 + json.count
        #expect(bytes.count == start + 112 * (Self.events.count + 1))
        var record = [UInt8](repeating: 0, count: 112)
        var mismatched = 0
        for (i, e) in Self.events.enumerated() where start + 112 * (i + 1) <= bytes.count {
            record.withUnsafeMutableBytes { BinaryWriter.encode(e, to: $0.baseAddress!) }
            if Array(bytes[(start + 112 * i)..<(start + 112 * (i + 1))]) != record { mismatched += 1 }
        }
        #expect(mismatched == 0)
        #expect(Array(bytes[24..<start]) == json)
    }

    @Test("direct and buffered output of odd-sized pieces give the same file", arguments: [false, true])
    func oddPieces(direct: Bool) throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        // 3 MB of a pattern, in pieces of 1 to 9 000 bytes, through a 10 000-byte buffer (rounded up to
        // 12 288 in direct mode): flushes at every alignment of the tail.
        var expected: [UInt8] = []
        let output = try AtomicFileOutput(path: dir + "/odd.bin", bufferSize: 10_000, direct: direct)
        var piece = 1
        while expected.count < 3_000_000 {
            let bytes = (0..<piece).map { UInt8(truncatingIfNeeded: (expected.count + $0) &* 31 &+ piece) }
            output.write(bytes)
            expected += bytes
            piece = piece * 7 % 9_001 + 1
        }
        try output.commit()
        #expect(Fixtures.readBytes(dir + "/odd.bin") == expected)
        #expect(Fixtures.list(dir) == ["odd.bin"])
    }
}
