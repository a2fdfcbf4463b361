// TerminalReplay — frames streamed from a trace in bounded memory: checkpoints of the storyboard state, rebuilt on demand.
import Engine
import Storyboard
import Tracing

/// The frames of a trace, by index, without keeping them.
///
/// Opening streams the events once through a `FrameBuilder` that does not draw (`drawFrom = .max`):
/// it counts the frames and leaves checkpoints every `interval` frames — a copy of the builder (the
/// storyboard state: every tensor as known so far) and the stream position it had reached. When
/// there are more than `maxCheckpoints`, every other one is dropped and the interval doubles, so
/// memory stays bounded whatever the trace length. Asking for frame i streams again from the cursor
/// (where the last request stopped) when i is ahead of it, else from the nearest checkpoint at or
/// before i, and drives the builder forward from there, drawing only from i's group on (`drawFrom`).
/// A trace file is seeked to that position; a spec is run by the engine again (deterministic: the
/// same events), its events before the position dropped as they come. Because a spec's run always
/// costs the whole engine run, a request on a spec draws `lookahead` frames at once. Recently drawn
/// frames are kept for instant back-and-forth.
///
/// - Complexity: memory O(maxCheckpoints · state + recent frames); frame i costs reading the events
///   of at most `interval` frames (plus, for a spec, one engine run) and drawing i's group.
public final class CheckpointedFrames: FrameSource {
    /// Resume point: the builder as it was at `position` in the stream (frame `builder.nextIndex` next).
    struct Checkpoint {
        var position: TracePosition
        var builder: FrameBuilder
        var frame: Int { builder.nextIndex }
    }

    public let count: Int
    /// Events in the trace.
    public let eventCount: Int
    private let events: ReplayableEvents
    private let storyboard: Storyboard

    private var checkpoints: [Checkpoint]
    /// Frames between checkpoints (doubles when thinning).
    public let interval: Int
    public let maxCheckpoints: Int
    /// Where the last request stopped (nil before the first and after the end).
    private var cursor: Checkpoint?
    /// The last request ran to the end of the events.
    private var atEnd = false
    /// Frames the last request drew besides the ones it was asked for (the rest of their groups).
    private var ready: [Frame] = []

    /// Recently drawn frames, in index order within each batch, with their cell counts.
    private var recent: [(frame: Frame, cells: Int)] = []
    private var recentCells = 0
    public let recentLimit: Int
    /// Most cells kept in recent frames (a LeNet conv1 frame has ~6,000; a 160×160 input with 16
    /// filters ~400,000, so only a couple of those are kept).
    public let recentCellBudget: Int
    /// Frames drawn ahead of the one asked for when streaming restarts from the beginning (a spec).
    public let lookahead: Int
    /// Cells in the last frame drawn (sizes the batch drawn when stepping back).
    private var lastFrameCells = 0

    /// Number of times a request started from a checkpoint instead of the cursor (a seek); for tests.
    public private(set) var seekCount = 0
    /// Number of streams started (the counting pass included); for tests.
    public private(set) var streamCount = 0

    /// Counts the frames of `events`.
    /// - Parameters:
    ///   - storyboard: the storyboard (header and options) to draw with; its `maxFrames` is ignored.
    ///   - events: the events, streamed once to count and again for each request not served from memory.
    ///   - interval: frames between checkpoints to start with.
    ///   - maxCheckpoints: most checkpoints kept.
    ///   - recentLimit: frames kept for instant stepping back.
    ///   - lookahead: frames drawn per request when `events` does not resume cheaply (nil: `recentLimit`).
    public init(storyboard: Storyboard, events: ReplayableEvents, interval: Int = 64, maxCheckpoints: Int = 128,
                recentLimit: Int = 32, recentCellBudget: Int = 1_000_000, lookahead: Int? = nil) throws {
        self.recentCellBudget = max(1, recentCellBudget)
        self.storyboard = storyboard
        self.events = events
        let maxCheckpoints = max(2, maxCheckpoints)
        self.maxCheckpoints = maxCheckpoints
        self.recentLimit = max(1, recentLimit)
        self.lookahead = events.resumesCheaply ? 1 : max(1, lookahead ?? recentLimit)
        var counting = try storyboard.makeBuilder(expectedCount: 0)
        counting.drawFrom = .max
        var checkpoints = [Checkpoint(position: events.start, builder: counting)]
        var interval = max(1, interval)
        var consumed = 0
        streamCount = 1
        try events.stream(from: nil) { e, position in
            _ = counting.add(e)
            consumed += 1
            if counting.nextIndex >= checkpoints[checkpoints.count - 1].frame + interval {
                checkpoints.append(Checkpoint(position: position, builder: counting))
                if checkpoints.count > maxCheckpoints {
                    checkpoints = checkpoints.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                    interval *= 2
                }
            }
            return true
        }
        _ = counting.finish()
        self.checkpoints = checkpoints
        count = counting.nextIndex
        eventCount = consumed
        self.interval = interval
    }

    public func frame(at index: Int) throws -> Frame {
        precondition(index >= 0 && index < count, "frame \(index) outside 0..<\(count)")
        if let f = recent.last(where: { $0.frame.index == index })?.frame { return f }
        if let f = ready.first(where: { $0.index == index }) {
            remember(f)
            return f
        }
        // Stepping back draws the `recentLimit` frames up to `index` at once, so a backward sweep
        // rebuilds once per `recentLimit` frames rather than once per frame.
        let cursorFrame = cursor?.frame ?? (atEnd ? Int.max : 0)
        let behind = index < cursorFrame
        let batch = max(1, min(recentLimit, recentCellBudget / max(1, lastFrameCells)))
        let first = behind ? max(0, index - (batch - 1)) : index
        // Ahead: as many as the cell budget allows, once a frame's size is known (one frame before).
        let ahead = lastFrameCells == 0 ? 1 : min(lookahead, batch)
        let last = behind ? index : min(count - 1, index + ahead - 1)
        let best = checkpoints.last { $0.frame <= first } ?? checkpoints[0]
        var start: Checkpoint
        if let cursor, !behind, cursor.frame >= best.frame {
            start = cursor
        } else {
            start = best
            seekCount += 1
        }
        var builder = start.builder
        builder.drawFrom = first
        builder.expectedCount = count
        var position = start.position
        var found: Frame?
        ready = []
        func keep(_ frames: [Frame]) {
            for f in frames {
                if f.index == index { found = f }
                if f.index >= first && f.index <= last { remember(f) } else { ready.append(f) }
            }
        }
        streamCount += 1
        try events.stream(from: start.position) { e, after in
            keep(builder.add(e))
            position = after
            return builder.nextIndex <= last
        }
        if builder.nextIndex <= last {
            keep(builder.finish())
            cursor = nil
            atEnd = true
        } else {
            builder.drawFrom = 0
            cursor = Checkpoint(position: position, builder: builder)
            atEnd = false
        }
        guard let found else {
            throw StoryboardError("replay: the trace ended after \(builder.nextIndex) frames, but \(count) were counted (did the file change?)")
        }
        return found
    }

    private func remember(_ f: Frame) {
        let cells = f.grids.reduce(0) { $0 + $1.cells.count }
        lastFrameCells = cells
        recent.append((f, cells))
        recentCells += cells
        while recent.count > 1 && (recent.count > max(recentLimit, lookahead) || recentCells > recentCellBudget) {
            recentCells -= recent.removeFirst().cells
        }
    }

    /// Checkpoints kept (for tests).
    public var checkpointCount: Int { checkpoints.count }
}
