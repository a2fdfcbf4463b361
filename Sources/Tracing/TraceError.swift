// Tracing — TraceError: what is wrong with a trace file, and where (file, line or record).

/// A problem reading or writing a trace, with the file and the place in it.
///
/// `description` reads `trace.jsonl:5: unknown kind "fma"; valid kinds: mac, bias, …` for JSON Lines,
/// `trace.ctb: record 12 (byte 1460): …` for binary, and `trace.jsonl: …` when the whole file is at fault.
public struct TraceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as the user named it (empty when there is no file, e.g. an in-memory header).
    public var file: String
    /// `"5"` (a JSON Lines line number) or `" record 12 (byte 1460)"`-style text; empty for the whole file.
    public var location: String
    /// What was wrong and, where it helps, what would be valid.
    public var message: String

    public init(file: String = "", location: String = "", message: String) {
        self.file = file; self.location = location; self.message = message
    }

    public var description: String {
        var s = file
        if !location.isEmpty { s += s.isEmpty ? location : (location.first == " " ? ":" + location : ":" + location) }
        return s.isEmpty ? message : s + ": " + message
    }

    /// The same error placed in `file` (keeps a location already set).
    func inFile(_ file: String) -> TraceError {
        var copy = self; copy.file = file; return copy
    }
}
