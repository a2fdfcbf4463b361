// LessonBuilder — Output/ERRATA.md: each wrong tutorial claim, what is right, and a one-line why.
import Foundation

/// Writes the errata page from the verified claims files.
enum ErrataPage {
    static func markdown(_ docs: [(LessonDocument, [ClaimCheck])], lessonsDirectory: String) -> String {
        let all = docs.flatMap(\.1)
        let wrong = all.filter { !$0.holds }
        var s = "\(LessonSite.generatedMarker) from Lessons/errata/; edit the claims files, not this file. -->\n"
        s += "# Tutorial errata\n\n"
        s += "The claims files in `Lessons/errata/` restate every numeric claim of the tutorials that the engine can "
        s += "check. \(all.count) claims checked, \(wrong.count) wrong.\n"
        for (doc, checks) in docs {
            let name = (doc.file as NSString).lastPathComponent
            let bad = checks.filter { !$0.holds }
            s += "\n## \(doc.title ?? name)\n\n"
            s += "Claims file: `Lessons/errata/\(name)` — \(checks.count) claims checked, "
            s += bad.isEmpty ? "all hold.\n" : "\(bad.count) wrong.\n"
            for check in bad {
                let block = check.block
                s += "\n### \(block.title ?? check.claim.key)\n\n"
                if let cite = block.cite { s += "- Where: \(cite)\n" }
                s += "- The tutorial says: `\(check.claim.key)` = \(check.claim.printed)\n"
                s += "- What is right: `\(check.claim.key)` = \(check.computedText)\n"
                s += "- Why: \(block.why ?? "(no explanation recorded in the claims file)")\n"
                s += "- Checked at: `Lessons/errata/\(name):\(block.line)`\n"
            }
        }
        return s
    }
}
