// Tracing — CompactIndexEntry: one block of a version 2 binary trace, as its index at the end of the file lists it.

/// Where a block of a version 2 trace starts, which steps it holds, and its phase and layer.
struct CompactIndexEntry: Equatable {
    /// File offset of the block header.
    var offset: Int
    var firstStep: Int
    var layer: Int
    var count: Int
    var phase: UInt8
    /// Events in the blocks before this one.
    var eventsBefore: Int

    /// Reads the index through the trailer at the end of the file, then leaves `input` at `dataStart`.
    /// - Throws: `TraceError` when the trailer or the index is missing or inconsistent.
    static func read(from input: ByteInput, path: String, dataStart: Int) throws -> [CompactIndexEntry] {
        let size = try input.fileSize()
        let t = CompactTraceLayout.trailerSize
        guard size - t >= dataStart else {
            throw TraceError(file: path, message: "truncated: no room for the block index trailer (version 2)")
        }
        try input.seek(to: size - t)
        guard try input.ensure(t) >= t else { throw TraceError(file: path, message: "truncated: the index trailer is cut short") }
        let raw = UnsafeRawPointer(input.current)
        let indexOffset = Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) & 0xFFFF_FFFF_FFFF)
        try input.seek(to: indexOffset)
        let entries = try readTail(from: input, path: path, indexOffset: indexOffset, dataStart: dataStart)
        try input.seek(to: dataStart)
        return entries
    }

    /// Reads from `input` (at `indexOffset`) the index entries and the trailer up to the end of the file and
    /// checks them: the trailer's offset and count match, the magic is there, nothing follows.
    static func readTail(from input: ByteInput, path: String, indexOffset: Int, dataStart: Int) throws -> [CompactIndexEntry] {
        var have = input.available
        while true {
            let got = try input.ensure(have + 1)
            if got == have { break }
            have = got
        }
        let t = CompactTraceLayout.trailerSize, e = CompactTraceLayout.indexEntrySize
        func corrupted(_ what: String) -> TraceError {
            TraceError(file: path, location: " byte \(indexOffset)", message: "corrupted block index: \(what)")
        }
        guard have >= t, (have - t) % e == 0 else { throw corrupted("\(have) bytes after the end block is not 24 + 32·entries") }
        let raw = UnsafeRawPointer(input.current)
        let magic = CompactTraceLayout.indexMagic
        for k in 0..<magic.count where raw.load(fromByteOffset: have - 8 + k, as: UInt8.self) != magic[k] {
            throw corrupted("the file does not end in \"CTBINDEX\"")
        }
        let storedOffset = Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: have - t, as: UInt64.self)) & 0xFFFF_FFFF_FFFF)
        let storedCount = Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: have - t + 8, as: UInt64.self)) & 0xFFFF_FFFF_FFFF)
        guard storedOffset == indexOffset, storedCount == (have - t) / e else {
            throw corrupted("the trailer says \(storedCount) entries at byte \(storedOffset)")
        }
        var entries: [CompactIndexEntry] = []
        entries.reserveCapacity(storedCount)
        var before = 0
        for k in 0..<storedCount {
            let o = k * e
            let entry = CompactIndexEntry(
                offset: Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)) & 0xFFFF_FFFF_FFFF),
                firstStep: Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: o + 8, as: Int64.self))),
                layer: Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: o + 16, as: Int64.self))),
                count: Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o + 24, as: UInt32.self))),
                phase: raw.load(fromByteOffset: o + 28, as: UInt8.self), eventsBefore: before)
            guard entry.offset >= dataStart, entry.offset < indexOffset, entry.count > 0 else {
                throw corrupted("entry \(k) points at byte \(entry.offset) with \(entry.count) events")
            }
            before += entry.count
            entries.append(entry)
        }
        input.skip(have)
        return entries
    }
}
