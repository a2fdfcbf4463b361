// Tracing — CompactBinaryWriter: a trace sink writing binary encoding version 2 (predicted, variable-length).
import Dispatch
import JSONText
import Engine

/// Writes a trace in binary encoding version 2 (layout in docs/trace-format.md): events grouped in blocks
/// of one phase and layer, each event coded against what the earlier events of its block predict, an
/// index of the blocks at the end. Atomic like `BinaryWriter`; lossless for every event a reader can return.
///
/// Two cores where there is work for them:
/// - The header's JSON (0.7 MB for LeNet-5: a fifth of the time to write its trace on one core) is
///   serialized on a queue of its own while the first events are encoded; blocks closed before it is
///   ready are held in memory (at most `heldLimit` bytes, then the caller waits for it).
/// - Events handed over together (`record(contentsOf:)`: a trace in memory, a conversion) are cut into
///   up to 16 chunks at block starts; the caller encodes chunks from the front and a worker from the
///   back until they meet. Blocks start from a fresh prediction state, so they encode independently;
///   they are cut exactly where event-by-event recording cuts them (`CompactBlockEncoder.cuts`) and
///   written in order, so the file is the same byte for byte however the events arrived
///   (`CompactWriterTests`).
///
/// - Complexity: memory is three block encoders (each 1.6 MB of address space for a block's bytes, of
///   which about 60 KB is touched, and a 0.5 MB value cache), the bytes of blocks held for the header,
///   the worker's chunks of a batch, and 32 bytes of index per block.
public final class CompactBinaryWriter: TraceSink {
    public static var isRecording: Bool { true }

    private let output: AtomicFileOutput
    private let header: CompactHeaderJob
    private let worker = DispatchQueue(label: "convtrace.v2-encoder")
    /// Encodes the open block on the caller's side.
    @exclusivity(unchecked) private var encoder = CompactBlockEncoder()
    /// Encodes the worker's half of a batch; its open block becomes the caller's after the batch.
    @exclusivity(unchecked) private var spare = CompactBlockEncoder()
    /// Encodes the worker's other chunks.
    private let third = CompactBlockEncoder()

    /// Bytes handed to `output` so far (the file offset of the next block); counts from the preamble on.
    private var written = 0
    /// Blocks closed before the header was ready: block headers and payloads, and their index entries
    /// without offsets (given when they are written).
    private var held: [UInt8] = []
    private var heldBlocks: [CompactBlockEntry] = []
    /// The index entries, 32 bytes each.
    private var index: [UInt8] = []
    private var indexEntries = 0
    @exclusivity(unchecked) public private(set) var eventCount = 0

    /// Most bytes of blocks held while the header is serialized (a header of millions of weights makes
    /// the caller wait rather than memory grow).
    private static let heldLimit = 16 << 20
    /// Fewer events than this in one `record(contentsOf:)` are encoded on the caller alone.
    static let splitMinimum = 4 * CompactTraceLayout.blockEvents

    /// Creates the temporary file; the header is serialized on another queue while events arrive.
    public convenience init(path: String, header: TraceHeader) throws {
        try self.init(path: path, makeHeader: { header.toJSON() })
    }

    /// Same, from the header's JSON (as a reader returns it).
    public convenience init(path: String, headerJSON: JSONValue) throws {
        try self.init(path: path, makeHeader: { headerJSON })
    }

    private init(path: String, makeHeader: @escaping @Sendable () -> JSONValue) throws {
        output = try AtomicFileOutput(path: path, bufferSize: 1 << 20, direct: true)
        header = CompactHeaderJob(makeHeader)
    }

    /// Appends one event.
    public func record(_ e: TraceEvent) {
        if encoder.startsNewBlock(e) { emitOpenBlock() }
        encoder.append(e)
        eventCount += 1
    }

