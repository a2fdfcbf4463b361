// convtrace (CLI) — `convtrace render`: placeholder until its issue lands.
import ArgumentParser

extension Convtrace {
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "render", abstract: "Draw the frames of a trace as SVG, PNG, PDF or GIF.")

        func run() throws {
            throw ValidationError("convtrace render is not available yet")
        }
    }
}
