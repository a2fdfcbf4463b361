// LessonBuilderTests — the operands view, the labelled checked line, named cells and the pool share.
import Testing
@testable import LessonBuilder

@Suite struct OperandsViewTests {
    static func evaluate(_ spec: String) throws -> (LessonBlock, BlockOutcome) {
        let doc = try LessonDocument(markdown: "```convtrace\n" + spec + "\n```\n", file: "t.md")
        let block = try #require(doc.blocks.first)
        let outcome = try SpecsEvaluator().evaluate(spec: block.specForEngine, file: "t.md", line: block.line, traced: true)
        return (block, outcome)
    }

    @Test("a true convolution of a signal lists input, kernel, flags, and the output it checks: [2, 1, 0]")
    func slopeFlipped() throws {
        let (block, outcome) = try Self.evaluate("""
            op: conv2d
            input: [3, 2, 1, 0]
            kernel: [1, 0]
            flip: true
            expect:
              output: [2, 1, 0]
            """)
        let text = LessonViews.operands(block, outcome: outcome)
        #expect(text.contains("input `x` = `[3, 2, 1, 0]`"))
        #expect(text.contains("kernel `k` = `[1, 0]`"))
        #expect(text.contains("Flags: true convolution (kernel rotated 180°, `flip: true`), stride 1, padding 0, dilation 1."))
        let checks = Verifier.check(block, outcome: outcome, file: "t.md")
        let line = LessonViews.checkedLine(block, outcome: outcome, checks: checks, operands: true)
        #expect(line.hasPrefix(text))
        #expect(line.hasSuffix("> Checked with convtrace (`conv2d`, true convolution): the output y, `output` = [2, 1, 0]\n"))
    }

    @Test("named cells: dY as the input of the full convolution, its output called dX; 1·4 + 2·3 + 3·2 + 4·1 = 20")
    func namedCells() throws {
        let (block, outcome) = try Self.evaluate("""
            op: conv2d
            input: [[1, 2], [3, 4]]
            kernel: [[1, 2], [3, 4]]
            padding: full
            flip: true
            input_name: dY
            output_name: dX
            cell: output[1][1]
            expect:
              output[1][1]: 20
            """)
        let table = LessonViews.table(block, outcome: outcome)
        #expect(table.contains("| 3 | dY[1][0] | 3 | × | k[0][1] | 2 | 6 | 16 |"))
        #expect(!table.contains("x["))
        let checks = Verifier.check(block, outcome: outcome, file: "t.md")
        #expect(LessonViews.checkedLine(block, outcome: outcome, checks: checks, operands: false)
            == "> Checked with convtrace (`conv2d`, true convolution): the output, here dX, `output[1][1]` = 20\n")
    }

    @Test("average-pool backward: the operand is the window share 1/4, not a kernel cell")
    func poolShare() throws {
        let (block, outcome) = try Self.evaluate("""
            op: avg_pool2d
            input: [[1, 2], [3, 4]]
            kernel_size: 2
            grad_output: [[8]]
            cell: grad_input[0][1]
            """)
        let table = LessonViews.table(block, outcome: outcome)
        #expect(table.contains("| 1 | dY[0][0] | 8 | × | 1/4 (its share of the window) | 0.25 | 2 | 2 |"))
        #expect(!table.contains("k["))
    }

    @Test("a network that only checks prints its input and layers: receptive field 1 → 2 → 4")
    func networkLayerList() throws {
        let (block, outcome) = try Self.evaluate("""
            op: network
            input: {zeros: [9, 9]}
            layers:
              - {op: conv2d, kernel: {ones: [1, 1, 3, 3]}}
              - {op: max_pool2d, kernel_size: 2}
            expect:
              receptive_field: 4
            """)
        let checks = Verifier.check(block, outcome: outcome, file: "t.md")
        #expect(checks.allSatisfy { $0.holds })
        #expect(LessonViews.checkedLine(block, outcome: outcome, checks: checks, operands: true) == """
            Input 9×9; layers: conv2d 3×3 (stride 1, padding 0, dilation 1) → max_pool2d (window 2×2, stride 2, padding 0).

            > Checked with convtrace (`network`): the receptive field, `receptive_field` = 4

            """)
    }
}
