// TerminalReplayTests — the interactive player through a real pseudo-terminal (tmux): keys in, screen text out.
import ChildProcess
import Foundation
import Testing

/// Drives the built `convtrace` binary inside a detached tmux session and reads its screen.
///
/// Each test uses its own session name and kills it however the test ends. The sessions live on a
/// server of their own (`-L`, no config file), so a tmux the developer is running is never touched.
final class TmuxSession {
    let name: String
    let tmux: String
    static let server = ["-L", "convtrace-tests-\(getpid())", "-f", "/dev/null"]

    init(command: String, columns: Int = 120, rows: Int = 40) throws {
        guard let tmux = ChildProcess.which("tmux") else {
            throw TmuxError("tmux is not installed (make test installs it: apt-get install tmux)")
        }
        self.tmux = tmux
        name = "ctreplay-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let r = try TmuxSession.run(tmux, ["new-session", "-d", "-s", name, "-x", "\(columns)", "-y", "\(rows)", command])
        guard r.status == 0 else { throw TmuxError("tmux new-session failed: \(r.output)") }
    }

    deinit { _ = try? TmuxSession.run(tmux, ["kill-session", "-t", name]) }

    func send(_ keys: String...) throws {
        _ = try TmuxSession.run(tmux, ["send-keys", "-t", name] + keys)
    }

