// Specs — a YAML node together with where it sits (key path, line) so every error can point at it.
import Foundation
import Yams

/// A node of the spec document plus its key path; typed accessors throw `SpecError`s that name the
/// file, the path and the line of the node.
struct SpecNode {
    let node: Node
    let path: String
    let file: String

    /// 1-based line and column of the node.
    var line: Int? { node.mark?.line }
    var column: Int? { node.mark?.column }

    /// An error located at this node.
    func error(_ problem: String, valid: String = "") -> SpecError {
        SpecError(file: file, path: path, line: line, column: column, problem: problem, valid: valid)
    }

    /// The child path for a mapping key.
    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A short rendering of the node for messages: the scalar text, or "a list" / "a mapping".
    var shortDescription: String {
        switch node {
        case .scalar(let s):
            if s.string.isEmpty { return "nothing" }
            let text = s.string.count > 30 ? String(s.string.prefix(27)) + "..." : s.string
            return "\"\(text)\""
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    /// True for a YAML null (`~`, `null` or an empty value).
    var isNull: Bool {
        if case .scalar(let s) = node, s.style == .plain || s.style == .any {
            return ["", "~", "null", "Null", "NULL"].contains(s.string)
        }
        return false
    }

    // MARK: - Mappings

    /// The key/value pairs of a mapping, in document order.
    func mappingPairs(what: String = "a mapping of keys") throws(SpecError) -> [(key: String, keyNode: SpecNode, value: SpecNode)] {
        guard case .mapping(let m) = node else {
            throw error("expected \(what), got \(shortDescription)")
        }
        var out: [(String, SpecNode, SpecNode)] = []
        for (k, v) in m {
            let keyNode = SpecNode(node: k, path: path, file: file)
            guard case .scalar(let ks) = k else {
                throw keyNode.error("a key must be a plain name, got \(keyNode.shortDescription)")
            }
            let name = ks.string
            out.append((name, SpecNode(node: k, path: childPath(name), file: file),
                        SpecNode(node: v, path: childPath(name), file: file)))
        }
        return out
    }

    // MARK: - Scalars

    /// The scalar's text, or an error naming the expected kind.
    func scalarText(expected: String) throws(SpecError) -> String {
        guard case .scalar(let s) = node else {
            throw error("expected \(expected), got \(shortDescription)", valid: expected)
        }
        return s.string
    }

    /// True when the scalar was quoted (so `"3"` is a string, not a number).
    var isQuoted: Bool {
        if case .scalar(let s) = node { return s.style == .singleQuoted || s.style == .doubleQuoted }
        return false
    }

    /// A number: refuses non-numeric text, NaN and infinities.
    func double(expected: String = "a number") throws(SpecError) -> Double {
        let text = try scalarText(expected: expected)
        guard !isQuoted, let v = SpecNode.parseNumber(text) else {
            throw error("\(shortDescription) is not a number", valid: expected)
        }
        guard v.isFinite else {
            throw error("\(text) is not allowed: NaN and infinities are refused in specs", valid: "a finite number")
        }
        return v
    }

    /// An integer (a number with no fractional part that fits in `Int`).
    func int(expected: String = "an integer") throws(SpecError) -> Int {
        let text = try scalarText(expected: expected)
        if !isQuoted, let i = Int(text.replacingOccurrences(of: "_", with: "")) { return i }
        if !isQuoted, let v = SpecNode.parseNumber(text), v.isFinite, v == v.rounded(), abs(v) < 9.0e15 {
            return Int(v)
        }
        throw error("\(shortDescription) is not an integer", valid: expected)
    }

    /// A boolean (`true`/`false`, also YAML's `yes`/`no`, `on`/`off`).
    func bool() throws(SpecError) -> Bool {
        let text = try scalarText(expected: "true or false")
        switch text.lowercased() {
        case "true", "yes", "on": if !isQuoted { return true }
        case "false", "no", "off": if !isQuoted { return false }
        default: break
        }
        throw error("\(shortDescription) is not a boolean", valid: "true or false")
    }

    /// A name (a string scalar).
    func string(expected: String = "a name") throws(SpecError) -> String {
        try scalarText(expected: expected)
    }

    /// Parses YAML / JSON number spellings: ints (also 0x, 0o), decimals, exponents, `.nan`, `.inf`.
    static func parseNumber(_ raw: String) -> Double? {
        // Fast path: plain decimal syntax (the overwhelmingly common case in tensors).
        var plain = !raw.isEmpty
        for u in raw.utf8 {
            switch u {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "+"),
                 UInt8(ascii: "e"), UInt8(ascii: "E"): continue
            default: plain = false
            }
            if !plain { break }
        }
        if plain, let first = raw.utf8.first, first != UInt8(ascii: "e"), first != UInt8(ascii: "E") {
            return Double(raw)
        }
        let text = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        if text.isEmpty { return nil }
        switch text.lowercased() {
        case ".nan", "nan": return .nan
        case ".inf", "+.inf", "inf", "+inf", "infinity": return .infinity
        case "-.inf", "-inf", "-infinity": return -.infinity
        default: break
        }
        var body = Substring(text)
        var sign = 1.0
        if body.first == "-" { sign = -1; body = body.dropFirst() } else if body.first == "+" { body = body.dropFirst() }
        if body.hasPrefix("0x"), let i = Int(body.dropFirst(2), radix: 16) { return sign * Double(i) }
        if body.hasPrefix("0o"), let i = Int(body.dropFirst(2), radix: 8) { return sign * Double(i) }
        // Plain decimal syntax only (Double(String) would also take "nan", "inf", hex floats).
        guard body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-") }),
              body.first.map({ $0.isNumber || $0 == "." }) == true,
              let v = Double(text) else { return nil }
        return v
    }

    // MARK: - Sequences

    /// The items of a list.
    func items() -> [SpecNode]? {
        guard case .sequence(let s) = node else { return nil }
        return s.enumerated().map { i, n in SpecNode(node: n, path: "\(path)[\(i)]", file: file) }
    }
}
