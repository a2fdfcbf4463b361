// TracingTests — batch_norm2d and dropout traces (the `norm` kind, part and term indices, the kept flag)
// round-trip bit-identically through JSON Lines, binary v1 and binary v2, header included.
import Engine
import Testing
@testable import Tracing

@Suite("Norm and dropout traces")
struct NormTraceCodecTests {
    /// batch_norm2d (training, then evaluation) and dropout with a seeded mask, run forward and backward.
    static func recorded() throws -> (TraceHeader, [TraceEvent]) {
        let input = Tensor(shape: [2, 2, 2, 2], data: [1, 2, 3, 4, 0, -1, 2, 5, 2, 0, 1, 1, 3, 3, -2, 0.1])
        let network = Network(layers: [
            .batchNorm2d(BatchNorm2DParams(weight: Tensor(shape: [2], data: [1.5, -0.5]), bias: Tensor(shape: [2], data: [0.25, 1]),
                                           eps: 1e-3, momentum: 0.2)),
            .dropout(DropoutParams(p: 0.3, seed: 11)),
            .batchNorm2d(BatchNorm2DParams(runningMean: Tensor(shape: [2], data: [0.5, -1]),
                                           runningVar: Tensor(shape: [2], data: [2, 0.25]), training: false)),
        ])
        let gradOutput = Tensor(shape: [2, 2, 2, 2], data: (0..<16).map { Double($0 % 5) - 1.7 })
        var tracer = Tracer(sink: RecordingSink())
        _ = try network.run(input: input, gradOutput: gradOutput, tracer: &tracer)
        return (TraceHeader(spec: .null, network: network, input: input, gradOutput: gradOutput), tracer.sink.events)
    }

    @Test("every encoding reads back the same header and bit-identical events")
    func roundTrip() throws {
        let (header, events) = try Self.recorded()
        #expect(events.contains { $0.kind == .norm && $0.kernel.c == NormPart.runningVar.rawValue })
        #expect(events.contains { $0.kind == .grad && $0.kernel.c == 3 })
        #expect(events.contains { $0.kind == .activation && $0.flags.contains(.selected) })
        #expect(events.contains { $0.kind == .activation && !$0.flags.contains(.selected) && $0.layer == 1 })
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeEveryEncoding(dir, header: header, events: events)
        for name in Fixtures.everyEncoding {
            let (readHeader, readEvents) = try Fixtures.readAll(dir + "/" + name)
            #expect(readHeader == header, "\(name)")
            #expect(sameBits(readEvents, events), "\(name)")
        }
    }

    @Test("JSON Lines names the kind norm")
    func jsonlName() throws {
        let (header, events) = try Self.recorded()
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeJSONL(dir + "/t.jsonl", header: header, events: events)
        let text = String(decoding: Fixtures.readBytes(dir + "/t.jsonl"), as: UTF8.self)
        #expect(text.contains("\"kind\":\"norm\""))
        #expect(EventKind(rawValue: 7)?.name == "norm")
    }
}
