// LessonWeb — GitHub-flavoured Markdown → HTML through cmark-gfm, with links and images rewritten on the syntax tree.
import CCmarkGFM
import Foundation

/// One Markdown document parsed by cmark-gfm (the CommonMark library GitHub uses) with the table,
/// strikethrough and autolink extensions (not the tag filter: it would escape the players' `<iframe>`); owns the parser and the tree and frees them.
///
/// Raw HTML in the Markdown is kept (the lesson index uses `<img width>` thumbnails); the lessons are
/// this repository's own files, not user input from the web.
final class MarkdownDocument {
    private let parser: OpaquePointer
    private let root: OpaquePointer
    private static let options = CMARK_OPT_UNSAFE

    /// Parses `markdown`.
    /// - Throws: `LessonWebError` when cmark-gfm cannot make a parser or a tree.
    init(_ markdown: String, file: String) throws {
        cmark_gfm_core_extensions_ensure_registered()
        guard let p = cmark_parser_new(MarkdownDocument.options) else {
            throw LessonWebError(file: file, "cmark-gfm could not create a parser")
        }
        for name in ["table", "strikethrough", "autolink"] {
            guard let ext = cmark_find_syntax_extension(name) else {
                cmark_parser_free(p)
                throw LessonWebError(file: file, "cmark-gfm has no \(name) extension; install libcmark-gfm-extensions-dev")
            }
            cmark_parser_attach_syntax_extension(p, ext)
        }
        let bytes = Array(markdown.utf8)
        bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buf.count) { cmark_parser_feed(p, $0, buf.count) }
            }
        }
        guard let r = cmark_parser_finish(p) else {
            cmark_parser_free(p)
            throw LessonWebError(file: file, "cmark-gfm could not parse the Markdown")
        }
        parser = p
        root = r
    }

    deinit {
        cmark_node_free(root)
        cmark_parser_free(parser)
    }

    /// Replaces the URL of every link (`[text](url)`) by `rewrite(url)`.
    func rewriteLinks(_ rewrite: (String) -> String) {
        for node in nodes(of: CMARK_NODE_LINK) {
            guard let c = cmark_node_get_url(node) else { continue }
            let url = String(cString: c)
            let new = rewrite(url)
            if new != url { _ = cmark_node_set_url(node, new) }
        }
    }

    /// Replaces every image (`![alt](url)`) for which `replacement(url)` returns HTML by that HTML.
    func replaceImages(_ replacement: (String) throws -> String?) rethrows {
        for node in nodes(of: CMARK_NODE_IMAGE) {
            guard let c = cmark_node_get_url(node), let html = try replacement(String(cString: c)),
                  let inline = cmark_node_new(CMARK_NODE_HTML_INLINE) else { continue }
            _ = cmark_node_set_literal(inline, html)
            _ = cmark_node_insert_before(node, inline)
            cmark_node_free(node)  // unlinks it first
        }
    }

    /// The plain text of the first level-1 heading, if any.
    var firstHeading: String? {
        for node in nodes(of: CMARK_NODE_HEADING) where cmark_node_get_heading_level(node) == 1 {
            return text(of: node)
        }
        return nil
    }

    /// The document as HTML.
    /// - Throws: `LessonWebError` when cmark-gfm returns nothing.
    func html(file: String) throws -> String {
        guard let out = cmark_render_html(root, MarkdownDocument.options, cmark_parser_get_syntax_extensions(parser)) else {
            throw LessonWebError(file: file, "cmark-gfm could not render HTML")
        }
        defer { free(out) }
        return String(cString: out)
    }

    /// Every node of `type`, collected first so that callers may change the tree.
    private func nodes(of type: cmark_node_type) -> [OpaquePointer] {
        guard let iter = cmark_iter_new(root) else { return [] }
        defer { cmark_iter_free(iter) }
        var out: [OpaquePointer] = []
        while true {
            let event = cmark_iter_next(iter)
            if event == CMARK_EVENT_DONE { break }
            if event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iter), cmark_node_get_type(node) == type {
                out.append(node)
            }
        }
        return out
    }

    /// Concatenated literal text under `node`.
    private func text(of node: OpaquePointer) -> String {
        var s = ""
        var child = cmark_node_first_child(node)
        while let c = child {
            if let lit = cmark_node_get_literal(c) { s += String(cString: lit) } else { s += text(of: c) }
            child = cmark_node_next(c)
        }
        return s
    }
}

/// Why the site could not be built: the file and what to do.
public struct LessonWebError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public init(file: String, _ message: String) { self.file = file; self.message = message }
    public var description: String { "\(file): \(message)" }
}
