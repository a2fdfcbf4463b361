// Benchmarks — the fixed speed workloads behind `convtrace bench`: each times the path users run.
import JSONText
import Foundation
import Storyboard
import Tracing

/// One benchmark workload: a name (its key in the JSON output) and a function returning its fields.
///
/// Add one by defining a `BenchWorkload` in `BenchWorkload+<Name>.swift` and listing it in `all`.
public struct BenchWorkload: Sendable {
    public let name: String
    let run: @Sendable (BenchContext) throws -> JSONValue

    init(name: String, run: @escaping @Sendable (BenchContext) throws -> JSONValue) {
        self.name = name
        self.run = run
    }

    /// Every workload, in output order.
    public static let all: [BenchWorkload] = [.convFwdBwd28, .kernels, .traceWrite, .traceRead, .traceV2, .render, .replay, .lessons, .train]

    /// Runs the workloads named in `only` (nil: all), in output order, and returns one JSON object:
    /// a field per workload, then `machine` (cores and load average).
    /// - Parameters:
    ///   - runs: repetitions per measurement (the median is reported).
    ///   - readerCommand: the command line that runs `BenchWorkload.readPeakRSS(path:)` in a fresh
    ///     process for a trace path (the reading child of `trace_read`).
    ///   - progress: called with each workload's name before it runs.
    /// - Throws: `BenchError` naming the workload that failed.
    public static func run(only: Set<String>?, runs: Int, readerCommand: @escaping (String) -> [String],
                           progress: (String) -> Void = { _ in }) throws -> JSONValue {
        let context = try BenchContext(runs: runs, readerCommand: readerCommand)
        defer { context.cleanUp() }
        var results: [(String, JSONValue)] = []
        for workload in all where only?.contains(workload.name) ?? true {
            progress(workload.name)
            do {
                results.append((workload.name, try workload.run(context)))
            } catch {
                throw BenchError(workload: workload.name, message: "\(error)")
            }
        }
        results.append(("machine", BenchContext.machine()))
        return .object(results)
    }

    /// Streams the trace at `path` through the open function and reports the events and this
    /// process's peak RSS as JSON (the child process of `trace_read`).
    public static func readPeakRSS(path: String) throws -> JSONValue {
        var count = 0
        try TraceSource.open(path: path).forEach { _ in count += 1 }
        return .object([("events", .int(count)), ("peak_rss_mb", .number(BenchContext.peakRSSMegabytes()))])
    }
}

/// A workload failed.
public struct BenchError: Error, CustomStringConvertible {
    public var workload: String
    public var message: String
    public var description: String { "bench \(workload): \(message)" }
}
