// Benchmarks — what workloads share: repetitions, a scratch folder, LeNet-5, timing and memory helpers.
import JSONText
import Engine
import Foundation
import Specs
import Storyboard
import Tracing

/// Shared state for workloads: repetitions, a scratch folder, the LeNet problem and its events.
final class BenchContext {
    let runs: Int
    let folder: String
    /// The command line of a reading child process for a trace path.
    let readerCommand: (String) -> [String]

    init(runs: Int, readerCommand: @escaping (String) -> [String]) throws {
        self.runs = runs
        self.readerCommand = readerCommand
        let base = NSTemporaryDirectory() + "convtrace-bench-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        folder = base
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }

    /// The median of `runs` measurements of `body`, in seconds.
    func medianSeconds(_ runs: Int? = nil, setUp: () -> Void = {}, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<(runs ?? self.runs) {
            setUp()
            let start = ContinuousClock.now
            try body()
            times.append((ContinuousClock.now - start).seconds)
        }
        times.sort()
        return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }

    // MARK: LeNet-5

    /// LeNet-5 from examples/lenet5.yaml when it can be loaded, else the same architecture built here.
    private(set) lazy var lenet: (network: Network, input: Tensor, header: TraceHeader, source: String, problem: Problem?) = {
        if let problem = try? SpecDocument.load(path: "examples/lenet5.yaml") {
            return (problem.network, problem.input, problem.traceHeader(), "examples/lenet5.yaml", problem)
        }
        let (network, input) = BenchContext.builtInLeNet()
        return (network, input, TraceHeader(spec: .object([("op", .string("network")), ("note", .string("built-in LeNet-5"))]),
                                            network: network, input: input, gradOutput: nil), "built-in", nil)
    }()

    /// LeNet as users open it: the spec (run by the engine as it streams), or the built-in network's
    /// recorded run when examples/lenet5.yaml is not there.
    func lenetSource() -> TraceSource {
        if let problem = lenet.problem { return TraceSource(problem: problem) }
        return TraceSource(header: lenet.header, events: lenetEvents)
    }

    /// Every event of one LeNet run, in memory (recorded once).
    private(set) lazy var lenetEvents: [TraceEvent] = {
        var tracer = Tracer(sink: RecordingSink())
        do { _ = try lenet.network.run(input: lenet.input, gradOutput: nil, tracer: &tracer) } catch { return [] }
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
        process.arguments = readerCommand(path)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError(workload: "trace_read", message: "the reading child process failed (status \(process.terminationStatus))") }
        return try JSONValue(parsing: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Rounds to `places` decimals for display.
func rounded(_ x: Double, _ places: Int) -> JSONValue {
    let scale = pow(10, Double(places))
    return .number((x * scale).rounded() / scale)
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
