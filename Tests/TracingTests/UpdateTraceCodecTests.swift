// TracingTests — training traces (kind `update`, phase `update`, several steps) round-trip bit-identically through
// JSON Lines, binary v1 and binary v2; the readers' checks accept them and the stats count them by phase.
import Engine
import Testing
@testable import Tracing

@Suite("Update traces")
struct UpdateTraceCodecTests {
    /// Three Adam steps (with weight decay) of a conv → batch norm → flatten → linear → mse network.
    static func recorded() throws -> (TraceHeader, [TraceEvent]) {
        let input = Tensor(shape: [2, 1, 3, 3], data: [1, 2, 0, 0, 1, 3, 2, 1, 0, 0, 1, 1, 2, 0, 1, 1, 3, 0])
        let network = Network(layers: [
            .conv2d(Conv2DParams(), kernel: Tensor(shape: [2, 1, 2, 2], data: [0.5, -0.25, 0.25, 0.5, -0.5, 0.25, 0.5, 0.125]),
                    bias: Tensor(shape: [2], data: [0.1, -0.1])),
            .batchNorm2d(BatchNorm2DParams()),
            .flatten,
            .linear(weight: Tensor(shape: [1, 8], data: [0.1, -0.2, 0.3, 0.1, -0.1, 0.2, 0.05, -0.3]), bias: nil),
        ], loss: .mse(target: Tensor(shape: [2, 1], data: [1, -1])))
        var tracer = Tracer(sink: RecordingSink())
        _ = try network.train(input: input, optimizer: .adam(AdamParams(lr: 0.01, weightDecay: 0.1)), steps: 3, tracer: &tracer)
        return (TraceHeader(spec: .null, network: network, input: input, gradOutput: nil), tracer.sink.events)
    }

    @Test("every encoding reads back the same header and bit-identical events")
    func roundTrip() throws {
        let (header, events) = try Self.recorded()
        // conv K (8) and b (2), γ and β (2 + 2), W (8): 22 parameters × 3 steps × 7 terms (gradient, decay, m, v,
        // denominator, step, value).
        #expect(events.filter { $0.kind == .update }.count == 22 * 3 * 7)
        #expect(events.contains { $0.phase == .update && $0.output.c == UpdatePart.secondMoment.rawValue && $0.output.n == 3 })
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeEveryEncoding(dir, header: header, events: events)
        for name in Fixtures.everyEncoding {
            let (readHeader, readEvents) = try Fixtures.readAll(dir + "/" + name)
            #expect(readHeader == header, "\(name)")
            #expect(sameBits(readEvents, events), "\(name)")
        }
        let text = String(decoding: Fixtures.readBytes(dir + "/t.jsonl"), as: UTF8.self)
        #expect(text.contains("\"phase\":\"update\",\"layer\":0,\"kind\":\"update\",\"target\":\"kernel\""))
    }

    @Test("stats count the update phase, and only a training trace shows it")
    func stats() throws {
        let (header, events) = try Self.recorded()
        var stats = TraceStats()
        for e in events { stats.add(e) }
        #expect(stats.count(Phase.update) == 22 * 3 * 7)
        #expect(stats.count(.update, Phase.update) == stats.count(Phase.update))
        #expect(stats.count(.forward) + stats.count(.backward) + stats.count(Phase.update) == events.count)
        let json = stats.toJSON(header: header)
        #expect(json["update"] == .int(22 * 3 * 7))
        #expect(stats.table(header: header).contains("update"))
        var plain = TraceStats()
        for e in events where e.phase != .update { plain.add(e) }
        #expect(plain.toJSON(header: header)["update"] == nil)
        #expect(plain.table(header: header).split(separator: "\n").first?.contains("update") == false)
    }
}