    /// Appends `events` in order: the same file as recording them one by one, on two cores when there
    /// are enough of them (see the type's notes).
    public func record(contentsOf events: UnsafeBufferPointer<TraceEvent>) {
        guard let base = events.baseAddress else { return }
        let cuts = Self.chunkCuts(base, events.count)
        guard cuts.count > 2 else {
            encode(base, events.count)
            return
        }
        // Chunks start where blocks start. The caller takes chunks from the front, the worker from the
        // back, until they meet: whichever core is less busy (the header's queue shares one) does more.
        let job = CompactBatchJob(events: base, cuts: cuts, last: spare, other: third)
        worker.async { job.runWorker() }
        encode(base, cuts[1])
        var callerTookLast = false
        while let k = job.claims.claimFront() {
            encode(base + cuts[k], cuts[k + 1] - cuts[k])
            callerTookLast = k == cuts.count - 2
        }
        job.done.wait()
        guard !callerTookLast else { return }  // the worker took no chunk
        // The caller's last block ends at a chunk cut: complete. The worker's chunks follow, in order.
        emitOpenBlock()
        for chunk in job.outputs where !chunk.blocks.isEmpty {
            writeOrHold(chunk.blocks, chunk.bytes)
        }
        eventCount += job.workerEvents
        // The last chunk's last block stays open (later events may join it): its encoder becomes the
        // caller's, and the caller's (closed above) the next batch's.
        swap(&encoder, &spare)
    }

    /// Records `e[0..<n]` on this thread, a run of a block at a time.
    private func encode(_ e: UnsafePointer<TraceEvent>, _ n: Int) {
        var i = 0
        while i < n {
            i = encoder.appendRun(e, from: i, to: n)
            if i < n { emitOpenBlock() }
        }
        eventCount += n
    }

    /// Where to cut `e[0..<n]` into chunks for two threads: 0, then the first block start at or after
    /// each sixteenth (at most `blockEvents` events further: a step multiple of it always starts a
    /// block), then `n`; just [0, n] for fewer than `splitMinimum` events.
    private static func chunkCuts(_ e: UnsafePointer<TraceEvent>, _ n: Int) -> [Int] {
        guard n >= splitMinimum else { return [0, n] }
        let chunks = min(16, n / (splitMinimum / 2))
        var cuts = [0]
        for k in 1..<chunks {
            var i = max(n * k / chunks, cuts[cuts.count - 1] + 1)
            while i < n && !CompactBlockEncoder.cutsBefore(e[i - 1], e[i]) { i += 1 }
            if i < n { cuts.append(i) }
        }
        cuts.append(n)
        return cuts
    }

    /// Writes the open block (to the file once the header is written, else into `held`) and closes it.
    private func emitOpenBlock() {
        guard encoder.count > 0 else { return }
        if !header.isWritten && header.isReady { writeHeader() }
        if header.isWritten {
            indexBlocks([encoder.entry])
            output.write(encoder.blockHeader())
            output.write(UnsafeBufferPointer(start: encoder.bytes, count: encoder.used))
            encoder.close()
        } else {
            heldBlocks.append(encoder.appendClosedBlock(to: &held))
            if held.count > Self.heldLimit { writeHeader() }
        }
    }

    /// Writes closed blocks (their headers and payloads in `bytes`, in order) once the header is written,
    /// else keeps them in `held`.
    private func writeOrHold(_ blocks: [CompactBlockEntry], _ bytes: [UInt8]) {
        if !header.isWritten && header.isReady { writeHeader() }
        if header.isWritten {
            indexBlocks(blocks)
            output.write(bytes)
        } else {
            held.append(contentsOf: bytes)
            heldBlocks.append(contentsOf: blocks)
            if held.count > Self.heldLimit { writeHeader() }
        }
    }

    /// Appends the index entries of `blocks`, whose headers and payloads the caller writes next, in order.
    private func indexBlocks(_ blocks: [CompactBlockEntry]) {
        for block in blocks {
            block.appendIndexEntry(offset: written, to: &index)
            indexEntries += 1
            written += CompactTraceLayout.blockHeaderSize + block.bytes
        }
    }

    /// Writes the preamble and the header (waiting for its queue if need be), then the held blocks.
    private func writeHeader() {
        let bytes = header.take()
        output.write(bytes)
        written = bytes.count
        indexBlocks(heldBlocks)
        output.write(held)
        held = []
        heldBlocks = []
    }

