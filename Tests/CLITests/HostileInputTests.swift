// CLITests — the hostile reproducers against the built binary: a message and exit 2, never a signal or a hang.
import Foundation
import Testing

@Suite("hostile input (end to end)", .serialized)
struct HostileInputTests {
    static let image = "input: [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]\n"
    static let kernel = "kernel: [[1, 0, 1], [0, 1, 0], [1, 0, 1]]\n"

    /// Runs with a deadline and checks: exit `status` (never a signal), and `stderr` contains `message`.
    func refused(_ args: [String], status: Int32 = 2, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(args, timeout: 60)
        #expect(r.status == status, "\(args): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(message), "\(args): \(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test("overflow: shape flags and spec keys above 2^20 are refused with the range")
    func overflow() throws {
        try refused(["shape", "--input", "5", "--kernel", "3", "--dilation", "9223372036854775807"],
                    "shape: --dilation must be at most 1048576 (2^20, the largest size convtrace computes with), got 9223372036854775807")
        try refused(["shape", "--input", "5", "--kernel", "2", "--pool", "--stride", "9223372036854775807", "--ceil-mode"],
                    "--stride must be at most 1048576 (2^20, the largest size convtrace computes with), got 9223372036854775807")
        let spec = try CLI.temporaryFile("op: max_pool2d\n" + Self.image + "kernel_size: 2\nstride: 9223372036854775807\nceil_mode: true\n")
        try refused(["shape", spec], "spec.yaml:4:9: stride: stride must be at most 1048576 (2^20, the largest size convtrace computes with), got 9223372036854775807")
        try refused(["eval", spec], "stride: stride must be at most 1048576")
        let net = try CLI.temporaryFile("op: network\n" + Self.image + "layers:\n"
            + String(repeating: "  - {op: max_pool2d, kernel_size: 1, stride: 1048576}\n", count: 5))
        let r = try CLI.run(["shape", net], timeout: 60)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("output (as eval reports it): 1×1"))
    }

    @Test("hangs: a huge stride or padding answers at once, with a few exact candidates")
    func hangs() throws {
        try refused(["shape", "--input", "5", "--kernel", "3", "--stride", "9223372036854775807"], "--stride must be at most 1048576 (2^20, the largest size convtrace computes with), got 9223372036854775807")
        try refused(["shape", "--input", "6", "--kernel", "3", "--stride", "2", "--padding", "10000000000"], "--padding must be at most 1048576 (2^20, the largest size convtrace computes with), got 10000000000")
        let big = try CLI.run(["shape", "--input", "6", "--kernel", "3", "--stride", "2", "--padding", "1048575x1048576"], timeout: 60)
        #expect(big.status == 0)
        #expect(big.stdout.contains("2097143 (1048571 before + 1048572 after)"))
        let wide = try CLI.run(["shape", "--input", "5", "--kernel", "3", "--stride", "1048576"], timeout: 60)
        #expect(wide.status == 0)
        #expect(wide.stdout.contains("it is exact with stride 1 or 2"))
    }

    @Test("memory: render, trace, replay and lessons refuse a run too large before writing anything")
    func memory() throws {
        try refused(["shape", "--padding", "10000000000", "--input", "5", "--kernel", "3"], "--padding must be at most 1048576 (2^20, the largest size convtrace computes with), got 10000000000")
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pad2000 = dir.appendingPathComponent("pad2000.yaml").path
        try Data(("op: conv2d\n" + Self.image + Self.kernel + "padding: 2000\n").utf8).write(to: URL(fileURLWithPath: pad2000))
        let out = dir.appendingPathComponent("out").path
        try refused(["render", pad2000, "-o", out], "more than the limit of 16777216")
        try refused(["trace", pad2000, "-o", out + ".ctb"], "raise the limit with --max-events")
        try refused(["replay", pad2000, "--frame", "1"], "trace events")
        try refused(["stats", pad2000], "trace events")
        #expect(CLI.fileNames(dir.path) == ["pad2000.yaml"])
        // The shared override lets a person who wants it trace more (and a lower limit refuses less).
        try refused(["trace", "examples/conv-basic.yaml", "--max-events", "10", "-o", out + ".jsonl"], "more than the limit of 10")
        #expect(CLI.fileNames(dir.path) == ["pad2000.yaml"])
        let ok = try CLI.run(["trace", "examples/conv-basic.yaml", "--max-events", "1000", "-o", out + ".jsonl"], timeout: 120)
        #expect(ok.status == 0, "\(ok.stderr)")
        // An untraced run may do 4× the events' work, no more: eval refuses padding 2000 too.
        try refused(["eval", pad2000], "more than the limit of 67108864 (4× the trace limit, as nothing is traced)")
    }

    @Test("YAML aliases: a billion laughs in a spec or a lesson block is refused quickly")
    func aliases() throws {
        var doc = "op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\ntitle:\n  x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 { doc += "  x\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]\n" }
        let spec = try CLI.temporaryFile(doc)
        try refused(["eval", spec], "YAML nodes through aliases")
        let lesson = try CLI.temporaryFile("# Lesson\n\n```convtrace\n" + doc + "```\n", name: "lesson.md")
        let r = try CLI.run(["verify", lesson], timeout: 60)
        #expect(r.status != 0 && r.status < 128)
        #expect(r.stderr.contains("YAML nodes through aliases") || r.stdout.contains("YAML nodes through aliases"))
    }
}
