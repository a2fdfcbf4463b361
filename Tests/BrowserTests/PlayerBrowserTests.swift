// BrowserTests — the HTML player in a real headless Chromium: numbers in the DOM, keys, scrubber, links, provenance, themes.
import Engine
import Foundation
import SceneExamples
import Storyboard
import Testing
import WebPlayer

/// The 5×5 input (1…25), 3×3 kernel, padding 1 convolution the Cairo tests draw: 25 frames.
func conv5Frames() throws -> [Frame] {
    let (source, events) = try Scenes.conv5x5pad1()
    return try Storyboard(source: source, options: StoryboardOptions()).frames(events: events)
}

/// Writes `frames` as a player page in a fresh temporary folder and returns its file URL.
func writePlayer(_ frames: [Frame], theme: PlayerPage.StartTheme = .light, name: String = "player") throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convtrace-player-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent("\(name).html")
    try PlayerPage.html(frames: frames, title: "conv 5×5 pad 1", theme: theme).write(to: url, atomically: true, encoding: .utf8)
    return url
}

/// Where screenshots go: $CONVTRACE_SCREENSHOTS, else a temporary folder.
let screenshotDir: URL = {
    let env = ProcessInfo.processInfo.environment["CONVTRACE_SCREENSHOTS"]
    let dir = env.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory.appendingPathComponent("convtrace-screenshots")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}()

/// Runs `body` with a fresh browser session, closing it whatever happens.
func withBrowser(darkSystem: Bool = false, _ body: (WebDriver) async throws -> Void) async throws {
    let browser = try await WebDriver(darkSystem: darkSystem)
    do { try await body(browser) } catch { await browser.close(); throw error }
    await browser.close()
}

/// Cells of the drawing as "gridID r c" strings, those carrying `cssClass` (e.g. "pv-win").
let markedCellsScript = """
    return Array.prototype.map.call(document.querySelectorAll('#frame .c.' + arguments[0]), function(c) {
      return c.closest('g.grid').dataset.id + ' ' + c.dataset.r + ' ' + c.dataset.c; }).sort().join('|');
    """

func cellKeys(_ refs: [CellRef]) -> String {
    refs.map { "\($0.grid) \($0.row) \($0.column)" }.sorted().joined(separator: "|")
}

@Suite("HTML player in Chromium", .serialized)
struct PlayerBrowserTests {
    let frames: [Frame]
    init() throws { frames = try conv5Frames() }

    @Test("loads without console errors and shows the first frame's numbers")
    func firstFrame() async throws {
        #expect(frames.count == 25)
        let url = try writePlayer(frames)
        try await withBrowser { b in
            try await b.open(url)
            #expect(try await b.string("return document.documentElement.dataset.ready || ''") == "1")
            #expect(try await b.consoleErrors() == [])
            #expect(try await b.string("return document.getElementById('counter').textContent").hasPrefix("step 1 / 25"))
            // Every cell text of every grid, read back from the SVG.
            let dom = try await b.string("""
                return Array.prototype.map.call(document.querySelectorAll('#frame .c'), function(c) {
                  var t = c.querySelector('text.v');
                  return c.closest('g.grid').dataset.id + ' ' + c.dataset.r + ' ' + c.dataset.c + ' ' + (t ? t.textContent : '');
                }).join('|');
                """)
            let expected = frames[0].grids.flatMap { g in
                (0..<g.rows).flatMap { r in (0..<g.columns).map { c in "\(g.id) \(r) \(c) \(g[r, c].text)" } }
            }.joined(separator: "|")
            #expect(dom == expected)
            // The numbers a reader sees first: x[0,0] = 1 in the padded input, y[0,0] written.
            #expect(dom.contains(" 1 1 1|"))
            #expect(try await b.string("return document.querySelector('#equation .main').textContent") == frames[0].equation?.text())
            try await b.screenshot().write(to: screenshotDir.appendingPathComponent("player-step1.png"))
        }
    }

    @Test("→ three times shows step 4's equation; the scrubber's End jumps to the last frame")
    func keysAndScrubber() async throws {
        let url = try writePlayer(frames)
        try await withBrowser { b in
            try await b.open(url)
            try await b.press("\u{E014}", times: 3)
            #expect(try await b.string("return document.getElementById('counter').textContent").hasPrefix("step 4 / 25"))
            let eq = try await b.string("return document.querySelector('#equation .main').textContent")
            #expect(eq == frames[3].equation?.text())
            #expect(eq.hasPrefix("y[0,3] = "))
            #expect(try await b.string("return location.hash") == "#step=4")
            try await b.press("\u{E012}")  // ←
            #expect(try await b.string("return document.getElementById('counter').textContent").hasPrefix("step 3 / 25"))
            try await b.click("#scrubber")
            try await b.press("\u{E010}")  // End, handled by the range input itself
            #expect(try await b.string("return document.getElementById('scrubber').value") == "25")
            #expect(try await b.string("return document.getElementById('counter').textContent").hasPrefix("step 25 / 25"))
            #expect(try await b.string("return document.querySelector('#equation .main').textContent") == frames[24].equation?.text())
            #expect(try await b.consoleErrors() == [])
        }
    }

