// convtrace (CLI) — one exit-status scheme for every command: 0 done, 1 failed, 2 bad input or usage; message on stderr.
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses shared by the commands (documented in docs/spec-format.md):
/// 0 success (also `--help`, `--version`); 1 the command failed (I/O, an internal error);
/// 2 the input is wrong: a bad spec, a bad flag value, a refused shape, or bad command-line usage.
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

extension Convtrace {
    /// The entry point: ArgumentParser's, except that command-line usage errors (which it reports
    /// with EX_USAGE, 64) exit with 2 like every other bad input, and standard output is checked:
    /// a write error exits 1 with a message, a reader that went away (`| head -1`) exits 0 quietly.
    static func main() {
        // A closed pipe (`| head`) is an error of write(2) that `StandardOutput.finish()` handles, not a signal.
        _ = signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
            StandardOutput.finish()
        } catch {
            StandardOutput.finish(quietly: true)
            if exitCode(for: error) == .validationFailure {
                let text = fullMessage(for: error)
                FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
                Foundation.exit(CommandFailure.badInput)
            }
            exit(withError: error)
        }
    }
}
