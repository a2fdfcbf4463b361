// TerminalReplay — opening a trace file for replay, and choosing between the player and plain text.
import Engine
import Storyboard
import Tracing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A spec or trace opened for replay: its source, the storyboard over it, and its frames streamed.
public struct ReplaySession {
    public let source: TraceSource
    public var header: TraceHeader { source.header }
    public let frames: CheckpointedFrames
    /// The loss per training step of a training spec or trace (a `train:` block), nil otherwise.
    public let lossCurve: LossCurve?
    /// What the player and the plain printer show: the frames, with the loss so far noted on each when training.
    public var shown: FrameSource { lossCurve.map { LossNotedFrames(frames, curve: $0) } ?? frames }

    /// Counts the frames of `source` in one streaming pass (a spec is run by the engine; nothing is
    /// written to disk).
    /// - Parameters:
    ///   - options: granularity, phase and filters; the frame budget is ignored (frames are streamed).
    /// - Throws: `TraceError` for an unreadable trace, `SpecError` when the engine refuses the spec,
    ///   `StoryboardError` when the shapes do not fit or a layer is not in the network.
    public init(source: TraceSource, options: StoryboardOptions) throws {
        self.source = source
        let header = source.header
        var unlimited = options
        unlimited.maxFrames = nil
        let board = try Storyboard(source: source.storyboardSource, options: unlimited)
        // Each checkpoint may own a copy of every tensor the storyboard tracks (values and their
        // state bytes, activations and gradients): keep them within about 256 MB.
        let elements = header.layerShapes.reduce(header.input.count) { sum, shape in
            sum + (shape.map { $0.input.reduce(1, *) + $0.output.reduce(1, *) } ?? 0)
        } + header.network.layers.reduce(0) { sum, layer in
            switch layer {
            case .conv2d(_, let k, _): sum + k.count
            case .convTranspose2d(_, let w, _): sum + w.count
            case .linear(let w, _): sum + w.count
            default: sum
            }
        }
        let checkpointBytes = max(1, elements * 2 * 9)
        let maxCheckpoints = max(4, min(128, (256 << 20) / checkpointBytes))
        frames = try CheckpointedFrames(storyboard: board, events: source, maxCheckpoints: maxCheckpoints)
        lossCurve = header.spec["train"] != nil ? try LossCurve.of(source) : nil
    }

    /// Writes frames as plain text to standard output: all of them, or only `frame` (0-based).
    /// - Throws: `ReplayError` when `frame` is outside the trace, `TerminalError` when standard output
    ///   cannot be written.
    public func printPlain(frame: Int? = nil, mode: ColorMode = .plain, columns: Int? = nil) throws {
        let printer = PlainPrinter(mode: mode, columns: columns)
        var range = 0..<frames.count
        if let frame {
            guard frame >= 0 && frame < frames.count else {
                throw ReplayError("frame \(frame + 1) is outside the trace: it has \(frames.count) frame\(frames.count == 1 ? "" : "s") (1…\(frames.count)) with these options",
                                  reason: .frameOutside(frame: frame + 1, count: frames.count))
            }
            range = frame..<(frame + 1)
        }
        do {
            try printer.print(shown, range: range) { text in
                guard Terminal.write(text, to: STDOUT_FILENO) else { throw OutputClosed(errno: errno) }
            }
        } catch let closed as OutputClosed {
            // The reader went away (`| head -1`): it has what it wanted; stop quietly.
            guard closed.errno == EPIPE else {
                throw TerminalError("cannot write to standard output: \(String(cString: strerror(closed.errno)))")
            }
        }
    }

    /// Runs the interactive player on the terminal: keys from standard input, or from /dev/tty when
    /// standard input is not a terminal (e.g. the spec came from a pipe).
    public func play(start: Int, speed: Double, mode: ColorMode) throws {
        var inputFD = STDIN_FILENO
        var opened: Int32 = -1
        if !Terminal.isTerminal(STDIN_FILENO) {
            opened = open("/dev/tty", O_RDWR)
            guard opened >= 0 else { throw ReplayError("no terminal to read keys from", reason: .noTerminal) }
            inputFD = opened
        }
        defer { if opened >= 0 { close(opened) } }
        let player = Player(source: shown, terminal: Terminal(input: inputFD, output: STDOUT_FILENO), mode: mode,
                            start: start, speed: speed)
        try player.run()
    }
}

/// A replay request that cannot be served, with what would be valid. Messages name no command-line
/// flag; `reason` carries the facts for a command to word its advice.
public struct ReplayError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, as facts.
    public enum Reason: Equatable, Sendable {
        case other
        /// Frame `frame` (1-based) was asked for; the trace has `count`.
        case frameOutside(frame: Int, count: Int)
        /// No terminal to read keys from (standard input is not one and /dev/tty cannot be opened).
        case noTerminal
    }
    public var message: String
    public var reason: Reason
    public init(_ message: String, reason: Reason = .other) { self.message = message; self.reason = reason }
    public var description: String { message }
}

/// A failed write to standard output while printing frames (EPIPE when the reader went away).
struct OutputClosed: Error { var errno: Int32 }
