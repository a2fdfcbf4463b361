// Tracing — TraceConversion: JSON Lines ↔ binary, streaming, lossless.
import Engine

/// Converts trace files between the two encodings.
public enum TraceConversion {
    /// Reads `source` (either encoding, any binary version) and writes it to `destination` in `encoding`;
    /// binary output is version 2 unless `binaryVersion` is 1. The header JSON is copied as stored, so
    /// JSONL → binary → JSONL gives back the same bytes, and binary → JSONL → binary too.
    /// - Returns: the number of events copied.
    /// - Throws: `TraceError` from either file; no destination file is left behind on error.
    @discardableResult
    public static func convert(_ source: String, to destination: String, encoding: TraceEncoding, binaryVersion: Int = 2) throws -> Int {
        let reader = try TraceReader(path: source)
        switch encoding {
        case .jsonl: return try copy(reader, into: JSONLWriter(path: destination, headerJSON: reader.headerJSON))
        case .binary where binaryVersion == 2:
            return try copy(reader, into: CompactBinaryWriter(path: destination, headerJSON: reader.headerJSON), feed: feedInBatches)
        case .binary: return try copy(reader, into: BinaryWriter(path: destination, headerJSON: reader.headerJSON))
        }
    }

    /// Streams every event of `reader` into `writer` (event by event, or as `feed` does) and moves the file
    /// into place; removes it on error.
    private static func copy<W: TraceWriting>(_ reader: TraceReader, into made: W,
                                              feed: ((TraceReader, W) throws -> Void)? = nil) throws -> Int {
        var writer = made
        do {
            if let feed {
                try feed(reader, writer)
            } else {
                while let e = try reader.next() { writer.record(e) }
            }
            try writer.finish()
        } catch { writer.cancel(); throw error }
        return writer.eventCount
    }

    /// Reads 2¹⁷ events at a time (15 MB; `read(into:)` decodes a version 2 file on two cores) and hands
    /// them to the version 2 writer together, which encodes them on two cores.
    private static func feedInBatches(_ reader: TraceReader, _ writer: CompactBinaryWriter) throws {
        var batch = [TraceEvent](repeating: TraceEvent(kind: .mac), count: 1 << 17)
        try batch.withUnsafeMutableBufferPointer { b in
            while case let n = try reader.read(into: b), n > 0 {
                writer.record(contentsOf: UnsafeBufferPointer(rebasing: b[0..<n]))
            }
        }
    }
}
