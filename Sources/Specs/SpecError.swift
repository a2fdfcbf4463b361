// Specs — what was wrong with a spec: which file, which key, which line, and what would be valid.

/// A spec the parser refuses, with a message a person can act on.
///
/// `description` reads `FILE:LINE:COLUMN: KEY: PROBLEM (VALID)`, e.g.
/// `net.yaml:7:14: layers[2].stride: must be at least 1, got 0 (a positive int or [sy, sx])`.
public struct SpecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file the spec came from ("<stdin>" for `-`).
    public var file: String
    /// The key path inside the document, e.g. `layers[2].kernel`; empty for the whole document.
    public var path: String
    /// 1-based line and column of the offending node, when the parser knows them.
    public var line: Int?
    public var column: Int?
    /// What was wrong.
    public var problem: String
    /// What would be valid (may be empty).
    public var valid: String

    public init(file: String, path: String, line: Int? = nil, column: Int? = nil, problem: String, valid: String = "") {
        self.file = file; self.path = path; self.line = line; self.column = column
        self.problem = problem; self.valid = valid
    }

    /// `FILE:LINE:COLUMN: KEY: PROBLEM (VALID)`.
    public var description: String {
        var s = file
        if let line {
            s += ":\(line)"
            if let column { s += ":\(column)" }
        }
        s += ": "
        if !path.isEmpty { s += "\(path): " }
        s += problem
        if !valid.isEmpty { s += " (\(valid))" }
        return s
    }
}
