// Tracing — the JSON Lines text of single events, exactly as `JSONLWriter` writes them (for excerpts).
import Engine

extension JSONLWriter {
    /// The lines `JSONLWriter` would write for `events` (no newline at the end of each), in order.
    ///
    /// Lets a view quote a few lines of a trace without writing the file and reading it back.
    public static func lines(of events: [TraceEvent]) -> [String] {
        let encoder = JSONLEventEncoder()
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: JSONLEventEncoder.maxLineLength)
        defer { buffer.deallocate() }
        return events.map { e in
            var n = encoder.encode(e, to: buffer)
            if n > 0 && buffer[n - 1] == 10 { n -= 1 }
            return String(decoding: UnsafeBufferPointer(start: buffer, count: n), as: UTF8.self)
        }
    }
}
