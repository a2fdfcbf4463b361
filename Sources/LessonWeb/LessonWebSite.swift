// LessonWeb — the built lessons (Output/*.md) as a static site, Output/site/: one page per lesson, players for animations.
import Foundation
import LessonBuilder
import Storyboard
import WebPlayer

/// Turns the built Markdown lessons into `site/`: `index.html` (the lesson index), `errata.html`,
/// `<lesson>/index.html` with the lesson's pictures beside it, and `<lesson>/block-NNN-player.html`,
/// the interactive player that replaces each animation GIF (the GIFs stay in the Markdown lessons only);
/// the players share `player.css` and `player.js` at the site's root.
///
/// The Markdown is rendered by cmark-gfm; links to `README.md` / `ERRATA.md` become the matching
/// pages. A player's frames come from running the lesson's block again (the block at line NNN of
/// `Lessons/<lesson>.md`), with the options the GIF is drawn with. Every link is relative and nothing
/// is loaded from the network, so the folder works from `file://` and on GitHub Pages as it is.
/// Same lessons, same bytes.
public struct LessonWebSite: Sendable {
    public var lessonsDirectory: String
    public var evaluator: any BlockEvaluator
    /// Frame budget per player (the GIFs' budget).
    public var maxFrames: Int

    public init(lessonsDirectory: String, evaluator: any BlockEvaluator, maxFrames: Int = 400) {
        self.lessonsDirectory = lessonsDirectory; self.evaluator = evaluator; self.maxFrames = maxFrames
    }

    /// What one build wrote.
    public struct Report: Sendable {
        /// Pages written, relative to the site folder.
        public var pages: [String] = []
        /// Players written, relative to the site folder.
        public var players: [String] = []
    }

