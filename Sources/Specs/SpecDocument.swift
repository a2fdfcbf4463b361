// Specs — the entry point: read a spec file (or stdin), parse YAML/JSON with line marks, build a Problem.
import Foundation
import Tracing
import Yams

/// Reads spec documents.
public enum SpecDocument {
    /// Reads and parses the spec at `path` ("-" reads standard input).
    ///
    /// - Throws: `SpecError` naming the file (and the key and line) for anything wrong with it.
    public static func load(path: String) throws(SpecError) -> Problem {
        let (text, name) = try readText(path: path)
        return try parse(text, file: name)
    }

    /// The text of `path` ("-" = stdin) and the name errors should use for it.
    public static func readText(path: String) throws(SpecError) -> (text: String, file: String) {
        let (bytes, name) = try SpecInput.read(path: path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SpecError(file: name, path: "", problem: "is not UTF-8 text", valid: "a YAML or JSON spec")
        }
        return (text, name)
    }

    /// Parses spec text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(SpecError) -> Problem {
        let root = try compose(text, file: file)
        var builder = SpecBuilder(file: file)
        return try builder.build(root: root, document: SpecDocument.json(root.node))
    }

    /// The document's root node, or a `SpecError` for an empty document or a YAML syntax error.
    static func compose(_ text: String, file: String) throws(SpecError) -> SpecNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw SpecDocument.specError(error, file: file)
        } catch {
            throw SpecError(file: file, path: "", problem: "cannot be parsed: \(error)")
        }
        let budget = YAMLExpansion.budget(forTextOfLength: text.utf8.count)
        if let node, YAMLExpansion.exceeds(node, budget: budget) {
            throw SpecError(file: file, path: "", problem: YAMLExpansion.message(budget: budget),
                            valid: "a spec whose aliases expand to at most one node per byte of text")
        }
        guard let node, !SpecNode(node: node, path: "", file: file).isNull else {
            throw SpecError(file: file, path: "", problem: "is empty",
                            valid: "a YAML or JSON mapping with at least 'op' and 'input'; see docs/spec-format.md")
        }
        return SpecNode(node: node, path: "", file: file)
    }

    /// A Yams error as a located `SpecError`.
    static func specError(_ error: YamlError, file: String) -> SpecError {
        func located(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> SpecError {
            var text = "YAML syntax error: \(problem)"
            if let context { text += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return SpecError(file: file, path: "", line: mark.line, column: mark.column, problem: text,
                             valid: "YAML or JSON; check indentation, brackets and quotes")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _): return located(problem, context, mark)
        case .parser(let context, let problem, let mark, _): return located(problem, context, mark)
        case .composer(let context, let problem, let mark, _): return located(problem, context, mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return SpecError(file: file, path: "", line: context.mark.line, column: context.mark.column,
                             problem: "duplicate key\(duplicates.count == 1 ? "" : "s") " + duplicates.map { "'\($0)'" }.joined(separator: ", "),
                             valid: "each key once per mapping")
        case .reader(let problem, let offset, _, _):
            return SpecError(file: file, path: "", problem: "cannot be read as text: \(problem)" + (offset.map { " at character \($0)" } ?? ""))
        default:
            return SpecError(file: file, path: "", problem: "YAML error: \(error)")
        }
    }
}
