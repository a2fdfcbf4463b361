// LessonBuilderTests — how computed tensors are written into a lesson: numbered Markdown tables.
import Testing
@testable import LessonBuilder

@Suite struct LessonViewsTests {
    @Test("a matrix is a table with its column numbers as the header and its row numbers in bold")
    func matrixTable() {
        let m = NumberTree.list([.list([.scalar(4), .scalar(3)]), .list([.scalar(2), .scalar(-1.5)])])
        #expect(LessonViews.grid(m) == """


            | | 0 | 1 |
            |---:|---:|---:|
            | **0** | 4 | 3 |
            | **1** | 2 | -1.5 |


            """)
    }

    @Test("scalars and vectors stay inline; a 3-D tensor is one numbered table per slice")
    func otherRanks() {
        #expect(LessonViews.grid(.scalar(0.25)) == "= 0.25\n\n")
        #expect(LessonViews.grid(.list([.scalar(1), .scalar(3), .scalar(6)])) == "= `[1, 3, 6]`\n\n")
        let cube = NumberTree.list([.list([.list([.scalar(1)])]), .list([.list([.scalar(2)])])])
        #expect(LessonViews.grid(cube) == "\n\n[0]\n\n| | 0 |\n|---:|---:|\n| **0** | 1 |\n\n\n\n[1]\n\n| | 0 |\n|---:|---:|\n| **0** | 2 |\n\n")
        // A 4-D kernel (2 filters × 2 channels × 1 × 1): each table headed by its whole index, k[filter][channel].
        let kernel = NumberTree.list((0..<2).map { f in .list((0..<2).map { c in .list([.list([.scalar(Double(10 * f + c))])]) }) })
        let text = LessonViews.grid(kernel)
        #expect(text.components(separatedBy: "\n\n[").count - 1 == 4)
        #expect(text.contains("[1][0]\n\n| | 0 |\n|---:|---:|\n| **0** | 10 |"), "\(text)")
    }

    /// The block of lesson 6's bias gradient, evaluated by the engine.
    static func table(_ spec: String) throws -> String {
        let doc = try LessonDocument(markdown: "```convtrace\n" + spec + "\n```\n", file: "t.md")
        let block = try #require(doc.blocks.first)
        let outcome = try SpecsEvaluator().evaluate(spec: block.specForEngine, file: "t.md", line: block.line, traced: true)
        return LessonViews.table(block, outcome: outcome)
    }

    @Test("a term table names dY cells with the rank the spec gave the output: db[0] = 1 + 2 + 3 + 4 = 10")
    func biasGradientTable() throws {
        // 3×3 input, 2×2 kernel → a 2×2 output; db[0] = Σ dY = 1 + 2 + 3 + 4 = 10 (lesson 6).
        let text = try Self.table("""
            op: conv2d
            input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
            kernel: [[1, 0], [0, -1]]
            bias: [0]
            grad_output: [[1, 2], [3, 4]]
            cell: grad_bias[0]
            """)
        #expect(text.contains("| 1 | dY[0][0] | 1 | × | 1 | 1 | 1 | 1 |"))
        #expect(text.contains("| 2 | dY[0][1] | 2 | × | 1 | 1 | 2 | 3 |"))
        #expect(text.contains("| 3 | dY[1][0] | 3 | × | 1 | 1 | 3 | 6 |"))
        #expect(text.contains("| 4 | dY[1][1] | 4 | × | 1 | 1 | 4 | 10 |"))
    }
}
