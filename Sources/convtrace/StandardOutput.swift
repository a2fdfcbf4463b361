// convtrace (CLI) — StandardOutput: what happened to the bytes printed on stdout, checked before exiting.
#if canImport(Glibc)
@preconcurrency import Glibc  // `stdout` is a C global; imported before Foundation for that
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import Foundation

/// Flushes standard output at the end of a command and turns a failed write into an exit status.
///
/// `print` buffers and ignores errors, so `eval SPEC > /dev/full` used to exit 0 with nothing written.
/// SIGPIPE is ignored (see `Convtrace.main`), so a closed pipe is the error EPIPE: the reader has all
/// it wanted (`replay --plain | head -1`) and the command exits 0 without a message.
enum StandardOutput {
    /// Flushes stdout; on a write error other than EPIPE reports it and exits 1 (unless `quietly`,
    /// when the command is failing anyway); on EPIPE exits 0 quietly.
    static func finish(quietly: Bool = false) {
        let flushFailed = fflush(stdout) != 0
        let flushError = errno
        guard flushFailed || ferror(stdout) != 0 else { return }
        if (flushFailed && flushError == EPIPE) || readerIsGone() {
            if !quietly { Foundation.exit(0) }
            return
        }
        guard !quietly else { return }
        let reason = flushFailed ? String(cString: strerror(flushError)) : "a write failed"
        let line = "convtrace: cannot write to standard output: \(reason)\n"
        FileHandle.standardError.write(Data(line.utf8))
        Foundation.exit(CommandFailure.failure)
    }

    /// Whether stdout is a pipe whose reading end is closed (poll reports POLLERR on Linux and macOS).
    static func readerIsGone() -> Bool {
        var p = pollfd(fd: STDOUT_FILENO, events: 0, revents: 0)
        guard poll(&p, 1, 0) >= 0 else { return false }
        return p.revents & Int16(POLLERR) != 0
    }
}
