// TerminalReplay — frames streamed from a trace in bounded memory: checkpoints of the storyboard state, rebuilt on demand.
import Engine
import Storyboard
import Tracing

/// A stream of trace events (a `TraceReader`, or events in memory for tests) that can come back to a
/// position it reported.
public protocol EventStream: AnyObject {
    /// The next event, nil after the last.
    func next() throws -> TraceEvent?
    /// Where the next event starts.
    var position: TracePosition { get }
    /// Continues at a position this stream (or another stream of the same trace) reported.
    func seek(to position: TracePosition) throws
}

extension TraceReader: EventStream {}

/// Events in memory as an `EventStream`.
public final class ArrayEventStream: EventStream {
    private let events: [TraceEvent]
    private var index = 0
    public init(_ events: [TraceEvent]) { self.events = events }
    public func next() throws -> TraceEvent? {
        guard index < events.count else { return nil }
        defer { index += 1 }
        return events[index]
    }
    public var position: TracePosition { TracePosition(offset: index, events: index, line: 0) }
    public func seek(to position: TracePosition) throws { index = min(max(0, position.offset), events.count) }
}

/// The frames of a trace, by index, without keeping them.
///
/// Opening streams the trace once through a `FrameBuilder` that does not draw (`drawFrom = .max`):
/// it counts the frames and leaves checkpoints every `interval` frames — a copy of the builder (the
/// storyboard state: every tensor as known so far) and the stream position it had reached. When
/// there are more than `maxCheckpoints`, every other one is dropped and the interval doubles, so
/// memory stays bounded whatever the trace length. Asking for frame i seeks the cursor's stream to
/// the nearest checkpoint at or before i when that is behind the cursor or ahead of it, and drives
/// the builder forward from there, drawing only from i's group on (`drawFrom`). The last few frames
/// drawn are kept for instant back-and-forth.
///
/// - Complexity: memory O(maxCheckpoints · state + recentLimit frames); frame i costs reading the
///   events of at most `interval` frames and drawing i's group.
public final class CheckpointedFrames: FrameSource {
    /// Resume point: the builder as it was at `position` in the stream (frame `frame` next).
    struct Checkpoint {
        var frame: Int
        var position: TracePosition
        var builder: FrameBuilder
    }

    public let count: Int
    /// Events in the trace.
    public let eventCount: Int
    private let open: () throws -> EventStream
    private let storyboard: Storyboard

    private var checkpoints: [Checkpoint]
    /// Frames between checkpoints (doubles when thinning).
    public let interval: Int
    public let maxCheckpoints: Int

    // The cursor: a drawing builder reading `stream` (opened on first use); frames `ready` are the
    // ones its last step produced, from `readyStart`.
    private var stream: EventStream?
    private var builder: FrameBuilder
    private var finished = true
    private var ready: [Frame] = []
    private var readyStart = 0

    /// Recently drawn frames, newest last, with their cell counts.
    private var recent: [(frame: Frame, cells: Int)] = []
    private var recentCells = 0
    public let recentLimit: Int
    /// Most cells kept in recent frames (a LeNet conv1 frame has ~6,000; a 160×160 input with 16
    /// filters ~400,000, so only a couple of those are kept).
    public let recentCellBudget: Int
    /// Cells in the last frame drawn (sizes the batch drawn when stepping back).
    private var lastFrameCells = 0

    /// Number of times the cursor was moved to a checkpoint (a seek); for tests.
    public private(set) var seekCount = 0

