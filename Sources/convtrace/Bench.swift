// convtrace (CLI) — `convtrace bench`: placeholder until its issue lands.
import ArgumentParser

extension Convtrace {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "bench", abstract: "Run the fixed benchmark workloads.")

        func run() throws {
            throw ValidationError("convtrace bench is not available yet")
        }
    }
}