    @Test("#step=N opens at step N")
    func stepLink() async throws {
        let url = try writePlayer(frames)
        try await withBrowser { b in
            try await b.open(URL(string: url.absoluteString + "#step=13")!)
            #expect(try await b.string("return document.getElementById('counter').textContent").hasPrefix("step 13 / 25"))
            let eq = try await b.string("return document.querySelector('#equation .main').textContent")
            #expect(eq == frames[12].equation?.text())
            #expect(eq.hasPrefix("y[2,2] = "))
            #expect(try await b.string("return document.getElementById('scrubber').value") == "13")
        }
    }

    @Test("hovering output cell (1,2) shows its equation and highlights exactly its window and kernel")
    func provenanceOfOutput() async throws {
        let url = try writePlayer(frames)
        let writer = try #require(frames.first { $0.written?.row == 1 && $0.written?.column == 2 })
        let output = try #require(writer.written?.grid)
        let window = try #require(writer.window?.cells)
        #expect(window.count == 9)
        let equation = try #require(writer.equation)
        let kernel = equation.terms.flatMap { $0.operands.compactMap(\.ref) }.filter { !window.contains($0) }
        #expect(Set(kernel.map(\.grid)).count == 1 && kernel.count == 9)
        try await withBrowser { b in
            try await b.open(url)  // at step 1: y[1,2] is not computed yet in this frame, its equation still known
            try await b.hover("#frame g.grid[data-id='\(output)'] .c[data-r='1'][data-c='2']")
            #expect(try await b.string(markedCellsScript, ["pv-win"]) == cellKeys(window))
            #expect(try await b.string(markedCellsScript, ["pv-ker"]) == cellKeys(kernel))
            #expect(try await b.string(markedCellsScript, ["pv-tgt"]) == cellKeys([CellRef(grid: output, row: 1, column: 2)]))
            let shown = try await b.string("return document.querySelector('#prov-eq .eq').textContent")
            #expect(shown == equation.text())
            #expect(shown.hasPrefix("y[1,2] = ") && shown.hasSuffix(" = " + equation.resultText))
            try await b.screenshot().write(to: screenshotDir.appendingPathComponent("player-hover-y12.png"))
            #expect(try await b.consoleErrors() == [])
        }
    }

    @Test("hovering input x[0,0] lists the four outputs whose windows read it")
    func provenanceOfInput() async throws {
        let url = try writePlayer(frames)
        let padded = try #require(frames[0].grids.first { $0.role == .paddedInput })
        // x[0,0] sits at (1,1) of the input padded by 1; with a 3×3 window it feeds y[0,0], y[0,1], y[1,0], y[1,1].
        let readers = frames.filter { f in
            f.equation?.terms.contains { $0.operands.contains { $0.ref == CellRef(grid: padded.id, row: 1, column: 1) } } ?? false
        }
        #expect(readers.compactMap(\.equation?.target.label) == ["y[0,0]", "y[0,1]", "y[1,0]", "y[1,1]"])
        try await withBrowser { b in
            try await b.open(url)
            try await b.hover("#frame g.grid[data-id='\(padded.id)'] .c[data-r='1'][data-c='1']")
            let items = try await b.string("return Array.prototype.map.call(document.querySelectorAll('#prov-eq li'), function(l){return l.textContent.split(' ')[0];}).join(',')")
            #expect(items == "y[0,0],y[0,1],y[1,0],y[1,1]")
            let targets = readers.compactMap(\.written)
            #expect(try await b.string(markedCellsScript, ["pv-tgt"]) == cellKeys(targets))
        }
    }

    @Test("the dark theme applies: chosen on the page, given by --theme, or followed from the system")
    func darkTheme() async throws {
        let light = try writePlayer(frames, theme: .light)
        try await withBrowser { b in
            try await b.open(light)
            let bg = "return getComputedStyle(document.body).backgroundColor"
            #expect(try await b.string(bg) == "rgb(255, 255, 255)")
            try await b.click("#theme option[value='dark']")
            #expect(try await b.string("return document.documentElement.dataset.theme") == "dark")
            #expect(try await b.string(bg) == "rgb(28, 28, 28)")  // Theme.dark.background 0x1C1C1C
            try await b.screenshot().write(to: screenshotDir.appendingPathComponent("player-dark.png"))
            try await b.open(try writePlayer(frames, theme: .dark))
            #expect(try await b.string(bg) == "rgb(28, 28, 28)")
        }
        let auto = try writePlayer(frames, theme: .auto)
        try await withBrowser(darkSystem: true) { b in
            try await b.open(auto)
            #expect(try await b.string("return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'") == "dark")
            #expect(try await b.string("return getComputedStyle(document.body).backgroundColor") == "rgb(28, 28, 28)")
        }
    }

    @Test("every control is reachable with Tab and shows a visible focus ring; cells have labels")
    func keyboardFocus() async throws {
        let url = try writePlayer(frames)
        try await withBrowser { b in
            try await b.open(url)
            try await b.press("\u{E004}")  // Tab
            #expect(try await b.string("return document.activeElement.id") == "first")
            let ring = try await b.string("return getComputedStyle(document.activeElement).outlineStyle")
            #expect(ring == "solid")
            let labels = try await b.string("""
                return Array.prototype.filter.call(document.querySelectorAll('button,input,select'),
                  function(e){ return !e.getAttribute('aria-label'); }).length + '';
                """)
            #expect(labels == "0")
            let cell = try await b.string("return document.querySelector('#frame .c').getAttribute('aria-label')")
            #expect(cell.contains("= "))
        }
    }
}
