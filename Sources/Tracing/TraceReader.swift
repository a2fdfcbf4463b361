// Tracing — TraceReader: opens a trace file of either encoding and streams its events in constant memory.
import Engine
import JSONText

/// Reads a trace file: detects the encoding from the first bytes, reads the header, then returns
/// events one at a time.
///
/// ```swift
/// let reader = try TraceReader(path: "conv.jsonl")
/// while let event = try reader.next() { … }
/// ```
/// Errors name the file and the place: `conv.jsonl:7: unknown kind "fma"; valid kinds: …`,
/// `conv.ctb: record 3 (byte 1828): …`. The end marker written by the writers is checked, so a file
/// cut short anywhere is reported as truncated.
/// - Complexity: O(1) memory in the number of events (one buffer, sized by the longest line).
public final class TraceReader {
    /// The path as given (used in messages).
    public let path: String
    public let encoding: TraceEncoding
    /// The header as JSON, exactly as stored.
    public let headerJSON: JSONValue
    /// The decoded header.
    public let header: TraceHeader
    /// Events returned so far.
    @exclusivity(unchecked) public private(set) var eventsRead = 0
    /// True once the end marker has been read.
    @exclusivity(unchecked) public private(set) var isFinished = false
    /// The binary encoding's version (1 fixed records, 2 compact blocks with an index); 0 for JSON Lines.
    public let binaryVersion: Int
    /// File offset of the first event (after the header).
    private var dataStart = 0
    /// Version 2: the decoder of the current block, where that block's header starts, and the events before it.
    private let compact: CompactBlockDecoder
    /// Version 2: decodes whole blocks for `read(into:)`, on two cores.
    private lazy var batch = CompactBatchDecoder(caller: compact)
    /// Version 2: events of the current block decoded ahead in one loop, `chunk[chunkNext..<chunkCount]`
    /// not yet returned, and why decoding stopped after them (thrown once they are returned). Decoding a
    /// chunk at a time keeps the block's state in registers; handing out an event is then a copy from
    /// the L1 cache (a chunk is 15 KB).
    private let chunk: UnsafeMutablePointer<TraceEvent>
    private var chunkNext = 0, chunkCount = 0
    private var chunkFailure: CompactDecodeError?
    private static let chunkEvents = 128
    /// Version 2: the reader is inside a block (events of it are still to be returned).
    private var inBlock: Bool { compact.remaining > 0 || chunkNext < chunkCount || chunkFailure != nil }
    private var blockStart = 0
    private var blockEventsBefore = 0
    /// Version 2: the block index, read from the end of the file on the first `seek(toStep:)`.
    private var blockIndex: [CompactIndexEntry]?

    private let input: ByteInput
    /// Bytes of read buffer held (for the constant-memory test): the larger of 1 MiB and the longest line.
    var bufferCapacity: Int { input.capacity }
    /// JSON Lines: the number of the last line read.
    private var line = 1

    /// A header with a member value this large (a spec or layers with many weights) is parsed on two
    /// threads (`JSONValue(parsingUTF8:concurrentlyAbove:)`).
    static let concurrentHeaderBytes = 1 << 16

