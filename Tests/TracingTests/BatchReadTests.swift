// TracingTests — TraceReader.read(into:): whole version 2 blocks on two cores give what next() gives.
import Engine
import JSONText
import Testing
@testable import Tracing

@Suite("Batch reading: read(into:) against next(), events, positions and errors")
struct BatchReadTests {
    /// Reads `path` to the end with `read(into:)` in batches of `size`, or the message of its error.
    static func readInBatches(_ path: String, size: Int) -> Result<[TraceEvent], TraceError> {
        do {
            let reader = try TraceReader(path: path)
            var batch = [TraceEvent](repeating: TraceEvent(kind: .mac), count: size)
            var out: [TraceEvent] = []
            while case let n = try batch.withUnsafeMutableBufferPointer({ try reader.read(into: $0) }), n > 0 {
                out.append(contentsOf: batch[0..<n])
            }
            #expect(reader.isFinished && reader.eventsRead == out.count)
            return .success(out)
        } catch let e as TraceError {
            return .failure(e)
        } catch {
            return .failure(TraceError(file: path, message: "unexpected \(error)"))
        }
    }

    /// Reads `path` to the end with `next()`: the events, or the error.
    static func readOneByOne(_ path: String) -> Result<[TraceEvent], TraceError> {
        do {
            return .success(try Fixtures.readAll(path).1)
        } catch let e as TraceError {
            return .failure(e)
        } catch {
            return .failure(TraceError(file: path, message: "unexpected \(error)"))
        }
    }

    @Test("every encoding, batches of 1 to 2^17 events: the same events as next(), bit for bit")
    func sameEvents() throws {
        let dir = Fixtures.folder()
        defer { Fixtures.remove(dir) }
        let events = CompactWriterTests.events(50_000, seed: 21)
        try Fixtures.writeEveryEncoding(dir, header: Fixtures.convHeader, events: events)
        for name in Fixtures.everyEncoding {
            // 1: one event at a time; 7 and 8191: batches that end inside blocks; 20 000: two or three
            // blocks, split between the cores; 2^17: the size conversions use.
            for size in name.hasSuffix(".jsonl") ? [7, 1 << 17] : [1, 7, 8191, 20_000, 1 << 17] {
                guard case .success(let back) = Self.readInBatches(dir + "/" + name, size: size) else {
                    Issue.record("\(name) in batches of \(size) did not read"); continue
                }
                #expect(sameBits(back, events), "\(name) in batches of \(size)")
            }
        }
    }

    @Test("batches and single events mixed; a position taken after a batch resumes in another reader")
    func mixedAndPositions() throws {
        let dir = Fixtures.folder()
        defer { Fixtures.remove(dir) }
        let events = CompactWriterTests.events(60_000, seed: 5)
        let path = dir + "/t.ctb"
        try CompactWriterTests.write(events, to: path, header: Fixtures.convHeader.toJSON(), pieces: [])
        let reader = try TraceReader(path: path)
        var batch = [TraceEvent](repeating: TraceEvent(kind: .mac), count: 20_000)
        var back: [TraceEvent] = []
        var positions: [(TracePosition, Int)] = []
        for round in 0..<40 {
            positions.append((reader.position, back.count))
            if round % 2 == 0 {
                let n = try batch.withUnsafeMutableBufferPointer { try reader.read(into: UnsafeMutableBufferPointer(rebasing: $0[0..<(round * 997 % 20_000 + 1)])) }
                back.append(contentsOf: batch[0..<n])
            } else {
                for _ in 0..<(round * 131 % 3000) { if let e = try reader.next() { back.append(e) } }
            }
        }
        while let e = try reader.next() { back.append(e) }
        #expect(sameBits(back, events))
        // Every position taken between batches and single events resumes at the right event.
        let other = try TraceReader(path: path)
        for (position, index) in positions where index < events.count {
            try other.seek(to: position)
            let n = try batch.withUnsafeMutableBufferPointer { try other.read(into: UnsafeMutableBufferPointer(rebasing: $0[0..<10])) }
            #expect(n == min(10, events.count - index))
            #expect(sameBits(Array(batch[0..<n]), Array(events[index..<index + n])), "resumed at event \(index)")
            #expect(other.eventsRead == index + n)
        }
    }

    @Test("a corrupted version 2 file: read(into:) refuses it with the message next() gives, or reads the same events")
    func corruptedSameAsNext() throws {
        let dir = Fixtures.folder()
        defer { Fixtures.remove(dir) }
        let events = CompactWriterTests.events(40_000, seed: 9)
        let path = dir + "/t.ctb"
        try CompactWriterTests.write(events, to: path, header: Fixtures.convHeader.toJSON(), pieces: [])
        let bytes = Fixtures.readBytes(path)
        let blocks = try #require(try TraceReader(path: path).blocks())
        var state: UInt64 = 99
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var refused = 0
        for round in 0..<60 {
            var copy = bytes
            // Inside a block: its header (the first 32 bytes) or its events; and a few cuts of the file.
            let block = blocks[next(blocks.count)]
            let at = block.position.offset + (round % 4 == 0 ? next(32) : 32 + next(max(1, 8 * block.count)))
            guard at < copy.count else { continue }
            switch round % 5 {
            case 0, 1: copy[at] ^= UInt8(1 << next(8))
            case 2: copy[at] = [0x00, 0xFF, 0x80][next(3)]
            case 3: copy = Array(copy[0..<at])
            default:  // two blocks, far apart (the caller's and the worker's): the first in the file is reported
                let later = blocks[blocks.count - 1 - next(max(1, blocks.count / 3))].position.offset + 40
                for k in 0..<4 where at + k < copy.count && later + k < copy.count { copy[at + k] = 0xFF; copy[later + k] = 0xFF }
            }
            let mutated = dir + "/m.ctb"
            Fixtures.writeBytes(copy, to: mutated)
            let expected = Self.readOneByOne(mutated)
            for size in [8191, 1 << 17] {
                switch (expected, Self.readInBatches(mutated, size: size)) {
                case let (.success(a), .success(b)):
                    #expect(sameBits(a, b), "round \(round), batches of \(size): other events than next()")
                case let (.failure(a), .failure(b)):
                    #expect(a.description == b.description, "round \(round), batches of \(size)")
                case let (a, b):
                    Issue.record("round \(round), batches of \(size): next() gave \(a), read(into:) \(b)")
                }
            }
            if case .failure = expected { refused += 1 }
        }
        #expect(refused > 25)  // most of these corruptions are caught, so the messages were compared
    }
}
