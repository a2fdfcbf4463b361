// TracingTests — the v2 meta byte: every kind 0–15, target and flag pair survives packing, and a meta byte
// naming a kind this reader does not know is refused (so new kinds need no new version).
import Engine
import Testing
@testable import Tracing

@Suite("Compact meta byte")
struct CompactMetaTests {
    @Test("kinds 0–15, targets and flags pack into one byte and unpack unchanged, each to a distinct byte")
    func packing() {
        var seen = Set<UInt8>()
        for kind in UInt8(0)..<16 {
            for target in UInt8(0)..<4 {
                for flags in UInt8(0)..<4 {
                    let meta = CompactTraceLayout.meta(kind: kind, target: target, flags: flags)
                    #expect(CompactTraceLayout.kind(ofMeta: meta) == kind)
                    #expect((meta >> 3) & 0b11 == target)
                    #expect((meta >> 5) & 0b11 == flags)
                    seen.insert(meta)
                }
            }
        }
        #expect(seen.count == 256)
    }

    @Test("the bytes of today's kinds are those of the previous layout (bit 7 clear), so old files read unchanged")
    func compatible() {
        for kind in EventKind.allCases where kind.rawValue < 8 {
            let meta = CompactTraceLayout.meta(kind: kind.rawValue, target: 2, flags: 1)
            #expect(meta == kind.rawValue | 2 << 3 | 1 << 5)
        }
    }
}
