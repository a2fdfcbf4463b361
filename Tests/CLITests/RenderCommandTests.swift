// CLITests — `convtrace render` end to end: 25 frames and a 25-frame GIF for 5×5 / 3×3 / padding 1, the same
// bytes from a spec and from its trace, the frame budget refusal, bad options.
import Foundation
import Testing

@Suite("convtrace render (end to end)", .serialized)
struct RenderCommandTests {
    static let spec = """
        op: conv2d
        input: [[1,2,3,4,5],[6,7,8,9,10],[11,12,13,14,15],[16,17,18,19,20],[21,22,23,24,25]]
        kernel: [[1,0,-1],[2,0,-2],[1,0,-1]]
        padding: 1
        """

    /// A fresh folder holding `spec` as c5.yaml (the caller removes the folder).
    static func specFolder() throws -> (dir: URL, spec: String) {
        let dir = try CLI.temporaryFolder()
        let spec = dir.appendingPathComponent("c5.yaml").path
        try Self.spec.write(toFile: spec, atomically: true, encoding: .utf8)
        return (dir, spec)
    }

    /// The images in a GIF, counted by walking its blocks (GIF89a: header, screen descriptor and
    /// colour table, then extensions and images made of length-prefixed sub-blocks, then 0x3B);
    /// nil when the structure is broken.
    static func gifImageCount(_ b: [UInt8]) -> Int? {
        guard b.count > 13 else { return nil }
        var i = 13 + (b[10] & 0x80 != 0 ? 3 << (Int(b[10] & 7) + 1) : 0)
        func skipSubBlocks() -> Bool {
            while i < b.count {
                let n = Int(b[i]); i += 1
                if n == 0 { return true }
                i += n
            }
            return false
        }
        var images = 0
        while i < b.count {
            switch b[i] {
            case 0x21: i += 2; guard skipSubBlocks() else { return nil }
            case 0x2C:
                guard i + 10 < b.count else { return nil }
                let packed = b[i + 9]
                i += 10 + (packed & 0x80 != 0 ? 3 << (Int(packed & 7) + 1) : 0) + 1  // + LZW minimum code size
                guard skipSubBlocks() else { return nil }
                images += 1
            case 0x3B: return i == b.count - 1 ? images : nil
            default: return nil
            }
        }
        return nil
    }

    @Test("5×5 input, 3×3 kernel, padding 1: 25 SVG frames and a 25-frame GIF; a trace of it draws the same bytes")
    func twentyFiveFrames() throws {
        let (dir, specPath) = try Self.specFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(["render", specPath, "-o", out, "--format", "svg,gif"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("\(out): 25 frame(s), 26 file(s) (svg, gif)"))
        let files = CLI.fileNames(out)
        #expect(files.count == 26)
        #expect(files.first == "animation.gif" && files[1] == "frame-0001.svg" && files.last == "frame-0025.svg")
        let gif = try Data(contentsOf: URL(fileURLWithPath: out + "/animation.gif"))
        #expect(gif.prefix(6) == Data("GIF89a".utf8))
        #expect(Self.gifImageCount(Array(gif)) == 25)

        // From the trace file: byte-identical frames.
        let trace = dir.appendingPathComponent("c5.jsonl").path
        #expect(try CLI.run(["trace", specPath, "-o", trace]).status == 0)
        let fromTrace = dir.appendingPathComponent("from-trace").path
        #expect(try CLI.run(["render", trace, "-o", fromTrace, "--format", "svg"]).status == 0)
        for name in ["frame-0001.svg", "frame-0013.svg", "frame-0025.svg"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/" + name))
                    == Data(contentsOf: URL(fileURLWithPath: fromTrace + "/" + name)))
        }
    }