    /// Opens `path` and reads its header.
    /// - Throws: `TraceError` for a missing, empty, foreign, truncated or unsupported file.
    public init(path: String) throws {
        self.path = path
        let input = try ByteInput(path: path)
        self.input = input
        let got = try input.ensure(BinaryTraceLayout.magic.count)
        if got == 0 {
            throw TraceError(file: path, message: "the file is empty; expected a convtrace trace (JSON Lines or binary)")
        }
        let first = input.current[0]
        if first == BinaryTraceLayout.magic[0] {
            encoding = .binary
            (headerJSON, binaryVersion) = try TraceReader.readBinaryHeader(input, path: path)
        } else if first == UInt8(ascii: "{") {
            encoding = .jsonl
            binaryVersion = 0
            guard let (bytes, _) = try input.nextLine() else {
                throw TraceError(file: path, message: "the file is empty")
            }
            do {
                headerJSON = try JSONValue(parsingUTF8: bytes, concurrentlyAbove: TraceReader.concurrentHeaderBytes)
            } catch let e as JSONParseError {
                throw TraceError(file: path, location: "1", message: "the header line is not valid JSON (\(e.message) at column \(e.column))")
            }
        } else {
            let shown = (0..<min(got, 8)).map { String(input.current[$0], radix: 16) }.joined(separator: " ")
            throw TraceError(file: path, message: "not a convtrace trace: it starts with bytes \(shown); expected a JSON Lines trace (a header object on line 1) or a binary trace (magic 89 43 54 42 0d 0a 1a 0a)")
        }
        dataStart = input.offset
        // Only version 2 decodes blocks; other readers skip the 0.5 MB value cache.
        compact = CompactBlockDecoder(valueCache: binaryVersion == 2)
        chunk = .allocate(capacity: binaryVersion == 2 ? Self.chunkEvents : 1)
        chunk.initialize(repeating: TraceEvent(kind: .mac), count: binaryVersion == 2 ? Self.chunkEvents : 1)
        do {
            header = try TraceHeader(json: headerJSON)
        } catch let e as TraceError {
            var placed = e.inFile(path)
            if encoding == .jsonl, !e.message.hasPrefix("schema version"), !e.message.hasPrefix("not a convtrace") { placed.location = "1" }
            throw placed
        }
    }

    deinit { chunk.deallocate() }

    private static func readBinaryHeader(_ input: ByteInput, path: String) throws -> (JSONValue, Int) {
        let have = try input.ensure(BinaryTraceLayout.preambleSize)
        let magic = BinaryTraceLayout.magic
        for k in 0..<min(have, magic.count) where input.current[k] != magic[k] {
            throw TraceError(file: path, message: "not a convtrace trace: byte \(k) is 0x\(String(input.current[k], radix: 16)), the binary magic needs 0x\(String(magic[k], radix: 16))")
        }
        if have < BinaryTraceLayout.preambleSize {
            throw TraceError(file: path, message: "truncated: the file ends after \(have) bytes, inside the 24-byte preamble")
        }
        let raw = UnsafeRawPointer(input.current)
        let version = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        if version != UInt32(TraceHeader.schemaVersion) && version != CompactTraceLayout.version {
            throw TraceError(file: path, message: "schema version \(version) is not supported; this convtrace reads version \(TraceHeader.schemaVersion)")
        }
        let recordSize = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        if version == CompactTraceLayout.version {
            if recordSize == 0 || recordSize > 1 << 20 {
                throw TraceError(file: path, location: " byte 12", message: "block size \(recordSize) events is implausible for version 2 (corrupted preamble)")
            }
        } else if recordSize != UInt32(BinaryTraceLayout.recordSize) {
            throw TraceError(file: path, location: " byte 12", message: "record size \(recordSize) does not match version 1's \(BinaryTraceLayout.recordSize) bytes (corrupted preamble)")
        }
        let length = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        input.skip(BinaryTraceLayout.preambleSize)
        guard length < 1 << 40 else {
            throw TraceError(file: path, location: " byte 16", message: "header length \(length) is implausible (corrupted preamble)")
        }
        let n = Int(length)
        let got = try input.ensure(n)
        if got < n {
            throw TraceError(file: path, message: "truncated: the header needs \(n) bytes after byte 24 but the file has only \(got)")
        }
        do {
            let json = try JSONValue(parsingUTF8: UnsafeBufferPointer(start: input.current, count: n), concurrentlyAbove: concurrentHeaderBytes)
            input.skip(n)
            return (json, Int(version))
        } catch let e as JSONParseError {
            throw TraceError(file: path, message: "the header (bytes 24–\(24 + n - 1)) is not valid JSON: \(e.message)")
        }
    }

