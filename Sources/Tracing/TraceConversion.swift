// Tracing — TraceConversion: JSON Lines ↔ binary, streaming, lossless.

/// Converts trace files between the two encodings.
public enum TraceConversion {
    /// Reads `source` (either encoding, any binary version) and writes it to `destination` in `encoding`,
    /// event by event; binary output is version 2 unless `binaryVersion` is 1. The header JSON is copied as
    /// stored, so JSONL → binary → JSONL gives back the same bytes, and binary → JSONL → binary too.
    /// - Returns: the number of events copied.
    /// - Throws: `TraceError` from either file; no destination file is left behind on error.
    @discardableResult
    public static func convert(_ source: String, to destination: String, encoding: TraceEncoding, binaryVersion: Int = 2) throws -> Int {
        let reader = try TraceReader(path: source)
        switch encoding {
        case .jsonl:
            let writer = try JSONLWriter(path: destination, headerJSON: reader.headerJSON)
            do {
                while let e = try reader.next() { writer.record(e) }
                try writer.finish()
            } catch { writer.cancel(); throw error }
            return writer.eventCount
        case .binary where binaryVersion == 2:
            let writer = try CompactBinaryWriter(path: destination, headerJSON: reader.headerJSON)
            do {
                while let e = try reader.next() { writer.record(e) }
                try writer.finish()
            } catch { writer.cancel(); throw error }
            return writer.eventCount
        case .binary:
            let writer = try BinaryWriter(path: destination, headerJSON: reader.headerJSON)
            do {
                while let e = try reader.next() { writer.record(e) }
                try writer.finish()
            } catch { writer.cancel(); throw error }
            return writer.eventCount
        }
    }
}
