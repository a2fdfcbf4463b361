// convtrace (CLI) — `convtrace verify FILE…`: check every `expect:` claim of Markdown files against the engine.
import ArgumentParser
import Foundation
import LessonBuilder

extension Convtrace {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the numbers that Markdown files and Jupyter notebooks claim.",
            discussion: """
                Runs every ```convtrace block, and every <!-- convtrace ... --> comment, that has `expect:` and \
                compares each claim with the engine, element by element. Notebooks (.ipynb): the Markdown cells.
                --format text (default): FILE:LINE: ... for each wrong number (LINE = the block's opening line), \
                then `N claims checked, M wrong`; json: one object with every claim; github: ::error annotations \
                on the claim's line; junit: JUnit XML. Formats: docs/verify.md.
                --update writes the engine's values into `expect:` entries that are missing (`output:`) or wrong, \
                changing only those lines, and exits 0 when every claim then holds.
                Exit status: 0 all claims hold, 1 some are wrong, 2 a block is malformed.
                """)

        @Argument(help: "Markdown files or Jupyter notebooks (lessons, claims files, anyone's tutorial).")
        var files: [String]

        @Option(help: "text, json, github or junit.")
        var format: String = "text"

        @Flag(name: [.customLong("update"), .customLong("record")],
              help: "Write the engine's values into expect: entries that are missing or wrong.")
        var update = false

        /// `--max-elements`, `--max-events` (docs/spec-format.md, "Limits").
        @OptionGroup var limits: LimitOptions

        func validate() throws {
            if VerifyFormat(rawValue: format) == nil {
                throw ValidationError("--format must be one of text, json, github, junit, not \"\(format)\"")
            }
        }

        func run() throws {
            let chosen = VerifyFormat(rawValue: format) ?? .text
            var run = VerifyRun(files: files)
            if update {
                for file in files {
                    do {
                        let outcome = try ClaimUpdater.update(file: file, checks: run.checks)
                        for check in outcome.updated {
                            note("\(file):\(check.claim.line): \(check.claim.key): wrote \(check.computedText)")
                        }
                        for line in outcome.skipped { note(line) }
                    } catch {
                        throw CommandFailure.report("\(error)", code: CommandFailure.failure)
                    }
                }
                run = VerifyRun(files: files)  // what the files claim now
            }
            if chosen == .text {
                for problem in run.problems { note(problem.description) }
            }
            print(VerifyReport.render(run, as: chosen), terminator: "")
            if run.exitCode != 0 { throw ExitCode(run.exitCode) }
        }

        /// One line on standard error.
        func note(_ line: String) {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}