    /// Where the next event starts: resume there later with `seek(to:)` (on this reader or another
    /// reader of the same file) instead of reading the events before it again.
    public var position: TracePosition {
        if binaryVersion == 2 && inBlock {
            return TracePosition(offset: blockStart, events: eventsRead, line: line, intoBlock: eventsRead - blockEventsBefore)
        }
        return TracePosition(offset: input.offset, events: eventsRead, line: line)
    }

    /// Continues reading at `position`, taken from `position` of a reader of the same file.
    /// - Throws: `TraceError` when the file cannot seek (the next read fails if the file changed).
    public func seek(to position: TracePosition) throws {
        try input.seek(to: position.offset)
        eventsRead = position.events - position.intoBlock
        line = position.line
        isFinished = false
        if binaryVersion == 2 {
            compact.abandonBlock()
            chunkNext = 0; chunkCount = 0; chunkFailure = nil
            var left = position.intoBlock
            while left > 0, try next() != nil { left -= 1 }
        }
    }

    /// Positions the reader so that `next()` returns the event with step `step` (nil when `step` is past
    /// the last event; the first event when `step` is before it).
    ///
    /// Version 2 binary files jump through their block index and decode at most one block
    /// (`CompactTraceLayout.blockEvents` events); version 1 files compute the record's offset; JSON Lines
    /// files are read from the first event on.
    /// - Throws: `TraceError` for an unreadable or corrupted file.
    public func seek(toStep step: Int) throws {
        switch binaryVersion {
        case 2:
            let entries = try loadBlockIndex()
            var low = 0, high = entries.count  // the first entry whose first step is after `step`
            while low < high {
                let mid = (low + high) / 2
                if entries[mid].firstStep <= step { low = mid + 1 } else { high = mid }
            }
            let k = max(low - 1, 0)
            guard k < entries.count else { try seek(to: TracePosition(offset: dataStart, events: 0, line: 1)); return }
            try seek(to: TracePosition(offset: entries[k].offset, events: entries[k].eventsBefore, line: 1))
            let skip = min(max(step - entries[k].firstStep, 0), entries[k].count)
            var left = skip
            while left > 0, try next() != nil { left -= 1 }
        case 1:
            try seek(to: TracePosition(offset: dataStart, events: 0, line: 1))
            guard let first = try next() else { return }
            let size = BinaryTraceLayout.recordSize
            let records = max((try input.fileSize() - dataStart) / size - 1, 0)
            let k = min(max(step - first.step, 0), records)
            try seek(to: TracePosition(offset: dataStart + k * size, events: k, line: 1))
        default:
            try seek(to: TracePosition(offset: dataStart, events: 0, line: 1))
            var before = position
            while let e = try next() {
                if e.step >= step { try seek(to: before); return }
                before = position
            }
        }
    }

    /// The blocks of a version 2 binary file in file order, from its index (read once from the end of the
    /// file; the reader stays where it was); nil for JSON Lines and version 1, which have no index.
    /// - Throws: `TraceError` when the index is missing or corrupted, or names a phase that does not exist.
    public func blocks() throws -> [TraceBlock]? {
        guard binaryVersion == 2 else { return nil }
        let entries: [CompactIndexEntry]
        if let blockIndex {
            entries = blockIndex
        } else {
            let here = position
            entries = try loadBlockIndex()
            try seek(to: here)
        }
        return try entries.enumerated().map { k, entry in
            guard let phase = Phase(rawValue: entry.phase) else {
                throw TraceError(file: path, message: "corrupted block index: entry \(k) has phase byte \(entry.phase) (valid 0 forward, 1 backward)")
            }
            return TraceBlock(phase: phase, layer: entry.layer, firstStep: entry.firstStep, count: entry.count,
                              position: TracePosition(offset: entry.offset, events: entry.eventsBefore, line: 1))
        }
    }

