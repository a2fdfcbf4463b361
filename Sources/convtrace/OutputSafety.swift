// convtrace (CLI) — OutputSafety: the checks a command makes on its output path before it writes anything.
import Foundation
import Tracing

/// Output-path checks shared by the commands that write files.
enum OutputSafety {
    /// Refuses, with exit 2, an `output` that is a folder (or a symlink loop), or the same file as one
    /// of `inputs` (`trace SPEC -o SPEC`).
    static func refuseOverwritingInput(_ output: String, inputs: [String]) throws {
        do {
            _ = try OutputTarget.resolve(output)
            try OutputTarget.refuseSameFile(output, as: inputs)
        } catch {
            throw CommandFailure.report(error.description, code: CommandFailure.badInput)
        }
    }

    /// Prints a command's one-line summary: on stdout, or on stderr when the output itself went to stdout (`-o -`).
    static func summary(_ line: String, output: String) {
        if output == "-" {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        } else {
            print(line)
        }
    }
}
