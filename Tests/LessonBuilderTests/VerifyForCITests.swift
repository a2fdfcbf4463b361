// LessonBuilderTests — issue 13: verify for tutorial authors' CI (CRLF, comment claims, notebooks, formats, --update).
import Foundation
import LessonBuilder
import Testing

/// [1, 2, 3] ⋆ [1, 1, 1] with `same` padding: windows (0,1,2), (1,2,3), (2,3,0) → 3, 6, 5.
private let sameSpec = "op: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\npadding: same\n"

private func scratch(_ name: String, _ text: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lb-verify-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/" + name
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

private func removeFolder(of path: String) { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }

@Suite("verify for CI")
struct VerifyForCITests {
    @Test("CRLF line endings: the blocks are found and a wrong claim fails (it once passed with 0 claims)")
    func crlf() throws {
        let text = "# t\r\n\r\n```convtrace\r\n" + sameSpec.replacingOccurrences(of: "\n", with: "\r\n")
            + "expect:\r\n  output: [3, 6, 4]\r\n```\r\n"
        let path = try scratch("crlf.md", text)
        defer { removeFolder(of: path) }
        let run = VerifyRun(files: [path])
        #expect(run.checks.count == 1)
        #expect(run.messages == ["\(path):3: output[2]: claimed 4, engine computes 5"])
        #expect(run.exitCode == 1)
    }

    @Test("a claim in an HTML comment is checked, and a lesson page keeps it invisible")
    func commentClaims() throws {
        let text = "# t\n\nThe output is 3, 6, 5.\n<!-- convtrace\n" + sameSpec + "expect:\n  output: [3, 6, 4]\n-->\nMore prose.\n"
        let doc = try LessonDocument(markdown: text, file: "c.md")
        #expect(doc.blocks.count == 1)
        #expect(doc.blocks[0].line == 4)
        #expect(doc.blocks[0].comment?.hasPrefix("<!-- convtrace\n") == true)
        let checks = try Verifier(evaluator: SpecsEvaluator()).verify(doc)
        #expect(checks.map(\.messages) == [["c.md:4: output[2]: claimed 4, engine computes 5"]])
        #expect(checks[0].claim.line == 10)
        // An ordinary HTML comment is prose.
        #expect(try LessonDocument(markdown: "<!-- a note -->\n<!--\nconvtrace\n-->\n", file: "p.md").blocks.isEmpty)
        // Never closed: a located message.
        #expect(throws: LessonError.self) { try LessonDocument(markdown: "<!-- convtrace\nop: conv2d\n", file: "u.md") }
    }

    @Test("a notebook's Markdown cells are checked; messages name the cell and the line in it")
    func notebook() throws {
        let cell1: [String: Any] = ["cell_type": "code", "source": ["x = 1\n"], "metadata": [:], "outputs": []]
        let cell2: [String: Any] = ["cell_type": "markdown", "metadata": [:],
                                    "source": ["# Same padding\n", "\n", "```convtrace\n"] + sameSpec.split(separator: "\n").map { $0 + "\n" }
                                        + ["expect:\n", "  output: [3, 6, 4]\n", "```\n"]]
        let cell3: [String: Any] = ["cell_type": "markdown", "metadata": [:],
                                    "source": "<!-- convtrace\n" + sameSpec + "expect:\n  output_shape: [3]\n-->\n"]
        let data = try JSONSerialization.data(withJSONObject: ["cells": [cell1, cell2, cell3], "nbformat": 4, "nbformat_minor": 5, "metadata": [:]])
        let path = try scratch("tutorial.ipynb", String(decoding: data, as: UTF8.self))
        defer { removeFolder(of: path) }
        let run = VerifyRun(files: [path])
        #expect(run.problems.map(\.description) == [])
        #expect(run.checks.count == 2)
        #expect(run.messages == ["\(path): cell 2, line 3: output[2]: claimed 4, engine computes 5"])
        #expect(run.checks[1].holds)
        let bad = try scratch("bad.ipynb", "{\"cells\": 3}")
        defer { removeFolder(of: bad) }
        #expect(VerifyRun(files: [bad]).exitCode == 2)
    }

    @Test("JSON, GitHub and JUnit reports carry the claim's own line and the values")
    func formats() throws {
        let text = "# t\n\n```convtrace\n" + sameSpec + "expect:\n  output: [3, 6, 4]\n  output_shape: [3]\n```\n"
        let path = try scratch("f.md", text)
        defer { removeFolder(of: path) }
        let run = VerifyRun(files: [path])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(VerifyReport.render(run, as: .json).utf8)) as? [String: Any])
        #expect(json["checked"] as? Int == 2)
        #expect(json["wrong"] as? Int == 1)
        #expect(json["exit_code"] as? Int == 1)
        let claims = try #require(json["claims"] as? [[String: Any]])
        #expect(claims[0]["line"] as? Int == 9)
        #expect(claims[0]["computed"] as? String == "[3, 6, 5]")
        #expect(claims[0]["holds"] as? Bool == false)
        #expect(claims[1]["holds"] as? Bool == true)
        let github = VerifyReport.render(run, as: .github)
        #expect(github.hasPrefix("::error file=\(path),line=9,title=convtrace verify%3A wrong claim::output[2]: claimed 4, engine computes 5\n"))
        #expect(github.hasSuffix("::notice title=convtrace verify::2 claims checked, 1 wrong\n"))
        let junit = VerifyReport.render(run, as: .junit)
        #expect(junit.contains("<testsuites name=\"convtrace verify\" tests=\"2\" failures=\"1\" errors=\"0\">"))
        #expect(junit.contains("<failure message=\"output[2]: claimed 4, engine computes 5\">"))
        #expect(junit.contains("<testcase classname=\"\(path)\" name=\"line 10: output_shape\"/>"))
        #expect(VerifyReport.render(run, as: .text) == "\(path):3: output[2]: claimed 4, engine computes 5\n2 claims checked, 1 wrong\n")
    }

    @Test("--update writes the engine's values into missing and wrong entries and changes no other byte")
    func update() throws {
        let text = "# t\r\n\r\nprose  \r\n```convtrace\r\n" + sameSpec.replacingOccurrences(of: "\n", with: "\r\n")
            + "expect:\r\n  output: [3,\r\n    6, 4]\r\n  output_shape: [3]\r\n  grad_input:\r\n```\r\nend"
        let withGrad = text.replacingOccurrences(of: "padding: same\r\n", with: "padding: same\r\ngrad_output: [1, 1, 1]\r\n")
        let path = try scratch("u.md", withGrad)
        defer { removeFolder(of: path) }
        #expect(chmod(path, 0o600) == 0)
        let before = VerifyRun(files: [path])
        #expect(before.wrong.map(\.claim.key) == ["output", "grad_input"])
        let outcome = try ClaimUpdater.update(file: path, checks: before.checks)
        #expect(outcome.updated.count == 2)
        let after = try String(contentsOfFile: path, encoding: .utf8)
        // grad_input of same padding with ones: x0 feeds outputs 0,1 → 2; x1 → 3; x2 → 2.
        let expected = withGrad.replacingOccurrences(of: "  output: [3,\r\n    6, 4]\r\n", with: "  output: [3, 6, 5]\r\n")
            .replacingOccurrences(of: "  grad_input:\r\n", with: "  grad_input: [2, 3, 2]\r\n")
        #expect(after == expected)
        #expect(VerifyRun(files: [path]).exitCode == 0)
        // Permissions survive the rewrite.
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        // Nothing to do: the file is left alone.
        #expect(try ClaimUpdater.update(file: path, checks: VerifyRun(files: [path]).checks).updated.isEmpty)
    }

    @Test("a missing value is a wrong claim without --update")
    func missingValue() throws {
        let doc = try LessonDocument(markdown: "```convtrace\n" + sameSpec + "expect:\n  output:\n```\n", file: "m.md")
        let checks = try Verifier(evaluator: SpecsEvaluator()).verify(doc)
        #expect(checks.map(\.messages) == [["m.md:1: output: no value claimed; engine computes [3, 6, 5]"]])
    }
}
