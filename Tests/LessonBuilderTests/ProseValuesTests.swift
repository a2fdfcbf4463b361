// LessonBuilderTests — `{{KEY}}` in a lesson's prose is the engine's value of the block above.
import Foundation
import LessonBuilder
import Testing

@Suite("Prose values") struct ProseValuesTests {
    @Test("{{KEY}} is replaced by the block above's computed value; a key it does not compute is refused by name")
    func substituted() throws {
        let scratch = try ScratchSite()
        defer { scratch.remove() }
        // [1, 2, 3] ⋆ [0.5, 1, −1], same padding: [0·0.5 + 1 − 2, 0.5 + 2 − 3, 1 + 3 − 0] = [−1, −0.5, 4].
        try scratch.write("Lessons/03-prose.md", """
            # Prose

            ```convtrace
            op: conv2d
            input: [1, 2, 3]
            kernel: [0.5, 1, -1]
            padding: same
            expect:
              output: [-1, -0.5, 4]
            ```

            The middle cell is {{output[1]}} and the last {{ output[2] }}.
            """)
        let out = try scratch.buildOutput()
        let page = try String(contentsOfFile: out + "/03-prose/README.md", encoding: .utf8)
        #expect(page.contains("The middle cell is −0.5 and the last 4."), "\(page)")
        try scratch.write("Lessons/03-prose.md", "# Prose\n\n```convtrace\nop: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\n```\n\nLoss {{loss}}.\n")
        #expect {
            try scratch.site().build(into: scratch.root + "/Output2")
        } throws: { error in
            let e = error as? LessonError
            return e?.file.hasSuffix("03-prose.md") == true && e?.message.contains("{{loss}}: the block above computes no `loss`") == true
        }
    }
}
