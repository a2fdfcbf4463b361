// LessonBuilder — `convtrace verify` as a library call: every claim of every file, and an exit status.

/// The outcome of verifying a set of Markdown files.
public struct VerifyRun: Sendable {
    /// Every claim checked, in file and block order.
    public var checks: [ClaimCheck] = []
    /// Blocks that could not be checked (malformed, or refused by the engine), as `FILE:LINE: …`.
    public var problems: [LessonError] = []

    public var wrong: [ClaimCheck] { checks.filter { !$0.holds } }

    /// 0 when every claim holds, 1 when some are wrong, 2 when a block is malformed.
    public var exitCode: Int32 { !problems.isEmpty ? 2 : (wrong.isEmpty ? 0 : 1) }

    /// `N claims checked, M wrong` (plus the malformed count when there are any).
    public var summary: String {
        var s = "\(checks.count) claim\(checks.count == 1 ? "" : "s") checked, \(wrong.count) wrong"
        if !problems.isEmpty { s += ", \(problems.count) malformed block\(problems.count == 1 ? "" : "s")" }
        return s
    }

    /// One line per difference of every wrong claim, `FILE:LINE: …`.
    public var messages: [String] { wrong.flatMap(\.messages) }

    /// Verifies `files`, continuing past malformed blocks (each is reported; its file's other blocks
    /// are still checked when the file itself parses). Markdown and Jupyter notebooks (`.ipynb`).
    public init(files: [String], evaluator: any BlockEvaluator = SpecsEvaluator()) {
        for file in files {
            let document: LessonDocument
            do {
                document = try LessonDocument(contentsOf: file)
            } catch let error as LessonError {
                problems.append(error); continue
            } catch {
                problems.append(LessonError(.io, file: file, line: 0, "\(error)")); continue
            }
            check(document, evaluator: evaluator)
        }
    }

    /// Verifies Markdown text (`file` names it in messages).
    public init(markdown: String, file: String = "<string>", evaluator: any BlockEvaluator = SpecsEvaluator()) {
        do {
            check(try LessonDocument(markdown: markdown, file: file), evaluator: evaluator)
        } catch let error as LessonError {
            problems.append(error)
        } catch {
            problems.append(LessonError(.malformed, file: file, line: 0, "\(error)"))
        }
    }

    /// Checks every block of `document` that has claims.
    mutating func check(_ document: LessonDocument, evaluator: any BlockEvaluator) {
        let file = document.file
        for block in document.blocks where !block.claims.isEmpty {
            do {
                let outcome = try evaluator.evaluate(spec: block.specForEngine, file: file, line: block.line, traced: false)
                checks += Verifier.check(block, outcome: outcome, file: file)
            } catch var error as LessonError {
                if let cell = block.notebookCell {
                    error = LessonError(error.kind, file: file, line: 0, "cell \(cell), line \(block.line): \(error.message)")
                }
                problems.append(error)
            } catch {
                problems.append(LessonError(.evaluation, file: file, line: block.line, "\(error)"))
            }
        }
    }
}