    /// The version 2 block index, read once from the end of the file.
    private func loadBlockIndex() throws -> [CompactIndexEntry] {
        if let blockIndex { return blockIndex }
        let entries = try CompactIndexEntry.read(from: input, path: path, dataStart: dataStart)
        blockIndex = entries
        return entries
    }

    /// The next event, or nil after the last one (once the end marker has been checked).
    /// - Throws: `TraceError` naming the file and the line / record.
    public func next() throws -> TraceEvent? {
        var e = TraceEvent(kind: .mac)
        return try next(into: &e) ? e : nil
    }

    /// Reads the next event into `event` and returns true, or returns false after the last one (once the
    /// end marker has been checked). The same as `next()`, but a version 2 block is decoded straight
    /// into the caller's event: a loop that reuses one event copies nothing.
    /// - Throws: `TraceError` naming the file and the line / record.
    public func next(into event: inout TraceEvent) throws -> Bool {
        if isFinished { return false }
        if binaryVersion == 2 { return try nextCompact(into: &event) }
        guard let e = encoding == .jsonl ? try nextJSONL() : try nextBinary() else { return false }
        event = e
        return true
    }

    /// Reads up to `events.count` events into `events` (initialized memory, from an array say) and returns
    /// how many; 0 once the last was read and the end marker checked. The fastest way through a whole
    /// file: a version 2 file's whole blocks are decoded straight into `events`, on two cores when there
    /// are at least `CompactBatchDecoder.splitMinimum` events of them. The events, the errors and the
    /// positions are those of calling `next(into:)` as many times.
    /// - Throws: `TraceError` naming the file and the place, as `next(into:)`; the events of the batch
    ///   that throws are not defined.
    public func read(into events: UnsafeMutableBufferPointer<TraceEvent>) throws -> Int {
        guard let out = events.baseAddress else { return 0 }
        var n = 0
        while n < events.count {
            if binaryVersion == 2 && !inBlock && !isFinished {
                let got = try readWholeBlocks(into: out + n, room: events.count - n)
                if got > 0 { n += got; continue }
            }
            // One event: JSON Lines and version 1; in version 2, the rest of a block, a block that does
            // not fit in what is left of `events` or in the read buffer, the end block, or an error.
            guard try next(into: &out[n]) else { break }
            n += 1
        }
        return n
    }

    /// Decodes the whole blocks that follow, as many as fit in `room` events and are in the read buffer
    /// (topped up first when it holds fewer than `CompactBatchDecoder.splitMinimum` events of them):
    /// the number of events written to `out`, 0 when the next block is not whole there (or is the end).
    private func readWholeBlocks(into out: UnsafeMutablePointer<TraceEvent>, room: Int) throws -> Int {
        let h = CompactTraceLayout.blockHeaderSize
        var blocks: [CompactPendingBlock] = []
        var used = 0, events = 0
        for attempt in 0..<2 {
            blocks.removeAll(keepingCapacity: true)
            used = 0; events = 0
            let bytes = input.current, available = input.available
            var cutShort = false  // stopped at a block not wholly in the buffer
            while true {
                guard available - used >= h else { cutShort = true; break }
                let header = CompactBlockHeader(bytes + used)
                guard !header.isEnd, let phase = header.phase, header.problem == nil,
                      events + header.count <= room else { break }
                guard available - used - h >= header.payload else { cutShort = true; break }
                blocks.append(CompactPendingBlock(header: header, phase: phase, payload: bytes + used + h,
                                                  fileOffset: input.offset + used, firstEvent: events))
                used += h + header.payload
                events += header.count
            }
            guard attempt == 0, cutShort, events < CompactBatchDecoder.splitMinimum, !input.atEOF else { break }
            try input.topUp()
        }
        guard !blocks.isEmpty else { return 0 }
        if let (k, failure) = batch.decode(blocks, events: events, into: out) {
            let at = " block at byte \(blocks[k].fileOffset)"
            let place = failure.event.map { at + ", event \(eventsRead + blocks[k].firstEvent + $0)" } ?? at
            throw TraceError(file: path, location: place, message: "corrupted: \(failure.message)")
        }
        input.skip(used)
        eventsRead += events
        return events
    }

