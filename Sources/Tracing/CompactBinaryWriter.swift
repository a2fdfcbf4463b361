// Tracing — CompactBinaryWriter: a trace sink writing binary encoding version 2 (predicted, variable-length).
import JSONText
import Engine

/// Writes a trace in binary encoding version 2 (layout in docs/trace-format.md): events grouped in blocks
/// of one phase and layer, each event coded against what the previous events predict, an index of the
/// blocks at the end. Atomic like `BinaryWriter`; lossless for every event a reader can return.
///
/// - Complexity: O(1) memory in the number of events (one block buffer, plus 32 bytes of index per block).
public final class CompactBinaryWriter: TraceSink {
    public static var isRecording: Bool { true }

    private let output: AtomicFileOutput
    private let state = CompactCodecState()
    /// The block being filled: its events' bytes.
    private let block: UnsafeMutablePointer<UInt8>
    private let blockCapacity = CompactTraceLayout.blockEvents * CompactTraceLayout.maxEventSize
    @exclusivity(unchecked) private var blockUsed = 0
    @exclusivity(unchecked) private var blockCount = 0
    @exclusivity(unchecked) private var blockFirstStep = 0
    @exclusivity(unchecked) private var blockLayer = 0
    @exclusivity(unchecked) private var blockPhase: Phase = .forward
    @exclusivity(unchecked) private var nextStep = 0
    /// Bytes handed to `output` so far (the file offset of the next block).
    @exclusivity(unchecked) private var written = 0
    /// The index entries, 32 bytes each.
    private var index: [UInt8] = []
    @exclusivity(unchecked) private var indexEntries = 0
    @exclusivity(unchecked) public private(set) var eventCount = 0

    deinit {
        block.deallocate()
    }

    /// Creates the temporary file and writes the preamble and the header.
    public convenience init(path: String, header: TraceHeader) throws {
        try self.init(path: path, headerJSON: header.toJSON())
    }

    /// Same, from the header's JSON (as a reader returns it).
    public init(path: String, headerJSON: JSONValue) throws {
        output = try AtomicFileOutput(path: path)
        block = .allocate(capacity: blockCapacity)
        let json = headerJSON.serializedBytes()
        var preamble = BinaryTraceLayout.magic
        BinaryWriter.appendLE(CompactTraceLayout.version, to: &preamble)
        BinaryWriter.appendLE(UInt32(CompactTraceLayout.blockEvents), to: &preamble)
        BinaryWriter.appendLE(UInt64(json.count), to: &preamble)
        output.write(preamble)
        output.write(json)
        written = preamble.count + json.count
    }

    /// Appends one event.
    public func record(_ e: TraceEvent) {
        if blockCount == CompactTraceLayout.blockEvents || (blockCount > 0
            && (e.step != nextStep || e.layer != blockLayer || e.phase != blockPhase)) {
            flushBlock()
        }
        if blockCount == 0 {
            blockFirstStep = e.step; blockLayer = e.layer; blockPhase = e.phase
        }
        nextStep = e.step &+ 1
        blockUsed = encode(e, at: blockUsed)
        blockCount += 1
        eventCount += 1
    }

