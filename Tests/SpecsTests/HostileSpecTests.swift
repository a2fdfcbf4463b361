// SpecsTests — hostile specs: huge sizes, alias bombs and runs too large to trace are refused with a located message.
import Engine
import Specs
import Testing

@Suite("hostile specs: ranges, YAML aliases, work limits")
struct HostileSpecTests {
    static let image = "input: [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]\n"

    @Test("a size key above 2^20 names the key, its line and the range (spec and network)")
    func sizeKeysOutOfRange() {
        let dilation = specError("op: conv2d\n" + Self.image + "kernel: [[1, 0, 1], [0, 1, 0], [1, 0, 1]]\ndilation: 9223372036854775807\n")
        #expect(dilation?.description == "t.yaml:4:11: dilation: dilation must be at most 1048576 (2^20, the largest size convtrace computes with), got 9223372036854775807 (an int ≥ 1 or a pair [y, x] of them, each at most 1048576)")
        let pool = specError("op: max_pool2d\n" + Self.image + "kernel_size: 2\nstride: 9223372036854775807\nceil_mode: true\n")
        #expect(pool?.path == "stride" && pool?.line == 4)
        let padding = specError("op: conv2d\n" + Self.image + "kernel: [[1]]\npadding: [0, 10000000000]\n")
        #expect(padding?.path == "padding[1]")
        #expect(padding?.problem == "padding must be at most 1048576 (2^20, the largest size convtrace computes with), got 10000000000")
        let layer = specError("op: network\n" + Self.image + "layers:\n  - {op: max_pool2d, kernel_size: 2, stride: [1, 4194304]}\n")
        #expect(layer?.path == "layers[0].stride[1]" && layer?.line == 4)
    }

    @Test("a network whose jumps multiply past Int.max still reports its shapes")
    func jumpsThatMultiply() throws {
        let layers = String(repeating: "  - {op: max_pool2d, kernel_size: 1, stride: 1048576}\n", count: 5)
        let p = try parse("op: network\n" + Self.image + "layers:\n" + layers)
        let report = try p.shapeReport()
        #expect(report.outputShape == [1, 1])
        #expect(report.receptiveField == nil)
    }

    @Test("YAML aliases that expand past the text's size are refused, even in an ignored key")
    func billionLaughs() {
        var doc = "op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\ntitle:\n  x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 { doc += "  x\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]\n" }
        let e = specError(doc)
        #expect(e?.problem.hasPrefix("expands to more than \(doc.utf8.count + 1024) YAML nodes through aliases") == true)
        // A few honest aliases stay fine.
        #expect((try? parse("op: conv2d\ninput: &x [[1, 2], [3, 4]]\nkernel: [[1]]\ntitle: *x\n")) != nil)
    }

    @Test("a run estimated above the event limit is refused before it starts, naming the layer")
    func workLimit() throws {
        let p = try parse("op: conv2d\n" + Self.image + "kernel: [[1, 0, 1], [0, 1, 0], [1, 0, 1]]\npadding: 2000\n")
        // 4003² output cells × 9 multiply-accumulates, plus the input and output elements.
        #expect(p.estimatedEvents == 4003 * 4003 * 9 + 4003 * 4003 + 25)
        do {
            try p.checkWork()
            Issue.record("expected the work limit to refuse padding 2000")
        } catch {
            #expect(error.problem.hasPrefix("running this spec would take about 160240115 trace events (multiply-accumulates and gradient terms), most of them in conv2d, more than the limit of 16777216"))
            #expect(error.valid.contains("--max-events"))
        }
        try p.checkWork(limits: ResourceLimits(events: 200_000_000))
        #expect(throws: SpecError.self) { try p.checkWork(traced: false) }  // 4× the limit untraced: still too much
        try p.checkWork(traced: false, limits: ResourceLimits(events: 50_000_000))
        let small = try parse("op: conv2d\n" + Self.image + "kernel: [[1, 0, 1], [0, 1, 0], [1, 0, 1]]\npadding: 1\n")
        #expect(small.estimatedEvents == 25 * 9 + 25 + 25)
        #expect(throws: SpecError.self) { try small.checkWork(limits: ResourceLimits(events: 100)) }
    }

    @Test("the estimate bounds the events a traced run really emits (examples and a backward pass)")
    func estimateBoundsTheTrace() throws {
        for spec in ["op: conv2d\n" + Self.image + "kernel: [[1, 0], [0, 1]]\nstride: 2\npadding: 1\ngrad_output: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]\n",
                     "op: max_pool2d\n" + Self.image + "kernel_size: 2\nstride: 1\n",
                     "op: network\n" + Self.image + "layers:\n  - {op: conv2d, kernel: [[[[1, 2], [3, 4]]], [[[1, 0], [0, 1]]]]}\n  - {op: relu}\n  - {op: flatten}\n  - {op: linear, weight: [" + Array(repeating: "[" + Array(repeating: "1", count: 32).joined(separator: ", ") + "]", count: 3).joined(separator: ", ") + "]}\n  - {op: mse, target: [[1, 2, 3]]}\n"] {
            let p = try parse(spec)
            var tracer = Tracer(sink: RecordingSink())
            _ = try p.run(tracer: &tracer)
            #expect(tracer.sink.events.count <= p.estimatedEvents, "\(spec)")
            #expect(tracer.sink.events.count * 6 >= p.estimatedEvents, "\(spec)")
        }
    }
}
