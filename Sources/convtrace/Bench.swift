// convtrace (CLI) — `convtrace bench`: the fixed workloads (module Benchmarks) timed in one process, printed.
import JSONText
import ArgumentParser
import Benchmarks
import Foundation
import Tracing

extension Convtrace {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench",
            abstract: "Run the fixed benchmark workloads.",
            discussion: """
                Run it from a release build: swift run -c release convtrace bench --json
                Each figure is the median of --runs repetitions. Workloads (in output order): \
                \(BenchWorkload.all.map(\.name).joined(separator: ", ")). They live in the Benchmarks module \
                (Sources/Benchmarks) and time the path users run.
                """)

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
                let known = Set(BenchWorkload.all.map(\.name))
                for name in only.split(separator: ",").map(String.init) where !known.contains(name) {
                    throw ValidationError("unknown workload \"\(name)\"; valid: \(BenchWorkload.all.map(\.name).joined(separator: ", "))")
                }
            }
        }

        func run() throws {
            if let readRss {
                // Child mode for trace_read: stream one file and report this process's peak RSS.
                do {
                    print(try BenchWorkload.readPeakRSS(path: readRss).serialized())
                } catch {
                    throw CommandFailure.report("\(error)", code: CommandFailure.failure)
                }
                return
            }
            let results: JSONValue
            do {
                results = try BenchWorkload.run(
                    only: only.map { Set($0.split(separator: ",").map(String.init)) }, runs: runs,
                    readerCommand: { ["bench", "--read-rss", $0] },
                    progress: { name in if !json { FileHandle.standardError.write(Data("running \(name)…\n".utf8)) } })
            } catch {
                throw CommandFailure.report("\(error)", code: CommandFailure.failure)
            }
            if json {
                print(results.serialized(pretty: true))
            } else {
                for (name, value) in results.objectValue ?? [] {
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
