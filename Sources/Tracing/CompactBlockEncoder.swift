// Tracing — CompactBlockEncoder: encodes one block of binary encoding version 2 (the inverse of CompactBlockDecoder).
import Engine
import CTracePrefetch

/// Cuts events into the blocks of binary encoding version 2 and encodes the open block (the inverse of
/// `CompactBlockDecoder`; layout in docs/trace-format.md): a block holds events of one phase and layer
/// with consecutive steps, at most `CompactTraceLayout.blockEvents` of them, and every event is coded
/// against what the block's earlier events predict, from a fresh prediction state. So blocks encode
/// independently of each other, on any thread.
///
/// One encoder per thread at a time; `@unchecked Sendable` because `CompactBinaryWriter` hands one to
/// its worker queue and takes it back only after the worker is done with it.
final class CompactBlockEncoder: @unchecked Sendable {
    private let state = CompactCodecState()
    /// The open block's encoded events.
    let bytes: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var used = 0
    /// The open block: events, first step, layer, phase, and the step its next event must have.
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private(set) var firstStep = 0
    @exclusivity(unchecked) private(set) var layer = 0
    @exclusivity(unchecked) private(set) var phase: Phase = .forward
    @exclusivity(unchecked) private var nextStep = 0

    init() {
        bytes = .allocate(capacity: CompactTraceLayout.blockEvents * CompactTraceLayout.maxEventSize)
    }

    deinit { bytes.deallocate() }

    /// The block cut rule, stated once: whether `e` cannot join a block of `count` events of `layer` and
    /// `phase` whose next step would be `nextStep`. It cannot when the block is full, or `e` changes the
    /// phase or the layer, does not follow the last step, or its step is a multiple of `blockEvents`. The
    /// last part puts every cut where two neighbouring events show it (`cutsBefore`), so a batch can be
    /// split between threads without reading it from its start.
    @inline(__always)
    static func cuts(before e: TraceEvent, count: Int, nextStep: Int, layer: Int, phase: Phase) -> Bool {
        count == CompactTraceLayout.blockEvents
            || (count > 0 && (e.step & (CompactTraceLayout.blockEvents - 1) == 0 || e.step != nextStep
                              || e.layer != layer || e.phase != phase))
    }

    /// Whether `e` cannot join the open block (false when no block is open).
    @inline(__always)
    func startsNewBlock(_ e: TraceEvent) -> Bool {
        Self.cuts(before: e, count: count, nextStep: nextStep, layer: layer, phase: phase)
    }

    /// Whether a block starts at `next` when `previous` is the event before it (the rule, for a block
    /// that holds `previous`: a full block is also cut at a step multiple, so fullness adds no cut).
    @inline(__always)
    static func cutsBefore(_ previous: TraceEvent, _ next: TraceEvent) -> Bool {
        cuts(before: next, count: 1, nextStep: previous.step &+ 1, layer: previous.layer, phase: previous.phase)
    }

    /// Appends `e` to the open block, opening one when none is.
    /// - Precondition: `!startsNewBlock(e)` (close the block first).
    @inline(__always)
    func append(_ e: TraceEvent) {
        if count == 0 { open(e) }
        nextStep = e.step &+ 1
        var previousAcc = state.previousAcc, meta = state.meta
        used = encode(e, at: used, bytes, &previousAcc, &meta)
        state.previousAcc = previousAcc; state.meta = meta
        count += 1
    }

    /// Appends `e[start..<end]` to the open block (opening one when none is), up to the first event that
    /// starts a new block; returns that event's index, or `end`. The same bytes as `append` one by one,
    /// with the block's running values in registers: the loop over a trace in memory.
    func appendRun(_ e: UnsafePointer<TraceEvent>, from start: Int, to end: Int) -> Int {
        guard start < end, !startsNewBlock(e[start]) else { return start }
        if count == 0 { open(e[start]) }
        var i = start
        var used = self.used, count = self.count, nextStep = self.nextStep
        let layer = self.layer, phase = self.phase, out = bytes
        var previousAcc = state.previousAcc, meta = state.meta
        while i < end {
            let event = e + i
            if Self.cuts(before: event.pointee, count: count, nextStep: nextStep, layer: layer, phase: phase) { break }
            ct_prefetch(UnsafeRawPointer(event) + Self.prefetchDistance)
            used = encode(event.pointee, at: used, out, &previousAcc, &meta)
            nextStep = event.pointee.step &+ 1
            count += 1
            i += 1
        }
        self.used = used; self.count = count; self.nextStep = nextStep
        state.previousAcc = previousAcc; state.meta = meta
        return i
    }

    /// How far ahead of the event being encoded `appendRun` asks for memory, in bytes (a prefetch hint:
    /// the events of a trace in memory are read once, in order; reading past their end is harmless).
    static let prefetchDistance = 32 * MemoryLayout<TraceEvent>.stride

    /// Opens a block at `e`: a fresh prediction state.
    private func open(_ e: TraceEvent) {
        state.reset()
        firstStep = e.step; layer = e.layer; phase = e.phase
        nextStep = e.step
    }

