// LessonBuilder — errors as values: what is wrong with a lesson or block, and where.

/// A problem in a lesson file: a malformed block, a spec the engine refuses, an I/O failure.
public struct LessonError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The block cannot be read (bad YAML, unknown `show` or `expect` key, bad value): exit 2.
        case malformed
        /// The spec is well formed but the engine or Specs refused it.
        case evaluation
        /// Reading or writing files failed.
        case io
    }
    public var kind: Kind
    /// The file, as given on the command line or found in the lessons folder.
    public var file: String
    /// 1-based line (the opening fence of the block, or the offending key's line); 0 when unknown.
    public var line: Int
    public var message: String

    public init(_ kind: Kind, file: String, line: Int, _ message: String) {
        self.kind = kind; self.file = file; self.line = line; self.message = message
    }

    /// `FILE:LINE: message`.
    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
