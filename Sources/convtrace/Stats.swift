// convtrace (CLI) — `convtrace stats TRACE`: count a trace's events by kind, phase and layer.
import ArgumentParser
import JSONText
import Tracing

extension Convtrace {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Count the events of a trace by kind and phase.",
            discussion: """
                Reads a trace (JSON Lines or binary, detected from its first bytes) in one streaming pass and prints
                the event counts by kind and phase, gradient terms by target, and one row per layer; --json prints
                one JSON object instead. Exit status: 0 done, 2 bad or unreadable trace (message on stderr).
                """)

        @Argument(help: "A trace file (.jsonl or .ctb).")
        var trace: String

        @Flag(help: "Print one JSON object instead of the table.")
        var json = false

        func run() throws {
            do {
                let reader = try TraceReader(path: trace)
                let stats = try TraceStats(reading: reader)
                if json {
                    let head: [(String, JSONValue)] = [("file", .string(trace)), ("encoding", .string(reader.encoding.rawValue))]
                    guard case .object(let rest) = stats.toJSON(header: reader.header) else { return }
                    print(JSONValue.object(head + rest).serialized(pretty: true))
                } else {
                    let layers = reader.header.network.layers.count
                    print("\(trace): \(reader.encoding.rawValue), \(stats.total) events, \(layers) layer\(layers == 1 ? "" : "s")\(reader.header.network.loss == nil ? "" : " + loss")")
                    print("")
                    print(stats.table(header: reader.header))
                }
            } catch {
                throw CommandFailure.report("\(error)", code: CommandFailure.badInput)
            }
        }
    }
}
