// convtrace (CLI) — `convtrace stats TRACE`: count a trace's events by kind, phase and layer.
import ArgumentParser
import JSONText
import Specs
import Storyboard
import Tracing

extension Convtrace {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Count the events of a trace by kind and phase.",
            discussion: """
                Reads a trace (JSON Lines or binary, detected from its first bytes) in one streaming pass, or runs a
                spec and counts its events as they come, and prints the event counts by kind and phase, gradient
                terms by target, and one row per layer; --json prints one JSON object instead ("encoding" is
                jsonl, binary or spec). Exit status: 0 done, 1 failed, 2 bad spec or bad or unreadable trace
                (message on stderr).
                """)

        @Argument(help: "A trace file (.jsonl or .ctb) or a spec (run by the engine; nothing is written).")
        var trace: String

        @Flag(help: "Print one JSON object instead of the table.")
        var json = false

        /// `--max-elements`, `--max-events` (docs/spec-format.md, "Limits").
        @OptionGroup var limits: LimitOptions

        func run() throws {
            let source: TraceSource
            var stats = TraceStats()
            do {
                source = try TraceSource.open(path: trace)
                try source.forEach { stats.add($0) }
            } catch let e as SpecError {
                throw CommandFailure.report(e.description, code: CommandFailure.badInput)
            } catch let e as TraceError {
                throw CommandFailure.report(e.description, code: CommandFailure.badInput)
            } catch {
                throw CommandFailure.report("\(error)", code: CommandFailure.failure)
            }
            let header = source.header
            if json {
                let head: [(String, JSONValue)] = [("file", .string(trace)), ("encoding", .string(source.originName))]
                guard case .object(let rest) = stats.toJSON(header: header) else { return }
                print(JSONValue.object(head + rest).serialized(pretty: true))
            } else {
                let layers = header.network.layers.count
                print("\(trace): \(source.originName), \(stats.total) events, \(layers) layer\(layers == 1 ? "" : "s")\(header.network.loss == nil ? "" : " + loss")")
                print("")
                print(stats.table(header: header))
            }
        }
    }
}