    /// Writes the last block, the end block, the index and the trailer, and moves the file into place.
    public func finish() throws {
        emitOpenBlock()
        if !header.isWritten { writeHeader() }
        var tail: [UInt8] = []
        BinaryWriter.appendLE(UInt32(0), to: &tail)
        BinaryWriter.appendLE(UInt32(0), to: &tail)
        BinaryWriter.appendLE(Int64(eventCount), to: &tail)
        tail.append(contentsOf: [UInt8](repeating: 0, count: 16))
        let indexOffset = written + tail.count
        tail.append(contentsOf: index)
        BinaryWriter.appendLE(UInt64(indexOffset), to: &tail)
        BinaryWriter.appendLE(UInt64(indexEntries), to: &tail)
        tail.append(contentsOf: CompactTraceLayout.indexMagic)
        output.write(tail)
        try output.commit()
    }

    /// Gives up: removes the temporary file (also done when the writer is released unfinished).
    public func cancel() { output.abandon() }
}

/// A batch cut into chunks at block starts, shared by the caller (from the front) and the worker (from
/// the back). The worker encodes its chunks into `outputs`; the last chunk's last block stays open in
/// `last`. The worker touches `outputs` and the encoders until `done.signal()`; then the caller does.
private final class CompactBatchJob: @unchecked Sendable {
    let events: UnsafePointer<TraceEvent>
    /// Chunk k is `cuts[k]..<cuts[k + 1]`.
    let cuts: [Int]
    let last: CompactBlockEncoder, other: CompactBlockEncoder
    /// Per chunk, what the worker encoded: its closed blocks' entries, and their headers and payloads.
    var outputs: [(blocks: [CompactBlockEntry], bytes: [UInt8])]
    var workerEvents = 0
    let done = DispatchSemaphore(value: 0)
    /// Chunk 0 is the caller's from the start.
    let claims: TwoEndedClaims

    init(events: UnsafePointer<TraceEvent>, cuts: [Int], last: CompactBlockEncoder, other: CompactBlockEncoder) {
        self.events = events; self.cuts = cuts; self.last = last; self.other = other
        claims = TwoEndedClaims(1..<cuts.count - 1)
        outputs = Array(repeating: ([], []), count: cuts.count - 1)
    }

    func runWorker() {
        defer { done.signal() }
        while let k = claims.claimBack() {
            let isLast = k == cuts.count - 2
            let encoder = isLast ? last : other
            encoder.close()
            var blocks: [CompactBlockEntry] = []
            var bytes: [UInt8] = []
            bytes.reserveCapacity((cuts[k + 1] - cuts[k]) * 8)
            var i = cuts[k]
            while i < cuts[k + 1] {
                i = encoder.appendRun(events, from: i, to: cuts[k + 1])
                if i < cuts[k + 1] { blocks.append(encoder.appendClosedBlock(to: &bytes)) }
            }
            // The next chunk starts a block, so this chunk's last block is complete, unless it is the last.
            if !isLast { blocks.append(encoder.appendClosedBlock(to: &bytes)) }
            outputs[k] = (blocks, bytes)
            workerEvents += cuts[k + 1] - cuts[k]
        }
    }
}

/// The preamble and header JSON of a version 2 file, serialized on a queue of its own.
private final class CompactHeaderJob: @unchecked Sendable {
    private var bytes: [UInt8] = []
    private let ready = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "convtrace.v2-header")
    /// Caller side: `ready` has been seen.
    private var seen = false
    private(set) var isWritten = false

    init(_ makeHeader: @escaping @Sendable () -> JSONValue) {
        queue.async { [self] in
            let text = makeHeader().serializedBytes()
            var out = BinaryTraceLayout.magic
            BinaryWriter.appendLE(CompactTraceLayout.version, to: &out)
            BinaryWriter.appendLE(UInt32(CompactTraceLayout.blockEvents), to: &out)
            BinaryWriter.appendLE(UInt64(text.count), to: &out)
            out.append(contentsOf: text)
            bytes = out
            ready.signal()
        }
    }

    /// Whether the bytes are there (without waiting).
    var isReady: Bool {
        if !seen && ready.wait(timeout: .now()) == .success { seen = true }
        return seen
    }

    /// The bytes, waiting for them if need be; marks the header written.
    func take() -> [UInt8] {
        if !seen { ready.wait(); seen = true }
        isWritten = true
        defer { bytes = [] }
        return bytes
    }
}
