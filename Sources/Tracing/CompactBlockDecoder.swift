// Tracing — CompactBlockDecoder: turns the bytes of one version 2 block back into events.
import Engine

/// Decodes the events of one block of binary encoding version 2, keeping the same prediction state as
/// `CompactBlockEncoder`. Errors are messages; `TraceReader` adds the file and the place.
final class CompactBlockDecoder {
    private let state: CompactCodecState

    /// - Parameter valueCache: false when no block will be decoded (see `CompactCodecState.init`).
    init(valueCache: Bool = true) { state = CompactCodecState(valueCache: valueCache) }

    /// Whether blocks can be decoded (false for the placeholder of a reader of another encoding).
    var canDecode: Bool { state.cacheSize > 0 }
    /// The block's bytes still to decode.
    @exclusivity(unchecked) private(set) var cursor: UnsafePointer<UInt8>?
    @exclusivity(unchecked) private(set) var end: UnsafePointer<UInt8>?
    /// Events of the block still to decode.
    @exclusivity(unchecked) private(set) var remaining = 0
    @exclusivity(unchecked) private var step = 0
    @exclusivity(unchecked) private var layer = 0
    @exclusivity(unchecked) private var phase: Phase = .forward

    /// Starts a block: `count` events in `bytes`, the first at `firstStep`.
    func start(_ bytes: UnsafeBufferPointer<UInt8>, count: Int, firstStep: Int, layer: Int, phase: Phase) {
        precondition(canDecode, "a block decoder made without a value cache was started")
        cursor = bytes.baseAddress.map { UnsafePointer($0) }
        end = cursor.map { $0 + bytes.count }
        remaining = count
        step = firstStep
        self.layer = layer
        self.phase = phase
        state.reset()
    }

    /// Decodes a whole block into `out[0..<count]` and checks that its bytes end with its last event.
    /// - Throws: `CompactBlockFailure` naming the event that does not decode (or none, for bytes left over).
    func decodeBlock(_ bytes: UnsafeBufferPointer<UInt8>, count: Int, firstStep: Int, layer: Int, phase: Phase,
                     into out: UnsafeMutablePointer<TraceEvent>) throws(CompactBlockFailure) {
        start(bytes, count: count, firstStep: firstStep, layer: layer, phase: phase)
        let (decoded, failure) = decode(count, into: out)
        if let failure { throw CompactBlockFailure(event: decoded, message: failure.message) }
        if leftover != 0 { throw CompactBlockFailure(event: nil, message: "\(leftover) bytes after the block's last event") }
    }

    /// Forgets the current block (after the reader moved elsewhere in the file).
    func abandonBlock() { cursor = nil; end = nil; remaining = 0 }

    /// Bytes of the block left over after its last event (0 in a well-formed file).
    var leftover: Int { guard let cursor, let end else { return 0 }; return end - cursor }

    /// Decodes the next `min(n, remaining)` events of the block into `out`, with the block's running
    /// state in registers: how many were decoded, and why decoding stopped before that many (the bytes
    /// do not decode: cut short, unknown codes, a cache slot never filled). The events before a failure
    /// are right; the block cannot be decoded further after one.
    func decode(_ n: Int, into out: UnsafeMutablePointer<TraceEvent>) -> (count: Int, failure: CompactDecodeError?) {
        guard var p = cursor, let end else { return (0, n > 0 ? CompactDecodeError("the block has no more events") : nil) }
        let count = min(n, remaining)
        var run = CompactDecodeRun(state: state, meta: state.meta, previousAcc: state.previousAcc,
                                   step: step, layer: layer, phase: phase)
        var i = 0
        var failure: CompactDecodeError?
        do {
            // Far enough from the end that no event can run past it, no byte count is checked.
            while i < count && end - p >= CompactTraceLayout.maxEventSize {
                try run.decode(&p, end, into: out + i, checked: false)
                i += 1
            }
            while i < count {
                try run.decode(&p, end, into: out + i, checked: true)
                i += 1
            }
        } catch {
            failure = error
        }
        cursor = p
        remaining -= i
        step = run.step
        state.meta = run.meta
        state.previousAcc = run.previousAcc
        return (i, failure)
    }
}

