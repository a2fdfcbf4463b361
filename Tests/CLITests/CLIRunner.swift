// CLITests — runs the built `convtrace` binary (as swift-argument-parser's end-to-end tests do) and captures its output.
import ChildProcess
import Foundation
import Testing

/// What one run of the binary produced.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The directory holding the built products: next to the test bundle, or CONVTRACE_BIN_DIR.
    static let binary: URL? = {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let dir = ProcessInfo.processInfo.environment["CONVTRACE_BIN_DIR"] {
            candidates.append(URL(fileURLWithPath: dir).appendingPathComponent("convtrace"))
        }
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("convtrace"))
        }
        #endif
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("convtrace"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("convtrace"))
        if let exe = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("convtrace"))
        }
        return candidates.first { fm.isExecutableFile(atPath: $0.path) }
    }()

    /// Repository root (…/Tests/CLITests/ → …).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `convtrace arguments…` in the repository root with `stdin` piped in and `environment` added to
    /// ours (killed after `timeout` s).
    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                    timeout: Double = 300) throws -> CLIResult {
        guard let binary else { throw CLIError("convtrace binary not found next to the test bundle; set CONVTRACE_BIN_DIR") }
        let r = try ChildProcess.run(binary.path, arguments, stdin: stdin, directory: root.path,
                                     environment: environment, timeout: timeout)
        return CLIResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// Runs `/bin/sh -c script` in the repository root (for `ulimit` and redirections), killed after `timeout` s.
    static func runShell(_ script: String, timeout: Double = 300) throws -> CLIResult {
        let r = try ChildProcess.run("/bin/sh", ["-c", script], stdin: nil, directory: root.path,
                                     environment: [:], timeout: timeout)
        return CLIResult(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// A fresh empty folder under the temporary directory (the caller removes it).
    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convtrace-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The sorted names of the entries of folder `dir` (none when it does not exist).
    static func fileNames(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    /// Writes `text` to a file in a fresh temporary folder and returns its path.
    static func temporaryFile(_ text: String, name: String = "spec.yaml") throws -> String {
        let url = try temporaryFolder().appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Parses JSON text with Foundation (the CLI's output must be valid JSON).
func jsonObject(_ text: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
}

/// Flattens nested JSON arrays of numbers.
func flatNumbers(_ value: Any?) -> [Double] {
    if let n = value as? NSNumber { return [n.doubleValue] }
    if let a = value as? [Any] { return a.flatMap { flatNumbers($0) } }
    return []
}
