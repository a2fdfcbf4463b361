// convtrace (CLI) — `convtrace bench`: fixed workloads timed in one process, reported as one JSON object.
import ArgumentParser
import Engine
import Foundation
import JSONText
import Specs
import Tracing

extension Convtrace {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench",
            abstract: "Run the fixed benchmark workloads.",
            discussion: """
                Run it from a release build: swift run -c release convtrace bench --json
                Each figure is the median of --runs repetitions. Workloads (in output order): \
                \(Bench.workloads.map(\.name).joined(separator: ", ")). Add one by defining a BenchWorkload in \
                Bench+<Name>.swift and listing it in Bench.workloads.
                """)

        /// Every workload, in output order. Other modules' workloads are appended here (one line each).
        static let workloads: [BenchWorkload] = [.convFwdBwd28, .kernels, .traceWrite, .traceRead, .traceV2, .render, .replay, .lessons]

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        @Option(help: "Repetitions per measurement (the median is reported).")
        var runs = 5

        @Option(help: "Run only these workloads (comma-separated names).")
        var only: String?

        @Option(help: .hidden)
        var readRss: String?

        func validate() throws {
            if runs < 1 { throw ValidationError("--runs must be at least 1") }
            if let only {
                let known = Set(Bench.workloads.map(\.name))
                for name in only.split(separator: ",").map(String.init) where !known.contains(name) {
                    throw ValidationError("unknown workload \"\(name)\"; valid: \(Bench.workloads.map(\.name).joined(separator: ", "))")
                }
            }
        }

        func run() throws {
            if let readRss {
                // Child mode for trace_read: stream one file and report this process's peak RSS.
                let reader = try TraceReader(path: readRss)
                var count = 0
                while try reader.next() != nil { count += 1 }
                print(JSONValue.object([("events", .int(count)), ("peak_rss_mb", .number(BenchContext.peakRSSMegabytes()))]).serialized())
                return
            }
            let selected = only.map { Set($0.split(separator: ",").map(String.init)) }
            let context = try BenchContext(runs: runs)
            defer { context.cleanUp() }
            var results: [(String, JSONValue)] = []
            for workload in Bench.workloads where selected?.contains(workload.name) ?? true {
                if !json { FileHandle.standardError.write(Data("running \(workload.name)…\n".utf8)) }
                do {
                    results.append((workload.name, try workload.run(context)))
                } catch {
                    throw CommandFailure.report("bench \(workload.name): \(error)", code: CommandFailure.failure)
                }
            }
            results.append(("machine", BenchContext.machine()))
            if json {
                print(JSONValue.object(results).serialized(pretty: true))
            } else {
                for (name, value) in results {
                    print(name)
                    for (key, field) in value.objectValue ?? [] {
                        let text: String
                        if case .object(let inner) = field {
                            text = inner.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
                        } else {
                            text = field.serialized()
                        }
                        print("  " + key.padding(toLength: max(key.count, 22), withPad: " ", startingAt: 0) + "  " + text)
                    }
                }
            }
        }
    }
}

/// One benchmark workload: a name (its key in the JSON output) and a function returning its fields.
struct BenchWorkload: Sendable {
    let name: String
    let run: @Sendable (BenchContext) throws -> JSONValue
}

/// Shared state for workloads: repetitions, a scratch folder, the LeNet problem and its events.
final class BenchContext {
    let runs: Int
    let folder: String

    init(runs: Int) throws {
        self.runs = runs
        let base = NSTemporaryDirectory() + "convtrace-bench-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        folder = base
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }

    /// The median of `runs` measurements of `body`, in seconds.
    func medianSeconds(_ runs: Int? = nil, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<(runs ?? self.runs) {
            let start = ContinuousClock.now
            try body()
            times.append((ContinuousClock.now - start).seconds)
        }
        times.sort()
        return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }

    // MARK: LeNet-5

    /// LeNet-5 from examples/lenet5.yaml when it can be loaded, else the same architecture built here.
    private(set) lazy var lenet: (network: Network, input: Tensor, header: TraceHeader, source: String) = {
        if let problem = try? SpecDocument.load(path: "examples/lenet5.yaml") {
            return (problem.network, problem.input, problem.traceHeader(), "examples/lenet5.yaml")
        }
        let (network, input) = BenchContext.builtInLeNet()
        return (network, input, TraceHeader(spec: .object([("op", .string("network")), ("note", .string("built-in LeNet-5"))]),
                                            network: network, input: input, gradOutput: nil), "built-in")
    }()

