// LessonBuilder — builds every lesson of a folder into an output folder, atomically per lesson, plus the
// index and the errata page; `check` rebuilds in a temporary folder and names what differs (by meaning:
// text byte for byte, pictures by what they show; or every byte, when strict).
import Engine
import Foundation
import Specs
import Tracing

/// The lessons folder (`Lessons/`, with claims files in `Lessons/errata/`) and how to build it.
public struct LessonSite: Sendable {
    public var lessonsDirectory: String
    public var evaluator: any BlockEvaluator
    /// Draws `animation`, `frames`, `final`; nil leaves those views out (with a note).
    public var pictures: (any PictureMaker)?

    public init(lessonsDirectory: String, evaluator: any BlockEvaluator = SpecsEvaluator(), pictures: (any PictureMaker)? = nil) {
        self.lessonsDirectory = lessonsDirectory; self.evaluator = evaluator; self.pictures = pictures
    }

    /// What one build did.
    public struct Report: Sendable {
        /// Lesson stems built, in order.
        public var lessons: [String] = []
        /// Claims checked in lessons (all must hold).
        public var lessonClaims = 0
        /// Claims checked in the errata files, and those that are wrong (the tutorials' mistakes).
        public var errataChecks: [ClaimCheck] = []
        public var errataWrong: [ClaimCheck] { errataChecks.filter { !$0.holds } }
        /// Numbers typed in the lessons' prose that no neighbouring block's run computes (`ProseNumbers`).
        public var unbackedProse: [ProseNumbers.Finding] = []
        public init() {}
    }

    /// `*.md` files directly in the lessons folder, sorted by name (README.md excluded).
    public func lessonFiles() throws -> [String] { try markdownFiles(in: lessonsDirectory) }

    /// `*.md` files in `errata/`, sorted (README.md excluded).
    public func errataFiles() throws -> [String] {
        let dir = (lessonsDirectory as NSString).appendingPathComponent("errata")
        guard FileManager.default.fileExists(atPath: dir) else { return [] }
        return try markdownFiles(in: dir)
    }

