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
    }
}