    /// Builds the site from `output` (the folder `convtrace lessons` writes) into `site` (replaced as a
    /// whole: built in a staging folder beside it, then renamed into place).
    /// - Throws: `LessonWebError` or `LessonError` naming the file.
    @discardableResult
    public func build(from output: String, into site: String) throws -> Report {
        let fm = FileManager.default
        let staging = (site as NSString).deletingLastPathComponent + "/.building-site-\(UUID().uuidString)"
        defer { try? fm.removeItem(atPath: staging) }
        try makeDirectory(staging)
        var report = Report()
        let stems = try LessonSite(lessonsDirectory: lessonsDirectory).lessonFiles()
            .map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        let index = (try? String(contentsOfFile: (output as NSString).appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
        for (i, stem) in stems.enumerated() {
            let source = (output as NSString).appendingPathComponent(stem)
            let readme = (source as NSString).appendingPathComponent("README.md")
            guard fm.fileExists(atPath: readme) else { continue }
            let dir = (staging as NSString).appendingPathComponent(stem)
            try makeDirectory(dir)
            // The lesson's pictures, except the animation GIFs the players replace (unless the index shows one).
            for name in try fm.contentsOfDirectory(atPath: source).sorted() where name != "README.md" && !name.hasPrefix(".")
                && (Self.animationLine(name) == nil || index.contains("\(stem)/\(name)")) {
                try copy((source as NSString).appendingPathComponent(name), to: (dir as NSString).appendingPathComponent(name))
            }
            let doc = try MarkdownDocument(try Self.typesetMath(try read(readme), file: readme), file: readme)
            doc.rewriteLinks(Self.pageLink)
            let lessonFile = (lessonsDirectory as NSString).appendingPathComponent(stem + ".md")
            let blocks = try LessonDocument(contentsOf: lessonFile).blocks
            try doc.replaceImages { url in
                guard let line = Self.animationLine(url) else { return nil }
                guard let block = blocks.first(where: { $0.line == line }) else {
                    throw LessonWebError(file: readme, "\(url) names line \(line), but \(lessonFile) has no convtrace block there; rebuild with `convtrace lessons`")
                }
                let name = String(format: "block-%03d-player.html", line)
                let title = block.caption ?? block.title ?? "animation"
                try write(try player(block, file: lessonFile, title: title), to: (dir as NSString).appendingPathComponent(name))
                report.players.append(stem + "/" + name)
                return "<iframe class=\"player\" src=\"\(name)\" title=\"\(SitePage.escape(title)): interactive player\"></iframe>"
                    + "<br><a href=\"\(name)\">open the player on its own page</a>"
            }
            let title = doc.firstHeading ?? stem
            let previous = i > 0 ? stems[i - 1] : nil, next = i + 1 < stems.count ? stems[i + 1] : nil
            var nav = ["<a href=\"../index.html\">all lessons</a>"]
            if let previous { nav.append("<a href=\"../\(previous)/index.html\" rel=\"prev\">← previous</a>") }
            if let next { nav.append("<a href=\"../\(next)/index.html\" rel=\"next\">next →</a>") }
            let body = try Self.checkedBody(try doc.html(file: readme), file: readme)
            try write(SitePage.html(title: title, nav: nav, body: body), to: (dir as NSString).appendingPathComponent("index.html"))
            report.pages.append(stem + "/index.html")
        }
        // The index (thumbnails point into the lesson folders, copied above) and the errata page.
        for (name, page) in [("README.md", "index.html"), ("ERRATA.md", "errata.html")] {
            let path = (output as NSString).appendingPathComponent(name)
            guard fm.fileExists(atPath: path) else { continue }
            let doc = try MarkdownDocument(try Self.typesetMath(try read(path), file: path), file: path)
            doc.rewriteLinks(Self.pageLink)
            let body = try Self.checkedBody(Self.rewriteRawLinks(try doc.html(file: path)), file: path)
            let nav = page == "index.html" ? ["<a href=\"errata.html\">errata</a>"] : ["<a href=\"index.html\">all lessons</a>"]
            try write(SitePage.html(title: doc.firstHeading ?? "convtrace lessons", nav: nav, body: body),
                      to: (staging as NSString).appendingPathComponent(page))
            report.pages.append(page)
        }
        // The players' style sheet and script, once for all players.
        if !report.players.isEmpty {
            for file in PlayerPage.sharedFiles {
                try write(file.text, to: (staging as NSString).appendingPathComponent(file.name))
            }
        }
        // GitHub Pages: serve the files as they are (no Jekyll).
        try write("", to: (staging as NSString).appendingPathComponent(".nojekyll"))
        try replace(site, with: staging)
        return report
    }

    /// The player page of an animation block: its frames as the GIF draws them.
    func player(_ block: LessonBlock, file: String, title: String) throws -> String {
        let outcome = try evaluator.evaluate(spec: block.specForEngine, file: file, line: block.line, traced: true)
        guard outcome.problem != nil else {
            throw LessonWebError(file: file, "line \(block.line): the block has no problem to draw")
        }
        // The frames StoryboardPictures draws the GIF from, so the player shows the same frames.
        do {
            let frames = try StoryboardPictures.frames(block: block, outcome: outcome, maxFrames: maxFrames, view: "player")
            return try PlayerPage.html(frames: frames, title: title, theme: .auto, assets: .shared(prefix: "../"))
        } catch {
            throw LessonWebError(file: file, "line \(block.line): cannot make the player: \(error)")
        }
    }

    /// Display math (`$$` on a line, the TeX, `$$` on a line; as `LessonViews` writes it) → an HTML block
    /// with the formula as MathML, outside fenced code.
    /// - Throws: `LessonWebError` naming the line when the TeX uses something `TeXMath` does not typeset.
    static func typesetMath(_ markdown: String, file: String) throws -> String {
        var out: [String] = []
        var tex: [String]? = nil
        var fence: String? = nil
        var start = 0
        for (n, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let t = line.trimmingCharacters(in: .whitespaces)
            if tex == nil {
                if let f = fence { if t.hasPrefix(f) { fence = nil } }
                else if t.hasPrefix("```") || t.hasPrefix("~~~") { fence = String(t.prefix(3)) }
                else if t == "$$" { tex = []; start = n + 1; continue }
                out.append(String(line))
            } else if t == "$$" {
                do {
                    out += ["<div class=\"math\">", try TeXMath.mathML(tex?.joined(separator: " ") ?? ""), "</div>"]
                } catch {
                    throw LessonWebError(file: file, "line \(start): \(error)")
                }
                tex = nil
            } else {
                tex?.append(String(line))
            }
        }
        if tex != nil { throw LessonWebError(file: file, "line \(start): $$ is never closed") }
        return out.joined(separator: "\n")
    }

    /// `block-026-animation.gif` → 26.
    static func animationLine(_ url: String) -> Int? {
        guard url.hasPrefix("block-"), url.hasSuffix("-animation.gif") else { return nil }
        return Int(url.dropFirst("block-".count).dropLast("-animation.gif".count))
    }

    /// A link between built Markdown files → the matching page: `X/README.md` → `X/index.html`,
    /// `ERRATA.md` → `errata.html` (fragments kept); other links unchanged.
    static func pageLink(_ url: String) -> String {
        if url.contains("://") || url.hasPrefix("#") || url.hasPrefix("mailto:") { return url }
        let parts = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        var path = String(parts[0])
        if path == "README.md" || path.hasSuffix("/README.md") { path = String(path.dropLast("README.md".count)) + "index.html" }
        else if path == "ERRATA.md" || path.hasSuffix("/ERRATA.md") { path = String(path.dropLast("ERRATA.md".count)) + "errata.html" }
        return parts.count > 1 ? path + "#" + parts[1] : path
    }

    /// Links in raw HTML the Markdown carries (`<a href="X/README.md">`) rewritten like `pageLink`.
    static func rewriteRawLinks(_ html: String) -> String {
        html.replacingOccurrences(of: "/README.md\"", with: "/index.html\"")
    }

    /// The rendered body, refused when TeX would be left unrendered (the site typesets no TeX yet).
    static func checkedBody(_ html: String, file: String) throws -> String {
        if html.contains("$$") || html.contains("\\(") || html.contains("\\[") {
            throw LessonWebError(file: file, "contains TeX math ($$, \\( or \\[), which the site does not typeset; write the formula in plain text or Unicode")
        }
        return html
    }

    // MARK: files

    func read(_ path: String) throws -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw LessonWebError(file: path, "cannot read: \(error.localizedDescription)")
        }
    }

    func write(_ text: String, to path: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw LessonWebError(file: path, "cannot write: \(error.localizedDescription)")
        }
    }

    func copy(_ from: String, to: String) throws {
        do { try FileManager.default.copyItem(atPath: from, toPath: to) } catch {
            throw LessonWebError(file: from, "cannot copy into the site: \(error.localizedDescription)")
        }
    }

    func makeDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw LessonWebError(file: path, "cannot create the folder: \(error.localizedDescription)")
        }
    }

    /// Puts `staging` at `destination`, replacing what was there.
    func replace(_ destination: String, with staging: String) throws {
        let fm = FileManager.default
        let old = (destination as NSString).deletingLastPathComponent + "/.old-site-\(UUID().uuidString)"
        if fm.fileExists(atPath: destination), rename(destination, old) != 0 {
            throw LessonWebError(file: destination, "cannot move the previous site aside (errno \(errno))")
        }
        if rename(staging, destination) != 0 {
            _ = rename(old, destination)
            throw LessonWebError(file: destination, "cannot move the built site into place (errno \(errno))")
        }
        try? fm.removeItem(atPath: old)
    }
}