    private func markdownFiles(in dir: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir)
        } catch {
            throw LessonError(.io, file: dir, line: 0, "cannot list the folder: \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".md") && $0 != "README.md" && !$0.hasPrefix(".") }.sorted()
            .map { (dir as NSString).appendingPathComponent($0) }
    }

    // MARK: - Build

    /// Builds every lesson into `output`: `output/<lesson>/README.md`, its pictures and `frames.txt` (what
    /// every picture shows, `FrameManifest`), `output/README.md`
    /// (the index), `output/ERRATA.md`. Each lesson folder is replaced atomically: a lesson that fails
    /// (a malformed block, a claim that does not hold) leaves its previous folder untouched.
    /// - Throws: the first `LessonError` met, after building every lesson that could be built.
    @discardableResult
    public func build(into output: String) throws -> Report {
        let fm = FileManager.default
        try makeDirectory(output)
        var report = Report()
        var entries: [IndexEntry] = []
        var firstError: LessonError?
        for file in try lessonFiles() {
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            do {
                if LessonSite.reservedNames.contains(stem) {
                    throw LessonError(.malformed, file: file, line: 0,
                                      "the lesson would be built into \(stem)/, which collides with the generated \(stem); rename the file (e.g. \(stem.lowercased().replacingOccurrences(of: ".md", with: ""))-lesson.md)")
                }
                let staging = (output as NSString).appendingPathComponent(".building-\(stem)")
                try? fm.removeItem(atPath: staging)
                try makeDirectory(staging)
                defer { try? fm.removeItem(atPath: staging) }
                let built = try buildLesson(file: file, into: staging)
                try replaceDirectory((output as NSString).appendingPathComponent(stem), with: staging)
                report.lessons.append(stem)
                report.lessonClaims += built.claims
                report.unbackedProse += built.unbacked
                entries.append(IndexEntry(stem: stem, title: built.title, summary: built.summary, thumbnail: built.thumbnail))
            } catch let error as LessonError {
                if firstError == nil { firstError = error }
                let previous = (output as NSString).appendingPathComponent(stem)
                if fm.fileExists(atPath: (previous as NSString).appendingPathComponent("README.md")) {
                    entries.append(IndexEntry(stem: stem, title: stem, summary: "", thumbnail: nil))
                }
            }
        }
        // Remove folders of lessons that no longer exist (only folders this builder wrote).
        let current = Set(try lessonFiles().map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension })
        for name in (try? fm.contentsOfDirectory(atPath: output)) ?? [] where !name.hasPrefix(".") && !current.contains(name) {
            let readme = ((output as NSString).appendingPathComponent(name) as NSString).appendingPathComponent("README.md")
            if let text = try? String(contentsOfFile: readme, encoding: .utf8), text.hasPrefix(LessonSite.generatedMarker) {
                try? fm.removeItem(atPath: (output as NSString).appendingPathComponent(name))
            }
        }
        var errataDocs: [(LessonDocument, [ClaimCheck])] = []
        do {
            for file in try errataFiles() {
                let doc = try LessonDocument(contentsOf: file)
                let checks = try Verifier(evaluator: evaluator).verify(doc)
                errataDocs.append((doc, checks))
                report.errataChecks += checks
            }
            try writeAtomically(ErrataPage.markdown(errataDocs, lessonsDirectory: lessonsDirectory),
                                to: (output as NSString).appendingPathComponent("ERRATA.md"))
        } catch let error as LessonError {
            if firstError == nil { firstError = error }
        }
        try writeAtomically(LessonSite.index(entries, errataWrong: report.errataWrong.count, unbackedProse: report.unbackedProse.count),
                            to: (output as NSString).appendingPathComponent("README.md"))
        if let firstError { throw firstError }
        return report
    }

    /// First line of every generated lesson page (lets the builder recognise its own folders).
    public static let generatedMarker = "<!-- Generated by `convtrace lessons`"

    struct IndexEntry { var stem: String; var title: String; var summary: String; var thumbnail: String? }
    struct BuiltLesson {
        var title: String; var summary: String; var thumbnail: String?; var claims: Int
        var unbacked: [ProseNumbers.Finding] = []
    }

    /// Builds one lesson into `directory` (README.md plus pictures); every claim must hold.
    func buildLesson(file: String, into directory: String) throws -> BuiltLesson {
        let doc = try LessonDocument(contentsOf: file)
        let sourceName = "Lessons/" + (file as NSString).lastPathComponent
        var page = "\(LessonSite.generatedMarker) from \(sourceName); edit the source, not this file. -->\n"
        var thumbnail: String?
        var pictures: [DrawnPicture] = []
        var claims = 0
        var failures: [String] = []
        var above: BlockOutcome?  // the block a `{{KEY}}` in the following text reads
        var runs: [BlockOutcome] = []  // every block's run, in order, for the prose numbers
        for segment in doc.segments {
            switch segment {
            case .text(let text):
                page += try ProseValues.substitute(text, outcome: above, file: file)
            case .block(let block):
                let traced = block.show.contains { [.table, .equation, .trace, .animation, .frames, .final].contains($0) }
                let outcome = try evaluator.evaluate(spec: block.specForEngine, file: file, line: block.line, traced: traced)
                above = outcome
                runs.append(outcome)
                let checks = Verifier.check(block, outcome: outcome, file: file)
                claims += checks.count
                failures += checks.flatMap(\.messages)
                if let comment = block.comment {
                    page += comment  // checked, and still invisible on the page
                    continue
                }
                if block.show.isEmpty, !checks.isEmpty {
                    // A block that only checks: say what was checked, with the engine's values.
                    page += LessonViews.checkedLine(block, outcome: outcome, checks: checks, operands: true)
                    continue
                }
                let (markdown, drawn) = try views(block, outcome: outcome, directory: directory, file: file)
                pictures += drawn
                let images = drawn.map(\.file)
                // The index thumbnail: the lesson's first SVG, else its first picture.
                if thumbnail?.hasSuffix(".svg") != true {
                    thumbnail = images.first { $0.hasSuffix(".svg") } ?? thumbnail ?? images.first
                }
                page += markdown
                // The checked numbers appear on the page too, unless the block shows them as its result.
                let shown: Set<String> = block.show.contains(.result) ? LessonViews.resultQuantities : []
                let unshown = checks.filter { !shown.contains($0.claim.quantity) }
                if !unshown.isEmpty {
                    page += "\n" + LessonViews.checkedLine(block, outcome: outcome, checks: unshown, operands: false)
                }
            }
        }
        guard failures.isEmpty else {
            throw LessonError(.evaluation, file: file, line: 0,
                              "a lesson must verify clean, but:\n" + failures.joined(separator: "\n"))
        }
        let blocks = doc.blocks
        let unbacked = try ProseNumbers.unbacked(doc) { i, traced -> BlockOutcome? in
            guard traced, runs[i].events.isEmpty else { return runs[i] }
            return try evaluator.evaluate(spec: blocks[i].specForEngine, file: file, line: blocks[i].line, traced: true)
        }
        try writeAtomically(page, to: (directory as NSString).appendingPathComponent("README.md"))
        try writeAtomically(FrameManifest.text(source: sourceName, pictures: pictures),
                            to: (directory as NSString).appendingPathComponent(FrameManifest.fileName))
        return BuiltLesson(title: doc.title ?? (file as NSString).lastPathComponent, summary: LessonSite.summary(doc),
                           thumbnail: thumbnail, claims: claims, unbacked: unbacked)
    }

    /// The Markdown replacing one block, and the picture files it links.
    func views(_ block: LessonBlock, outcome: BlockOutcome, directory: String, file: String) throws -> (String, [DrawnPicture]) {
        var parts: [String] = []
        var images: [DrawnPicture] = []
        if let title = block.title, !block.show.isEmpty { parts.append("**\(title)**\n") }
        // A block whose views show only a result, a shape or one cell's terms gets its operands first, so a
        // result never stands alone (a picture draws its operands and flags itself).
        let pictured = block.show.contains { [.operands, .animation, .frames, .final].contains($0) }
        if !pictured, block.show.contains(where: { [.result, .table, .equation, .shape].contains($0) }) {
            parts.append(LessonViews.operandsOrLayers(block, outcome: outcome))
        }
        let stem = String(format: "block-%03d", block.line)
        for kind in block.show {
            switch kind {
            case .table: parts.append(LessonViews.table(block, outcome: outcome))
            case .equation: parts.append(LessonViews.equation(block, outcome: outcome))
            case .shape: parts.append(LessonViews.shape(block, outcome: outcome))
            case .result: parts.append(LessonViews.result(block, outcome: outcome))
            case .operands: parts.append(LessonViews.operands(block, outcome: outcome))
            case .spec:
                let lines = block.specText.split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                parts.append("```yaml\n" + lines.joined(separator: "\n") + "\n```\n")
            case .trace: parts.append(try traceExcerpt(block, outcome: outcome))
            case .animation, .frames, .final, .lossCurve:
                guard let pictures else {
                    parts.append("_(\(kind.rawValue): picture views are not wired into this build)_\n")
                    continue
                }
                let files: [DrawnPicture]
                do {
                    files = try pictures.draw(kind, outcome: outcome, block: block, directory: directory,
                                              stem: "\(stem)-\(kind.rawValue)")
                } catch var e as LessonError {
                    e.file = file  // the picture maker knows the block, not the lesson it is in
                    throw e
                }
                images += files
                parts.append(files.map { picture in
                    let alt = picture.alt.isEmpty ? block.caption ?? block.title ?? kind.rawValue : picture.alt
                    return "![\(PictureSelection.escapedAlt(alt))](\(picture.file))"
                }.joined(separator: " ") + "\n")
            }
        }
        if let caption = block.caption, !block.show.isEmpty { parts.append("_\(caption)_\n") }
        return (parts.isEmpty ? "" : parts.joined(separator: "\n"), images)
    }

    /// A few lines of the JSON Lines trace: the terms of the chosen cell, encoded as `JSONLWriter`
    /// writes them (nothing is written to disk).
    func traceExcerpt(_ block: LessonBlock, outcome: BlockOutcome) throws -> String {
        guard outcome.problem != nil else { return "" }
        let cell = LessonViews.chosenCell(block, outcome: outcome)
        let terms = LessonViews.terms(of: cell, outcome: outcome)?.events ?? []
        let picked = JSONLWriter.lines(of: Array(terms.prefix(8)))
        let total = outcome.events.count
        return "The trace lines of `\(cell)` (\(min(8, terms.count)) of its \(terms.count) terms; the whole trace has \(total) events after its header line):\n\n```json\n"
            + picked.joined(separator: "\n") + "\n```\n"
    }

    /// The first sentence of the first paragraph after the title.
    static func summary(_ doc: LessonDocument) -> String {
        for case .text(let text) in doc.segments {
            var paragraph: [String] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.isEmpty {
                    if !paragraph.isEmpty { break }
                    continue
                }
                if paragraph.isEmpty, t.hasPrefix("#") || t.hasPrefix("<") || t.hasPrefix("|") || t.hasPrefix("!") { continue }
                paragraph.append(t)
            }
            guard !paragraph.isEmpty else { continue }
            let t = paragraph.joined(separator: " ")
            if let end = t.range(of: ". ") { return String(t[..<end.lowerBound]) + "." }
            return t
        }
        return ""
    }

    /// Files the builder writes at the top of the output folder; a lesson may not be built over them.
    static let reservedNames: Set<String> = ["README.md", "ERRATA.md"]

    /// `text` (Markdown from a heading) safe inside a link text and a table cell: `[`, `]`, `|` escaped.
    static func linkText(_ text: String) -> String {
        var out = ""
        for ch in text {
            if "[]|".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// `path` percent-encoded for a Markdown link or an HTML attribute (letters, digits, `-._~/` kept).
    static func linkTarget(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            let c = Character(UnicodeScalar(byte))
            if byte < 128, c.isLetter || c.isNumber || "-._~/".contains(c) {
                out.append(c)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }

    /// `Output/README.md`: one line and one thumbnail per lesson.
    /// - Parameter unbackedProse: numbers typed in the prose that no block backs; the page says so when any.
    static func index(_ entries: [IndexEntry], errataWrong: Int, unbackedProse: Int = 0) -> String {
        var s = "\(generatedMarker) from Lessons/; edit the sources, not this file. -->\n"
        s += "# convtrace lessons\n\n"
        if unbackedProse == 0 {
            s += "Every number in these lessons is computed by the convtrace engine and checked when the lessons are built: "
                + "each block's results are claims that must hold, and each number in the prose is either the engine's value, "
                + "substituted when the page is built, or a value of the run of the block beside it "
                + "(the rule: `docs/lesson-prose.md` in the repository). The names are those of the [notation](00-notation/README.md) page.\n\n"
        } else {
            s += "Every result in these lessons is computed by the convtrace engine and checked when the lessons are built; "
                + "\(unbackedProse) number\(unbackedProse == 1 ? "" : "s") typed in the prose \(unbackedProse == 1 ? "is" : "are") not "
                + "(`convtrace lessons` lists them; the rule: `docs/lesson-prose.md` in the repository).\n\n"
        }
        s += "| | Lesson |\n|---|---|\n"
        for e in entries {
            let thumb = e.thumbnail.map { "<img src=\"\(linkTarget(e.stem + "/" + $0))\" width=\"120\" alt=\"\">" } ?? ""
            let summary = e.summary.isEmpty ? "" : " — " + e.summary.replacingOccurrences(of: "|", with: "\\|")
            s += "| \(thumb) | [\(linkText(e.title))](\(linkTarget(e.stem + "/README.md")))\(summary) |\n"
        }
        s += "\nTutorial errata: [ERRATA.md](ERRATA.md) (\(errataWrong) wrong claims found in the tutorials).\n"
        return s
    }

    // MARK: - Check

    /// Rebuilds into a temporary folder and compares with `output`.
    ///
    /// Every file the build writes must be in `output` and every file in `output` must be one the build
    /// writes. Text files (Markdown, the `frames.txt` manifests, anything not a picture) are compared
    /// byte for byte. Pictures (`.svg`, `.png`, `.pdf`, `.gif`) are compared by what any machine draws
    /// the same: what they show is in the manifests, and the committed file must decode with the same
    /// format and frame count (`PictureMaker.readBack`); their bytes depend on the Cairo, pixman, libpng
    /// and font versions that drew them, so a correct `output` drawn elsewhere passes.
    /// - Parameter strict: compare pictures byte for byte too (passes only against pictures drawn with
    ///   the same libraries and fonts).
    /// - Returns: the relative paths that differ, are missing from `output`, or are extra in it (sorted),
    ///   each with the reason.
    public func check(against output: String, strict: Bool = false) throws -> [String] {
        let tmp = (NSTemporaryDirectory() as NSString).appendingPathComponent("convtrace-check-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try build(into: tmp)
        let fresh = LessonSite.files(under: tmp)
        let committed = LessonSite.files(under: output)
        var differing: [String] = []
        for path in Set(fresh).union(committed).sorted() {
            let freshPath = (tmp as NSString).appendingPathComponent(path)
            let committedPath = (output as NSString).appendingPathComponent(path)
            let a = FileManager.default.contents(atPath: freshPath)
            let b = FileManager.default.contents(atPath: committedPath)
            if a == nil { differing.append("\(path) (not produced by the sources)") }
            else if b == nil { differing.append("\(path) (missing)") }
            else if a == b { continue }
            else if !strict, let pictures, LessonSite.isPicture(path) {
                let want = try pictures.readBack(path: freshPath)
                do {
                    let got = try pictures.readBack(path: committedPath)
                    if got != want { differing.append("\(path) (\(got); the sources give \(want))") }
                } catch let e as LessonError {
                    differing.append("\(path) (\(e.message))")
                }
            } else {
                differing.append("\(path) (differs)")
            }
        }
        return differing
    }

    /// Picture files, compared by meaning unless the check is strict.
    static func isPicture(_ path: String) -> Bool {
        ["svg", "png", "pdf", "gif"].contains((path as NSString).pathExtension.lowercased())
    }

    /// Every regular file under `root`, relative, sorted; dot-files and dot-folders skipped.
    static func files(under root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let path = walker.nextObject() as? String {
            if path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            // site/ is the web view of the same lessons, built by LessonWeb and checked by its own tests.
            if path == "site" || path.hasPrefix("site/") { continue }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(path), isDirectory: &isDir), !isDir.boolValue {
                out.append(path)
            }
        }
        return out.sorted()
    }

    // MARK: - Files

    func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LessonError(.io, file: path, line: 0, "cannot create the folder: \(error.localizedDescription)")
        }
    }

    /// Writes `text` to a temporary file beside `path` (symlinks followed), then renames it over `path`.
    func writeAtomically(_ text: String, to path: String) throws {
        do {
            try OutputFile.write(text: text, to: path)
        } catch {
            throw LessonError(.io, file: path, line: 0, "cannot write: \(error.message)")
        }
    }

    /// Puts the finished `staging` folder at `destination`, replacing what was there.
    func replaceDirectory(_ destination: String, with staging: String) throws {
        let fm = FileManager.default
        let old = (destination as NSString).deletingLastPathComponent + "/.old-" + (destination as NSString).lastPathComponent
        try? fm.removeItem(atPath: old)
        if fm.fileExists(atPath: destination), rename(destination, old) != 0 {
            throw LessonError(.io, file: destination, line: 0, "cannot move the previous lesson folder aside (errno \(errno))")
        }
        if rename(staging, destination) != 0 {
            _ = rename(old, destination)
            throw LessonError(.io, file: destination, line: 0, "cannot move the built lesson into place (errno \(errno))")
        }
        try? fm.removeItem(atPath: old)
    }
}
