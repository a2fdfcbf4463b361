// Specs — a YAML node as JSON: the one place convtrace turns YAML into JSON, with Specs' scalar rules.
import JSONText
import Yams

extension SpecDocument {
    /// The node as JSON, keeping mapping order; used for the spec a trace header records, the lesson
    /// keys of `Problem.extras`, and the expanded spec the lesson builder hands back to Specs.
    ///
    /// Scalar rules (the ones `SpecNode` applies when it reads a value):
    /// - quoted, literal (`|`) and folded (`>`) scalars are strings;
    /// - a plain scalar `""`, `~`, `null`, `Null`, `NULL` is null;
    /// - a plain `true`/`yes`/`on` or `false`/`no`/`off`, in any letter case, is a boolean — what
    ///   `SpecNode.bool` accepts, so a boolean reads back the same from the JSON;
    /// - a plain scalar `SpecNode.parseNumber` reads (decimals, exponents, `0x`/`0o`, `_` separators,
    ///   `.nan`, `.inf`) is a number — sexagesimal (`1:30`) and binary (`0b101`) are not: Specs refuses
    ///   them as numbers, so they stay strings;
    /// - anything else is a string; an alias is null.
    ///
    /// NaN and infinities stay numbers here; JSON text writes them as the strings "NaN", "Infinity",
    /// "-Infinity", which Specs refuses where it expects a number, as it refuses `.nan` and `.inf`.
    public static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let s):
            if s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded {
                return .string(s.string)
            }
            switch s.string {
            case "", "~", "null", "Null", "NULL": return .null
            default: break
            }
            switch s.string.lowercased() {
            case "true", "yes", "on": return .bool(true)
            case "false", "no", "off": return .bool(false)
            default: break
            }
            if let v = SpecNode.parseNumber(s.string) { return .number(v) }
            return .string(s.string)
        case .sequence(let seq):
            return .array(seq.map { json($0) })
        case .mapping(let m):
            return .object(m.map { (k, v) in (k.string ?? "\(k)", json(v)) })
        case .alias:
            return .null
        }
    }
}
