// Tracing — JSONLEventEncoder: one event → one JSON Lines line, hand-formatted into a byte buffer.
import Engine
import JSONText

/// Formats events as JSON Lines text without allocating per event.
///
/// Line form (fields always in this order; `target`, `padding`, `selected` only when set):
/// `{"step":0,"phase":"forward","layer":0,"kind":"mac","out":[0,0,0,0],"in":[0,0,0,0],"padded":[0,0,1,1],"k":[0,0,0,0],"a":1,"b":0.5,"product":0.5,"acc":0.5}`
struct JSONLEventEncoder: ~Copyable {
    /// Upper bound on the bytes of one line, newline included.
    static let maxLineLength = 768

    /// Direct-mapped cache of formatted doubles: operands (inputs, weights) repeat a lot.
    private let cache: UnsafeMutableRawPointer
    private static let cacheSlots = 4096
    private static let slotSize = 40  // 8 bytes key, 1 byte length, 31 bytes text

    /// 100 two-byte entries, the ASCII digits of 0...99 (below 10: the digit, then a comma that the
    /// separator written next replaces), so a small index component is one 2-byte store.
    private let smallDigits: UnsafeMutableRawPointer

    init() {
        cache = .allocate(byteCount: JSONLEventEncoder.cacheSlots * JSONLEventEncoder.slotSize, alignment: 8)
        // A length byte of 0 marks an empty slot.
        cache.initializeMemory(as: UInt8.self, repeating: 0, count: JSONLEventEncoder.cacheSlots * JSONLEventEncoder.slotSize)
        smallDigits = .allocate(byteCount: 200, alignment: 2)
        for v in 0..<100 {
            let first: UInt8 = v < 10 ? 48 + UInt8(v) : 48 + UInt8(v / 10)
            let second: UInt8 = v < 10 ? 44 : 48 + UInt8(v % 10)
            smallDigits.storeBytes(of: first, toByteOffset: 2 * v, as: UInt8.self)
            smallDigits.storeBytes(of: second, toByteOffset: 2 * v + 1, as: UInt8.self)
        }
    }

    deinit {
        cache.deallocate()
        smallDigits.deallocate()
    }

    @inline(__always)
    private static func put(_ s: StaticString, _ p: UnsafeMutablePointer<UInt8>, _ n: inout Int) {
        copySmall(p + n, s.utf8Start, s.utf8CodeUnitCount)
        n += s.utf8CodeUnitCount
    }

    /// Writes one index component; 0...99 (nearly all of them) without a branch on the digit count.
    /// May write one byte past the digits; the caller's separator, written next, replaces it.
    @inline(__always)
    private func putComponent(_ v: Int32, _ p: UnsafeMutablePointer<UInt8>, _ n: inout Int) {
        if UInt32(bitPattern: v) < 100 {
            let pair = smallDigits.load(fromByteOffset: 2 * Int(v), as: UInt16.self)
            UnsafeMutableRawPointer(p + n).storeBytes(of: pair, as: UInt16.self)
            n += 1 &+ Int(truncatingIfNeeded: (UInt32(bitPattern: v) &+ 246) >> 8)  // +1 when v ≥ 10
        } else {
            n += NumberText.writeInt(Int(v), to: p + n)
        }
    }

    @inline(__always)
    private func putIndex(_ i: Index4, _ p: UnsafeMutablePointer<UInt8>, _ n: inout Int) {
        p[n] = 91; n += 1
        putComponent(i.n, p, &n); p[n] = 44; n += 1
        putComponent(i.c, p, &n); p[n] = 44; n += 1
        putComponent(i.h, p, &n); p[n] = 44; n += 1
        putComponent(i.w, p, &n); p[n] = 93; n += 1
    }

