// TracingTests — a trace recorded from a real engine run: counts, file round trip, replay, rebuild from header.
import Engine
import Testing
@testable import Tracing

@Suite("Recorded engine trace")
struct RecordedTraceTests {
    /// 1×2×4×4 input, 3 filters 2×3, bias, stride [1,2], zero padding [1,0,1,1], then relu; dY of ones.
    static var header: TraceHeader {
        let input = Tensor(shape: [1, 2, 4, 4], data: (0..<32).map { Double($0 % 7) * 0.25 - 0.5 })
        let kernel = Tensor(shape: [3, 2, 2, 3], data: (0..<36).map { Double(($0 * 5) % 11) / 10 - 0.5 })
        let params = Conv2DParams(stride: Pair(1, 2), padding: Padding(top: 1, bottom: 0, left: 1, right: 1))
        let network = Network(layers: [.conv2d(params, kernel: kernel, bias: Tensor(shape: [3], data: [0.1, -0.2, 0.3])), .relu])
        let h = TraceHeader(spec: .object([("op", .string("network"))]), network: network, input: input, gradOutput: nil)
        return TraceHeader(spec: h.spec, network: network, input: input,
                           gradOutput: Tensor(shape: h.layerShapes[1]!.output, repeating: 1))
    }

    @Test("counting rule, file round trip in both encodings, mac replay, rebuild from the header")
    func recorded() throws {
        let h = Self.header
        // Output: Ho = (4 + 1 + 0 − 2)/1 + 1 = 4, Wo = (4 + 1 + 1 − 3)/2 + 1 = 2 → 1×3×4×2.
        #expect(h.layerShapes[0]?.output == [1, 3, 4, 2])
        var tracer = Tracer(sink: RecordingSink())
        let result = try h.network.run(input: h.input, gradOutput: h.gradOutput, tracer: &tracer)
        let events = tracer.sink.events
        var stats = TraceStats()
        for e in events { stats.add(e) }
        // N·K·Ho·Wo·C·Fh·Fw = 1·3·4·2·2·2·3 = 288 macs; as many kernel-gradient terms; 24 bias terms.
        #expect(stats.count(.mac, .forward) == 288)
        #expect(stats.count(target: .kernel) == 288)
        #expect(stats.count(target: .bias) == 24)
        // Input-gradient terms of the conv: one per mac that did not read padding.
        let realMacs = events.filter { $0.kind == .mac && !$0.flags.contains(.padding) }.count
        let convInputTerms = events.filter { $0.kind == .grad && $0.target == .input && $0.layer == 0 }.count
        #expect(convInputTerms == realMacs)
        #expect(stats.count(.activation, .forward) == 24)
        #expect(stats.total == events.count)
        #expect(events.enumerated().allSatisfy { $0.offset == $0.element.step })

        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeJSONL(dir + "/r.jsonl", header: h, events: events)
        try Fixtures.writeBinary(dir + "/r.ctb", header: h, events: events)
        for path in [dir + "/r.jsonl", dir + "/r.ctb"] {
            let (readHeader, readEvents) = try Fixtures.readAll(path)
            #expect(sameBits(readEvents, events), "\(path)")
            // The header alone rebuilds the computation: the same network gives the same output bits.
            var again = Tracer<NullSink>.untraced
            let rerun = try readHeader.network.run(input: readHeader.input, gradOutput: readHeader.gradOutput, tracer: &again)
            #expect(rerun.activations.map { $0.data.map(\.bitPattern) } == result.activations.map { $0.data.map(\.bitPattern) })
        }
        // Replaying the mac and bias events of layer 0 reproduces the conv output exactly.
        var replay = Tensor(shape: [1, 3, 4, 2])
        for e in events where e.layer == 0 && e.phase == .forward && e.kind == .output {
            replay[Int(e.output.n), Int(e.output.c), Int(e.output.h), Int(e.output.w)] = e.acc
        }
        var sums = Tensor(shape: [1, 3, 4, 2])
        for e in events where e.layer == 0 && e.phase == .forward && (e.kind == .mac || e.kind == .bias) {
            let (n, k, y, x) = (Int(e.output.n), Int(e.output.c), Int(e.output.h), Int(e.output.w))
            sums[n, k, y, x] += e.kind == .mac ? e.a * e.b : e.b
        }
        #expect(replay.data.map(\.bitPattern) == result.activations[1].data.map(\.bitPattern))
        #expect(sums.data.map(\.bitPattern) == result.activations[1].data.map(\.bitPattern))
    }

    @Test("stats of a file: table and JSON")
    func statsOfFile() throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeBinary(dir + "/t.ctb")
        let reader = try TraceReader(path: dir + "/t.ctb")
        let stats = try TraceStats(reading: reader)
        // Fixtures.events: 2 mac, 1 bias, 1 output, 1 pool, 1 activation, 1 loss forward; 4 grad backward.
        #expect(stats.count(.forward) == 7 && stats.count(.backward) == 4)
        #expect(stats.count(target: .input) == 1 && stats.count(target: .kernel) == 1 && stats.count(target: .bias) == 1)
        let json = stats.toJSON(header: reader.header)
        #expect(json["by_kind"]?["mac"]?.serialized() == #"{"forward":2,"backward":0,"total":2}"#)
        #expect(json["layers"]?.arrayValue?.first?["op"] == .string("conv2d"))
        #expect(stats.table(header: reader.header).contains("mac                    2           0           2"))
    }
}
