// BrowserTests — the lessons site in Chromium: every page loads, no link is broken, no TeX left raw, players play.
import Foundation
import LessonBuilder
@testable import LessonWeb
import Testing
import WebPlayer

/// The repository root (…/Tests/BrowserTests/ → …).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Builds the site from the committed Lessons/ and Output/ into a temporary folder, once per test run.
let builtSite: Result<(URL, LessonWebSite.Report), any Error> = Result {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convtrace-site-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let site = dir.appendingPathComponent("site")
    let report = try LessonWebSite(lessonsDirectory: repositoryRoot.appendingPathComponent("Lessons").path,
                                   evaluator: SpecsEvaluator())
        .build(from: repositoryRoot.appendingPathComponent("Output").path, into: site.path)
    return (site, report)
}

@Suite("Lessons site in Chromium", .serialized)
struct SiteBrowserTests {
    @Test("one page per lesson, one player per animation GIF, the same bytes when built twice")
    func structure() throws {
        let (site, report) = try builtSite.get()
        let lessons = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("Lessons").path)
            .filter { $0.hasSuffix(".md") && $0 != "README.md" }.map { String($0.dropLast(3)) }.sorted()
        #expect(report.pages.sorted() == (lessons.map { $0 + "/index.html" } + ["errata.html", "index.html"]).sorted())
        // Every animation the Markdown shows has its player, and the page shows the player, not the GIF.
        var gifs: [String] = []
        for stem in lessons {
            let md = try String(contentsOf: repositoryRoot.appendingPathComponent("Output/\(stem)/README.md"), encoding: .utf8)
            let shown = md.matches(of: /\]\((block-(\d+)-animation\.gif)\)/).map { "\(stem)/block-\($0.output.2)-player.html" }
            gifs += shown
            let page = try String(contentsOf: site.appendingPathComponent("\(stem)/index.html"), encoding: .utf8)
            #expect(!page.contains("-animation.gif\" alt"), "\(stem) still shows a GIF as the picture")
            #expect(page.components(separatedBy: "<iframe class=\"player\" src=\"block-").count - 1 == shown.count, "\(stem): not one player per GIF")
            #expect(!page.contains("&lt;iframe"), "\(stem): the player's iframe was escaped")
        }
        #expect(!gifs.isEmpty)
        #expect(report.players.sorted() == gifs.sorted())
        // The players load one shared style sheet and script from the site's root instead of inlining them.
        for file in PlayerPage.sharedFiles {
            #expect(FileManager.default.contents(atPath: site.appendingPathComponent(file.name).path) == Data(file.text.utf8), "\(file.name)")
        }
        for player in report.players {
            let page = try String(contentsOf: site.appendingPathComponent(player), encoding: .utf8)
            #expect(page.contains("<link rel=\"stylesheet\" href=\"../player.css\">") && page.contains("<script src=\"../player.js\"></script>"), "\(player)")
            #expect(!page.contains("<style>") && !page.contains("addEventListener"), "\(player) still inlines the style or script")
        }
        let again = site.deletingLastPathComponent().appendingPathComponent("again")
        try LessonWebSite(lessonsDirectory: repositoryRoot.appendingPathComponent("Lessons").path, evaluator: SpecsEvaluator())
            .build(from: repositoryRoot.appendingPathComponent("Output").path, into: again.path)
        for page in report.pages + report.players + PlayerPage.sharedFiles.map(\.name) {
            #expect(FileManager.default.contents(atPath: site.appendingPathComponent(page).path)
                    == FileManager.default.contents(atPath: again.appendingPathComponent(page).path), "\(page)")
        }
    }

    @Test("every page loads without errors, has no broken link and no raw TeX; a lesson's player plays")
    func pagesInBrowser() async throws {
        let (site, report) = try builtSite.get()
        try await withBrowser { b in
            var checkedLinks = 0, mathPages = 0
            for page in report.pages {
                let url = site.appendingPathComponent(page)
                try await b.open(url)
                #expect(try await b.consoleErrors() == [], "\(page)")
                let text = try await b.string("return document.body.innerText")
                #expect(!text.contains("$$") && !text.contains("\\("), "\(page) shows raw TeX")
                #expect(!text.contains("README.md"), "\(page) links Markdown")
                // Display math: as many typeset <math> elements as the Markdown has $$ blocks, each drawn.
                let md = page == "index.html" ? "README.md" : page == "errata.html" ? "ERRATA.md" : page.replacingOccurrences(of: "index.html", with: "README.md")
                let source = try String(contentsOf: repositoryRoot.appendingPathComponent("Output/" + md), encoding: .utf8)
                let blocks = source.split(separator: "\n").filter { $0 == "$$" }.count / 2
                let drawn = try await b.string("""
                    return Array.prototype.filter.call(document.querySelectorAll('math'),
                      function(m){ return m.getBoundingClientRect().height > 10 && m.querySelector('mn,mi'); }).length + '';
                    """)
                #expect(drawn == "\(blocks)", "\(page): \(blocks) formulas in the Markdown, \(drawn) drawn")
                mathPages += blocks > 0 ? 1 : 0
                let links = try await b.string("""
                    return Array.prototype.map.call(document.querySelectorAll('a[href],img[src],iframe[src]'),
                      function(e){ return e.href || e.src; }).join('\\n');
                    """).split(separator: "\n").map(String.init)
                for link in links where link.hasPrefix("file://") {
                    let path = URL(string: link)?.path ?? link
                    #expect(FileManager.default.fileExists(atPath: path), "\(page) links \(link), which does not exist")
                    checkedLinks += 1
                }
                #expect(!links.contains { $0.hasPrefix("http://") && !$0.contains("github.com") }, "\(page): an http link")
            }
            #expect(checkedLinks > 20)
            #expect(mathPages >= 6)
            // The first lesson with an animation: its page embeds the player, and the player plays.
            let first = try #require(report.players.first)
            try await b.open(site.appendingPathComponent(first))
            #expect(try await b.string("return document.documentElement.dataset.ready || ''") == "1")
            #expect(try await b.string("return document.getElementById('counter').textContent").hasPrefix("step 1 / "))
            try await b.press("\u{E014}")
            #expect(try await b.string("return document.getElementById('counter').textContent").hasPrefix("step 2 / "))
            #expect(try await b.consoleErrors() == [])
            let lesson = site.appendingPathComponent(String(first.split(separator: "/")[0])).appendingPathComponent("index.html")
            try await b.open(lesson)
            // The player is embedded (from file:// the frame's document is another origin, so the player
            // itself was checked above on its own page; its file is among the links checked).
            #expect(try await b.string("return document.querySelectorAll('iframe.player').length + ''") != "0")
            try await b.screenshot().write(to: screenshotDir.appendingPathComponent("site-lesson.png"))
        }
    }
}

