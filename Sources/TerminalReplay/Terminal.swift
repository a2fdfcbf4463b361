// TerminalReplay — the terminal itself: raw mode, alternate screen, size, resize and the promise to restore it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A terminal problem the player cannot work around.
public struct TerminalError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, as facts (for a command to add its advice).
    public enum Reason: Equatable, Sendable { case other, notATerminal }
    public var message: String
    public var reason: Reason
    public init(_ message: String, reason: Reason = .other) { self.message = message; self.reason = reason }
    public var description: String { message }
}

/// The state a signal handler needs to put the terminal back; plain globals because a C signal
/// handler cannot capture context. Written only before the handlers are installed.
nonisolated(unsafe) private var savedAttributes = termios()
nonisolated(unsafe) private var savedFD: Int32 = -1
nonisolated(unsafe) private var rawModeActive: Int32 = 0
/// The write end of the self-pipe that SIGWINCH pokes so the event loop wakes up and redraws.
nonisolated(unsafe) private var resizePipeWrite: Int32 = -1

/// The bytes that leave the player's screen: reset colours, show the cursor, leave the alternate screen.
private let leaveSequence: [UInt8] = Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l".utf8)

/// Async-signal-safe restore: tcsetattr and write only.
private func restoreFromSignal() {
    guard rawModeActive != 0 else { return }
    rawModeActive = 0
    _ = leaveSequence.withUnsafeBytes { write(savedFD, $0.baseAddress, $0.count) }
    _ = tcsetattr(savedFD, TCSAFLUSH, &savedAttributes)
}

/// SIGINT/SIGTERM/SIGHUP: restore the terminal, then die of the signal.
private let fatalSignalHandler: @convention(c) (Int32) -> Void = { sig in
    restoreFromSignal()
    signal(sig, SIG_DFL)
    raise(sig)
}

/// An interactive terminal session on a pair of file descriptors.
///
/// `start()` saves the terminal attributes, switches to raw mode (no echo, no line buffering, no
/// signal keys — Ctrl-C arrives as byte 3), enters the alternate screen and hides the cursor.
/// `stop()` undoes all of it; it also runs from SIGINT/SIGTERM/SIGHUP handlers and at process exit,
/// so the shell gets its terminal back however the player ends.
public final class Terminal {
    public let inputFD: Int32
    public let outputFD: Int32
    /// Read end of the resize self-pipe; readable after SIGWINCH.
    public private(set) var resizeFD: Int32 = -1
    private var started = false

    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        self.inputFD = input; self.outputFD = output
    }

    deinit { stop() }

    /// Whether `fd` is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Columns and rows of the terminal on `fd` (TIOCGWINSZ), falling back to `COLUMNS`/`LINES`, then 80×24.
    public static func size(of fd: Int32 = STDOUT_FILENO) -> (columns: Int, rows: Int) {
        var ws = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 {
            return (Int(ws.ws_col), Int(ws.ws_row))
        }
        let env = { (name: String) -> Int? in getenv(name).flatMap { Int(String(cString: $0)) } }
        return (env("COLUMNS") ?? 80, env("LINES") ?? 24)
    }

    /// Current size of this terminal.
    public var size: (columns: Int, rows: Int) { Self.size(of: outputFD) }

    /// Enters raw mode and the alternate screen and installs the restoring handlers.
    /// - Throws: `TerminalError` when input is not a terminal or its attributes cannot be read or set.
    public func start() throws {
        guard !started else { return }
        guard Self.isTerminal(inputFD) else { throw TerminalError("replay: input is not a terminal", reason: .notATerminal) }
        var original = termios()
        guard tcgetattr(inputFD, &original) == 0 else {
            throw TerminalError("replay: cannot read the terminal attributes (tcgetattr: errno \(errno))")
        }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | BRKINT | INPCK | ISTRIP)
        raw.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        savedAttributes = original
        savedFD = inputFD
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            resizeFD = fds[0]; resizePipeWrite = fds[1]
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        }
        installHandlers()
        guard tcsetattr(inputFD, TCSAFLUSH, &raw) == 0 else {
            throw TerminalError("replay: cannot switch the terminal to raw mode (tcsetattr: errno \(errno))")
        }
        rawModeActive = 1
        started = true
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J")
    }

    /// Restores the attributes saved by `start()`, shows the cursor and leaves the alternate screen.
    /// Safe to call more than once.
    public func stop() {
        guard started else { return }
        started = false
        restoreFromSignal()
        signal(SIGWINCH, SIG_DFL)
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        signal(SIGHUP, SIG_DFL)
        if resizeFD >= 0 { close(resizeFD); resizeFD = -1 }
        if resizePipeWrite >= 0 { close(resizePipeWrite); resizePipeWrite = -1 }
    }

    private func installHandlers() {
        signal(SIGINT, fatalSignalHandler)
        signal(SIGTERM, fatalSignalHandler)
        signal(SIGHUP, fatalSignalHandler)
        signal(SIGWINCH) { _ in
            var byte: UInt8 = 1
            if resizePipeWrite >= 0 { _ = Glibc.write(resizePipeWrite, &byte, 1) }
        }
        // The process may start with these blocked (the runtime blocks most signals on its
        // threads); the player's thread must receive them or Ctrl-Z/kill/resize would go unseen.
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGWINCH] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        Self.registerAtExit()
    }

    nonisolated(unsafe) private static var atExitRegistered = false
    private static func registerAtExit() {
        guard !atExitRegistered else { return }
        atExitRegistered = true
        atexit { restoreFromSignal() }
    }

    /// Writes `text` completely (retrying short writes and EINTR).
    public func write(_ text: String) { Self.write(text, to: outputFD) }

    /// Writes `text` completely to `fd` (retrying short writes and EINTR).
    /// - Returns: false when the descriptor refused it (e.g. a closed pipe).
    @discardableResult
    public static func write(_ text: String, to fd: Int32) -> Bool {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buf in
                Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
            }
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; return false }
            offset += n
        }
        return true
    }

    /// What woke the event loop.
    public enum Wake: Equatable { case input([UInt8]), resize, timeout, endOfInput }

    /// Waits up to `timeout` seconds (forever when nil) for key bytes or a resize.
    public func wait(timeout: Double?) -> Wake {
        var fds = [pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0)]
        if resizeFD >= 0 { fds.append(pollfd(fd: resizeFD, events: Int16(POLLIN), revents: 0)) }
        let ms: Int32 = timeout.map { Int32(max(0, min($0 * 1000, 60_000)).rounded(.up)) } ?? -1
        let r = poll(&fds, nfds_t(fds.count), ms)
        if r < 0 { return errno == EINTR ? .timeout : .endOfInput }
        if r == 0 { return .timeout }
        if fds.count > 1, fds[1].revents & Int16(POLLIN) != 0 {
            var drain = [UInt8](repeating: 0, count: 64)
            _ = read(resizeFD, &drain, drain.count)
            return .resize
        }
        if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            var buf = [UInt8](repeating: 0, count: 256)
            let n = read(inputFD, &buf, buf.count)
            if n <= 0 { return n < 0 && errno == EINTR ? .timeout : .endOfInput }
            return .input(Array(buf[0..<n]))
        }
        return .timeout
    }
}
