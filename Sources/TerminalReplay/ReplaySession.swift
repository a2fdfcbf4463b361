// TerminalReplay — opening a trace file for replay, and choosing between the player and plain text.
import Engine
import Storyboard
import Tracing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A trace file opened for replay: its header, the storyboard over it, and its frames streamed.
public struct ReplaySession {
    public let path: String
    public let header: TraceHeader
    public let frames: CheckpointedFrames

    /// Opens `path` (JSON Lines or binary) and counts its frames in one streaming pass.
    /// - Parameters:
    ///   - options: granularity and phase; the frame budget is ignored (frames are streamed).
    ///   - inputRank: the rank the spec gave the input (1 for a 1-D signal), nil to infer it.
    /// - Throws: `TraceError` for an unreadable trace, `StoryboardError` when its shapes do not fit.
    public init(path: String, options: StoryboardOptions, inputRank: Int? = nil) throws {
        self.path = path
        let reader = try TraceReader(path: path)
        header = reader.header
        let source = StoryboardSource(network: header.network, input: header.input, gradOutput: header.gradOutput,
                                      inputRank: inputRank)
        var unlimited = options
        unlimited.maxFrames = nil
        let board = try Storyboard(source: source, options: unlimited)
        var firstReader: TraceReader? = reader
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
        frames = try CheckpointedFrames(storyboard: board, maxCheckpoints: maxCheckpoints) {
            if let r = firstReader { firstReader = nil; return r }
            return try TraceReader(path: path)
        }
    }

    /// Writes frames as plain text to standard output: all of them, or only `frame` (0-based).
    /// - Throws: `ReplayError` when `frame` is outside the trace.
    public func printPlain(frame: Int? = nil, mode: ColorMode = .plain, columns: Int? = nil) throws {
        let printer = PlainPrinter(mode: mode, columns: columns)
        var range = 0..<frames.count
        if let frame {
            guard frame >= 0 && frame < frames.count else {
                throw ReplayError("--frame \(frame + 1) is outside the trace: it has \(frames.count) frame\(frames.count == 1 ? "" : "s") (1…\(frames.count)) with these --steps/--phase options")
            }
            range = frame..<(frame + 1)
        }
        do {
            try printer.print(frames, range: range) { text in
                guard Terminal.write(text, to: STDOUT_FILENO) else { throw OutputClosed(errno: errno) }
            }
        } catch let closed as OutputClosed {
            // The reader went away (`| head -1`): it has what it wanted; stop quietly.
            guard closed.errno == EPIPE else {
                throw ReplayError("cannot write to standard output: \(String(cString: strerror(closed.errno)))")
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
            guard opened >= 0 else { throw ReplayError("no terminal to read keys from; use --plain") }
            inputFD = opened
        }
        defer { if opened >= 0 { close(opened) } }
        let player = Player(source: frames, terminal: Terminal(input: inputFD, output: STDOUT_FILENO), mode: mode,
                            start: start, speed: speed)
        try player.run()
    }
}

/// A replay request that cannot be served, with what would be valid.
public struct ReplayError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A failed write to standard output while printing frames (EPIPE when the reader went away).
struct OutputClosed: Error { var errno: Int32 }
