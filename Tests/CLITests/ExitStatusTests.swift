// CLITests — exit statuses of `render` and `replay`: 2 for bad input (spec, trace, flags against the
// network), 1 for I/O and drawing failures; and the CLI's wording of the library's facts.
import ChildProcess
import Foundation
import Testing

@Suite("exit statuses of render and replay (end to end)", .serialized)
struct ExitStatusTests {
    /// A folder with the 5×5 spec, a truncated trace of it, and a regular file to misuse as a folder.
    static func fixtures() throws -> (dir: URL, spec: String, cut: String, file: String) {
        let (dir, spec) = try RenderCommandTests.specFolder()
        let trace = dir.appendingPathComponent("c5.jsonl").path
        #expect(try CLI.run(["trace", spec, "-o", trace]).status == 0)
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        let cut = dir.appendingPathComponent("cut.jsonl").path
        try (lines[0..<10].joined(separator: "\n") + "\n").write(toFile: cut, atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("plain.txt").path
        try "not a folder\n".write(toFile: file, atomically: true, encoding: .utf8)
        return (dir, spec, cut, file)
    }

    @Test("render: a bad spec, a truncated trace, a layer outside the network exit 2; an unwritable folder exits 1")
    func render() throws {
        let f = try Self.fixtures(); defer { try? FileManager.default.removeItem(at: f.dir) }
        let out = f.dir.appendingPathComponent("out").path
        let bad = f.dir.appendingPathComponent("bad.yaml").path
        try "op: conv2d\ninput: [[1, 2]]\nkernal: [[1]]\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let spec = try CLI.run(["render", bad, "-o", out])
        #expect(spec.status == 2 && spec.stderr.hasPrefix("convtrace: \(bad):3"), "\(spec.stderr)")
        let trace = try CLI.run(["render", f.cut, "-o", out])
        #expect(trace.status == 2 && trace.stderr.contains("\(f.cut): truncated"), "\(trace.stderr)")
        let layer = try CLI.run(["render", f.spec, "-o", out, "--layer", "3"])
        #expect(layer.status == 2)
        #expect(layer.stderr == "convtrace: --layer 3 is not in the network; its layers are 0 conv2d\n")
        #expect(!FileManager.default.fileExists(atPath: out))
        // The input is fine; the output folder cannot be created under a regular file: I/O, exit 1.
        let io = try CLI.run(["render", f.spec, "-o", f.file + "/frames", "--format", "svg"])
        #expect(io.status == 1, "\(io.stderr)")
        #expect(io.stderr.hasPrefix("convtrace: ") && io.stderr.contains(f.file))
    }

    @Test("replay: a bad spec, a truncated trace, a frame outside the trace exit 2; an unwritable standard output exits 1")
    func replay() throws {
        let f = try Self.fixtures(); defer { try? FileManager.default.removeItem(at: f.dir) }
        let missing = try CLI.run(["replay", f.dir.appendingPathComponent("missing.yaml").path, "--plain"])
        #expect(missing.status == 2 && missing.stderr.contains("missing.yaml: no such file"), "\(missing.stderr)")
        let trace = try CLI.run(["replay", f.cut, "--plain"])
        #expect(trace.status == 2 && trace.stderr.contains("\(f.cut): truncated"), "\(trace.stderr)")
        let frame = try CLI.run(["replay", f.spec, "--frame", "26"])
        #expect(frame.status == 2)
        #expect(frame.stderr == "convtrace: --frame 26 is outside the trace: it has 25 frames (1…25) with these --steps/--phase options\n")
        let layer = try CLI.run(["replay", f.spec, "--plain", "--layer", "1"])
        #expect(layer.status == 2 && layer.stderr == "convtrace: --layer 1 is not in the network; its layers are 0 conv2d\n")
        // The frames are fine; standard output is /dev/full: I/O, exit 1.
        guard let binary = CLI.binary else { throw CLIError("no convtrace binary") }
        let full = try ChildProcess.run("/bin/sh", ["-c", "exec \"$0\" replay \"$1\" --plain > /dev/full", binary.path, f.spec],
                                        directory: CLI.root.path, timeout: 120)
        #expect(full.status == 1, "\(full.stderr)")
        #expect(full.stderr.hasPrefix("convtrace: cannot write to standard output"), "\(full.stderr)")
    }

    @Test("stats reads a spec as it runs: the same counts as its trace file")
    func statsOfASpec() throws {
        let f = try Self.fixtures(); defer { try? FileManager.default.removeItem(at: f.dir) }
        let trace = f.dir.appendingPathComponent("c5.jsonl").path
        let fromSpec = try CLI.run(["stats", f.spec])
        let fromTrace = try CLI.run(["stats", trace])
        #expect(fromSpec.status == 0 && fromTrace.status == 0, "\(fromSpec.stderr)")
        #expect(fromSpec.stdout.hasPrefix("\(f.spec): spec, "))
        // 5×5 ∗ 3×3, padding 1 → 25 cells × (9 macs + 1 output): 250 events, no backward pass.
        #expect(fromSpec.stdout.contains("250 events"))
        let table = { (s: String) in s.split(separator: "\n").dropFirst().joined(separator: "\n") }
        #expect(table(fromSpec.stdout) == table(fromTrace.stdout))
    }
}
