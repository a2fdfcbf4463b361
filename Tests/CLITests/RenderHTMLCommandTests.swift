// CLITests — `convtrace render --format html`: one offline player page, the same frame selection and refusals.
import Foundation
import Testing

@Suite("convtrace render --format html")
struct RenderHTMLCommandTests {
    /// The frame data embedded in a player page, parsed.
    static func frameData(_ page: String) throws -> [String: Any] {
        let start = try #require(page.range(of: "<script type=\"application/json\" id=\"frames\">"))
        let end = try #require(page.range(of: "</script>", range: start.upperBound..<page.endIndex))
        return try #require(jsonObject(String(page[start.upperBound..<end.lowerBound])))
    }

    @Test("writes DIR/player.html: 25 frames, under 150 KB, offline, the numbers of the storyboard")
    func player() throws {
        let (dir, spec) = try RenderCommandTests.specFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(["render", spec, "-o", out, "--format", "html"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "\(out)/player.html: 25 frame(s), HTML player\n")
        #expect(CLI.fileNames(out) == ["player.html"])
        let page = try String(contentsOfFile: out + "/player.html", encoding: .utf8)
        #expect(page.utf8.count < 150_000)
        #expect(!page.contains("https://") && !page.contains("<link") && !page.contains("src=\"http"))
        #expect(page.contains("data-theme=\"auto\""))
        let data = try Self.frameData(page)
        let frames = try #require(data["frames"] as? [[String: Any]])
        #expect(frames.count == 25)
        // y[2,3] = (8 − 10) + 2·(13 − 15) + (18 − 20) = −8, in the frame that writes it (the 14th).
        let e = try #require(frames[13]["e"] as? [String: Any])
        #expect(e["lhs"] as? String == "y[2,3]" && e["res"] as? String == "-8")
        // Same input, same bytes.
        let again = dir.appendingPathComponent("again").path
        _ = try CLI.run(["render", spec, "-o", again, "--format", "html"])
        #expect(FileManager.default.contents(atPath: again + "/player.html") == FileManager.default.contents(atPath: out + "/player.html"))
    }

    @Test("html with pictures, --theme, and the selection flags")
    func combined() throws {
        let (dir, spec) = try RenderCommandTests.specFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("both").path
        let r = try CLI.run(["render", spec, "-o", out, "--format", "svg,html", "--steps", "mac", "--cell", "2,3", "--theme", "dark"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(CLI.fileNames(out).filter { $0.hasSuffix(".svg") }.count == 9)
        let page = try String(contentsOfFile: out + "/player.html", encoding: .utf8)
        #expect(page.contains("data-theme=\"dark\""))
        #expect(try #require(Self.frameData(page)["frames"] as? [Any]).count == 9)
    }

    @Test("refusals are the other formats' refusals: the frame budget, bad themes and formats, no frames")
    func refusals() throws {
        let (dir, spec) = try RenderCommandTests.specFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let svg = try CLI.run(["render", spec, "-o", out, "--steps", "mac", "--max-frames", "100", "--format", "svg"])
        let html = try CLI.run(["render", spec, "-o", out, "--steps", "mac", "--max-frames", "100", "--format", "html"])
        #expect(html.status == 2 && html.stderr == svg.stderr)
        #expect(html.stderr.contains("225 frames, more than the frame budget of 100"))
        #expect(!FileManager.default.fileExists(atPath: out))
        let theme = try CLI.run(["render", spec, "-o", out, "--format", "svg", "--theme", "auto"])
        #expect(theme.status == 2 && theme.stderr.contains("--theme auto: expected light or dark"))
        let format = try CLI.run(["render", spec, "-o", out, "--format", "html,webp"])
        #expect(format.status == 2 && format.stderr.contains("valid formats: svg, png, pdf, gif, html"))
        let none = try CLI.run(["render", spec, "-o", out, "--format", "html", "--cell", "9,9"])
        #expect(none.status == 2 && none.stderr.contains("no frames"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