@Suite("TeX → MathML")
struct TeXMathTests {
    @Test("the lessons' formulas: subscripts, products, fractions, partial derivatives")
    func subset() throws {
        #expect(try TeXMath.mathML("y_{0} = 3 \\cdot 1 + 2 \\cdot 0 = 3") == "<math display=\"block\"><mrow><msub><mi>y</mi><mrow><mn>0</mn></mrow></msub><mo>=</mo><mn>3</mn><mo>·</mo><mn>1</mn><mo>+</mo><mn>2</mn><mo>·</mo><mn>0</mn><mo>=</mo><mn>3</mn></mrow></math>")
        #expect(try TeXMath.mathML("y_{0,1} = \\frac{2 + 4}{4} = 5.25").contains("<mfrac><mrow><mn>2</mn><mo>+</mo><mn>4</mn></mrow><mrow><mn>4</mn></mrow></mfrac><mo>=</mo><mn>5.25</mn>"))
        #expect(try TeXMath.mathML("\\partial k_{0,1} = -1").contains("<mo>∂</mo><msub><mi>k</mi><mrow><mn>0</mn><mo>,</mo><mn>1</mn></mrow></msub><mo>=</mo><mo>−</mo><mn>1</mn>"))
    }

    @Test("batch norm's formulas: roots, hats, arrows")
    func rootsHatsArrows() throws {
        #expect(try TeXMath.mathML("\\sqrt{σ^{2} + eps}") == "<math display=\"block\"><mrow><msqrt><mrow><msup><mi>σ</mi><mrow><mn>2</mn></mrow></msup><mo>+</mo><mi>e</mi><mi>p</mi><mi>s</mi></mrow></msqrt></mrow></math>")
        #expect(try TeXMath.mathML("\\hat{x}").contains("<mover accent=\"true\"><mrow><mi>x</mi></mrow><mo>^</mo></mover>"))
        #expect(try TeXMath.mathML("w \\leftarrow w").contains("<mi>w</mi><mo>←</mo><mi>w</mi>"))
        #expect(throws: (any Error).self) { try TeXMath.mathML("\\sqrt") }
    }

    @Test("floors with \\left/\\right, sums with limits, thin spaces")
    func floorsSumsAndSpaces() throws {
        let size = try TeXMath.mathML("o = \\left\\lfloor \\frac{i - 1}{s} \\right\\rfloor + 1")
        #expect(size.contains("<mo>=</mo><mo stretchy=\"true\">⌊</mo><mfrac><mrow><mi>i</mi><mo>−</mo><mn>1</mn></mrow><mrow><mi>s</mi></mrow></mfrac><mo stretchy=\"true\">⌋</mo><mo>+</mo><mn>1</mn>"))
        let sum = try TeXMath.mathML("dK = \\sum_{a,b} dY_{a,b} \\, x")
        #expect(sum.contains("<msub><mo>∑</mo><mrow><mi>a</mi><mo>,</mo><mi>b</mi></mrow></msub>"))
        #expect(sum.contains("<mspace width=\"0.1667em\"></mspace><mi>x</mi>"))
        #expect(try TeXMath.mathML("\\lceil x \\rceil").contains("<mo>⌈</mo><mi>x</mi><mo>⌉</mo>"))
    }

    @Test("cross-correlation ⋆ and convolution ∗ between formulas set apart by \\qquad (lessons 12 and 14)")
    func starAstAndQuads() throws {
        let m = try TeXMath.mathML("dK = x \\star dY, \\qquad dX = dY \\ast k \\quad")
        #expect(m.contains("<mi>x</mi><mo>⋆</mo><mi>d</mi><mi>Y</mi><mo>,</mo><mspace width=\"2em\"></mspace>"))
        #expect(m.contains("<mi>Y</mi><mo>∗</mo><mi>k</mi><mspace width=\"1em\"></mspace>"))
    }

    @Test("unsupported TeX is refused with the command named")
    func refusals() {
        #expect(throws: TeXMathError.self) { try TeXMath.mathML("\\prod_{i} x") }
        #expect(throws: TeXMathError.self) { try TeXMath.mathML("y_{0") }
        #expect(throws: TeXMathError.self) { try TeXMath.mathML("\\left\\{ x \\right\\}") }
        do {
            _ = try TeXMath.mathML("\\int_0 x")
            Issue.record("\\int was accepted")
        } catch { #expect("\(error)".contains("\\int is not supported")) }
    }
}
