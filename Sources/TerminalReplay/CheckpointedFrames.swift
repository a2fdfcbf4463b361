// TerminalReplay — frames streamed from a trace in bounded memory: checkpoints of the storyboard state, rebuilt on demand.
import Engine
import Storyboard
import Tracing

/// A forward-only stream of trace events (a `TraceReader`, or events in memory for tests).
public protocol EventStream: AnyObject {
    /// The next event, nil after the last.
    func next() throws -> TraceEvent?
}

extension TraceReader: EventStream {}

/// Events in memory as an `EventStream`.
public final class ArrayEventStream: EventStream {
    private let events: [TraceEvent]
    private var position = 0
    public init(_ events: [TraceEvent]) { self.events = events }
    public func next() throws -> TraceEvent? {
        guard position < events.count else { return nil }
        defer { position += 1 }
        return events[position]
    }
}

/// The frames of a trace, by index, without keeping them.
///
/// Opening counts the frames in one streaming pass (no frame is drawn). Asking for frame i then
/// drives a `FrameBuilder` forward from the nearest checkpoint at or before i — a copy of the
/// builder (the storyboard state: every tensor as known so far) and the number of events it had
/// consumed. Checkpoints are left every `interval` frames on the way; when there are more than
/// `maxCheckpoints`, every other one is dropped and the interval doubles, so memory stays bounded
/// whatever the trace length. Stepping back reopens the event stream and skips to the checkpoint.
/// The last few frames drawn are kept for instant back-and-forth.
///
/// - Complexity: memory O(maxCheckpoints · state + cached frames); frame i costs O(events from the
///   checkpoint to i) plus, when stepping back, O(events before the checkpoint) to skip.
public final class CheckpointedFrames: FrameSource {
    /// Resume point: the builder as it was after consuming `events` events.
    struct Checkpoint {
        var frame: Int
        var events: Int
        var builder: FrameBuilder
    }

    public let count: Int
    /// Events in the trace.
    public let eventCount: Int
    private let open: () throws -> EventStream
    private let storyboard: Storyboard

    private var checkpoints: [Checkpoint]
    /// Frames between checkpoints (doubles when thinning).
    public private(set) var interval: Int
    public let maxCheckpoints: Int

    // The cursor: a live builder reading `stream`, having consumed `cursorEvents` events; frames
    // `ready` are the ones its last step produced, starting at index `readyStart`.
    private var stream: EventStream
    private var builder: FrameBuilder
    private var cursorEvents = 0
    private var finished = false
    private var ready: [Frame] = []
    private var readyStart = 0

    /// Recently drawn frames, newest last.
    private var recent: [Frame] = []
    public let recentLimit: Int

    /// Number of times the stream was reopened (stepping back); for tests and the benchmark.
    public private(set) var reopenCount = 0

    /// Counts the frames of the trace `open()` streams.
    /// - Parameters:
    ///   - storyboard: the storyboard (header and options) to draw with; its `maxFrames` is ignored.
    ///   - open: returns a fresh stream positioned at the first event (called again to step back).
    ///   - interval: frames between checkpoints to start with.
    ///   - maxCheckpoints: most checkpoints kept.
    ///   - recentLimit: frames kept for instant stepping back.
    public init(storyboard: Storyboard, interval: Int = 64, maxCheckpoints: Int = 128, recentLimit: Int = 16,
                open: @escaping () throws -> EventStream) throws {
        self.storyboard = storyboard
        self.open = open
        self.interval = max(1, interval)
        self.maxCheckpoints = max(2, maxCheckpoints)
        self.recentLimit = max(1, recentLimit)
        var counter = storyboard.makeCounter()
        let counting = try open()
        var events = 0
        while let e = try counting.next() { counter.add(e); events += 1 }
        count = counter.finish()
        eventCount = events
        builder = try storyboard.makeBuilder(expectedCount: count)
        checkpoints = [Checkpoint(frame: 0, events: 0, builder: builder)]
        stream = try open()
    }

    public func frame(at index: Int) throws -> Frame {
        precondition(index >= 0 && index < count, "frame \(index) outside 0..<\(count)")
        if let f = recent.last(where: { $0.index == index }) { return f }
        if let f = readyFrame(index) { return remember(f) }
        // The cursor can go forward to `index` unless a checkpoint beyond it is closer, or `index` is behind it.
        let best = checkpoints.last { $0.frame <= index }!
        let cursorFrame = readyStart + ready.count
        if index < cursorFrame || best.frame > cursorFrame {
            try reset(to: best)
        }
        while true {
            if let f = readyFrame(index) { return remember(f) }
            guard try step() else {
                throw StoryboardError("replay: the trace ended after \(readyStart + ready.count) frames, but \(count) were counted (did the file change?)")
            }
        }
    }

    private func readyFrame(_ index: Int) -> Frame? {
        let k = index - readyStart
        return k >= 0 && k < ready.count ? ready[k] : nil
    }

    private func remember(_ f: Frame) -> Frame {
        if recent.count >= recentLimit { recent.removeFirst(recent.count - recentLimit + 1) }
        recent.append(f)
        return f
    }

    /// Moves the cursor to a checkpoint, reopening the stream when it lies behind it.
    private func reset(to c: Checkpoint) throws {
        if c.events < cursorEvents || finished {
            stream = try open()
            reopenCount += 1
            cursorEvents = 0
        }
        while cursorEvents < c.events {
            guard try stream.next() != nil else {
                throw StoryboardError("replay: the trace ended after \(cursorEvents) events, but \(eventCount) were counted (did the file change?)")
            }
            cursorEvents += 1
        }
        builder = c.builder
        finished = false
        ready = []
        readyStart = c.frame
    }

    /// Feeds events until the builder completes at least one frame; false at the end of the trace.
    private func step() throws -> Bool {
        guard !finished else { return false }
        let start = builder.nextIndex
        var made: [Frame] = []
        while made.isEmpty {
            if let e = try stream.next() {
                cursorEvents += 1
                made = builder.add(e)
            } else {
                made = builder.finish()
                finished = true
                break
            }
        }
        ready = made
        readyStart = start
        if !finished { leaveCheckpoint() }
        return !made.isEmpty
    }

    /// Leaves a checkpoint when the cursor passed the last one by `interval` frames.
    private func leaveCheckpoint() {
        let at = builder.nextIndex
        guard let last = checkpoints.last, at >= last.frame + interval else { return }
        checkpoints.append(Checkpoint(frame: at, events: cursorEvents, builder: builder))
        if checkpoints.count > maxCheckpoints {
            checkpoints = checkpoints.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            interval *= 2
        }
    }

    /// Checkpoints kept now (for tests).
    public var checkpointCount: Int { checkpoints.count }
}
