// convtrace (CLI) — `convtrace verify FILE…`: check every `expect:` claim of Markdown files against the engine.
import ArgumentParser
import Foundation
import LessonBuilder

extension Convtrace {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the numbers that Markdown files claim.",
            discussion: """
                Runs every ```convtrace block that has `expect:` and compares each claim with the engine,
                element by element. Prints FILE:LINE: … for each wrong number (LINE = the block's opening
                fence), then `N claims checked, M wrong`.
                Exit status: 0 all claims hold, 1 some are wrong, 2 a block is malformed.
                """)

        @Argument(help: "Markdown files (lessons, claims files, anyone's tutorial).")
        var files: [String]

        func run() throws {
            let run = VerifyRun(files: files)
            for line in run.messages { print(line) }
            for problem in run.problems {
                FileHandle.standardError.write(Data((problem.description + "\n").utf8))
            }
            print(run.summary)
            if run.exitCode != 0 { throw ExitCode(run.exitCode) }
        }
    }
}