/// The running state of `CompactBlockDecoder.decode` while it decodes a run of events: the values that
/// change with every event (in registers), and the prediction tables (in `state`).
private struct CompactDecodeRun {
    let state: CompactCodecState
    /// The last (kind, target, flags) byte, and what it says.
    var meta: UInt8 { didSet { describeMeta() } }
    var previousAcc: UInt64
    var step: Int
    let layer: Int
    let phase: Phase
    private(set) var kind: EventKind = .mac
    private(set) var target: GradTarget = .none
    private(set) var flags = EventFlags(rawValue: 0)
    /// kind · 4 + target.
    private(set) var slot = 0

    init(state: CompactCodecState, meta: UInt8, previousAcc: UInt64, step: Int, layer: Int, phase: Phase) {
        self.state = state; self.meta = meta; self.previousAcc = previousAcc
        self.step = step; self.layer = layer; self.phase = phase
        describeMeta()
    }

    /// Sets kind, target, flags and slot from `meta` (a meta byte is checked before it is stored).
    private mutating func describeMeta() {
        let kindRaw = CompactTraceLayout.kind(ofMeta: meta)
        kind = EventKind(rawValue: kindRaw) ?? .mac
        target = GradTarget(rawValue: (meta >> 3) & 0b11) ?? .none
        flags = EventFlags(rawValue: (meta >> 5) & 0b11)
        slot = Int(kindRaw) &* 4 &+ Int((meta >> 3) & 0b11)
    }