    /// Runs LeNet forward and backward into `tracer`.
    func runLeNet<S: TraceSink>(_ tracer: inout Tracer<S>) throws {
        _ = try lenet.network.run(input: lenet.input, gradOutput: nil, tracer: &tracer)
    }

    /// Every event of one LeNet run, in memory (recorded once).
    private(set) lazy var lenetEvents: [TraceEvent] = {
        var tracer = Tracer(sink: RecordingSink())
        do { try runLeNet(&tracer) } catch { return [] }
        return tracer.sink.events
    }()

    /// 1×32×32 → conv 6@5×5 → tanh → avg pool 2 → conv 16@5×5 → tanh → avg pool 2 → flatten → 120 → 84 → 10,
    /// softmax cross-entropy against class 7; weights from a fixed integer hash, in [−0.09, 0.09].
    static func builtInLeNet() -> (Network, Tensor) {
        var state: UInt64 = 0x2545F4914F6CDD1D
        func values(_ count: Int) -> [Double] {
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Double(Int((state >> 33) % 19) - 9) / 100
            }
        }
        func tensor(_ shape: [Int]) -> Tensor { Tensor(shape: shape, data: values(shape.reduce(1, *))) }
        let pool = Layer.avgPool2d(Pool2DParams(kernelSize: Pair(2)))
        let layers: [Layer] = [
            .conv2d(Conv2DParams(), kernel: tensor([6, 1, 5, 5]), bias: tensor([6])), .tanh, pool,
            .conv2d(Conv2DParams(), kernel: tensor([16, 6, 5, 5]), bias: tensor([16])), .tanh, pool, .flatten,
            .linear(weight: tensor([120, 400]), bias: tensor([120])), .tanh,
            .linear(weight: tensor([84, 120]), bias: tensor([84])), .tanh,
            .linear(weight: tensor([10, 84]), bias: tensor([10])),
        ]
        let input = Tensor(shape: [1, 1, 32, 32], data: (0..<1024).map { Double(($0 * 37) % 17) / 16 })
        return (Network(layers: layers, loss: .softmaxCrossEntropy(target: [7])), input)
    }

    /// Cores and the load average when the run ended: the figures are wall-clock times on a shared machine.
    static func machine() -> JSONValue {
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) }
        return .object([("cores", .int(ProcessInfo.processInfo.activeProcessorCount)),
                        ("load_average_1m", load.map { .number($0) } ?? .null)])
    }

    // MARK: peak RSS

    /// This process's peak resident set (VmHWM) in MiB, or -1 where /proc is missing.
    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? -1
            return (kb / 1024 * 10).rounded() / 10
        }
        return -1
    }

    /// Runs `convtrace bench --read-rss path` in a fresh process; returns its JSON answer.
    func childRead(_ path: String) throws -> JSONValue {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        process.arguments = ["bench", "--read-rss", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw EngineError("the reading child process failed (status \(process.terminationStatus))") }
        return try JSONValue(parsing: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Rounds to `places` decimals for display.
func rounded(_ x: Double, _ places: Int) -> JSONValue {
    let scale = pow(10, Double(places))
    return .number((x * scale).rounded() / scale)
}

extension BenchWorkload {
    /// conv2d forward + backward on 1×1×28×28 with 6 filters 5×5: plain reference vs traced with sinks.
    static let convFwdBwd28 = BenchWorkload(name: "conv_fwd_bwd_28") { context in
        let input = Tensor(shape: [1, 1, 28, 28], data: (0..<784).map { Double(($0 * 7) % 13) / 12 - 0.5 })
        let kernel = Tensor(shape: [6, 1, 5, 5], data: (0..<150).map { Double(($0 * 11) % 19) / 100 - 0.09 })
        let bias = Tensor(shape: [6], data: [0.1, -0.2, 0.05, 0, 0.3, -0.1])
        let dY = Tensor(shape: [1, 6, 24, 24], data: (0..<3456).map { Double($0 % 5) / 4 - 0.5 })
        let params = Conv2DParams()
        let repeats = 20
        var sinkCheck = 0.0
        let untraced = try context.medianSeconds(max(context.runs, 9)) {
            for _ in 0..<repeats {
                let y = try Conv2DReference.forward(input: input, kernel: kernel, bias: bias, params: params)
                let g = try Conv2DReference.backward(input: input, kernel: kernel, bias: bias, params: params, gradOutput: dY)
                sinkCheck += y.data[0] + g.input.data[0]
            }
        } / Double(repeats)
        let null = try context.medianSeconds(max(context.runs, 9)) {
            for _ in 0..<repeats {
                var tracer = Tracer<NullSink>.untraced
                let y = try Conv2D.forward(input: input, kernel: kernel, bias: bias, params: params, tracer: &tracer)
                let g = try Conv2D.backward(input: input, kernel: kernel, bias: bias, params: params, gradOutput: dY, tracer: &tracer)
                sinkCheck += y.data[0] + g.input.data[0]
            }
        } / Double(repeats)
        var events = 0
        let memory = try context.medianSeconds {
            var tracer = Tracer(sink: RecordingSink())
            let y = try Conv2D.forward(input: input, kernel: kernel, bias: bias, params: params, tracer: &tracer)
            let g = try Conv2D.backward(input: input, kernel: kernel, bias: bias, params: params, gradOutput: dY, tracer: &tracer)
            sinkCheck += y.data[0] + g.input.data[0]
            events = tracer.sink.events.count
        }
        if sinkCheck.isNaN { print("") }  // keeps the results alive
        return .object([
            ("untraced_ns", rounded(untraced * 1e9, 0)),
            ("null_sink_ns", rounded(null * 1e9, 0)),
            ("memory_sink_ns", rounded(memory * 1e9, 0)),
            ("null_sink_ratio", rounded(null / untraced, 3)),
            ("memory_sink_ratio", rounded(memory / untraced, 3)),
            ("events", .int(events)),
        ])
    }

    /// LeNet-5 forward + backward written to disk in both encodings.
    static let traceWrite = BenchWorkload(name: "trace_write") { context in
        let events = context.lenetEvents
        let header = context.lenet.header
        let jsonlPath = context.folder + "/lenet.jsonl", binaryPath = context.folder + "/lenet.ctb"
        let jsonl = try context.medianSeconds(max(3, context.runs / 2)) {
            let w = try JSONLWriter(path: jsonlPath, header: header)
            for e in events { w.record(e) }
            try w.finish()
        }
        let binary = try context.medianSeconds {
            let w = try BinaryWriter(path: binaryPath, header: header)
            for e in events { w.record(e) }
            try w.finish()
        }
        let whole = try context.medianSeconds(max(3, context.runs / 2)) {
            let w = try JSONLWriter(path: jsonlPath, header: header)
            var tracer = Tracer(sink: w)
            try context.runLeNet(&tracer)
            try w.finish()
        }
        let wholeBinary = try context.medianSeconds(max(3, context.runs / 2)) {
            let w = try BinaryWriter(path: binaryPath, header: header)
            var tracer = Tracer(sink: w)
            try context.runLeNet(&tracer)
            try w.finish()
        }
        let size = { (p: String) -> Int in ((try? FileManager.default.attributesOfItem(atPath: p)[.size]) as? Int) ?? -1 }
        return .object([
            ("events", .int(events.count)),
            ("jsonl_events_per_s", rounded(Double(events.count) / jsonl, 0)),
            ("binary_events_per_s", rounded(Double(events.count) / binary, 0)),
            ("lenet_trace_s", rounded(whole, 3)),
            ("lenet_binary_trace_s", rounded(wholeBinary, 3)),
            ("jsonl_bytes", .int(size(jsonlPath))),
            ("binary_bytes", .int(size(binaryPath))),
            ("network", .string(context.lenet.source)),
        ])
    }

    /// Streaming read of the LeNet binary trace; peak RSS of a reader process at 1× and 10× length.
    static let traceRead = BenchWorkload(name: "trace_read") { context in
        let events = context.lenetEvents
        let header = context.lenet.header
        func write(_ path: String, repeats: Int) throws {
            let w = try BinaryWriter(path: path, header: header)
            for r in 0..<repeats {
                for var e in events { e.step += r * events.count; w.record(e) }
            }
            try w.finish()
        }
        let one = context.folder + "/read-1x.ctb", ten = context.folder + "/read-10x.ctb"
        try write(one, repeats: 1)
        var count = 0
        let read = try context.medianSeconds {
            let r = try TraceReader(path: one)
            count = 0
            while try r.next() != nil { count += 1 }
        }
        let rss1 = try context.childRead(one)
        try FileManager.default.removeItem(atPath: one)
        try write(ten, repeats: 10)
        let rss10 = try context.childRead(ten)
        try FileManager.default.removeItem(atPath: ten)
        return .object([
            ("events", .int(count)),
            ("read_events_per_s", rounded(Double(count) / read, 0)),
            ("peak_rss_mb", .object([("1x", rss1["peak_rss_mb"] ?? .null), ("10x", rss10["peak_rss_mb"] ?? .null)])),
            ("events_10x", rss10["events"] ?? .null),
        ])
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
