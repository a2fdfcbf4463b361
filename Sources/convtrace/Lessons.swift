// convtrace (CLI) — `convtrace lessons`: placeholder until its issue lands.
import ArgumentParser

extension Convtrace {
    struct Lessons: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "lessons", abstract: "Build the lessons in Lessons/ into Output/.")

        func run() throws {
            throw ValidationError("convtrace lessons is not available yet")
        }
    }
}