    /// Calls `body` for every remaining event.
    public func forEach(_ body: (TraceEvent) throws -> Void) throws {
        while let e = try next() { try body(e) }
    }

    private func nextJSONL() throws -> TraceEvent? {
        guard let (bytes, terminated) = try input.nextLine() else {
            throw TraceError(file: path, message: "truncated: the file ends after \(eventsRead) events (line \(line)) without the end line {\"end\":true,\"events\":N}")
        }
        line += 1
        if bytes.isEmpty { throw TraceError(file: path, location: "\(line)", message: "empty line; expected an event object") }
        let parsed: JSONLLine
        do {
            parsed = try JSONLEventDecoder.decode(bytes)
        } catch {
            let suffix = terminated ? "" : " (the file ends in the middle of this line: truncated?)"
            throw TraceError(file: path, location: "\(line)", message: error.message + suffix)
        }
        switch parsed {
        case .event(let e):
            eventsRead += 1
            return e
        case .end(let count):
            if count != eventsRead {
                throw TraceError(file: path, location: "\(line)", message: "the end line says \(count) events but \(eventsRead) were read")
            }
            if try input.nextLine() != nil {
                throw TraceError(file: path, location: "\(line + 1)", message: "text after the end line")
            }
            isFinished = true
            return nil
        }
    }

    /// Version 2: the next event from the chunk decoded ahead; the chunk is refilled when it runs out.
    @inline(__always)  // into next(into:): one copy from the chunk
    private func nextCompact(into event: inout TraceEvent) throws -> Bool {
        if chunkNext < chunkCount {
            event = chunk[chunkNext]
            chunkNext += 1
            eventsRead += 1
            return true
        }
        return try refillChunk(into: &event)
    }

    /// Decodes the next chunk of the current block (starting the next block first when it is done, and
    /// checking the end block), then returns its first event. Events before a failure are returned
    /// first; the failure is thrown when they are all out.
    private func refillChunk(into event: inout TraceEvent) throws -> Bool {
        if let failure = chunkFailure {
            throw TraceError(file: path, location: " block at byte \(blockStart), event \(eventsRead)", message: "corrupted: \(failure.message)")
        }
        if compact.remaining == 0 {
            if compact.leftover != 0 {
                throw TraceError(file: path, location: " block at byte \(blockStart)", message: "corrupted: \(compact.leftover) bytes after the block's last event")
            }
            let h = CompactTraceLayout.blockHeaderSize
            let have = input.available >= h ? h : try input.ensure(h)
            if have < h {
                if have == 0 {
                    throw TraceError(file: path, message: "truncated: the file ends after \(eventsRead) events without the end block")
                }
                throw TraceError(file: path, location: " byte \(input.offset)", message: "truncated: only \(have) of a block header's \(h) bytes are there")
            }
            let block = CompactBlockHeader(input.current)
            blockStart = input.offset
            if block.isEnd {
                if block.payload != 0 {
                    throw TraceError(file: path, location: " byte \(blockStart)", message: "corrupted block header: 0 events but \(block.payload) bytes")
                }
                if block.firstStep != eventsRead {
                    throw TraceError(file: path, location: " byte \(blockStart)", message: "the end block says \(block.firstStep) events but \(eventsRead) were read")
                }
                input.skip(h)
                _ = try CompactIndexEntry.readTail(from: input, path: path, indexOffset: input.offset, dataStart: dataStart)
                isFinished = true
                return false
            }
            guard let phase = block.phase, block.problem == nil else {
                throw TraceError(file: path, location: " byte \(blockStart)", message: block.problem ?? "")
            }
            let got = try input.ensure(h + block.payload)
            if got < h + block.payload {
                throw TraceError(file: path, location: " byte \(blockStart)", message: "truncated: the block needs \(h + block.payload) bytes but the file has only \(got) more")
            }
            blockEventsBefore = eventsRead
            compact.start(UnsafeBufferPointer(start: input.current + h, count: block.payload), count: block.count,
                          firstStep: block.firstStep, layer: block.layer, phase: phase)
            input.skip(h + block.payload)
        }
        (chunkCount, chunkFailure) = compact.decode(min(Self.chunkEvents, compact.remaining), into: chunk)
        chunkNext = 0
        return try nextCompact(into: &event)
    }

