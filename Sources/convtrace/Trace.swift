// convtrace (CLI) — `convtrace trace`: placeholder until its issue lands.
import ArgumentParser

extension Convtrace {
    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "trace", abstract: "Write the trace of a spec, or convert a trace between encodings.")

        func run() throws {
            throw ValidationError("convtrace trace is not available yet")
        }
    }
}
