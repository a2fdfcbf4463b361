// convtrace (CLI) — OutputSafety: the checks a command makes on its output path before it writes anything.
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
}
