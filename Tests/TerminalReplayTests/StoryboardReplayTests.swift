// TerminalReplayTests — real storyboard frames as plain text (reference files), and checkpointed streaming.
import Engine
import Foundation
import Storyboard
import Testing
import Tracing
@testable import TerminalReplay

/// examples/conv-basic.yaml: X = [[1,2,3],[4,5,6],[7,8,9]], K = [[1,0],[0,-1]], b = 0.5, dY = ones(2×2).
/// y[i,j] = x[i,j] − x[i+1,j+1] + 0.5 = −3.5 everywhere (e.g. 1 − 5 + 0.5).
func convBasic(padding: Int = 0) throws -> (StoryboardSource, [TraceEvent]) {
    let input = Tensor(shape: [1, 1, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9])
    let kernel = Tensor(shape: [1, 1, 2, 2], data: [1, 0, 0, -1])
    let bias = Tensor(shape: [1], data: [0.5])
    let out = 3 + 2 * padding - 1
    let dY = Tensor(shape: [1, 1, out, out], repeating: 1)
    let net = Network(layers: [.conv2d(Conv2DParams(padding: Padding(padding)), kernel: kernel, bias: bias)])
    var tracer = Tracer(sink: RecordingSink())
    _ = try net.run(input: input, gradOutput: dY, tracer: &tracer)
    return (StoryboardSource(network: net, input: input, gradOutput: dY, inputRank: 2), tracer.sink.events)
}

func plainText(_ frames: [Frame]) -> String {
    let printer = PlainPrinter()
    return frames.map(printer.text(of:)).joined(separator: "\n")
}

@Suite("Storyboard frames as text")
struct StoryboardReplayTests {
    @Test("conv-basic, cell steps, forward and backward: every frame matches the reference text")
    func convBasicCells() throws {
        let (source, events) = try convBasic()
        let frames = try Storyboard(source: source, options: StoryboardOptions(granularity: .cell)).frames(events: events)
        // Forward: 4 output cells. Backward: dK 4 cells, dX 9 cells, db 1 cell.
        #expect(frames.count == 18)
        let text = plainText(frames)
        #expect(text.contains("step 1/18"))
        #expect(!text.contains("\u{1B}"))
        // The first frame's equation: y[0,0] = 1·1 + 2·0 + 4·0 + 5·(−1) + 0.5 (bias) = −3.5.
        #expect(text.contains("= 1·1 + 2·0 + 4·0 + 5·(-1) + 0.5 (bias) = -3.5"))
        try expectReference(text, "conv-basic-cell.txt")
    }

    @Test("padding 1, mac steps: padding cells marked ·, current operand in { }, running sum")
    func paddedMacs() throws {
        let (source, events) = try convBasic(padding: 1)
        let frames = try Storyboard(source: source, options: StoryboardOptions(granularity: .mac, phase: .forward))
            .frames(events: events)
        // 4×4 output cells × (4 macs + 1 bias) = 80 mac-granularity frames.
        #expect(frames.count == 80)
        let text = plainText(Array(frames.prefix(6)))
        #expect(text.contains("·0"))
        #expect(text.contains("running sum"))
        try expectReference(text, "conv-padding1-mac-first6.txt")
    }

    @Test("checkpointed streaming gives the same frames as the in-memory storyboard, in any order",
          arguments: [StoryboardOptions.Granularity.mac, .cell])
    func checkpointedMatchesStoryboard(granularity: StoryboardOptions.Granularity) throws {
        let (source, events) = try convBasic(padding: 1)
        let board = try Storyboard(source: source, options: StoryboardOptions(granularity: granularity, maxFrames: nil))
        let all = try board.frames(events: events)
        var opens = 0
        let stream = try CheckpointedFrames(storyboard: board, interval: 4, maxCheckpoints: 6, recentLimit: 2) {
            opens += 1
            return ArrayEventStream(events)
        }
        #expect(stream.count == all.count)
        #expect(stream.eventCount == events.count)
        // Forward to the end, then backwards, then jumps (forward jumps skip without drawing).
        var order = Array(0..<all.count) + Array((0..<all.count).reversed())
        let n = all.count
        order += [0, n - 1, n / 2, 3, n - 2, 1, n / 4, n * 3 / 4, n * 3 / 4 + 1, n / 5, n / 3]
        for i in order {
            let f = try stream.frame(at: i)
            #expect(f == all[i], "frame \(i)")
        }
        // Thinning kept at most 6 checkpoints however many frames went by (interval grew from 4).
        #expect(stream.checkpointCount <= 6)
        #expect(stream.interval > 4)
        #expect(all.count == (granularity == .mac ? 80 + 64 + 36 + 16 : 16 + 4 + 9 + 1))
        // Stepping back reopened the stream (once for counting, then once per rewind).
        #expect(opens > 2)
        #expect(stream.reopenCount == opens - 1)
    }
}

/// A `TraceReader` that counts the events handed out (to see that a rewind seeks instead of re-reading).
final class CountingStream: EventStream {
    let reader: TraceReader
    var delivered = 0
    init(_ reader: TraceReader) { self.reader = reader }
    func next() throws -> TraceEvent? {
        let e = try reader.next()
        if e != nil { delivered += 1 }
        return e
    }
    var position: TracePosition { reader.position }
    func seek(to position: TracePosition) throws { try reader.seek(to: position) }
}

@Suite("Checkpointed frames over trace files")
struct CheckpointedFileTests {
    @Test("stepping back seeks the file to the checkpoint: the frames match and the events before it are not read again",
          arguments: ["jsonl", "ctb"])
    func rewindSeeks(ext: String) throws {
        let (source, events) = try convBasic(padding: 1)
        let header = TraceHeader(spec: .object([("op", .string("conv2d"))]), network: source.network,
                                 input: source.input, gradOutput: source.gradOutput)
        let path = NSTemporaryDirectory() + "convtrace-seek-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).\(ext)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var writer: any TraceWriting = ext == "jsonl"
            ? try JSONLWriter(path: path, header: header) : try BinaryWriter(path: path, header: header)
        for e in events { writer.record(e) }
        try writer.finish()

        let board = try Storyboard(source: source, options: StoryboardOptions(granularity: .mac, maxFrames: nil))
        let all = try board.frames(events: events)
        var streams: [CountingStream] = []
        let frames = try CheckpointedFrames(storyboard: board, interval: 8, maxCheckpoints: 64, recentLimit: 2) {
            let s = CountingStream(try TraceReader(path: path))
            streams.append(s)
            return s
        }
        let n = all.count
        for i in [n - 1, n - 2, n - 10, n / 2] {
            #expect(try frames.frame(at: i) == all[i], "frame \(i)")
        }
        // One stream counted; each rewind opened one more and read only from its checkpoint on.
        #expect(frames.reopenCount >= 2)
        let rewinds = streams.dropFirst(2)
        #expect(!rewinds.isEmpty)
        for s in rewinds { #expect(s.delivered < events.count / 4, "a rewind read \(s.delivered) of \(events.count) events") }
    }
}
