// Tracing — CompactTraceLayout: the constants of binary encoding version 2 (layout in docs/trace-format.md).
import Engine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Constants of the compact binary encoding (version 2): blocks of predicted, variable-length events.
///
/// File: the 24-byte preamble of version 1 with version 2 and, in bytes 12–15, the most events a block
/// holds; the header JSON; blocks (a 32-byte block header, then the events); an end block (a block header
/// with 0 events whose step field is the event count); the index (one 32-byte entry per block); a 24-byte
/// trailer (index offset, entry count, `indexMagic`). Every block starts from a fresh prediction state, so
/// a reader can start decoding at any block.
public enum CompactTraceLayout {
    /// The binary encoding version in bytes 8–11 of the preamble.
    public static let version: UInt32 = 2
    /// Most events in one block (the writer also starts a block when the phase or layer changes).
    public static let blockEvents = 8192
    /// u32 payload bytes, u32 events, i64 first step, i64 layer, u8 phase, 7 zero bytes.
    public static let blockHeaderSize = 32
    /// u64 block offset, i64 first step, i64 layer, u32 events, u8 phase, 3 zero bytes.
    public static let indexEntrySize = 32
    /// u64 index offset, u64 entry count, then `indexMagic`.
    public static let trailerSize = 24
    /// The last 8 bytes of a version 2 file.
    public static let indexMagic: [UInt8] = Array("CTBINDEX".utf8)
    /// Most bytes one event can take: op (2), meta (1), mask (2), 16 varints (10 each), 4 raw values (8 each).
    public static let maxEventSize = 2 + 1 + 2 + 16 * 10 + 4 * 8
    /// log2 of the number of value-cache slots.
    static let cacheBits = 16

    // Op word bits.
    static let metaBit: UInt16 = 1 << 14
    static let reservedBit: UInt16 = 1 << 15

    /// Value codes (3 bits per field; fields decoded in the order a, b, product, acc).
    enum ValueCode {
        static let zero: UInt16 = 0       // +0.0
        static let same: UInt16 = 1       // this field of the previous event of the same kind and target
        static let cached: UInt16 = 2     // u16 slot of the value cache
        static let raw: UInt16 = 3        // u64 bit pattern; stored into the cache
        static let aTimesB: UInt16 = 4    // a · b (product and acc only)
        static let previousAcc: UInt16 = 5  // acc of the event just before (any kind)
        static let accPlusProduct: UInt16 = 6  // previous acc + product (acc only)
        static let special: UInt16 = 7    // a, b: 1.0; product: b; acc: 0.0 + product
    }

    /// The meta byte of an event: bits 0–2 the low three bits of the kind, 3–4 the target, 5–6 the flags
    /// (padding, selected), bit 7 the kind's fourth bit, so kinds 0–15 fit.
    @inline(__always)
    static func meta(kind: UInt8, target: UInt8, flags: UInt8) -> UInt8 {
        (kind & 0b111) | (target & 0b11) << 3 | (flags & 0b11) << 5 | (kind >> 3 & 1) << 7
    }

    /// The kind's raw value (0–15) in a meta byte.
    @inline(__always)
    static func kind(ofMeta meta: UInt8) -> UInt8 { (meta & 0b111) | (meta >> 7) << 3 }

    /// The cache slot of a bit pattern.
    @inline(__always)
    static func cacheSlot(_ bits: UInt64) -> Int { Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - cacheBits)) }
}

