// convtrace (CLI) — `convtrace stats`: placeholder until its issue lands.
import ArgumentParser

extension Convtrace {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stats", abstract: "Count the events of a trace by kind and phase.")

        func run() throws {
            throw ValidationError("convtrace stats is not available yet")
        }
    }
}
