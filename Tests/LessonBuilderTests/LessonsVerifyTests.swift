// LessonBuilderTests — every real lesson verifies clean; claims are compared element by element.
import Foundation
import LessonBuilder
import Testing

@Suite("Lessons verify")
struct LessonsVerifyTests {
    @Test("every lesson in Lessons/ verifies clean, and there are at least eleven")
    func lessonsClean() throws {
        let files = try LessonSite(lessonsDirectory: repositoryRoot + "/Lessons").lessonFiles()
        #expect(files.count >= 11)
        let run = VerifyRun(files: files)
        #expect(run.problems.map(\.description) == [])
        #expect(run.messages == [])
        #expect(run.exitCode == 0)
        #expect(run.checks.count >= 80)
    }

    @Test("a wrong element is reported as FILE:LINE: key[i]: claimed …, engine computes …")
    func elementMessage() throws {
        // [1, 2, 3] ⋆ [1, 1, 1] with `same` padding: windows (0,1,2), (1,2,3), (2,3,0) → 3, 6, 5.
        let text = "# t\n\ntext\n\n```convtrace\nop: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\npadding: same\nexpect:\n  output: [3, 6, 4]\n```\n"
        let doc = try LessonDocument(markdown: text, file: "t.md")
        let checks = try Verifier(evaluator: SpecsEvaluator()).verify(doc)
        #expect(checks.count == 1)
        #expect(checks[0].messages == ["t.md:5: output[2]: claimed 4, engine computes 5"])
    }

    @Test("shapes written AxBxC are compared in the axis order the text names")
    func shapeOrder() throws {
        // 5×5×3 input, 2 filters 3×3, stride 2, padding 1 → (5 + 2 − 3)/2 + 1 = 3, depth 2.
        let text = "```convtrace\nop: conv2d\ninput: {zeros: [3, 5, 5]}\nkernel: {ones: [2, 3, 3, 3]}\nstride: 2\npadding: 1\nshape_order: WHC\nexpect:\n  output_shape: 3x3x2\n```\n"
        let checks = try Verifier(evaluator: SpecsEvaluator()).verify(try LessonDocument(markdown: text, file: "s.md"))
        #expect(checks.map(\.holds) == [true])
    }

    @Test("tolerance: a rounded claim holds within it and fails outside it")
    func tolerance() throws {
        // mean of 1 … 9 under a 1/9 box kernel = 5; claimed 5.0004.
        func block(_ tol: String) -> String {
            "```convtrace\nop: conv2d\ninput: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nkernel: {ones: [3, 3], divide: 9}\ntolerance: \(tol)\nexpect:\n  output: [[5.0004]]\n```\n"
        }
        let loose = try Verifier(evaluator: SpecsEvaluator()).verify(try LessonDocument(markdown: block("0.001"), file: "a.md"))
        let tight = try Verifier(evaluator: SpecsEvaluator()).verify(try LessonDocument(markdown: block("0.0001"), file: "b.md"))
        #expect(loose.map(\.holds) == [true])
        #expect(tight.map(\.holds) == [false])
    }
}

@Suite("Lesson parsing")
struct LessonParsingTests {
    @Test("blocks are found with the line of their opening fence; other fences stay text")
    func fences() throws {
        let text = "# T\n\n```python\nprint(1)\n```\n\n~~~convtrace\nop: relu\ninput: [-1, 2]\nexpect:\n  output: [0, 2]\n~~~\nend\n"
        let doc = try LessonDocument(markdown: text, file: "f.md")
        #expect(doc.blocks.map(\.line) == [7])
        #expect(doc.title == "T")
        guard case .text(let first) = doc.segments[0] else { Issue.record("expected text first"); return }
        #expect(first.contains("```python\nprint(1)\n```"))
    }

    @Test("malformed blocks name the file, the line and what is wrong", arguments: [
        ("```convtrace\nop: conv2d\ninput: [1, 2]\nkernel: [1]\nshow: [movie]\n```\n", 5, "show: unknown view `movie`"),
        ("```convtrace\nop: conv2d\ninput: [1, 2]\nkernel: [1]\nexpect:\n  outptu: [1, 2]\n```\n", 6, "expect: unknown key `outptu`"),
        ("```convtrace\nop: conv2d\ninput: [1, 2]\nkernel: [1]\nexpect:\n  output: [one, 2]\n```\n", 6, "expected a number"),
        ("text\n```convtrace\nop: conv2d\ninput: [1, 2]\n", 2, "never closed"),
        ("```convtrace\ninput: [1, 2]\n```\n", 1, "no `op:` key"),
        ("```convtrace\nop: conv2d\ninput: [1, 2\n```\n", 1, "not valid YAML"),
    ])
    func malformed(text: String, line: Int, fragment: String) {
        do {
            _ = try LessonDocument(markdown: text, file: "m.md")
            Issue.record("expected a malformed-block error")
        } catch let error as LessonError {
            #expect(error.kind == .malformed)
            #expect(error.line == line)
            #expect(error.description.hasPrefix("m.md:\(line): "))
            #expect(error.message.contains(fragment), "\(error.message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("a spec Specs rejects is a malformed block at that block's line, and verify exits 2")
    func specRejected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lb-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/bad.md"
        // stride 0 is refused by Specs.
        try "intro\n\n```convtrace\nop: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1]\nstride: 0\nexpect:\n  output: [3]\n```\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let run = VerifyRun(files: [file])
        #expect(run.exitCode == 2)
        #expect(run.problems.count == 1)
        #expect(run.problems.first?.description.hasPrefix("\(file):7: stride") == true, "\(run.problems.map(\.description))")
    }

    @Test("tensor recipes expand to literal lists")
    func recipes() throws {
        let text = "```convtrace\nop: conv2d\ninput: {arange: [2, 3], start: 1}\nkernel: {values: [[2]], divide: 4}\nexpect:\n  output: [[0.5, 1, 1.5], [2, 2.5, 3]]\n```\n"
        let doc = try LessonDocument(markdown: text, file: "r.md")
        #expect(doc.blocks[0].specJSON == #"{"op":"conv2d","input":[[1,2,3],[4,5,6]],"kernel":[[0.5]]}"#)
        let checks = try Verifier(evaluator: SpecsEvaluator()).verify(doc)
        #expect(checks.map(\.holds) == [true])
    }
}