    private func nextBinary() throws -> TraceEvent? {
        let size = BinaryTraceLayout.recordSize
        let have = input.available >= size ? size : try input.ensure(size)
        // Built only on error paths: interpolating on every record would dominate the read time.
        func place() -> String { " record \(eventsRead) (byte \(input.offset))" }
        if have < size {
            if have == 0 {
                throw TraceError(file: path, message: "truncated: the file ends after \(eventsRead) records without the end record")
            }
            throw TraceError(file: path, location: place(), message: "truncated: only \(have) of the record's \(size) bytes are there")
        }
        let p = UnsafeRawPointer(input.current)
        let kindByte = p.load(fromByteOffset: 13, as: UInt8.self)
        if kindByte == BinaryTraceLayout.endKind {
            let count = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: Int64.self))
            if count != Int64(eventsRead) {
                throw TraceError(file: path, location: place(), message: "the end record says \(count) events but \(eventsRead) were read")
            }
            input.skip(size)
            if try input.ensure(1) > 0 {
                throw TraceError(file: path, location: " byte \(input.offset)", message: "data after the end record")
            }
            isFinished = true
            return nil
        }
        guard let kind = EventKind(rawValue: kindByte) else {
            throw TraceError(file: path, location: place(), message: "corrupted record: unknown kind byte \(kindByte) (valid \(EventKind.allCases.map { String($0.rawValue) }.joined(separator: ", ")); 255 ends the trace)")
        }
        guard let phase = Phase(rawValue: p.load(fromByteOffset: 12, as: UInt8.self)) else {
            throw TraceError(file: path, location: place(), message: "corrupted record: unknown phase byte \(p.load(fromByteOffset: 12, as: UInt8.self)) (valid 0 forward, 1 backward, 2 update)")
        }
        guard let target = GradTarget(rawValue: p.load(fromByteOffset: 14, as: UInt8.self)) else {
            throw TraceError(file: path, location: place(), message: "corrupted record: unknown target byte \(p.load(fromByteOffset: 14, as: UInt8.self)) (valid 0–3)")
        }
        let flags = p.load(fromByteOffset: 15, as: UInt8.self)
        if flags & ~0b11 != 0 {
            throw TraceError(file: path, location: place(), message: "corrupted record: unknown flag bits 0x\(String(flags, radix: 16)) (valid: 1 padding, 2 selected)")
        }
        let step = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        func index(_ o: Int) -> Index4 {
            var r = Index4.zero
            r.n = Int32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: Int32.self))
            r.c = Int32(littleEndian: p.loadUnaligned(fromByteOffset: o + 4, as: Int32.self))
            r.h = Int32(littleEndian: p.loadUnaligned(fromByteOffset: o + 8, as: Int32.self))
            r.w = Int32(littleEndian: p.loadUnaligned(fromByteOffset: o + 12, as: Int32.self))
            return r
        }
        func double(_ o: Int) -> Double {
            Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
        }
        let e = TraceEvent(
            step: Int(step), phase: phase,
            layer: Int(Int32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: Int32.self))),
            kind: kind, target: target, flags: EventFlags(rawValue: flags),
            output: index(16), input: index(32), padded: index(48), kernel: index(64),
            a: double(80), b: double(88), product: double(96), acc: double(104))
        input.skip(size)
        eventsRead += 1
        return e
    }
}
