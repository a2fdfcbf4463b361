// TracingTests — residual traces (the `add` kind, raw value 8, with its join / split / fork parts) round-trip
// bit-identically through JSON Lines, binary v1 and binary v2, header (the add's `from`) included.
import Engine
import Testing
@testable import Tracing

@Suite("Residual traces")
struct AddTraceCodecTests {
    static func recorded() throws -> (TraceHeader, [TraceEvent]) {
        let input = Tensor(shape: [1, 2, 2, 2], data: [1, -2, 3, 0.5, 0, 2, -1, 4])
        let network = Network(layers: [
            .conv2d(Conv2DParams(padding: Padding(top: 0, bottom: 1, left: 0, right: 1)),
                    kernel: Tensor(shape: [2, 2, 2, 2], data: (0..<16).map { Double($0 % 3) - 1 }), bias: nil),
            .tanh,
            .add(AddParams(from: 0)),
        ])
        let gradOutput = Tensor(shape: [1, 2, 2, 2], data: [1, 0.5, -1, 2, 0, 1, 1, -3])
        var tracer = Tracer(sink: RecordingSink())
        _ = try network.run(input: input, gradOutput: gradOutput, tracer: &tracer)
        return (TraceHeader(spec: .null, network: network, input: input, gradOutput: gradOutput), tracer.sink.events)
    }

    @Test("every encoding reads back the same header and bit-identical add events")
    func roundTrip() throws {
        let (header, events) = try Self.recorded()
        for part in AddPart.allCases { #expect(events.contains { $0.kind == .add && $0.kernel.c == part.rawValue }) }
        #expect(EventKind.add.rawValue == 8)
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeEveryEncoding(dir, header: header, events: events)
        for name in Fixtures.everyEncoding {
            let (readHeader, readEvents) = try Fixtures.readAll(dir + "/" + name)
            #expect(readHeader == header, "\(name)")
            #expect(readHeader.network.layers[2] == .add(AddParams(from: 0)), "\(name)")
            #expect(sameBits(readEvents, events), "\(name)")
        }
        let text = String(decoding: Fixtures.readBytes(dir + "/t.jsonl"), as: UTF8.self)
        #expect(text.contains("\"kind\":\"add\""))
        #expect(text.contains("\"op\":\"add\",\"from\":0"))
    }

    @Test("a projection's terms (on the block input's cells) pass the readers' checks, header included")
    func projectionRoundTrip() throws {
        let input = Tensor(shape: [1, 1, 4, 4], data: [1, 2, 0, 1, 0, 1, 3, 1, 2, 1, 1, 0, 1, 0, 2, 2])
        let projection = AddParams.Projection(kernel: Tensor(shape: [2, 1, 1, 1], data: [1, -1]),
                                              bias: Tensor(shape: [2], data: [0.5, 0]), stride: Pair(2))
        let network = Network(layers: [
            .conv2d(Conv2DParams(stride: Pair(2)), kernel: Tensor(shape: [2, 1, 2, 2], data: [1, 0, 0, 1, 0, 1, 1, 0]), bias: nil),
            .relu,
            .add(AddParams(from: 0, projection: projection)),
        ])
        let gradOutput = Tensor(shape: [1, 2, 2, 2], data: [1, -1, 0.5, 2, 0, 1, -2, 1])
        var tracer = Tracer(sink: RecordingSink())
        _ = try network.run(input: input, gradOutput: gradOutput, tracer: &tracer)
        let header = TraceHeader(spec: .null, network: network, input: input, gradOutput: gradOutput)
        let events = tracer.sink.events
        #expect(events.contains { $0.layer == 2 && $0.kind == .mac })
        #expect(events.contains { $0.layer == 2 && $0.kind == .grad && $0.target == .input && !$0.flags.contains(.selected) })
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeJSONL(dir + "/t.jsonl", header: header, events: events)
        try Fixtures.writeBinary(dir + "/t1.ctb", header: header, events: events)
        for name in ["t.jsonl", "t1.ctb"] {
            let (readHeader, readEvents) = try Fixtures.readAll(dir + "/" + name)
            #expect(readHeader.network.layers[2] == .add(AddParams(from: 0, projection: projection)), "\(name)")
            #expect(sameBits(readEvents, events), "\(name)")
        }
    }

    @Test("the stats count add events by phase and name them")
    func stats() throws {
        let (_, events) = try Self.recorded()
        var stats = TraceStats()
        for e in events { stats.add(e) }
        let forward = events.filter { $0.kind == .add && $0.phase == .forward }.count
        #expect(forward == 8)
        #expect(stats.count(.add) == 8 + 8 + 8)  // join, split, fork: one per cell each
    }
}