/// The prediction state writer and reader keep in step: reset at every block.
///
/// Slots are (kind, target) pairs, kind·4 + target (kinds 0–15). Per slot: the last indices (16 components), the three
/// most recently used index deltas (wrapping 32-bit differences), and the last a, b, product, acc. Plus the acc of the event just before,
/// the last (kind, target, flags) byte, and a direct-mapped cache of values seen raw in this block
/// (which slots hold a value of this block is one bit each in an 8 KB bitmap, cleared at a reset).
final class CompactCodecState {
    static let slots = 64  // 16 kinds × 4 targets
    let indices: UnsafeMutablePointer<SIMD16<Int32>>  // one per slot
    let deltas: UnsafeMutablePointer<SIMD16<Int32>>   // three per slot, most recent first
    let values: UnsafeMutablePointer<UInt64>           // slots × 4
    /// The value cache's bits, one UInt64 per slot (512 KB); read only where `occupied` says so.
    let cacheValues: UnsafeMutablePointer<UInt64>
    /// One bit per cache slot: stored in this block. Small enough to stay in the L1 cache, so a lookup
    /// costs at most one miss (the value), and a reset clears 8 KB instead of the whole cache.
    let occupied: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) var previousAcc: UInt64 = 0
    @exclusivity(unchecked) var meta: UInt8 = 0

    /// Slots in the value cache: 2^16, or 0 for a state that never decodes (a reader of another encoding).
    let cacheSize: Int
    private let occupiedWords: Int

    /// - Parameter valueCache: false for a reader of JSON Lines or version 1, which never starts a block:
    ///   it saves the cache's 0.5 MB.
    init(valueCache: Bool = true) {
        let cacheSize = valueCache ? 1 << CompactTraceLayout.cacheBits : 0
        self.cacheSize = cacheSize
        occupiedWords = max(cacheSize / 64, 1)
        indices = .allocate(capacity: Self.slots)
        deltas = .allocate(capacity: Self.slots * 3)
        values = .allocate(capacity: Self.slots * 4)
        // calloc: the kernel's zero pages, touched only where a block stores a value (a seek decodes one block).
        guard let zeroed = calloc(max(cacheSize, 1), MemoryLayout<UInt64>.stride) else {
            fatalError("cannot allocate the \(cacheSize * MemoryLayout<UInt64>.stride)-byte value cache of a version 2 trace")
        }
        cacheValues = zeroed.bindMemory(to: UInt64.self, capacity: max(cacheSize, 1))
        occupied = .allocate(capacity: occupiedWords)
        occupied.initialize(repeating: 0, count: occupiedWords)
        indices.initialize(repeating: .zero, count: Self.slots)
        deltas.initialize(repeating: .zero, count: Self.slots * 3)
        reset()
    }

    deinit {
        indices.deallocate(); deltas.deallocate(); values.deallocate(); occupied.deallocate()
        free(cacheValues)
    }

    /// The state at the start of a block: all indices, deltas and values zero, meta 0 (mac, none, no flags),
    /// an empty cache.
    func reset() {
        indices.update(repeating: .zero, count: Self.slots)
        deltas.update(repeating: .zero, count: Self.slots * 3)
        values.initialize(repeating: 0, count: Self.slots * 4)
        previousAcc = 0
        meta = 0
        occupied.update(repeating: 0, count: occupiedWords)
    }

    /// Whether a value of this block is stored in cache slot `slot`.
    @inline(__always)
    func cacheIsStored(_ slot: Int) -> Bool {
        occupied[slot &>> 6] & (1 &<< UInt64(slot & 63)) != 0
    }

    /// Whether the cache holds `bits` in its slot.
    @inline(__always)
    func cacheHolds(_ bits: UInt64, _ slot: Int) -> Bool {
        cacheIsStored(slot) && cacheValues[slot] == bits
    }

    @inline(__always)
    func cacheStore(_ bits: UInt64, _ slot: Int) {
        cacheValues[slot] = bits
        occupied[slot &>> 6] |= 1 &<< UInt64(slot & 63)
    }

    @inline(__always)
    func cacheStore(_ bits: UInt64) {
        cacheStore(bits, CompactTraceLayout.cacheSlot(bits))
    }

    /// Which of `slot`'s three recent deltas equals `delta` (0–2), or 3.
    @inline(__always)
    func recentDelta(slot: Int, _ delta: SIMD16<Int32>) -> Int {
        let d = deltas + slot &* 3
        if Self.same(d[0], delta) { return 0 }
        if Self.same(d[1], delta) { return 1 }
        if Self.same(d[2], delta) { return 2 }
        return 3
    }

    /// Whether two index vectors are equal: their difference bits folded into one word (the standard
    /// library's `all(a .== b)` was left as a call, an eighth of the writer's time).
    @inline(__always)
    static func same(_ a: SIMD16<Int32>, _ b: SIMD16<Int32>) -> Bool {
        let x = a ^ b
        let y = x.lowHalf | x.highHalf
        let z = y.lowHalf | y.highHalf
        let w = z.lowHalf | z.highHalf
        return w[0] | w[1] == 0
    }

    /// Makes delta `used` (0–2, or 3 for the new `delta`) of `slot` the most recent.
    @inline(__always)
    func promote(slot: Int, used: Int, _ delta: SIMD16<Int32>) {
        let d = deltas + slot &* 3
        switch used {
        case 0: return
        case 1: let t = d[1]; d[1] = d[0]; d[0] = t
        case 2: let t = d[2]; d[2] = d[1]; d[1] = d[0]; d[0] = t
        default: d[2] = d[1]; d[1] = d[0]; d[0] = delta
        }
    }
}

extension TraceEvent {
    /// The 16 index components in encoding order: output, input, padded, kernel (each n, c, h, w).
    @inline(__always)
    var indexComponents: SIMD16<Int32> {
        SIMD16(output.n, output.c, output.h, output.w, input.n, input.c, input.h, input.w,
               padded.n, padded.c, padded.h, padded.w, kernel.n, kernel.c, kernel.h, kernel.w)
    }
}
