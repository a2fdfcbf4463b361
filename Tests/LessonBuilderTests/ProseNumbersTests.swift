// LessonBuilderTests — a number typed in a lesson's prose is the engine's: substituted, or a value of the
// run of the block beside it, and an equation written with numbers holds (docs/lesson-prose.md).
import Foundation
import LessonBuilder
import Testing

@Suite("Prose numbers")
struct ProseNumbersTests {
    /// [1, 2, 3] ⋆ [1, 1, 1] with same padding: windows (0,1,2), (1,2,3), (2,3,0) → 3, 6, 5.
    static let block = "```convtrace\nop: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\npadding: same\nexpect:\n  output: [3, 6, 5]\n```\n"

    func findings(_ markdown: String) throws -> [ProseNumbers.Finding] {
        try ProseNumbers.unbacked(try LessonDocument(markdown: markdown, file: "t.md"), evaluator: SpecsEvaluator())
    }

    @Test("a result typed by hand that the engine never computes is found, with its line; the engine's value is not")
    func typedResult() throws {
        let wrong = try findings("# 2. T\n\n" + Self.block + "\nThe middle window sums to 7.\n")
        #expect(wrong.map(\.number) == ["7"])
        #expect(wrong.map(\.line) == [12])
        #expect(wrong.first?.description.contains("t.md:12: `7` is typed in the prose") == true)
        #expect(try findings("# 2. T\n\n" + Self.block + "\nThe middle window sums to 6, the last to {{output[2]}}.\n") == [])
        // The block below backs the text above it too (an exercise's question, its answer block after).
        #expect(try findings("# T\n\nWhat does `1, 2, 3` give?\n\n" + Self.block) == [])
        #expect(try findings("# T\n\nWhat does `1, 2, 4` give?\n\n" + Self.block).map(\.number) == ["4"])
    }

    @Test("a decimal matches the engine's value rounded to the digits printed, no further")
    func decimals() throws {
        // 1/9 box kernel on 1 … 9: 45/9 = 5; the top-left term 1/9 = 0.111…
        let block = "```convtrace\nop: conv2d\ninput: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nkernel: {ones: [3, 3], divide: 9}\nshow: [table]\ncell: output[0][0]\ntolerance: 1e-9\nexpect:\n  output: [[5]]\n```\n"
        #expect(try findings(block + "\nEach weight is 0.1111, the first product 0.111.\n") == [])
        #expect(try findings(block + "\nEach weight is 0.1112.\n").map(\.number) == ["0.1112"])
    }

    @Test("notation is not arithmetic: indices, lesson numbers, list markers, names, angles, quoted mistakes, code")
    func notation() throws {
        let text = """
            # 12. Notation

            1. In lesson 12 (and lessons 13, 14 and 15) `x[10][20]`, `y[0,40]`, $r_{l-17}$, H_out, conv2d, 2p and a 180° turn.
            2. Find the mistake: "it gives 99".

            ```python
            print(1234)
            ```
            <!-- a comment with 4321 -->

            """
        #expect(try findings(text + Self.block) == [])
    }

    @Test("an equation written with numbers must hold: true division, floors and ceilings, ≈ to the digits printed")
    func equations() throws {
        let wrongFloor = try findings(Self.block + "\nThe size: `(6 + 2·1 − 3) / 2 + 1 = 3`.\n")
        #expect(wrongFloor.map(\.number) == ["3"])
        #expect(wrongFloor.first?.description.contains("written as equal to (6 + 2·1 − 3) / 2 + 1 = 3.5") == true)
        #expect(try findings(Self.block + "\nThe size: `⌊(6 + 2·1 − 3) / 2⌋ + 1 = 3`, `⌈5 / 2⌉ = 3`.\n") == [])
        #expect(try findings(Self.block + "\nThe middle sum: `1 + 2 + 3 = 5`.\n").map(\.number) == ["5"])
        #expect(try findings(Self.block + "\nThe middle sum: `1 + 2 + 3 = {{output[1]}}` ≈ 6.000.\n") == [])
        // A side cut off by a name is not an equation: F − 1 = 2 reads F − 1, not −1.
        #expect(try findings(Self.block + "\nIt pads F − 1 = 2 cells, so 3 + 2 + 2 − 3 + 1 = 5.\n") == [])
    }

    @Test("a cell named in an equation is read from the block beside it: x[1][1] = 5 holds, x[1][1] = 6 does not")
    func cells() throws {
        // 1 … 9 under a 2×2 kernel with dY = 1 2 / 3 4: dK[0][1] = 1·2 + 2·3 + 3·5 + 4·6 = 47 (lesson 6).
        let block = "```convtrace\nop: conv2d\ninput: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nkernel: [[1, 0], [0, -1]]\ngrad_output: [[1, 2], [3, 4]]\nexpect:\n  grad_kernel: [[37, 47], [67, 77]]\n```\n"
        #expect(try findings(block + "\nThe centre `x[1][1] = 5`; `dK[0][1] = 1·2 + 2·3 + 3·5 + 4·6 = 47`; `x[0][0] + x[2][2] = 10`.\n") == [])
        let wrong = try findings(block + "\nThe centre `x[1][1] = 6`.\n")
        #expect(wrong.map(\.number) == ["6"], "\(wrong)")
        #expect(try findings(block + "\nHere `dK[0][1] = 1·2 + 2·3 + 3·5 + 4·6`, and `k[1][1] = 1`.\n").map(\.number) == ["1"])
        // A cell that neither neighbouring block has is not checked (and its number must be backed as usual).
        #expect(try findings(block + "\nA larger map's `x[5][5] = 7`.\n").map(\.number) == [])
    }

    @Test("every lesson in Lessons/: each number in the prose is substituted or backed, each equation holds")
    func lessonsClean() throws {
        let files = try LessonSite(lessonsDirectory: repositoryRoot + "/Lessons").lessonFiles()
        #expect(files.count >= 12)
        var all: [String] = []
        for file in files {
            all += try ProseNumbers.unbacked(try LessonDocument(contentsOf: file), evaluator: SpecsEvaluator()).map(\.description)
        }
        #expect(all == [], "\(all.joined(separator: "\n"))")
    }

    @Test("every equation a built lesson page prints with numbers holds (shape lines, prose, answers)")
    func builtPagesHold() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("prose-eq-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let site = LessonSite(lessonsDirectory: repositoryRoot + "/Lessons")
        let report = try site.build(into: out)
        #expect(report.unbackedProse.map(\.description) == [])
        var wrong: [String] = []
        var checked = 0
        for stem in report.lessons {
            let page = try String(contentsOfFile: out + "/" + stem + "/README.md", encoding: .utf8)
            checked += page.components(separatedBy: ")/").count - 1  // the size lines, (…)/s + 1 = n
            wrong += ProseNumbers.wrongEquations(in: page, file: stem).map(\.description)
        }
        #expect(checked >= 40)
        #expect(wrong == [], "\(wrong.joined(separator: "\n"))")
        // The check is real: a size line without its floor is caught.
        let bad = ProseNumbers.wrongEquations(in: "- conv2d, width: (6 − 3 + 2·0)/2 + 1 = 2\n", file: "x")
        #expect(bad.map(\.number) == ["2"])
    }
}
