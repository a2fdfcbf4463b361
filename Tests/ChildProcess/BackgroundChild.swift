// ChildProcess — test support: a long-running child (a server such as chromedriver) with a deadline.
import CChildProcess
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child started in its own process group, output going to a log file; it and everything it started
/// are killed by `stop()`, by `deinit`, or at the latest when its deadline passes.
public final class BackgroundChild: @unchecked Sendable {
    /// The child's pid (also its process group id).
    public let pid: pid_t
    /// Where its stdout and stderr go.
    public let logPath: String
    private let lock = NSLock()
    private var stopped = false

    /// Starts `executable arguments…`.
    /// - Parameters:
    ///   - timeout: seconds after which the process group is killed even if nobody called `stop()`.
    ///   - logPath: file receiving stdout and stderr (truncated).
    /// - Throws: `ChildProcessError` when the program cannot be started.
    public init(_ executable: String, _ arguments: [String], logPath: String, timeout: Double) throws {
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard log >= 0, null >= 0 else {
            if log >= 0 { close(log) }
            if null >= 0 { close(null) }
            throw ChildProcessError("cannot open \(logPath) or /dev/null: \(String(cString: strerror(errno)))")
        }
        defer { close(log); close(null) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = cchild_spawn_group(&child, executable, argv, environ, nil, null, log, log, 1)
        guard rc == 0 else { throw ChildProcessError("could not start \(executable): \(String(cString: strerror(rc)))") }
        pid = child
        self.logPath = logPath
        let deadline = DispatchTime.now() + timeout
        DispatchQueue.global().asyncAfter(deadline: deadline) { [weak self] in self?.stop() }
    }

    /// Whether the child is still running.
    public var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        return !stopped && kill(pid, 0) == 0
    }

    /// Kills the child's process group (SIGTERM, then SIGKILL after half a second) and reaps the child.
    public func stop() {
        lock.lock(); defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        kill(-pid, SIGTERM)
        var status: Int32 = 0
        var reaped = false
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) != 0 { reaped = true; break }
            usleep(10_000)
        }
        kill(-pid, SIGKILL)  // whatever of the group is left (a browser the server started)
        if !reaped { _ = waitpid(pid, &status, 0) }
    }

    /// What the child printed so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { stop() }
}
