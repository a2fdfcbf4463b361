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
        let counted = CountingEvents(memorySource(source, events))
        let stream = try CheckpointedFrames(storyboard: board, events: counted, interval: 4, maxCheckpoints: 6, recentLimit: 2)
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
        // 3×3 input, 2×2 kernel, padding 1 → 4×4 output. mac: 16 cells × (4 macs + bias) = 80, dK 4 cells ×
        // 16 terms = 64, dX 9 cells × 4 = 36, db 16 terms; cell: 16 outputs + 4 dK + 9 dX + 1 db.
        #expect(all.count == (granularity == .mac ? 80 + 64 + 36 + 16 : 16 + 4 + 9 + 1))
        // Stepping forward continues from the cursor; only jumps back (or far ahead) start from a checkpoint.
        #expect(stream.seekCount > 2)
        #expect(stream.seekCount < order.count / 2)
        #expect(counted.streams == stream.streamCount)
    }
}

/// Events in memory as a source for `source` (the header rebuilt from it).
func memorySource(_ source: StoryboardSource, _ events: [TraceEvent]) -> TraceSource {
    TraceSource(header: TraceHeader(spec: .object([("op", .string("network"))]), network: source.network,
                                    input: source.input, gradOutput: source.gradOutput),
                events: events, inputRank: source.inputRank)
}

/// Wraps a source and counts the streams started and the events handed out (to see that a rewind
/// starts at a checkpoint instead of re-reading from the beginning).
final class CountingEvents: ReplayableEvents {
    let base: ReplayableEvents
    var delivered = 0
    var streams = 0
    init(_ base: ReplayableEvents) { self.base = base }
    var start: TracePosition { base.start }
    var resumesCheaply: Bool { base.resumesCheaply }
    func stream(from position: TracePosition?, _ body: (TraceEvent, TracePosition) -> Bool) throws {
        streams += 1
        try base.stream(from: position) { e, p in
            delivered += 1
            return body(e, p)
        }
    }
}

@Suite("Checkpointed frames over trace files")
struct CheckpointedFileTests {
    @Test("jumps seek the file to the nearest checkpoint: the frames match and the events before it are not read",
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
        let counted = CountingEvents(try TraceSource.open(path: path))
        let frames = try CheckpointedFrames(storyboard: board, events: counted, interval: 8, maxCheckpoints: 64, recentLimit: 2)
        #expect(counted.delivered == events.count)  // the counting pass read every event once
        let n = all.count
        for i in [n - 1, n - 2, n / 2, n / 4] {
            #expect(try frames.frame(at: i) == all[i], "frame \(i)")
        }
        // The file is seeked to a checkpoint for the jump to the end and for the two jumps back (n − 2
        // is in the db group just drawn) and read only from there: far fewer events than the trace holds.
        #expect(frames.seekCount == 3)
        let read = counted.delivered - events.count
        #expect(read < events.count / 2, "the requests read \(read) of \(events.count) events")
    }
}

@Suite("Checkpointed frames of networks")
struct CheckpointedNetworkTests {
    /// Transposed conv (scatter view) → relu → mse: the scatter layer's last output group stays open
    /// until the first relu event, which closes it and its own group at once (two frames from one event).
    static func transposedRelu() throws -> (StoryboardSource, [TraceEvent]) {
        let x = Tensor(shape: [1, 1, 2, 2], data: [1, -2, 3, 4])
        let w = Tensor(shape: [1, 1, 3, 3], data: [1, 0, 1, 0, 1, 0, 1, 0, -1])
        let net = Network(layers: [.convTranspose2d(ConvTranspose2DParams(stride: Pair(2)), weight: w,
                                                    bias: Tensor(shape: [1], data: [0.5])), .relu])
        var tracer = Tracer(sink: RecordingSink())
        let dY = Tensor(shape: [1, 1, 5, 5], data: (0..<25).map { Double($0 % 3) - 1 })
        _ = try net.run(input: x, gradOutput: dY, tracer: &tracer)
        return (StoryboardSource(network: net, input: x, gradOutput: dY), tracer.sink.events)
    }

    @Test("every frame by index, jumping forward and back, equals the in-memory storyboard's",
          arguments: [StoryboardOptions.Granularity.cell, .mac])
    func jumpsMatch(granularity: StoryboardOptions.Granularity) throws {
        let (source, events) = try Self.transposedRelu()
        let board = try Storyboard(source: source, options: StoryboardOptions(granularity: granularity, maxFrames: nil))
        let all = try board.frames(events: events)
        for interval in [1, 3, 7] {
            let stream = try CheckpointedFrames(storyboard: board, events: memorySource(source, events),
                                                interval: interval, maxCheckpoints: 4, recentLimit: 1)
            #expect(stream.count == all.count)
            let n = all.count
            // Every target reached by a jump from the start, from the end and from the middle.
            for i in 0..<n {
                for from in [0, n - 1, n / 2] {
                    _ = try stream.frame(at: from)
                    let f = try stream.frame(at: i)
                    #expect(f == all[i], "frame \(i) after frame \(from), interval \(interval)")
                }
            }
        }
    }
}
