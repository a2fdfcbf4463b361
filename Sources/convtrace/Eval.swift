// convtrace (CLI) — `convtrace eval`: placeholder until its issue lands.
import ArgumentParser

extension Convtrace {
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate a spec and print the output and gradients as JSON.")

        func run() throws {
            throw ValidationError("convtrace eval is not available yet")
        }
    }
}