    /// Counts the frames of the trace `open()` streams.
    /// - Parameters:
    ///   - storyboard: the storyboard (header and options) to draw with; its `maxFrames` is ignored.
    ///   - open: returns a fresh stream positioned at the first event (called twice: to count, then for
    ///     the cursor, which seeks).
    ///   - interval: frames between checkpoints to start with.
    ///   - maxCheckpoints: most checkpoints kept.
    ///   - recentLimit: frames kept for instant stepping back.
    public init(storyboard: Storyboard, interval: Int = 64, maxCheckpoints: Int = 128, recentLimit: Int = 32,
                recentCellBudget: Int = 1_000_000, open: @escaping () throws -> EventStream) throws {
        self.recentCellBudget = max(1, recentCellBudget)
        self.storyboard = storyboard
        self.open = open
        let maxCheckpoints = max(2, maxCheckpoints)
        self.maxCheckpoints = maxCheckpoints
        self.recentLimit = max(1, recentLimit)
        var counting = try storyboard.makeBuilder(expectedCount: 0)
        counting.drawFrom = .max
        let events = try open()
        checkpoints = [Checkpoint(frame: 0, position: events.position, builder: counting)]
        var interval = max(1, interval)
        var consumed = 0
        while let e = try events.next() {
            _ = counting.add(e)
            consumed += 1
            if counting.nextIndex >= checkpoints[checkpoints.count - 1].frame + interval {
                checkpoints.append(Checkpoint(frame: counting.nextIndex, position: events.position, builder: counting))
                if checkpoints.count > maxCheckpoints {
                    checkpoints = checkpoints.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                    interval *= 2
                }
            }
        }
        _ = counting.finish()
        count = counting.nextIndex
        eventCount = consumed
        self.interval = interval
        builder = checkpoints[0].builder
    }

    public func frame(at index: Int) throws -> Frame {
        precondition(index >= 0 && index < count, "frame \(index) outside 0..<\(count)")
        if let f = recent.last(where: { $0.frame.index == index })?.frame { return f }
        if let f = readyFrame(index) { return remember(f) }
        // Stepping back draws the `recentLimit` frames up to `index` at once, so a backward sweep
        // rebuilds once per `recentLimit` frames rather than once per frame.
        let cursorFrame = stream == nil ? 0 : finished ? Int.max : readyStart + ready.count
        let behind = index < cursorFrame
        let batch = max(1, min(recentLimit, recentCellBudget / max(1, lastFrameCells)))
        let first = behind ? max(0, index - (batch - 1)) : index
        let best = checkpoints.last { $0.frame <= first } ?? checkpoints[0]
        if stream == nil || behind || best.frame > cursorFrame {
            try reset(to: best)
        }
        if first - (readyStart + ready.count) > 1 { try fastForward(to: first) }
        while true {
            if let f = readyFrame(index) { return remember(f) }
            guard try step() else {
                throw StoryboardError("replay: the trace ended after \(readyStart + ready.count) frames, but \(count) were counted (did the file change?)")
            }
            for f in ready where f.index >= first && f.index < index { _ = remember(f) }
        }
    }

    /// Moves the cursor on to `target` without drawing the frames before it: the builder keeps its
    /// state up to date and draws the group that makes `target` into `ready`.
    private func fastForward(to target: Int) throws {
        guard stream != nil, !finished, builder.nextIndex < target else { return }
        builder.drawFrom = target
        defer { builder.drawFrom = 0 }
        _ = try step()
    }

    private func readyFrame(_ index: Int) -> Frame? {
        let k = index - readyStart
        return k >= 0 && k < ready.count ? ready[k] : nil
    }

    private func remember(_ f: Frame) -> Frame {
        let cells = f.grids.reduce(0) { $0 + $1.cells.count }
        lastFrameCells = cells
        recent.append((f, cells))
        recentCells += cells
        while recent.count > 1 && (recent.count > recentLimit || recentCells > recentCellBudget) {
            recentCells -= recent.removeFirst().cells
        }
        return f
    }

    /// Moves the cursor to a checkpoint: seeks the stream (opened on first use) to its position.
    private func reset(to c: Checkpoint) throws {
        let current = try stream ?? open()
        try current.seek(to: c.position)
        seekCount += 1
        stream = current
        builder = c.builder
        builder.drawFrom = 0
        builder.expectedCount = count
        finished = false
        ready = []
        readyStart = c.frame
    }

    /// Feeds events until the builder completes at least one frame; false at the end of the trace.
    private func step() throws -> Bool {
        guard !finished, let stream else { return false }
        let start = builder.nextIndex
        var made: [Frame] = []
        while made.isEmpty {
            if let e = try stream.next() {
                made = builder.add(e)
            } else {
                made = builder.finish()
                finished = true
                break
            }
        }
        ready = made
        readyStart = made.first?.index ?? start
        return !made.isEmpty
    }

    /// Checkpoints kept (for tests).
    public var checkpointCount: Int { checkpoints.count }
}
