// convtrace (CLI) — one exit-status scheme for every command: 0 done, 1 failed, 2 bad input; message on stderr.
import ArgumentParser
import Foundation

/// Exit statuses shared by the commands (documented in docs/spec-format.md):
/// 0 success; 1 the command failed (I/O, an internal error); 2 the input is wrong (a bad spec, a bad
/// flag value, a refused shape). ArgumentParser's own command-line syntax errors exit with 64.
enum CommandFailure {
    static let failure: Int32 = 1
    static let badInput: Int32 = 2

    /// Writes `message` (one line, newline added) to standard error and returns the exit code to throw.
    static func report(_ message: String, code: Int32) -> ExitCode {
        let line = "convtrace: " + message + "\n"
        FileHandle.standardError.write(Data(line.utf8))
        return ExitCode(code)
    }
}
