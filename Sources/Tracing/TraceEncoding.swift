// Tracing — TraceEncoding: the two encodings of a trace file and how each is recognised.

/// How a trace file is encoded.
public enum TraceEncoding: String, Sendable, CaseIterable {
    /// JSON Lines: the header object on line 1, one event object per line, an end line.
    case jsonl
    /// Fixed-width little-endian records after a magic number and the header JSON.
    case binary

    /// The usual file extension: `.jsonl` or `.ctb`.
    public var fileExtension: String { self == .jsonl ? "jsonl" : "ctb" }

    /// The encoding a path's extension implies (`.jsonl` → jsonl, `.ctb`/`.bin` → binary), else nil.
    public static func fromExtension(of path: String) -> TraceEncoding? {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        if lower.hasSuffix(".ctb") || lower.hasSuffix(".bin") { return .binary }
        return nil
    }
}

/// Constants of the binary encoding (layout in docs/trace-format.md).
public enum BinaryTraceLayout {
    /// Bytes 0–7: 0x89 'C' 'T' 'B' '\r' '\n' 0x1A '\n' (a high byte, a name, and line-ending canaries).
    public static let magic: [UInt8] = [0x89, 0x43, 0x54, 0x42, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Bytes 0–23: magic, UInt32 schema version, UInt32 record size, UInt64 header length.
    public static let preambleSize = 24
    /// Every record is this many bytes.
    public static let recordSize = 112
    /// The `kind` byte of the end record.
    public static let endKind: UInt8 = 0xFF
}
