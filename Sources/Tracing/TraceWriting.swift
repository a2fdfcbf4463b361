// Tracing — TraceWriting: what the two file sinks have in common, so callers can pick one at run time.
import Engine

/// A trace sink that writes a file atomically: `finish()` moves it into place, `cancel()` removes it.
public protocol TraceWriting: TraceSink {
    /// Events written so far.
    var eventCount: Int { get }
    /// Completes the file and moves it into place.
    func finish() throws
    /// Removes the unfinished file.
    func cancel()
}

extension JSONLWriter: TraceWriting {}
extension BinaryWriter: TraceWriting {}
extension CompactBinaryWriter: TraceWriting {}
