// Tracing — CompactBlockHeader: the 32-byte header in front of every version 2 block, as read.
import Engine

/// A version 2 block header (layout in docs/trace-format.md): payload bytes, events, first step, layer,
/// phase. A header of 0 events is the end block, whose `firstStep` is the file's event count.
struct CompactBlockHeader {
    /// Bytes of events after the 32-byte header.
    let payload: Int
    /// Events in the block (0 for the end block).
    let count: Int
    let firstStep: Int
    let layer: Int
    let phaseByte: UInt8

    /// Reads the header at `raw` (`CompactTraceLayout.blockHeaderSize` bytes must be there).
    @inline(__always)
    init(_ raw: UnsafeRawPointer) {
        payload = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        count = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        firstStep = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: Int64.self)))
        layer = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: Int64.self)))
        phaseByte = raw.load(fromByteOffset: 24, as: UInt8.self)
    }

    var isEnd: Bool { count == 0 }

    /// The block's phase, or nil for a byte that names none.
    var phase: Phase? { Phase(rawValue: phaseByte) }

    /// Why the header of a block with events cannot be right (an unknown phase, more events or bytes
    /// than any writer puts in a block), or nil when it is plausible.
    var problem: String? {
        if phase == nil {
            return "corrupted block header: unknown phase byte \(phaseByte) (valid 0 forward, 1 backward, 2 update)"
        }
        if count > CompactTraceLayout.blockEvents * 16 || payload > count * CompactTraceLayout.maxEventSize {
            return "corrupted block header: \(count) events in \(payload) bytes is implausible"
        }
        return nil
    }
}
