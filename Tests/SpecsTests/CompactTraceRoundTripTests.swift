// SpecsTests — binary encoding version 2 on the examples and LeNet-5: lossless both ways, seekable, compact.
import Engine
import Foundation
import Testing
@testable import Tracing
import Specs

@Suite("Binary trace version 2 on the examples")
struct CompactTraceRoundTripTests {
    static let examples = ["conv-basic", "conv-1d-full", "conv-stride-padding", "conv-transpose", "max-pool",
                           "cnn-basics-backprop", "lenet5"]

    static func folder() -> String {
        let dir = NSTemporaryDirectory() + "convtrace-v2-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func bytes(_ path: String) -> Data { (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data() }

    static func readAll(_ path: String) throws -> [TraceEvent] {
        let r = try TraceReader(path: path)
        var out: [TraceEvent] = []
        while let e = try r.next() { out.append(e) }
        return out
    }

    /// Events equal with doubles compared by bit pattern.
    static func sameBits(_ a: TraceEvent, _ b: TraceEvent) -> Bool {
        var x = a, y = b
        guard a.a.bitPattern == b.a.bitPattern, a.b.bitPattern == b.b.bitPattern,
              a.product.bitPattern == b.product.bitPattern, a.acc.bitPattern == b.acc.bitPattern else { return false }
        x.a = 0; x.b = 0; x.product = 0; x.acc = 0; y.a = 0; y.b = 0; y.product = 0; y.acc = 0
        return x == y
    }

    @Test(arguments: examples)
    func losslessBothWays(name: String) throws {
        let problem = try SpecDocument.load(path: repositoryRoot + "/examples/\(name).yaml")
        var tracer = Tracer(sink: RecordingSink())
        _ = try problem.run(tracer: &tracer)
        let events = tracer.sink.events
        let dir = Self.folder(); defer { try? FileManager.default.removeItem(atPath: dir) }
        // Today's JSON Lines and version 1, written directly from the engine's events.
        let jsonl = try JSONLWriter(path: dir + "/direct.jsonl", header: problem.traceHeader())
        let v1 = try BinaryWriter(path: dir + "/direct-v1.ctb", header: problem.traceHeader())
        let v2 = try CompactBinaryWriter(path: dir + "/direct-v2.ctb", header: problem.traceHeader())
        for e in events { jsonl.record(e); v1.record(e); v2.record(e) }
        try jsonl.finish(); try v1.finish(); try v2.finish()

        // v2 reads back every event bit for bit.
        let back = try Self.readAll(dir + "/direct-v2.ctb")
        #expect(back.count == events.count)
        #expect(zip(back, events).allSatisfy(Self.sameBits), "\(name)")
        #expect(try TraceReader(path: dir + "/direct-v2.ctb").binaryVersion == 2)

        // v2 → JSONL gives exactly today's JSON Lines; that JSONL → v2 gives the same v2 bytes.
        try TraceConversion.convert(dir + "/direct-v2.ctb", to: dir + "/from-v2.jsonl", encoding: .jsonl)
        #expect(Self.bytes(dir + "/from-v2.jsonl") == Self.bytes(dir + "/direct.jsonl"), "\(name)")
        try TraceConversion.convert(dir + "/from-v2.jsonl", to: dir + "/again-v2.ctb", encoding: .binary)
        #expect(Self.bytes(dir + "/again-v2.ctb") == Self.bytes(dir + "/direct-v2.ctb"), "\(name)")
        // Version 1 still reads, and converts to the same v2 bytes and back to the same v1 bytes.
        try TraceConversion.convert(dir + "/direct-v1.ctb", to: dir + "/v1-to-v2.ctb", encoding: .binary)
        #expect(Self.bytes(dir + "/v1-to-v2.ctb") == Self.bytes(dir + "/direct-v2.ctb"))
        try TraceConversion.convert(dir + "/direct-v2.ctb", to: dir + "/v2-to-v1.ctb", encoding: .binary, binaryVersion: 1)
        #expect(Self.bytes(dir + "/v2-to-v1.ctb") == Self.bytes(dir + "/direct-v1.ctb"))
    }

    @Test func lenetIsCompactAndSeekable() throws {
        let problem = try SpecDocument.load(path: repositoryRoot + "/examples/lenet5.yaml")
        var tracer = Tracer(sink: RecordingSink())
        _ = try problem.run(tracer: &tracer)
        let events = tracer.sink.events
        let dir = Self.folder(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/lenet.ctb"
        let writer = try CompactBinaryWriter(path: path, header: problem.traceHeader())
        for e in events { writer.record(e) }
        try writer.finish()
        // The whole file, header and index included, at most 24 bytes an event (version 1: 112).
        let size = Self.bytes(path).count
        #expect(events.count > 1_000_000)
        #expect(Double(size) / Double(events.count) <= 24, "\(size) bytes for \(events.count) events")

        // seek(toStep:) lands on the event with that step: first, last, block edges, phase changes, and spread.
        let reader = try TraceReader(path: path)
        var steps = [0, 1, events.count - 1, CompactTraceLayout.blockEvents - 1, CompactTraceLayout.blockEvents,
                     CompactTraceLayout.blockEvents + 1]
        if let firstBackward = events.firstIndex(where: { $0.phase == .backward }) { steps += [firstBackward - 1, firstBackward] }
        steps += stride(from: 7, to: events.count, by: events.count / 23)
        for step in steps {
            try reader.seek(toStep: step)
            let e = try reader.next()
            #expect(e.map { Self.sameBits($0, events[step]) } == true, "step \(step)")
            #expect(reader.eventsRead == step + 1)
            // A position taken inside a block resumes at the same event on another reader.
            let mark = reader.position
            let other = try TraceReader(path: path)
            try other.seek(to: mark)
            if step + 1 < events.count {
                #expect(try other.next().map { Self.sameBits($0, events[step + 1]) } == true, "after step \(step)")
            } else {
                #expect(try other.next() == nil)
            }
        }
        try reader.seek(toStep: events.count + 5)
        #expect(try reader.next() == nil)
        #expect(reader.isFinished)
    }
}
