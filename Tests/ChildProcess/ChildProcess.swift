// ChildProcess — test support: runs a program, captures its output, and never waits forever.
//
// Why not Foundation's `Process`: on Linux it hands every child one end of a notification
// socket and reaps the child only when that socket closes. A child that leaves a daemon behind
// (`tmux new-session` starts tmux's server) passes the socket on, so `waitUntilExit` blocked until
// the server exited — which, in CI's fresh machine with no tmux server running yet, was never
// (the test run hung for 90 minutes). Here the child gets stdin/stdout/stderr and nothing else
// (`posix_spawn_file_actions_addclosefrom_np`), our pipes are close-on-exec so children that other
// tests spawn at the same time do not inherit them, and every run has a deadline after which the
// child is killed and the test fails with what it printed so far.
// (swift-subprocess would do the same; for one 100-line test helper it is not worth a dependency.)
import CChildProcess
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one finished run printed and how it ended.
public struct ChildResult: Sendable {
    /// The exit status, or 128 + the signal number when a signal ended it.
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// A run that could not start or did not finish before its deadline.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Writing to a child that has exited gives EPIPE instead of killing the test runner.
private let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

public enum ChildProcess {
    /// Runs `executable arguments…` to completion and returns its output.
    ///
    /// - Parameters:
    ///   - stdin: written to the child's standard input, which is then closed (empty when nil).
    ///   - directory: the child's working directory (the caller's when nil).
    ///   - environment: variables set (or replaced) in the child's environment, which is otherwise ours.
    ///   - timeout: seconds until the child is killed and `ChildProcessError` is thrown.
    public static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                           directory: String? = nil, environment: [String: String] = [:],
                           timeout: Double = 120) throws -> ChildResult {
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard cchild_cloexec_pipe(&inPipe) == 0, cchild_cloexec_pipe(&outPipe) == 0, cchild_cloexec_pipe(&errPipe) == 0 else {
            throw ChildProcessError("pipe2 failed: \(String(cString: strerror(errno)))")
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { $1 }
        let envp: [UnsafeMutablePointer<CChar>?] = variables.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        let spawned = cchild_spawn(&pid, executable, argv, envp, directory, inPipe[0], outPipe[1], errPipe[1])
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard spawned == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw ChildProcessError("could not start \(executable): \(String(cString: strerror(spawned)))")
        }

        var input = Array((stdin ?? "").utf8)[...]
        var inFD = inPipe[1]
        if input.isEmpty { close(inFD); inFD = -1 } else {
            // Non-blocking, so a child that fills stdout before reading its input cannot stall the
            // loop past its deadline; a child that exits early must not kill the runner with SIGPIPE.
            _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
            _ = ignoreSIGPIPE
        }
        var out: [UInt8] = [], err: [UInt8] = []
        var open: [Int32] = [outPipe[0], errPipe[0]]
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty || inFD >= 0 {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                for fd in open + (inFD >= 0 ? [inFD] : []) { close(fd) }
                throw ChildProcessError("""
                    \(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s and was killed; \
                    it printed:\n\(String(decoding: out, as: UTF8.self))\(String(decoding: err, as: UTF8.self))
                    """)
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if inFD >= 0 { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 1) * 1000) + 1)
            if ready < 0 && errno != EINTR { throw ChildProcessError("poll failed: \(String(cString: strerror(errno)))") }
            guard ready > 0 else { continue }
            for entry in fds where entry.revents != 0 {
                if entry.fd == inFD {
                    let n = input.withUnsafeBytes { Glibc.write(inFD, $0.baseAddress, $0.count) }
                    if n > 0 { input = input.dropFirst(n) }
                    if n < 0 && errno != EINTR && errno != EAGAIN { input = [][...] }
                    if input.isEmpty { close(inFD); inFD = -1 }
                    continue
                }
                let n = read(entry.fd, &buffer, buffer.count)
                if n > 0 {
                    if entry.fd == outPipe[0] { out += buffer[0..<n] } else { err += buffer[0..<n] }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if deadline.timeIntervalSinceNow <= 0 {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw ChildProcessError("\(executable) closed its output but did not exit within \(timeout) s and was killed")
            }
            usleep(2000)
        }
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return ChildResult(status: code, stdout: String(decoding: out, as: UTF8.self),
                           stderr: String(decoding: err, as: UTF8.self))
    }

    /// The first executable called `tool` on PATH.
    public static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
