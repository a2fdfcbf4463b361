// TracingTests — CompactBinaryWriter: batches on two cores give the file event-by-event recording gives.
import Engine
import JSONText
import Testing
@testable import Tracing

@Suite("Version 2 writer: batches, block cuts, the header on its own queue")
struct CompactWriterTests {
    /// `count` events in runs of random length (some longer than a block, across step multiples of
    /// 8192), with layer and phase changes, step gaps, every kind and target, values that repeat
    /// (cached), that follow the accumulation rules, and that are new.
    static func events(_ count: Int, seed: UInt64) -> [TraceEvent] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        let pool = (0..<40).map { Double($0 - 20) / 8 }
        var out: [TraceEvent] = []
        out.reserveCapacity(count)
        var step = 0, layer = 0, phase = Phase.forward, acc = 0.0
        while out.count < count {
            let run = [3, 40, 700, 9000, 20000][next(5)] + next(50)
            let kind = EventKind.allCases[next(EventKind.allCases.count)]
            let target = GradTarget(rawValue: UInt8(next(4))) ?? .none
            for i in 0..<min(run, count - out.count) {
                let a = next(4) == 0 ? Double(next(1_000_000)) / 7 : pool[next(pool.count)]
                let b = pool[next(pool.count)]
                let product = next(10) == 0 ? Double(next(100)) : a * b
                acc = next(20) == 0 ? 0 : acc + product
                out.append(TraceEvent(step: step, phase: phase, layer: layer, kind: kind, target: target,
                                      flags: EventFlags(rawValue: UInt8(next(4))),
                                      output: Index4(0, i / 100 % 7, i / 10 % 10, i % 10), input: Index4(0, next(3), i % 12, i % 5),
                                      padded: Index4(0, 1, i % 12 + 1, i % 5 + 1), kernel: Index4(next(2), 0, i % 3, i % 3),
                                      a: a, b: b, product: product, acc: acc))
                step += 1
            }
            switch next(4) {
            case 0: layer += 1
            case 1: phase = phase == .forward ? .backward : .forward
            case 2: step += 1 + next(3)  // a gap
            default: break
            }
        }
        return out
    }

    /// Writes `events` to `path`, handing them over in the pieces `split` gives (sizes; 1 means event by event).
    static func write(_ events: [TraceEvent], to path: String, header: JSONValue, pieces: [Int]) throws {
        let writer = try CompactBinaryWriter(path: path, headerJSON: header)
        var start = 0
        for size in pieces where start < events.count {
            let end = min(events.count, start + size)
            if size == 1 {
                writer.record(events[start])
            } else {
                events.withUnsafeBufferPointer { writer.record(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<end])) }
            }
            start = end
        }
        events.withUnsafeBufferPointer { writer.record(contentsOf: UnsafeBufferPointer(rebasing: $0[start...])) }
        #expect(writer.eventCount == events.count)
        try writer.finish()
    }

    @Test("one batch, many batches and event by event write the same bytes, which read back bit for bit")
    func batchesMatchEventByEvent() throws {
        let dir = Fixtures.folder()
        defer { Fixtures.remove(dir) }
        let events = Self.events(150_000, seed: 7)
        let header = Fixtures.convHeader.toJSON()
        try Self.write(events, to: dir + "/single.ctb", header: header, pieces: Array(repeating: 1, count: events.count))
        try Self.write(events, to: dir + "/batch.ctb", header: header, pieces: [])
        // Batches large enough to be split between the two threads, small ones, and single events between them.
        try Self.write(events, to: dir + "/mixed.ctb", header: header, pieces: [1, 1, 40_000, 5, 1, 70_001, 3, 1, 33_000])
        let single = Fixtures.readBytes(dir + "/single.ctb")
        #expect(single.count > 100_000)
        // Compared as one flag: a failing expectation would print megabytes of bytes.
        let batchSame = Fixtures.readBytes(dir + "/batch.ctb") == single
        let mixedSame = Fixtures.readBytes(dir + "/mixed.ctb") == single
        #expect(batchSame, "one batch wrote other bytes than event by event")
        #expect(mixedSame, "mixed batches wrote other bytes than event by event")
        let (_, back) = try Fixtures.readAll(dir + "/batch.ctb")
        #expect(sameBits(back, events))
    }

    @Test("blocks are cut where the layer or phase changes, a step is skipped, or the step is a multiple of 8192")
    func blockCuts() throws {
        let dir = Fixtures.folder()
        defer { Fixtures.remove(dir) }
        let events = Self.events(120_000, seed: 11)
        try Self.write(events, to: dir + "/t.ctb", header: Fixtures.convHeader.toJSON(), pieces: [])
        let blocks = try #require(try TraceReader(path: dir + "/t.ctb").blocks())
        // The expected cuts, from the events alone.
        var expected: [Int] = [0]
        for i in 1..<events.count where events[i].step % CompactTraceLayout.blockEvents == 0
            || events[i].step != events[i - 1].step + 1 || events[i].layer != events[i - 1].layer
            || events[i].phase != events[i - 1].phase {
            expected.append(i)
        }
        var starts: [Int] = []
        var index = 0
        for block in blocks {
            starts.append(index)
            #expect(block.count <= CompactTraceLayout.blockEvents)
            #expect(block.firstStep == events[index].step && block.layer == events[index].layer && block.phase == events[index].phase)
            index += block.count
        }
        #expect(index == events.count)
        #expect(starts == expected)
        #expect(blocks.count > 20)
    }

    @Test("a header of 2 MB, serialized on its own queue while blocks arrive, comes out whole and first in both paths")
    func largeHeader() throws {
        let dir = Fixtures.folder()
        defer { Fixtures.remove(dir) }
        let big = JSONValue.array((0..<150_000).map { .number(Double($0) / 3) })
        guard case .object(let pairs) = Fixtures.convHeader.toJSON() else { Issue.record("the header is not an object"); return }
        let header = JSONValue.object(pairs + [("notes", big)])
        let events = Self.events(100_000, seed: 3)
        try Self.write(events, to: dir + "/batch.ctb", header: header, pieces: [])
        try Self.write(events, to: dir + "/single.ctb", header: header, pieces: Array(repeating: 1, count: events.count))
        let same = Fixtures.readBytes(dir + "/batch.ctb") == Fixtures.readBytes(dir + "/single.ctb")
        #expect(same, "the batch wrote other bytes than event by event")
        let reader = try TraceReader(path: dir + "/batch.ctb")
        #expect(reader.headerJSON == header)
        var back: [TraceEvent] = []
        while let e = try reader.next() { back.append(e) }
        #expect(sameBits(back, events))
    }

    @Test("an empty batch and a writer finished without events give a valid empty trace")
    func empty() throws {
        let dir = Fixtures.folder()
        defer { Fixtures.remove(dir) }
        try Self.write([], to: dir + "/empty.ctb", header: Fixtures.convHeader.toJSON(), pieces: [])
        let (_, back) = try Fixtures.readAll(dir + "/empty.ctb")
        #expect(back.isEmpty)
    }
}
