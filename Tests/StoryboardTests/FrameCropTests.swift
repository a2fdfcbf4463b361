// StoryboardTests — `Frame.cropped(to:)`: big grids cut around the window, every cell reference moved with them.
import Engine
import SceneExamples
@testable import Storyboard
import Testing

@Suite struct FrameCropTests {
    /// A 20×20 input (value 100·r + c), 3×3 kernel of ones, no padding: an 18×18 output.
    static func big() throws -> [Frame] {
        let x = Scenes.plane((0..<20).map { r in (0..<20).map { Double(100 * r + $0) } })
        let k = Scenes.plane([[1, 1, 1], [1, 1, 1], [1, 1, 1]])
        let (source, events) = try Scenes.conv(x, k)
        return try Storyboard(source: source).frames(events: events)
    }

    @Test("grids over the limit keep the rows and columns around the window; references move with them")
    func cropAroundTheWindow() throws {
        let frames = try Self.big()
        // y[12,15] reads x[12…14, 15…17].
        let f = try #require(frames.first { $0.written?.row == 12 && $0.written?.column == 15 })
        let c = f.cropped(to: 8)
        let input = try #require(c.grids.first { $0.id == "input.c0" })
        let output = try #require(c.grids.first { $0.id == f.written?.grid })
        #expect(input.rows == 8 && input.columns == 8)
        // Window rows 12–14 centred in 8 rows: 9–16; columns 15–17 centred would run past 19: 12–19.
        #expect(input.subtitle?.hasSuffix("rows 9–16 of 20, columns 12–19 of 20") == true, "\(input.subtitle ?? "")")
        #expect(input.origin == GridOrigin(row: 9, column: 12))
        #expect(input[0, 0].text == "912")  // x[9,12] = 100·9 + 12
        let bounds = try #require(c.window?.bounds.first { $0.grid == "input.c0" })
        #expect(bounds == CellRect(grid: "input.c0", row: 3, column: 3, rows: 3, columns: 3))
        #expect(output.rows == 8 && output.columns == 8)
        #expect(c.written.map { output.contains(row: $0.row, column: $0.column) } == true)
        #expect(c.written.map { output[$0.row, $0.column].marks.contains(.written) } == true)
        // Every operand that still points at a cell points at a cell showing its value.
        var checked = 0
        for term in c.equation?.terms ?? [] {
            for o in term.operands {
                guard let ref = o.ref, let g = c.grids.first(where: { $0.id == ref.grid }) else { continue }
                #expect(g[ref.row, ref.column].text == o.text, "\(o.label)")
                checked += 1
            }
        }
        #expect(checked == 18)  // nine input cells and nine kernel weights
        // The same arithmetic: cropping changes what is shown, never a number.
        #expect(c.equation?.result == f.equation?.result)
        #expect(c.equation?.result == Double(9 * 1316))  // Σ x[12…14, 15…17] = 9 · x[13,16]
    }

    @Test("within the limit nothing changes; a grid with no highlight shows its top-left corner")
    func smallFramesAndPlainGrids() throws {
        let frames = try Self.big()
        #expect(frames[0].cropped(to: 20) == frames[0])
        let c = frames[0].cropped(to: 5)
        #expect(c.grids.allSatisfy { $0.rows <= 5 && $0.columns <= 5 })
        let input = try #require(c.grids.first { $0.id == "input.c0" })
        #expect(input.subtitle?.hasSuffix("rows 0–4 of 20, columns 0–4 of 20") == true)
        let kernel = try #require(c.grids.first { $0.role == .kernel })
        #expect(kernel.rows == 3 && kernel.subtitle == frames[0].grids.first { $0.role == .kernel }?.subtitle)
    }

    @Test("span: centred, clamped to the edges, never narrower than what is highlighted")
    func spans() {
        #expect(Frame.span([5], extent: 20, limit: 6) == 2...7)
        #expect(Frame.span([0, 1], extent: 20, limit: 6) == 0...5)
        #expect(Frame.span([19], extent: 20, limit: 6) == 14...19)
        #expect(Frame.span([2, 15], extent: 20, limit: 6) == 2...15)
        #expect(Frame.span([], extent: 20, limit: 6) == 0...5)
        #expect(Frame.span([3], extent: 4, limit: 6) == 0...3)
    }
}
