// LessonBuilderTests — lessons 15-17's additions: `parameters` / `multiply_accumulates` claims, the direct view
// of a transposed convolution (`transposed_view: direct`) and the still that shows the `cell:` asked for.
import Foundation
import Storyboard
import Testing
@testable import LessonBuilder

@Suite("Lesson counts and transposed views")
struct LessonCountsAndViewsTests {
    static func verify(_ block: String) throws -> [ClaimCheck] {
        try Verifier(evaluator: SpecsEvaluator()).verify(try LessonDocument(markdown: "```convtrace\n" + block + "```\n", file: "t.md"))
    }

    @Test("parameters and multiply_accumulates are claims: totals and per layer, wrong ones reported")
    func countClaims() throws {
        // conv 2@3×3 on 1 channel, no bias: 18 parameters, 2·3·3 output cells × 9 = 162 MACs; relu: 0 and 0;
        // linear 18→4 with bias: 76 parameters, 72 MACs.
        let checks = try Self.verify("""
            op: network
            input: {zeros: [1, 5, 5]}
            layers:
              - {op: conv2d, kernel: {ones: [2, 1, 3, 3]}}
              - {op: relu}
              - {op: flatten}
              - {op: linear, weight: {ones: [4, 18]}, bias: {zeros: [4]}}
            expect:
              parameters: 94
              multiply_accumulates: 234
              layer0.parameters: 18
              layer0.multiply_accumulates: 162
              layer1.parameters: 0
              layer1.multiply_accumulates: 0
              layer3.multiply_accumulates: 73

            """)
        #expect(checks.map(\.holds) == [true, true, true, true, true, true, false])
        #expect(checks.last?.messages == ["t.md:1: layer3.multiply_accumulates: claimed 73, engine computes 72"])
    }

    @Test("transposed_view: direct draws conv_arithmetic's view, and cell: picks that cell's frame, not a later one")
    func directView() throws {
        let spec = "op: conv_transpose2d\ninput: [[1, 2], [3, 4]]\nweight: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nstride: 2\n"
        let doc = try LessonDocument(markdown: "```convtrace\n" + spec + "transposed_view: direct\nshow: [final]\ncell: output[2][2]\n```\n", file: "t.md")
        let block = try #require(doc.blocks.first)
        #expect(block.transposedView == "direct")
        let outcome = try SpecsEvaluator().evaluate(spec: block.specForEngine, file: "t.md", line: block.line, traced: true)
        let frames = try StoryboardPictures.frames(block: block, outcome: outcome, maxFrames: 400, view: "final")
        #expect(frames.count == 25 && frames.allSatisfy { $0.scene == .transposedDirect })
        // Every output cell's frame spans from its first scatter term to its final write, so frames overlap; the
        // still is y[2,2]'s own frame (its 4 terms, 1·9 + 2·7 + 3·3 + 4·1 = 36), the 13th.
        let still = PictureSelection.stillIndex(frames, block: block, outcome: outcome)
        #expect(still == 12)
        #expect(PictureSelection.computes(frames[still]) == "y[2,2] = 36")
        // Without the key, the scatter view.
        let scatter = try LessonDocument(markdown: "```convtrace\n" + spec + "show: [final]\n```\n", file: "t.md").blocks[0]
        #expect(scatter.transposedView == nil)
        let scatterFrames = try StoryboardPictures.frames(block: scatter, outcome: outcome, maxFrames: 400, view: "final")
        #expect(!scatterFrames.isEmpty && scatterFrames.allSatisfy { $0.scene == .transposedScatter })
    }

    @Test("transposed_view with another value is refused at its line, naming the two views")
    func badView() {
        do {
            _ = try LessonDocument(markdown: "# t\n\n```convtrace\nop: conv_transpose2d\ninput: [1, 2]\nweight: [1, 1]\ntransposed_view: gather\n```\n", file: "t.md")
            Issue.record("transposed_view: gather was accepted")
        } catch let error as LessonError {
            #expect(error.line == 7)
            #expect(error.message.contains("transposed_view: expected scatter"))
            #expect(error.message.contains("direct"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
