// convtrace (CLI) — `convtrace shape`: placeholder until its issue lands.
import ArgumentParser

extension Convtrace {
    struct Shape: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "shape", abstract: "Output size and receptive field, with the formula shown.")

        func run() throws {
            throw ValidationError("convtrace shape is not available yet")
        }
    }
}
