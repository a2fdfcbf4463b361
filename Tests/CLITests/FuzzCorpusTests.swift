// CLITests — every command on every file of the fuzz corpus (tools/fuzz/corpus) under a memory and time
// limit: exit 0, 1 or 2, never a signal; a message on stderr when it fails; nothing left behind on failure.
import Foundation
import Testing

@Suite("fuzz corpus replay (end to end)", .serialized)
struct FuzzCorpusTests {
    static let corpus = CLI.root.appendingPathComponent("tools/fuzz/corpus").path

    static func files(_ target: String) -> [String] {
        CLI.fileNames(corpus + "/" + target).filter { !$0.hasPrefix(".") }.map { corpus + "/" + target + "/" + $0 }
    }

    /// Runs convtrace under `ulimit -v` (4 GiB) and a 60 s deadline; checks the exit status and stderr, and
    /// that a failed run left `out` (a fresh folder) empty.
    func check(_ args: [String], out: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let binary = CLI.binary else { throw CLIError("convtrace binary not found") }
        let quoted = ([binary.path] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let r = try CLI.runShell("ulimit -v 4194304; exec " + quoted.joined(separator: " ") + " > /dev/null", timeout: 60)
        #expect([0, 1, 2].contains(r.status), "\(args): status \(r.status) \(r.stderr.prefix(400))", sourceLocation: sourceLocation)
        if r.status != 0 {
            #expect(!r.stderr.isEmpty, "\(args): no message", sourceLocation: sourceLocation)
            #expect(CLI.fileNames(out.path).isEmpty, "\(args) left \(CLI.fileNames(out.path))", sourceLocation: sourceLocation)
        }
        try? FileManager.default.removeItem(at: out)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    }

    @Test("specs: shape, eval, trace, render, stats")
    func specs() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let files = Self.files("FuzzSpec")
        #expect(files.count >= 8)
        for f in files {
            try check(["shape", f], out: out)
            try check(["eval", f], out: out)
            try check(["trace", f, "-o", out.path + "/t.ctb"], out: out)
            try check(["render", f, "--format", "svg", "-o", out.path + "/frames"], out: out)
            try check(["stats", f], out: out)
        }
    }

    @Test("traces: stats, render, replay")
    func traces() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let files = Self.files("FuzzTrace")
        #expect(files.count >= 20)  // the committed corpus; an empty folder would check nothing
        for f in files {
            // The readers pick the encoding from the bytes; give the file a trace extension.
            let named = dir.appendingPathComponent("t" + (f.hasSuffix(".jsonl") ? ".jsonl" : ".ctb")).path
            try? FileManager.default.removeItem(atPath: named)
            try FileManager.default.copyItem(atPath: f, toPath: named)
            try check(["stats", named], out: out)
            try check(["render", named, "--format", "svg", "-o", out.path + "/frames"], out: out)
            try check(["replay", named, "--frame", "1"], out: out)
        }
    }

    @Test("lessons and tutorials: verify")
    func lessons() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = Self.files("FuzzLesson")
        #expect(files.count >= 11)
        for f in files {
            let named = dir.appendingPathComponent("lesson.md").path
            try? FileManager.default.removeItem(atPath: named)
            try FileManager.default.copyItem(atPath: f, toPath: named)
            try check(["verify", named], out: dir.appendingPathComponent("out"))
        }
    }

    @Test("shape flags: the corpus numbers as --input/--kernel/--stride/--padding/--dilation")
    func shapeFlags() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = Self.files("FuzzShape")
        #expect(files.count >= 5)
        for f in files {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: f)))
            var v = [Int](repeating: 1, count: 8)
            for i in 0..<min(8, bytes.count / 8) {
                var x: UInt64 = 0
                for b in 0..<8 { x |= UInt64(bytes[i * 8 + b]) << (8 * UInt64(b)) }
                v[i] = Int(truncatingIfNeeded: x)
            }
            let flags = ["--input", "\(v[0])", "--kernel", "\(v[1])", "--stride", "\(v[2])", "--dilation", "\(v[5])"]
            try check(["shape"] + flags + ["--padding", "\(v[3])x\(v[4])"], out: dir)
            try check(["shape"] + flags + ["--padding", "\(v[3])", "--pool"] + (v[7] & 1 == 1 ? ["--ceil-mode"] : []), out: dir)
            try check(["shape"] + flags + ["--padding", "\(v[3])", "--output-padding", "\(v[6])", "--transposed"], out: dir)
        }
    }
}
