// convtrace (CLI) — `convtrace verify`: placeholder until its issue lands.
import ArgumentParser

extension Convtrace {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check the numbers that Markdown files claim.")

        func run() throws {
            throw ValidationError("convtrace verify is not available yet")
        }
    }
}
