// Tracing — CompactTraceLayout: the constants of binary encoding version 2 (layout in docs/trace-format.md).
import Engine

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

    /// The cache slot of a bit pattern.
    @inline(__always)
    static func cacheSlot(_ bits: UInt64) -> Int { Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - cacheBits)) }
}

/// The prediction state writer and reader keep in step: reset at every block.
///
/// Slots are (kind, target) pairs, kind·4 + target. Per slot: the last indices (16 components), the three
/// most recently used index deltas, and the last a, b, product, acc. Plus the acc of the event just before,
/// the last (kind, target, flags) byte, and a direct-mapped cache of values seen raw in this block
/// (entries of older blocks are told apart by a generation number, so a reset costs no clearing).
final class CompactCodecState {
    static let slots = 32
    let indices: UnsafeMutablePointer<Int32>      // slots × 16
    let deltas: UnsafeMutablePointer<Int64>       // slots × 3 × 16
    let values: UnsafeMutablePointer<UInt64>      // slots × 4
    let cacheValues: UnsafeMutablePointer<UInt64>
    let cacheGenerations: UnsafeMutablePointer<UInt32>
    var generation: UInt32 = 0
    var previousAcc: UInt64 = 0
    var meta: UInt8 = 0

    init() {
        let cacheSize = 1 << CompactTraceLayout.cacheBits
        indices = .allocate(capacity: Self.slots * 16)
        deltas = .allocate(capacity: Self.slots * 48)
        values = .allocate(capacity: Self.slots * 4)
        cacheValues = .allocate(capacity: cacheSize)
        cacheGenerations = .allocate(capacity: cacheSize)
        cacheValues.initialize(repeating: 0, count: cacheSize)
        cacheGenerations.initialize(repeating: 0, count: cacheSize)
        reset()
    }

    deinit {
        indices.deallocate(); deltas.deallocate(); values.deallocate()
        cacheValues.deallocate(); cacheGenerations.deallocate()
    }

    /// The state at the start of a block: all indices, deltas and values zero, meta 0 (mac, none, no flags),
    /// an empty cache.
    func reset() {
        indices.initialize(repeating: 0, count: Self.slots * 16)
        deltas.initialize(repeating: 0, count: Self.slots * 48)
        values.initialize(repeating: 0, count: Self.slots * 4)
        previousAcc = 0
        meta = 0
        generation &+= 1
        if generation == 0 {
            cacheGenerations.update(repeating: 0, count: 1 << CompactTraceLayout.cacheBits)
            generation = 1
        }
    }

    /// Whether the cache holds `bits` in its slot.
    @inline(__always)
    func cacheHolds(_ bits: UInt64, _ slot: Int) -> Bool {
        cacheGenerations[slot] == generation && cacheValues[slot] == bits
    }

    @inline(__always)
    func cacheStore(_ bits: UInt64) {
        let slot = CompactTraceLayout.cacheSlot(bits)
        cacheValues[slot] = bits
        cacheGenerations[slot] = generation
    }

    /// Makes delta `used` (0–2, or 3 for the new delta in `fresh`) of `slot` the most recent.
    @inline(__always)
    func promote(slot: Int, used: Int, fresh: UnsafePointer<Int64>) {
        let d = deltas + slot * 48
        switch used {
        case 0: return
        case 1:
            for c in 0..<16 { let t = d[16 + c]; d[16 + c] = d[c]; d[c] = t }
        case 2:
            for c in 0..<16 { let t = d[32 + c]; d[32 + c] = d[16 + c]; d[16 + c] = d[c]; d[c] = t }
        default:
            for c in 0..<16 { d[32 + c] = d[16 + c]; d[16 + c] = d[c]; d[c] = fresh[c] }
        }
    }
}

extension TraceEvent {
    /// The 16 index components in encoding order: output, input, padded, kernel (each n, c, h, w).
    @inline(__always)
    func indexComponents(into p: UnsafeMutablePointer<Int32>) {
        p[0] = output.n; p[1] = output.c; p[2] = output.h; p[3] = output.w
        p[4] = input.n; p[5] = input.c; p[6] = input.h; p[7] = input.w
        p[8] = padded.n; p[9] = padded.c; p[10] = padded.h; p[11] = padded.w
        p[12] = kernel.n; p[13] = kernel.c; p[14] = kernel.h; p[15] = kernel.w
    }
}