    @Test("above --max-frames nothing is drawn and the message says how to narrow it")
    func budget() throws {
        let (dir, specPath) = try Self.specFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(["render", specPath, "-o", out, "--steps", "mac", "--max-frames", "100"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("225 frames, more than the frame budget of 100"))
        #expect(r.stderr.contains("--steps cell"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("--cell and --region narrow the frames; the refused budget suggests them; bad values exit 2")
    func narrowing() throws {
        let (dir, specPath) = try Self.specFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        // y[2,3] step by step: nine products, the last with the whole sum (8 − 10) + 2·(13 − 15) + (18 − 20) = −8.
        let cell = dir.appendingPathComponent("cell").path
        let c = try CLI.run(["render", specPath, "-o", cell, "--steps", "mac", "--cell", "2,3", "--format", "svg"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stdout.hasPrefix("\(cell): 9 frame(s), 9 file(s) (svg)"))
        let last = try String(contentsOfFile: cell + "/frame-0009.svg", encoding: .utf8)
        #expect(last.contains("<svg"))
        let plain = try CLI.run(["replay", specPath, "--plain", "--steps", "mac", "--cell", "2,3"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("step 9/9"))
        #expect(plain.stdout.contains("= -8"))
        // The top-left 2×2 block of the output: four cell frames.
        let block = dir.appendingPathComponent("block").path
        let b = try CLI.run(["render", specPath, "-o", block, "--region", "0-1,0-1", "--format", "svg"])
        #expect(b.status == 0 && b.stdout.hasPrefix("\(block): 4 frame(s)"), "\(b.stdout)\(b.stderr)")

        let refused = try CLI.run(["render", specPath, "-o", dir.path + "/x", "--steps", "mac", "--max-frames", "100"])
        #expect(refused.stderr.contains("--cell ROW,COL or --region R0-R1,C0-C1"))
        let outside = try CLI.run(["render", specPath, "-o", dir.path + "/x", "--cell", "5,0"])
        #expect(outside.status == 2 && outside.stderr.contains("no frames for --steps cell --phase all --cell 5,0"), "\(outside.stderr)")
        let replayOutside = try CLI.run(["replay", specPath, "--plain", "--region", "5-6,0-1"])
        #expect(replayOutside.status == 2 && replayOutside.stderr.contains("no frames for --steps cell --phase all --region 5-6,0-1"))
        for (bad, message) in [(["--cell", "0-1,2"], "--cell takes one ROW,COL"),
                               (["--region", "2-1,0"], "runs backwards; write 1-2"),
                               (["--region", "x"], "expected ROW,COL"),
                               (["--cell", "1,1", "--region", "0-1,0-1"], "give one of them")] {
            let r = try CLI.run(["render", specPath, "-o", dir.path + "/x"] + bad)
            #expect(r.status == 2 && r.stderr.contains(message), "\(bad): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/x"))

        // A spec arriving through a pipe is not mistaken for a trace (and its first byte is not eaten).
        let piped = dir.appendingPathComponent("piped").path
        let p = try CLI.run(["render", "/dev/stdin", "-o", piped, "--format", "svg", "--cell", "0,0"], stdin: Self.spec)
        #expect(p.status == 0 && p.stdout.hasPrefix("\(piped): 1 frame(s)"), "\(p.stderr)")

        // --crop 6 keeps 6×6 of a 16×16 input around each window: a smaller frame, the same arithmetic.
        let bigSpec = dir.appendingPathComponent("big.yaml").path
        let rows = (0..<16).map { r in "[" + (0..<16).map { String((r * 16 + $0) % 7) }.joined(separator: ",") + "]" }
        try "op: conv2d\ninput: [\(rows.joined(separator: ","))]\nkernel: [[1,0,-1],[2,0,-2],[1,0,-1]]\n"
            .write(toFile: bigSpec, atomically: true, encoding: .utf8)
        func run(_ extra: [String]) throws -> (CLIResult, String) {
            let out = dir.appendingPathComponent(UUID().uuidString).path
            let r = try CLI.run(["render", bigSpec, "-o", out, "--format", "svg", "--cell", "7,9"] + extra)
            return (r, (try? String(contentsOfFile: out + "/frame-0001.svg", encoding: .utf8)) ?? "")
        }
        let (whole, wholeSVG) = try run([])
        let (cut, cutSVG) = try run(["--crop", "6"])
        #expect(whole.status == 0 && cut.status == 0, "\(cut.stderr)")
        func size(_ r: CLIResult) -> [Int] {
            guard let m = r.stdout.firstMatch(of: /([0-9]+)×([0-9]+) px/) else { return [] }
            return [Int(m.1) ?? 0, Int(m.2) ?? 0]
        }
        #expect(size(cut).count == 2 && size(cut)[0] < size(whole)[0] && size(cut)[1] < size(whole)[1],
                "\(size(cut)) vs \(size(whole))")
        #expect(cutSVG.count < wholeSVG.count)
        let tooSmall = try CLI.run(["render", specPath, "-o", dir.path + "/y", "--crop", "2"])
        #expect(tooSmall.status == 2 && tooSmall.stderr.contains("--crop 2: expected at least 3"))
    }

    @Test("bad options are refused with the valid values")
    func badOptions() throws {
        let (dir, specPath) = try Self.specFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let f = try CLI.run(["render", specPath, "-o", dir.path + "/x", "--format", "svg,jpeg"])
        #expect(f.status == 2 && f.stderr.contains("valid formats: svg, png, pdf, gif"))
        let t = try CLI.run(["render", specPath, "-o", dir.path + "/x", "--theme", "blue"])
        #expect(t.status == 2 && t.stderr.contains("expected light or dark"))
        let m = try CLI.run(["render", dir.path + "/missing.yaml", "-o", dir.path + "/x"])
        #expect(m.status == 2)
    }
}
