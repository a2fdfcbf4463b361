// LessonBuilder — Output/ERRATA.md: each tutorial mistake, quoted at its line, what is right, and a one-line why.
import Foundation

/// Writes the errata page from the verified claims files.
///
/// An entry is a claim the engine finds wrong, or a block with a `why:` whose claims hold: the tutorial's
/// mistake is in words (its `quote:`), and the block's `expect:` is what is right, checked. The page never
/// calls a number the tutorial's own when the block says it `evaluates:` the tutorial's formula.
enum ErrataPage {
    static func markdown(_ docs: [(LessonDocument, [ClaimCheck])], lessonsDirectory: String) -> String {
        let all = docs.flatMap(\.1)
        let wrong = all.filter { !$0.holds }
        let worded = docs.flatMap { wordedErrata($0.1) }
        var s = "\(LessonSite.generatedMarker) from Lessons/errata/; edit the claims files, not this file. -->\n"
        s += "# Tutorial errata\n\n"
        s += "The claims files in `Lessons/errata/` restate every numeric claim of the tutorials that the engine can "
        s += "check. \(all.count) claims checked, \(wrong.count) wrong"
        s += worded.isEmpty ? ".\n" : "; \(worded.count) more mistake(s) the tutorials make in words, with the right "
            + "numbers checked.\n"
        s += "\nEach entry quotes the tutorial at its line. Where a tutorial prints a formula rather than a number, the "
        s += "number shown is the formula evaluated here at values we chose, and the entry says so.\n"
        for (doc, checks) in docs {
            let name = (doc.file as NSString).lastPathComponent
            let bad = checks.filter { !$0.holds }
            let inWords = wordedErrata(checks)
            s += "\n## \(doc.title ?? name)\n\n"
            s += "Claims file: `Lessons/errata/\(name)` — \(checks.count) claims checked, "
            s += bad.isEmpty ? "all hold" : "\(bad.count) wrong"
            s += inWords.isEmpty ? ".\n" : "; \(inWords.count) mistake(s) in words.\n"
            let entries = (bad + inWords).sorted { ($0.block.line, $0.claim.line) < ($1.block.line, $1.claim.line) }
            for check in entries { s += entry(check, tutorial: name) }
        }
        return s
    }

    /// Blocks with a `why:` whose claims all hold: the mistake is in the tutorial's words; one check each.
    static func wordedErrata(_ checks: [ClaimCheck]) -> [ClaimCheck] {
        var seen = Set<Int>()
        var out: [ClaimCheck] = []
        for check in checks where check.block.why != nil && !seen.contains(check.block.line) {
            let block = checks.filter { $0.block.line == check.block.line }
            guard block.allSatisfy(\.holds) else { continue }
            seen.insert(check.block.line)
            out.append(check)
        }
        return out
    }

    /// One entry: where, the quote, the tutorial's number (or our evaluation of its formula), any assumption,
    /// what is right, why, and the claims file line.
    static func entry(_ check: ClaimCheck, tutorial: String) -> String {
        let block = check.block
        let key = "`\(check.claim.key)`"
        var s = "\n### \(block.title ?? check.claim.key)\n\n"
        var place = block.cite ?? "`\(tutorial)`"
        if let line = block.tutorialLine { place += ", line \(line) of `\(tutorial)`" }
        s += "- Where: \(place)\n"
        if let quote = block.quote {
            // LaTeX or underscores would be mangled by Markdown: quote those as code, exactly.
            let exact = quote.contains("\\") || quote.contains("_") ? "`\(quote)`" : quote
            s += "- The tutorial prints: “\(exact)”\n"
        }
        if !check.holds {
            if let evaluates = block.evaluates {
                s += "- The tutorial prints a formula, not this number. Evaluated here at \(evaluates) (our values), its formula gives "
                    + "\(key) = \(check.claim.printed)\n"
            } else {
                s += "- The tutorial's number: \(key) = \(check.claim.printed)\n"
            }
        }
        if let assume = block.assume { s += "- Assumed: \(assume)\n" }
        s += "- What is right: \(key) = \(check.computedText)\(check.holds ? " (checked)" : "")\n"
        s += "- Why: \(block.why ?? "(no explanation recorded in the claims file)")\n"
        s += "- Checked at: `Lessons/errata/\((check.file as NSString).lastPathComponent):\(block.line)`\n"
        return s
    }
}