    /// Encodes `e` at `block + start`; returns the end offset.
    @inline(__always)
    private func encode(_ e: TraceEvent, at start: Int) -> Int {
        let s = state
        var p = block + start + 2
        var op: UInt16 = 0
        let slot = Int(e.kind.rawValue) &* 4 &+ Int(e.target.rawValue)
        let meta = CompactTraceLayout.meta(kind: e.kind.rawValue, target: e.target.rawValue, flags: e.flags.rawValue)
        if meta != s.meta {
            op |= CompactTraceLayout.metaBit
            p.pointee = meta; p += 1
            s.meta = meta
        }
        // Indices: a delta from the slot's last indices, one of its three recent deltas or spelled out.
        let components = e.indexComponents
        let delta = components &- s.indices[slot]
        s.indices[slot] = components
        let used = s.recentDelta(slot: slot, delta)
        op |= UInt16(used) << 12
        if used == 3 {
            var mask: UInt16 = 0
            for c in 0..<16 where delta[c] != 0 { mask |= 1 << UInt16(c) }
            p.pointee = UInt8(truncatingIfNeeded: mask); p[1] = UInt8(truncatingIfNeeded: mask >> 8); p += 2
            for c in 0..<16 where delta[c] != 0 { p = Self.putVarint(Self.zigzag(delta[c]), p) }
        }
        s.promote(slot: slot, used: used, delta)
        // Values, in the order a, b, product, acc.
        let last = s.values + slot &* 4
        let a = e.a.bitPattern, b = e.b.bitPattern, product = e.product.bitPattern, acc = e.acc.bitPattern
        let one = (1.0).bitPattern
        var code: UInt16
        if a == 0 { code = 0 } else if a == last[0] { code = 1 } else if a == s.previousAcc { code = 5 }
        else if a == one { code = 7 } else { code = 8 }
        if code == 8 { (code, p) = putStored(a, p) }
        op |= code
        if b == 0 { code = 0 } else if b == last[1] { code = 1 } else if b == s.previousAcc { code = 5 }
        else if b == one { code = 7 } else { code = 8 }
        if code == 8 { (code, p) = putStored(b, p) }
        op |= code << 3
        if product == (e.a * e.b).bitPattern { code = 4 } else if product == 0 { code = 0 }
        else if product == b { code = 7 } else if product == last[2] { code = 1 }
        else if product == s.previousAcc { code = 5 } else { code = 8 }
        if code == 8 { (code, p) = putStored(product, p) }
        op |= code << 6
        if acc == (Double(bitPattern: s.previousAcc) + e.product).bitPattern { code = 6 }
        else if acc == (0.0 + e.product).bitPattern { code = 7 } else if acc == s.previousAcc { code = 5 }
        else if acc == 0 { code = 0 } else if acc == last[3] { code = 1 } else if acc == (e.a * e.b).bitPattern { code = 4 }
        else { code = 8 }
        if code == 8 { (code, p) = putStored(acc, p) }
        op |= code << 9
        last[0] = a; last[1] = b; last[2] = product; last[3] = acc
        s.previousAcc = acc
        let o = block + start
        o.pointee = UInt8(truncatingIfNeeded: op); o[1] = UInt8(truncatingIfNeeded: op >> 8)
        return p - block
    }

    /// A value that no rule predicts: its cache slot when the cache holds it, else the raw bits (then cached).
    @inline(__always)
    private func putStored(_ bits: UInt64, _ p: UnsafeMutablePointer<UInt8>) -> (UInt16, UnsafeMutablePointer<UInt8>) {
        let slot = CompactTraceLayout.cacheSlot(bits)
        if state.cacheHolds(bits, slot) {
            p.pointee = UInt8(truncatingIfNeeded: slot); p[1] = UInt8(truncatingIfNeeded: slot >> 8)
            return (CompactTraceLayout.ValueCode.cached, p + 2)
        }
        UnsafeMutableRawPointer(p).storeBytes(of: bits.littleEndian, as: UInt64.self)
        state.cacheStore(bits, slot)
        return (CompactTraceLayout.ValueCode.raw, p + 8)
    }

    @inline(__always)
    static func zigzag(_ v: Int32) -> UInt64 { UInt64(UInt32(bitPattern: (v &<< 1) ^ (v >> 31))) }

    /// Writes `v` as LEB128 (7 bits a byte, low first, high bit = more).
    @inline(__always)
    static func putVarint(_ v: UInt64, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var v = v, p = p
        while v >= 0x80 { p.pointee = UInt8(truncatingIfNeeded: v) | 0x80; v >>= 7; p += 1 }
        p.pointee = UInt8(truncatingIfNeeded: v)
        return p + 1
    }

    /// Writes the block header and the block, records its index entry, and resets the prediction state.
    private func flushBlock() {
        guard blockCount > 0 else { return }
        var header: [UInt8] = []
        header.reserveCapacity(CompactTraceLayout.blockHeaderSize)
        BinaryWriter.appendLE(UInt32(blockUsed), to: &header)
        BinaryWriter.appendLE(UInt32(blockCount), to: &header)
        BinaryWriter.appendLE(Int64(blockFirstStep), to: &header)
        BinaryWriter.appendLE(Int64(blockLayer), to: &header)
        header.append(blockPhase.rawValue)
        header.append(contentsOf: [UInt8](repeating: 0, count: 7))
        BinaryWriter.appendLE(UInt64(written), to: &index)
        BinaryWriter.appendLE(Int64(blockFirstStep), to: &index)
        BinaryWriter.appendLE(Int64(blockLayer), to: &index)
        BinaryWriter.appendLE(UInt32(blockCount), to: &index)
        index.append(blockPhase.rawValue)
        index.append(contentsOf: [0, 0, 0])
        indexEntries += 1
        output.write(header)
        output.write(UnsafeBufferPointer(start: block, count: blockUsed))
        written += header.count + blockUsed
        blockUsed = 0
        blockCount = 0
        state.reset()
    }

    /// Writes the last block, the end block, the index and the trailer, and moves the file into place.
    public func finish() throws {
        flushBlock()
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
