// JSONText — JSONTextBuffer: the growable byte buffer JSON text is serialized into, remembering formatted numbers.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of one serialization, in a buffer that grows by `realloc`, and the text of the doubles
/// written recently (a direct-mapped cache of 512 values), so a value that comes again is copied, not
/// formatted again. A trace header holds every weight twice (in the spec and in the layers) and lesson
/// weights repeat; appending to an `[UInt8]` and formatting every number took 6–9 ms for LeNet-5's
/// 0.7 MB header, most of a trace's writing time at the header's end.
///
/// Used by `JSONValue.serializedBytes` only; one serialization at a time.
final class JSONTextBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int
    /// Cache entry i: the double's bits, the length of its text and the text (at most 32 bytes).
    private let cachedBits: UnsafeMutablePointer<UInt64>
    private let cachedLength: UnsafeMutablePointer<UInt8>
    private let cachedText: UnsafeMutablePointer<UInt8>
    private static let cacheEntries = 512
    /// No finite double has these bits (a NaN), so an empty entry never matches.
    private static let emptyEntry: UInt64 = 0x7FF8_0000_DEAD_BEEF

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 64)
        guard let memory = malloc(self.capacity) else { fatalError("cannot allocate \(capacity) bytes for JSON text") }
        base = memory.assumingMemoryBound(to: UInt8.self)
        cachedBits = .allocate(capacity: Self.cacheEntries)
        cachedBits.initialize(repeating: Self.emptyEntry, count: Self.cacheEntries)
        cachedLength = .allocate(capacity: Self.cacheEntries)
        cachedLength.initialize(repeating: 0, count: Self.cacheEntries)
        cachedText = .allocate(capacity: Self.cacheEntries * NumberText.maxDoubleLength)
    }

    deinit {
        free(base)
        cachedBits.deallocate(); cachedLength.deallocate(); cachedText.deallocate()
    }

    /// Makes room for `n` more bytes (the buffer at least doubles, so appends are amortized O(1)).
    @inline(__always)
    func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private func grow(_ needed: Int) {
        var size = capacity
        while size < needed { size *= 2 }
        guard let memory = realloc(base, size) else { fatalError("cannot grow JSON text to \(size) bytes") }
        base = memory.assumingMemoryBound(to: UInt8.self)
        capacity = size
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `value` as `NumberText` writes it (non-finite values as the quoted strings).
    func appendDouble(_ value: Double) {
        guard value.isFinite else {
            append(value.isNaN ? "\"NaN\"" : value > 0 ? "\"Infinity\"" : "\"-Infinity\"")
            return
        }
        let bits = value.bitPattern
        let entry = Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> 55)  // 9 bits: 512 entries
        let text = cachedText + entry * NumberText.maxDoubleLength
        reserve(NumberText.maxDoubleLength)
        if cachedBits[entry] == bits {
            let length = Int(cachedLength[entry])
            copySmall(base + count, text, length)
            count += length
            return
        }
        let length = NumberText.writeDouble(value, to: base + count)
        copySmall(text, base + count, length)
        cachedBits[entry] = bits
        cachedLength[entry] = UInt8(length)
        count += length
    }

    /// The bytes written, as an array.
    func bytes() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
