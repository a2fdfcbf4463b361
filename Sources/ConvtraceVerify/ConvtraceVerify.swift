// ConvtraceVerify — the library product for other Swift packages' tests: check the numbers a tutorial claims.
import LessonBuilder

/// Checks every claim of the Markdown file or Jupyter notebook at `path` (fenced ```convtrace blocks
/// and `<!-- convtrace … -->` comments with `expect:`) against the engine.
///
/// The result holds the claims and their verdicts as values: `checks` (each a `ClaimCheck` with the
/// `claim`, the `computed` value and the `differences`), `wrong`, `problems` (malformed blocks),
/// `messages` (`FILE:LINE: …` lines) and `exitCode` (0 all hold, 1 some wrong, 2 malformed), exactly
/// what `convtrace verify` reports. Formats of files and claims: docs/verify.md.
public func verifyClaims(inFile path: String) -> VerifyRun {
    VerifyRun(files: [path])
}

/// Checks every claim of Markdown `text`; `file` names it in messages.
public func verifyClaims(inMarkdown text: String, file: String = "<string>") -> VerifyRun {
    VerifyRun(markdown: text, file: file)
}
