// LessonBuilder — a YAML node written as compact, deterministic JSON (YAML's subset), for Specs.
import Foundation
import Yams

/// Serializes a composed YAML node as JSON text, keeping key order.
enum SpecJSON {
    static func text(_ node: Node) -> String {
        switch node {
        case .mapping(let mapping):
            return "{" + mapping.map { quote($0.key.string ?? "") + ": " + text($0.value) }.joined(separator: ", ") + "}"
        case .sequence(let seq):
            return "[" + seq.map(text).joined(separator: ", ") + "]"
        case .scalar(let scalar):
            if scalar.style == .singleQuoted || scalar.style == .doubleQuoted { return quote(scalar.string) }
            if let i = node.int { return String(i) }
            if let f = node.float, f.isFinite { return NumberFormat.text(f, digits: 17) }
            if let b = node.bool { return b ? "true" : "false" }
            if node.null != nil { return "null" }
            return quote(scalar.string)
        case .alias:
            return "null"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }
}
