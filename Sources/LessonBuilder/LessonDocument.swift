// LessonBuilder — a Markdown file split into prose and ```convtrace blocks.
import Foundation

/// A lesson (or claims file, or anyone's tutorial): prose segments and the convtrace blocks between them.
public struct LessonDocument: Sendable {
    /// A run of Markdown text or one convtrace block, in file order.
    public enum Segment: Sendable {
        case text(String)
        case block(LessonBlock)
    }

    /// The path as given (used in messages).
    public var file: String
    public var segments: [Segment]

    /// The convtrace blocks, in order.
    public var blocks: [LessonBlock] {
        segments.compactMap { if case .block(let b) = $0 { b } else { nil } }
    }

    /// The text of the first `# ` heading, if any.
    public var title: String? {
        for case .text(let text) in segments {
            for line in text.split(separator: "\n") where line.hasPrefix("# ") {
                return String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// Reads and parses the Markdown file at `path`.
    /// - Throws: `LessonError` — `.io` when unreadable, `.malformed` for a bad block.
    public init(contentsOf path: String) throws {
        if path.hasSuffix(".ipynb") {
            try self.init(notebookAt: path)
            return
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LessonError(.io, file: path, line: 0, "cannot read the file: \(error.localizedDescription)")
        }
        try self.init(markdown: text, file: path)
    }

    /// Parses Markdown text. Fences (``` or ~~~, up to three spaces of indent) whose info string starts
    /// with `convtrace` become blocks; every other fence is kept as text, untouched. Line endings may
    /// be `\n` or `\r\n` (a Windows editor's file reads the same; a CRLF file once verified 0 claims).
    /// - Complexity: O(length of the text).
    public init(markdown: String, file: String) throws {
        self.file = file
        var segments: [Segment] = []
        var prose: [Substring] = []
        // Swift treats "\r\n" as one Character, so split on both separators.
        var lines = markdown.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last == "" { lines.removeLast() }
        var i = 0
        func flush() {
            if !prose.isEmpty { segments.append(.text(prose.joined(separator: "\n") + "\n")); prose = [] }
        }
        while i < lines.count {
            let line = lines[i]
            if LessonDocument.opensCommentClaim(line) {
                // `<!-- convtrace` … `-->`: a claim that does not change how the text reads.
                var j = i + 1
                while j < lines.count, lines[j].trimmingCharacters(in: .whitespaces) != "-->" { j += 1 }
                guard j < lines.count else {
                    throw LessonError(.malformed, file: file, line: i + 1,
                                      "convtrace comment is never closed: add a line `-->` after the spec")
                }
                flush()
                let body = lines[(i + 1)..<j].joined(separator: "\n")
                var block = try LessonBlock(source: body, line: i + 1, file: file)
                block.comment = lines[i...j].joined(separator: "\n") + "\n"
                segments.append(.block(block))
                i = j + 1
                continue
            }
            guard let fence = Fence(line) else { prose.append(line); i += 1; continue }
            // Find the closing fence.
            var j = i + 1
            while j < lines.count, !fence.closes(lines[j]) { j += 1 }
            if fence.info == "convtrace" {
                guard j < lines.count else {
                    throw LessonError(.malformed, file: file, line: i + 1,
                                      "convtrace block is never closed: add a line `\(fence.marker)` after the spec")
                }
                flush()
                let body = lines[(i + 1)..<j].joined(separator: "\n")
                segments.append(.block(try LessonBlock(source: body, line: i + 1, file: file)))
            } else {
                prose.append(contentsOf: lines[i..<min(j + 1, lines.count)])
            }
            i = j + 1
        }
        flush()
        self.segments = segments
    }
}

extension LessonDocument {
    /// Whether `line` opens a claim in an HTML comment: `<!-- convtrace` alone on its line (up to three
    /// spaces of indent), the spec on the following lines, `-->` alone on the closing line.
    static func opensCommentClaim(_ line: Substring) -> Bool {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return false }
        let rest = line.dropFirst(indent)
        guard rest.hasPrefix("<!--") else { return false }
        return rest.dropFirst(4).trimmingCharacters(in: .whitespaces) == "convtrace"
    }
}

/// An opening code fence: its marker (``` or ~~~, possibly longer) and the first word of its info string.
struct Fence {
    var marker: String
    var info: String

    init?(_ line: Substring) {
        let indent = line.prefix(while: { $0 == " " })
        guard indent.count <= 3 else { return nil }
        let rest = line.dropFirst(indent.count)
        guard let ch = rest.first, ch == "`" || ch == "~" else { return nil }
        let run = rest.prefix(while: { $0 == ch })
        guard run.count >= 3 else { return nil }
        let info = rest.dropFirst(run.count).trimmingCharacters(in: .whitespaces)
        if ch == "`", info.contains("`") { return nil }
        marker = String(run)
        self.info = info.split(separator: " ").first.map { String($0).lowercased() } ?? ""
    }

    func closes(_ line: Substring) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let ch = marker.first, trimmed.count >= marker.count else { return false }
        return trimmed.allSatisfy { $0 == ch } && line.prefix(while: { $0 == " " }).count <= 3
    }
}