    func resize(columns: Int, rows: Int) throws {
        _ = try TmuxSession.run(tmux, ["resize-window", "-t", name, "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// Process id of the command running in the pane (the child of the pane's shell).
    func commandPID() throws -> Int32? {
        let shell = try TmuxSession.run(tmux, ["display-message", "-p", "-t", name, "#{pane_pid}"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pgrep = ChildProcess.which("pgrep") else { return nil }
        let child = try TmuxSession.run(pgrep, ["-P", shell]).output.split(separator: "\n").first
        return child.flatMap { Int32($0) }
    }

    func screen() throws -> String { try TmuxSession.run(tmux, ["capture-pane", "-p", "-t", name]).output }

    /// Polls the screen until every string in `texts` is on it (or none of `absent` is), up to `timeout` seconds.
    @discardableResult
    func waitFor(_ texts: [String], absent: [String] = [], timeout: Double = 15) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if texts.allSatisfy(last.contains) && !absent.contains(where: last.contains) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TmuxError("timed out after \(timeout) s waiting for \(texts) (absent \(absent)); the screen was:\n\(last)")
    }

    /// Runs `tool args…` (tmux commands go to the tests' own server) and returns its status and output.
    static func run(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let arguments = tool.hasSuffix("/tmux") ? server + args : args
        let r = try ChildProcess.run(tool, arguments, timeout: 30)
        return (r.status, r.stdout + r.stderr)
    }
}

struct TmuxError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The built `convtrace` next to the test bundle (`swift build --build-tests` builds both).
func convtraceBinary() throws -> String {
    let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var candidates = [bundleDir.appendingPathComponent("convtrace").path]
    for b in Bundle.allBundles { candidates.append(b.bundleURL.deletingLastPathComponent().appendingPathComponent("convtrace").path) }
    if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
    throw TmuxError("the convtrace binary is not built next to the tests (looked in \(candidates)); run swift build --build-tests")
}

/// The conv-basic spec (18 cell frames: 4 forward, 4 dK, 9 dX, 1 db) in a temporary file.
func convBasicSpecFile() throws -> String {
    let path = NSTemporaryDirectory() + "convtrace-replay-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).yaml"
    try """
        op: conv2d
        input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
        kernel: [[1, 0], [0, -1]]
        bias: 0.5
        grad_output: [[1, 1], [1, 1]]
        """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite("Interactive replay in a pseudo-terminal", .serialized)
struct InteractiveReplayTests {
    /// After the player exits the pane's shell prints the exit status and the terminal modes.
    static func command(_ binary: String, _ args: String) -> String {
        "\(binary) replay \(args); echo EXIT:$?; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; sleep 60"
    }

    @Test("l/h/→/G/g/space step and play; q leaves the alternate screen, restores the terminal and exits 0")
    func keys() throws {
        let spec = try convBasicSpecFile()
        defer { try? FileManager.default.removeItem(atPath: spec) }
        let tmux = try TmuxSession(command: Self.command(try convtraceBinary(), spec))
        try tmux.waitFor(["step 1/18", "y[0,0] = 1·1 + 2·0 + 4·0 + 5·(-1) + 0.5 (bias) = -3.5", "q quit"])
        try tmux.send("l")
        // y[0,1] = 2·1 + 3·0 + 5·0 + 6·(−1) + 0.5 = −3.5
        try tmux.waitFor(["step 2/18", "y[0,1] = 2·1 + 3·0 + 5·0 + 6·(-1) + 0.5 (bias) = -3.5"])
        try tmux.send("h")
        try tmux.waitFor(["step 1/18", "y[0,0] ="])
        try tmux.send("G")
        // db[0] = Σ dY = 1 + 1 + 1 + 1 = 4
        try tmux.waitFor(["step 18/18", "db[0] = 1 + 1 + 1 + 1 = 4"])
        try tmux.send("g")
        try tmux.waitFor(["step 1/18"])
        try tmux.send("Right")
        try tmux.waitFor(["step 2/18"])
        try tmux.send("Left")
        try tmux.waitFor(["step 1/18"])
        try tmux.send("n")
        try tmux.waitFor(["step 2/18"])
        try tmux.send("p")
        try tmux.waitFor(["step 1/18"])
        try tmux.send("+")
        try tmux.waitFor(["8 steps/s"])
        try tmux.send("space")
        try tmux.waitFor(["playing"])
        // At 8 steps/s playback reaches the last frame in about 2 s and pauses there.
        try tmux.waitFor(["step 18/18", "paused"], timeout: 20)
        try tmux.send("q")
        let after = try tmux.waitFor(["EXIT:0", "icanon echo"])
        #expect(!after.contains("q quit"))
    }

    @Test("Ctrl-C quits cleanly and gives the terminal back")
    func controlC() throws {
        let spec = try convBasicSpecFile()
        defer { try? FileManager.default.removeItem(atPath: spec) }
        let tmux = try TmuxSession(command: Self.command(try convtraceBinary(), "--start 5 " + spec))
        try tmux.waitFor(["step 5/18", "dK[0,0] = 1·1 + 1·2 + 1·4 + 1·5 = 12"])
        try tmux.send("C-c")
        let after = try tmux.waitFor(["EXIT:0", "icanon echo"])
        #expect(!after.contains("step 5/18"))
    }

    @Test("SIGTERM from outside: the handler restores the terminal, then the process dies of the signal; a spec leaves no trace file")
    func sigterm() throws {
        let spec = try convBasicSpecFile()
        defer { try? FileManager.default.removeItem(atPath: spec) }
        let tmux = try TmuxSession(command: Self.command(try convtraceBinary(), spec))
        try tmux.waitFor(["step 1/18"])
        let pid = try #require(try tmux.commandPID())
        // The spec is run by the engine as frames are needed: no temporary trace file while it plays.
        let trace = NSTemporaryDirectory() + "convtrace-replay-\(pid).ctb"
        let temporaries = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
            .filter { $0.hasPrefix("convtrace-replay-\(pid)") }
        #expect(temporaries.isEmpty, "\(temporaries)")
        #expect(kill(pid, SIGTERM) == 0)
        // 143 = 128 + SIGTERM (15): killed by the re-raised signal, with cooked mode and echo back.
        let after = try tmux.waitFor(["EXIT:143", "icanon echo"])
        #expect(!after.contains("q quit"))
        #expect(!FileManager.default.fileExists(atPath: trace))
    }

    @Test("a narrow terminal clips wide grids with … instead of wrapping, and a resize redraws")
    func narrow() throws {
        let path = NSTemporaryDirectory() + "convtrace-replay-wide-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).yaml"
        // One row of 30 values 10…39 and a 1×3 kernel of ones: y[0,0] = 10 + 11 + 12 = 33.
        try "op: conv2d\ninput: [[\((10..<40).map(String.init).joined(separator: ", "))]]\nkernel: [[1, 1, 1]]\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tmux = try TmuxSession(command: Self.command(try convtraceBinary(), path), columns: 50, rows: 24)
        let screen = try tmux.waitFor(["step 1/28", "…"])
        for line in screen.split(separator: "\n") { #expect(line.unicodeScalars.count <= 50) }
        try tmux.send("G")
        try tmux.waitFor(["step 28/28", "37", "38", "39"])
        // SIGWINCH: the player redraws for 40 columns × 20 rows: the status line is cut with …, and
        // the key help stays on the last line even though the frame is taller than the screen.
        try tmux.resize(columns: 40, rows: 20)
        let resized = try tmux.waitFor(["step 28/28 · paused · 4 steps/s · forwa…", "space play/pause  →/l/n next  ←/h/p pre…"])
        for line in resized.split(separator: "\n") { #expect(line.unicodeScalars.count <= 40) }
        try tmux.send("q")
        try tmux.waitFor(["EXIT:0"])
    }
}