    /// Decodes the event at `p` into `e` (every field is set) and moves `p` past it; when `checked`, each
    /// read is first checked against `end` (the caller knows otherwise that a whole event fits).
    @inline(__always)
    mutating func decode(_ p: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>,
                         into e: UnsafeMutablePointer<TraceEvent>, checked: Bool) throws(CompactDecodeError) {
        @inline(__always) func need(_ n: Int) throws(CompactDecodeError) {
            if checked && end - p < n { throw CompactDecodeError("the block ends in the middle of an event") }
        }
        let s = state
        try need(2)
        let op = UInt16(p[0]) | UInt16(p[1]) << 8
        p += 2
        if op & (CompactTraceLayout.reservedBit | CompactTraceLayout.metaBit) != 0 {
            if op & CompactTraceLayout.reservedBit != 0 { throw CompactDecodeError("reserved bit 15 of the op word is set") }
            try need(1)
            let byte = p.pointee
            p += 1
            if EventKind(rawValue: CompactTraceLayout.kind(ofMeta: byte)) == nil {
                throw CompactDecodeError("unknown kind/target byte 0x\(String(byte, radix: 16))")
            }
            if byte != meta { meta = byte }
        }
        let slot = self.slot
        // Indices.
        let used = Int((op >> 12) & 0b11)
        let delta: SIMD16<Int32>
        if used == 3 {
            delta = try Self.spelledDelta(&p, end, checked: checked)
        } else {
            delta = s.deltas[slot &* 3 &+ used]
        }
        let components = s.indices[slot] &+ delta
        s.indices[slot] = components
        s.promote(slot: slot, used: used, delta)
        // Values.
        let last = s.values + slot &* 4
        @inline(__always) func stored(_ code: UInt16) throws(CompactDecodeError) -> UInt64 {
            if code == CompactTraceLayout.ValueCode.cached {
                try need(2)
                let cacheSlot = Int(p[0]) | Int(p[1]) << 8
                p += 2
                guard s.cacheIsStored(cacheSlot) else {
                    throw CompactDecodeError("cache slot \(cacheSlot) is used before a value was stored in it")
                }
                return s.cacheValues[cacheSlot]
            }
            try need(8)
            let bits = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
            p += 8
            s.cacheStore(bits)
            return bits
        }
        func invalid(_ code: UInt16, _ field: String) -> CompactDecodeError {
            CompactDecodeError("value code \(code) is not valid for \(field)")
        }
        var code = op & 0b111
        let a: UInt64
        switch code {
        case 0: a = 0
        case 1: a = last[0]
        case 2, 3: a = try stored(code)
        case 5: a = previousAcc
        case 7: a = (1.0).bitPattern
        default: throw invalid(code, "a")
        }
        code = (op >> 3) & 0b111
        let b: UInt64
        switch code {
        case 0: b = 0
        case 1: b = last[1]
        case 2, 3: b = try stored(code)
        case 5: b = previousAcc
        case 7: b = (1.0).bitPattern
        default: throw invalid(code, "b")
        }
        code = (op >> 6) & 0b111
        let product: UInt64
        switch code {
        case 0: product = 0
        case 1: product = last[2]
        case 2, 3: product = try stored(code)
        case 4: product = (Double(bitPattern: a) * Double(bitPattern: b)).bitPattern
        case 5: product = previousAcc
        case 7: product = b
        default: throw invalid(code, "product")
        }
        code = (op >> 9) & 0b111
        let acc: UInt64
        switch code {
        case 0: acc = 0
        case 1: acc = last[3]
        case 2, 3: acc = try stored(code)
        case 4: acc = (Double(bitPattern: a) * Double(bitPattern: b)).bitPattern
        case 5: acc = previousAcc
        case 6: acc = (Double(bitPattern: previousAcc) + Double(bitPattern: product)).bitPattern
        default: acc = (0.0 + Double(bitPattern: product)).bitPattern
        }
        last[0] = a; last[1] = b; last[2] = product; last[3] = acc
        previousAcc = acc
        e.pointee.step = step; e.pointee.phase = phase; e.pointee.layer = layer
        e.pointee.kind = kind; e.pointee.target = target; e.pointee.flags = flags
        e.pointee.output = Index4(Int(components[0]), Int(components[1]), Int(components[2]), Int(components[3]))
        e.pointee.input = Index4(Int(components[4]), Int(components[5]), Int(components[6]), Int(components[7]))
        e.pointee.padded = Index4(Int(components[8]), Int(components[9]), Int(components[10]), Int(components[11]))
        e.pointee.kernel = Index4(Int(components[12]), Int(components[13]), Int(components[14]), Int(components[15]))
        e.pointee.a = Double(bitPattern: a); e.pointee.b = Double(bitPattern: b)
        e.pointee.product = Double(bitPattern: product); e.pointee.acc = Double(bitPattern: acc)
        step &+= 1
    }

    /// An index delta spelled out (op's `used` is 3): a u16 mask of the components that change, then
    /// one zigzag varint per set bit. Rare (about one event in 300), so kept out of the loop.
    @inline(never)
    static func spelledDelta(_ p: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>,
                             checked: Bool) throws(CompactDecodeError) -> SIMD16<Int32> {
        @inline(__always) func need(_ n: Int) throws(CompactDecodeError) {
            if checked && end - p < n { throw CompactDecodeError("the block ends in the middle of an event") }
        }
        var delta = SIMD16<Int32>.zero
        try need(2)
        let mask = UInt16(p[0]) | UInt16(p[1]) << 8
        p += 2
        for c in 0..<16 where mask & (1 << UInt16(c)) != 0 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                try need(1)
                let byte = p.pointee
                p += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
                if shift > 28 { throw CompactDecodeError("an index varint is longer than 5 bytes") }
            }
            guard value <= UInt64(UInt32.max) else { throw CompactDecodeError("an index delta does not fit in 32 bits") }
            let z = UInt32(truncatingIfNeeded: value)
            delta[c] = Int32(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
        }
        return delta
    }
}

/// Why a version 2 block does not decode.
struct CompactDecodeError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Why a whole block does not decode: the event (counted from the block's first) or, for bytes left
/// over after the last event, none.
struct CompactBlockFailure: Error {
    let event: Int?
    let message: String
}