    /// The open block's 32-byte block header: u32 payload bytes, u32 events, i64 first step, i64 layer,
    /// u8 phase, 7 zero bytes.
    func blockHeader() -> [UInt8] {
        var header: [UInt8] = []
        header.reserveCapacity(CompactTraceLayout.blockHeaderSize)
        BinaryWriter.appendLE(UInt32(used), to: &header)
        BinaryWriter.appendLE(UInt32(count), to: &header)
        BinaryWriter.appendLE(Int64(firstStep), to: &header)
        BinaryWriter.appendLE(Int64(layer), to: &header)
        header.append(phase.rawValue)
        header.append(contentsOf: [UInt8](repeating: 0, count: 7))
        return header
    }

    /// The open block's index entry (its file offset is given when it is written).
    var entry: CompactBlockEntry {
        CompactBlockEntry(firstStep: firstStep, layer: layer, count: count, phase: phase, bytes: used)
    }

    /// Appends the open block (its header, then its events) to `out`, closes it and returns its entry.
    func appendClosedBlock(to out: inout [UInt8]) -> CompactBlockEntry {
        let closed = entry
        out.append(contentsOf: blockHeader())
        out.append(contentsOf: UnsafeBufferPointer(start: bytes, count: used))
        close()
        return closed
    }

    /// Forgets the open block (after it was written); the next `append` opens a new one.
    func close() {
        used = 0
        count = 0
    }

    /// Encodes `e` at `out + start`; returns the end offset.
    @inline(__always)
    private func encode(_ e: TraceEvent, at start: Int, _ out: UnsafeMutablePointer<UInt8>,
                        _ previousAcc: inout UInt64, _ lastMeta: inout UInt8) -> Int {
        let s = state
        let kind = e.kind.rawValue, target = e.target.rawValue
        var p = out + start + 2
        var op: UInt16 = 0
        let slot = Int(kind) &* 4 &+ Int(target)
        let meta = CompactTraceLayout.meta(kind: kind, target: target, flags: e.flags.rawValue)
        if meta != lastMeta {
            op |= CompactTraceLayout.metaBit
            p.pointee = meta; p += 1
            lastMeta = meta
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
        // Values, in the order a, b, product, acc; the first rule that holds, in the documented order.
        let last = s.values + slot &* 4
        let ad = e.a, bd = e.b, productd = e.product
        let a = ad.bitPattern, b = bd.bitPattern, product = productd.bitPattern, acc = e.acc.bitPattern
        let one = (1.0).bitPattern
        var code: UInt16
        if a == 0 { code = 0 } else if a == last[0] { code = 1 } else if a == previousAcc { code = 5 }
        else if a == one { code = 7 } else { code = 8 }
        if code == 8 { (code, p) = putStored(a, p) }
        op |= code
        if b == 0 { code = 0 } else if b == last[1] { code = 1 } else if b == previousAcc { code = 5 }
        else if b == one { code = 7 } else { code = 8 }
        if code == 8 { (code, p) = putStored(b, p) }
        op |= code << 3
        if product == (ad * bd).bitPattern { code = 4 } else if product == 0 { code = 0 }
        else if product == b { code = 7 } else if product == last[2] { code = 1 }
        else if product == previousAcc { code = 5 } else { code = 8 }
        if code == 8 { (code, p) = putStored(product, p) }
        op |= code << 6
        if acc == (Double(bitPattern: previousAcc) + productd).bitPattern { code = 6 }
        else if acc == (0.0 + productd).bitPattern { code = 7 } else if acc == previousAcc { code = 5 }
        else if acc == 0 { code = 0 } else if acc == last[3] { code = 1 } else if acc == (ad * bd).bitPattern { code = 4 }
        else { code = 8 }
        if code == 8 { (code, p) = putStored(acc, p) }
        op |= code << 9
        last[0] = a; last[1] = b; last[2] = product; last[3] = acc
        previousAcc = acc
        let o = out + start
        o.pointee = UInt8(truncatingIfNeeded: op); o[1] = UInt8(truncatingIfNeeded: op >> 8)
        return p - out
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
}

/// A closed block's index entry, before its file offset is known.
struct CompactBlockEntry {
    var firstStep: Int, layer: Int, count: Int
    var phase: Phase
    /// Payload bytes (after the 32-byte block header).
    var bytes: Int

    /// u64 block offset, i64 first step, i64 layer, u32 events, u8 phase, 3 zero bytes.
    func appendIndexEntry(offset: Int, to index: inout [UInt8]) {
        BinaryWriter.appendLE(UInt64(offset), to: &index)
        BinaryWriter.appendLE(Int64(firstStep), to: &index)
        BinaryWriter.appendLE(Int64(layer), to: &index)
        BinaryWriter.appendLE(UInt32(count), to: &index)
        index.append(phase.rawValue)
        index.append(contentsOf: [0, 0, 0])
    }
}
