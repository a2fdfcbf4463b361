// WebPlayerTests — the player page without a browser: palette = Cairo's, equation text = the frame's, size, determinism.
@testable import CairoRender
import Engine
import Foundation
import SceneExamples
import Storyboard
import Testing
@testable import WebPlayer

private func frames(_ scene: (StoryboardSource, [TraceEvent]), _ options: StoryboardOptions = StoryboardOptions()) throws -> [Frame] {
    try Storyboard(source: scene.0, options: options).frames(events: scene.1)
}

private func hex(_ c: RGB) -> String {
    let v = (UInt32(c.r) << 16) | (UInt32(c.g) << 8) | UInt32(c.b)
    return WebPalette.hex(v)
}

@Suite("WebPlayer")
struct WebPlayerTests {
    @Test("the page's colours are the Cairo themes' colours", arguments: [ThemeName.light, .dark])
    func paletteMatchesCairo(_ name: ThemeName) {
        let t = Theme.named(name)
        let web = Dictionary(uniqueKeysWithValues: (name == .light ? WebPalette.light : .dark).colours.map { ($0.name, $0.hex) })
        let cairo: [String: RGB] = [
            "bg": t.background, "ink": t.ink, "ink2": t.ink2, "faint": t.faint, "grid-line": t.gridLine, "cell": t.cellFill,
            "padding": t.paddingFill, "padding-ink": t.paddingInk, "inserted": t.insertedFill, "pending": t.pendingFill,
            "window": t.windowFill, "window-edge": t.windowEdge, "current": t.currentFill, "current-edge": t.currentEdge,
            "written": t.writtenFill, "written-edge": t.writtenEdge, "selected": t.selectedFill,
            "selected-edge": t.selectedEdge, "source-edge": t.sourceEdge, "contributor": t.contributorFill,
            "annotation": t.annotation,
        ]
        #expect(web.count == cairo.count)
        for (k, v) in cairo { #expect(web[k] == hex(v), "\(k)") }
    }

    @Test("equation segments spell exactly Equation.text() for every frame of every scene kind")
    func segmentsSpellTheEquation() throws {
        let scenes: [([Frame], String)] = [
            (try frames(Scenes.conv5x5pad1(gradOutput: true)), "conv5 fwd+bwd"),
            (try frames(Scenes.conv5x5pad1(), StoryboardOptions(granularity: .mac)), "conv5 mac"),
            (try frames(Scenes.paddingMode(.reflect)), "reflect"),
            (try frames(Scenes.full1D()), "full 1-D"),
            (try frames(Scenes.transposed()), "transposed scatter"),
            (try frames(Scenes.maxPool(average: true)), "average pool"),
            (try frames(Scenes.backward()), "backward"),
        ]
        var checked = 0, separateWrites = 0
        for (list, name) in scenes {
            var table = GridTable()
            for f in list {
                for e in [f.equation].compactMap({ $0 }) + f.extraEquations {
                    let p = PlayerEquation(e, &table)
                    separateWrites += e.isSeparateWrites ? 1 : 0
                    let text = p.lhs + p.cn + p.seg.map { s -> String in
                        switch s {
                        case .text(let t): t
                        case .term(let i): p.terms[i].t
                        }
                    }.joined()
                    #expect(text == e.text(), "\(name) frame \(f.index)")
                    checked += 1
                }
            }
        }
        #expect(checked > 100)
        #expect(separateWrites > 0)  // the scatter's "x[…] → a; b" is among them
    }

    @Test("a 25-frame 5×5 conv player is under 150 KB, self-contained and byte-identical when made twice")
    func sizeAndDeterminism() throws {
        let list = try frames(Scenes.conv5x5pad1())
        #expect(list.count == 25)
        let a = try PlayerPage.html(frames: list, title: "conv")
        let b = try PlayerPage.html(frames: list, title: "conv")
        #expect(a == b)
        #expect(a.utf8.count < 150_000)
        #expect(!a.contains("http://") || !a.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
        #expect(!a.contains("https://"))
        #expect(!a.contains("</script><") || a.components(separatedBy: "</script>").count == 3)
    }

    @Test("frame data keeps every cell text, mark and role")
    func dataRoundTrip() throws {
        let list = try frames(Scenes.paddingMode(.reflect))
        let json = try PlayerData(frames: list).json()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let ids = try #require(parsed["ids"] as? [String])
        let pf = try #require(parsed["frames"] as? [[String: Any]])
        #expect(pf.count == list.count)
        var lastTexts: [Int: [String]] = [:], lastMarks: [Int: [Int]] = [:], repeated = 0
        for (f, p) in zip(list, pf) {
            let grids = try #require(p["g"] as? [[String: Any]])
            for (g, pg) in zip(f.grids, grids) {
                let id = pg["id"] as? Int ?? -1
                #expect(ids[id] == g.id.rawValue)
                // Repeated texts / marks (T / M = 1) are the previous frame's of the same grid.
                let texts = pg["T"] as? Int == 1 ? lastTexts[id] : pg["t"] as? [String]
                if pg["T"] as? Int == 1 { repeated += 1 }
                lastTexts[id] = texts
                #expect(texts == g.cells.map(\.text))
                let zero = Array(repeating: 0, count: g.cells.count)
                let marks = pg["M"] as? Int == 1 ? (lastMarks[id] ?? zero) : (pg["m"] as? [Int]) ?? zero
                lastMarks[id] = marks
                #expect(marks == g.cells.map { Int($0.marks.rawValue) })
                let roles = (pg["k"] as? String).map { Array($0) } ?? Array(repeating: "n", count: g.cells.count)
                #expect(roles.map { $0 == "p" } == g.cells.map(\.role.isPadding))
            }
        }
        #expect(repeated > 0)
    }

    @Test("no frames: an error that says so")
    func empty() {
        #expect(throws: WebPlayerError.self) { try PlayerPage.html(frames: [], title: "x") }
    }
}
