// CLITests — `convtrace trace` and `convtrace stats` end to end: files written atomically, lossless conversion, clear errors.
import Foundation
import Testing

@Suite("convtrace trace / stats (end to end)", .serialized)
struct TraceCommandTests {
    @Test("trace conv-basic → JSONL; stats counts follow the counting rule; convert → binary → JSONL is byte-identical")
    func traceConvertStats() throws {
        let dir = try CLI.temporaryFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let jsonl = dir.appendingPathComponent("cb.jsonl").path
        let r = try CLI.run(["trace", "examples/conv-basic.yaml", "-o", jsonl])
        #expect(r.status == 0, "\(r.stderr)")
        // docs/trace-format.md: 4 output cells × (4 macs + bias + output) + 36 gradient terms = 60.
        #expect(r.stdout == "\(jsonl): 60 events (jsonl)\n")
        let text = try String(contentsOfFile: jsonl, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix(#"{"format":"convtrace-trace","schema_version":1,"#) == true)
        #expect(lines.last == #"{"end":true,"events":60}"#)
        // out[0][0] = 1·1 + 2·0 + 4·0 + 5·(−1) = −4 after the 4th mac; + 0.5 → −3.5.
        #expect(lines[4] == #"{"step":3,"phase":"forward","layer":0,"kind":"mac","out":[0,0,0,0],"in":[0,0,1,1],"padded":[0,0,1,1],"k":[0,0,1,1],"a":5,"b":-1,"product":-5,"acc":-4}"#)

        let ctb = dir.appendingPathComponent("cb.ctb").path, back = dir.appendingPathComponent("back.jsonl").path
        #expect(try CLI.run(["trace", "--convert", jsonl, "-o", ctb]).status == 0)
        let magic = try Data(contentsOf: URL(fileURLWithPath: ctb)).prefix(8)
        #expect(Array(magic) == [0x89, 0x43, 0x54, 0x42, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(try CLI.run(["trace", "--convert", ctb, "-o", back]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(contentsOf: URL(fileURLWithPath: jsonl)))

        // Counting rule for 1×1×3×3 ∗ 1×1×2×2 → 2×2: N·K·Ho·Wo·C·Fh·Fw = 16 macs, 16 kernel terms,
        // 16 input terms (no padding), N·K·Ho·Wo = 4 bias terms.
        let s = try CLI.run(["stats", "--json", ctb])
        #expect(s.status == 0)
        let json = jsonObject(s.stdout)
        #expect(json?["events"] as? Int == 60)
        #expect((json?["by_kind"] as? [String: Any]).flatMap { $0["mac"] as? [String: Int] } == ["forward": 16, "backward": 0, "total": 16])
        #expect(json?["grad_by_target"] as? [String: Int] == ["input": 16, "kernel": 16, "bias": 4])
        let table = try CLI.run(["stats", jsonl])
        #expect(table.stdout.contains("grad terms by target: input 16, kernel 16, bias 4"))
        #expect(CLI.fileNames(dir.path) == ["back.jsonl", "cb.ctb", "cb.jsonl"])
    }

    @Test("--format binary, and the .ctb extension, write the binary encoding")
    func formats() throws {
        let dir = try CLI.temporaryFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.trace").path, b = dir.appendingPathComponent("b.ctb").path
        #expect(try CLI.run(["trace", "examples/conv-basic.yaml", "-o", a, "--format", "binary"]).stdout == "\(a): 60 events (binary)\n")
        #expect(try CLI.run(["trace", "examples/conv-basic.yaml", "-o", b]).stdout == "\(b): 60 events (binary)\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
    }

    @Test("a bad spec: exit 2, the file named on stderr, no output file")
    func badSpec() throws {
        let dir = try CLI.temporaryFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("bad.yaml")
        try Data("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\n".utf8).write(to: spec)
        let r = try CLI.run(["trace", spec.path, "-o", dir.appendingPathComponent("out.jsonl").path])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("convtrace: \(spec.path):3"))
        #expect(CLI.fileNames(dir.path) == ["bad.yaml"])
    }

    @Test("broken traces: empty, truncated, unknown schema version — exit 2, located message, no output")
    func brokenTraces() throws {
        let dir = try CLI.temporaryFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.jsonl").path
        #expect(try CLI.run(["trace", "examples/conv-basic.yaml", "-o", good]).status == 0)
        let text = try String(contentsOfFile: good, encoding: .utf8)

        let empty = dir.appendingPathComponent("empty.jsonl").path
        try Data().write(to: URL(fileURLWithPath: empty))
        let e = try CLI.run(["stats", empty])
        #expect(e.status == 2)
        #expect(e.stderr == "convtrace: \(empty): the file is empty; expected a convtrace trace (JSON Lines or binary)\n")

        let cut = dir.appendingPathComponent("cut.jsonl").path
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        try Data((lines[0..<10].joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: cut))
        let t = try CLI.run(["trace", "--convert", cut, "-o", dir.appendingPathComponent("cut.ctb").path])
        #expect(t.status == 2)
        #expect(t.stderr == "convtrace: \(cut): truncated: the file ends after 9 events (line 10) without the end line {\"end\":true,\"events\":N}\n")

        let v7 = dir.appendingPathComponent("v7.jsonl").path
        try Data(text.replacingOccurrences(of: "\"schema_version\":1", with: "\"schema_version\":7").utf8).write(to: URL(fileURLWithPath: v7))
        let v = try CLI.run(["stats", v7])
        #expect(v.stderr == "convtrace: \(v7): schema version 7 is not supported; this convtrace reads version 1\n")
        #expect(CLI.fileNames(dir.path) == ["cut.jsonl", "empty.jsonl", "good.jsonl", "v7.jsonl"])
    }
}