    /// Writes `d`. `cached`: look it up in (and add it to) the cache of formatted values — worth it for the
    /// operands a and b, which repeat, not for products and sums, which rarely do (a lookup that misses
    /// costs a cache-line fetch and a store for nothing; measured: about 10 % of the encoder's time).
    @inline(__always)
    private func putDouble(_ d: Double, _ p: UnsafeMutablePointer<UInt8>, _ n: inout Int, cached: Bool) {
        if !d.isFinite {
            if d.isNaN { JSONLEventEncoder.put("\"NaN\"", p, &n) } else if d > 0 { JSONLEventEncoder.put("\"Infinity\"", p, &n) } else { JSONLEventEncoder.put("\"-Infinity\"", p, &n) }
            return
        }
        if !cached || (d.rounded(.towardZero) == d && d.magnitude < 9_007_199_254_740_992) {
            n += NumberText.writeDouble(d, to: p + n)
            return
        }
        let bits = d.bitPattern
        let slot = cache + Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> 52) * JSONLEventEncoder.slotSize
        let length = Int(slot.load(fromByteOffset: 8, as: UInt8.self))
        if length != 0 && slot.load(as: UInt64.self) == bits {
            copySmall(p + n, (slot + 9).assumingMemoryBound(to: UInt8.self), length)
            n += length
            return
        }
        let written = NumberText.writeDouble(d, to: p + n)
        if written <= 31 {
            slot.storeBytes(of: bits, as: UInt64.self)
            slot.storeBytes(of: UInt8(written), toByteOffset: 8, as: UInt8.self)
            copySmall((slot + 9).assumingMemoryBound(to: UInt8.self), p + n, written)
        }
        n += written
    }

    /// Writes `event` as one line (with the newline) at `p`; returns the byte count (≤ `maxLineLength`).
    func encode(_ e: TraceEvent, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        Self.put("{\"step\":", p, &n)
        n += NumberText.writeInt(e.step, to: p + n)
        switch e.phase {
        case .forward: Self.put(",\"phase\":\"forward\",\"layer\":", p, &n)
        case .backward: Self.put(",\"phase\":\"backward\",\"layer\":", p, &n)
        case .update: Self.put(",\"phase\":\"update\",\"layer\":", p, &n)
        }
        n += NumberText.writeInt(e.layer, to: p + n)
        switch e.kind {
        case .mac: Self.put(",\"kind\":\"mac\"", p, &n)
        case .bias: Self.put(",\"kind\":\"bias\"", p, &n)
        case .output: Self.put(",\"kind\":\"output\"", p, &n)
        case .pool: Self.put(",\"kind\":\"pool\"", p, &n)
        case .activation: Self.put(",\"kind\":\"activation\"", p, &n)
        case .grad: Self.put(",\"kind\":\"grad\"", p, &n)
        case .loss: Self.put(",\"kind\":\"loss\"", p, &n)
        case .norm: Self.put(",\"kind\":\"norm\"", p, &n)
        case .update: Self.put(",\"kind\":\"update\"", p, &n)
        case .add: Self.put(",\"kind\":\"add\"", p, &n)
        }
        switch e.target {
        case .none: break
        case .input: Self.put(",\"target\":\"input\"", p, &n)
        case .kernel: Self.put(",\"target\":\"kernel\"", p, &n)
        case .bias: Self.put(",\"target\":\"bias\"", p, &n)
        }
        if e.flags.contains(.padding) { Self.put(",\"padding\":true", p, &n) }
        if e.flags.contains(.selected) { Self.put(",\"selected\":true", p, &n) }
        Self.put(",\"out\":", p, &n); putIndex(e.output, p, &n)
        Self.put(",\"in\":", p, &n); putIndex(e.input, p, &n)
        Self.put(",\"padded\":", p, &n); putIndex(e.padded, p, &n)
        Self.put(",\"k\":", p, &n); putIndex(e.kernel, p, &n)
        Self.put(",\"a\":", p, &n); putDouble(e.a, p, &n, cached: true)
        Self.put(",\"b\":", p, &n); putDouble(e.b, p, &n, cached: true)
        Self.put(",\"product\":", p, &n); putDouble(e.product, p, &n, cached: false)
        Self.put(",\"acc\":", p, &n); putDouble(e.acc, p, &n, cached: false)
        Self.put("}\n", p, &n)
        return n
    }

    /// The end line: `{"end":true,"events":N}` and a newline.
    static func endLine(events: Int) -> [UInt8] {
        Array("{\"end\":true,\"events\":\(events)}\n".utf8)
    }
}
