// convtrace (CLI) — `convtrace replay`: placeholder until its issue lands.
import ArgumentParser

extension Convtrace {
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "replay", abstract: "Step through a trace in the terminal.")

        func run() throws {
            throw ValidationError("convtrace replay is not available yet")
        }
    }
}
