// Benchmarks — the `replay` workload: how long one step of the terminal player takes on LeNet's conv1.
import Engine
import Foundation
import JSONText
import Specs
import Storyboard
import TerminalReplay
import Tracing

extension BenchWorkload {
    /// LeNet-5's first conv layer (1×32×32 input, 6 filters 5×5) forward and backward from dY = 1,
    /// written as a binary trace (version 2) and opened as the player opens it (streamed, checkpointed), cell steps.
    ///
    /// `replay_step_ms`: median time of one → key press at 120×40 — fetch the frame, lay it out to fit,
    /// build the ANSI repaint (target < 5 ms). `replay_step_back_ms`: the same for ←, which rebuilds
    /// from checkpoints (its maximum is reported too). `replay_step_frame_ms`: the part of a step spent
    /// getting the frame from the storyboard. `replay_open_ms`: the counting pass at start-up. The same
    /// figures prefixed `spec_replay_` are for `replay examples/lenet5.yaml --layer 0` (no trace file:
    /// the engine runs again for each step not served from memory).
    static let replay = BenchWorkload(name: "replay") { context in
        guard case .conv2d(let params, let kernel, let bias)? = context.lenet.network.layers.first else {
            throw BenchError(workload: "replay", message: "LeNet's first layer is not a conv2d")
        }
        let input = context.lenet.input
        let network = Network(layers: [.conv2d(params, kernel: kernel, bias: bias)])
        var untraced = Tracer<NullSink>.untraced
        let y = try network.run(input: input, tracer: &untraced).output
        let dY = Tensor(shape: y.shape, repeating: 1)
        let header = TraceHeader(spec: .object([("op", .string("conv2d")), ("note", .string("LeNet-5 conv1"))]),
                                 network: network, input: input, gradOutput: dY)
        let path = context.folder + "/replay-lenet-conv1.ctb"
        // Version 2, the encoding `convtrace trace` writes: the player's jumps go through its block index.
        let writer = try CompactBinaryWriter(path: path, header: header)
        var tracer = Tracer(sink: writer)
        _ = try network.run(input: input, gradOutput: dY, tracer: &tracer)
        try writer.finish()

        let file = try Self.replayFigures(context, prefix: "replay") {
            try ReplaySession(source: try TraceSource.open(path: path), options: StoryboardOptions(granularity: .cell))
        }
        var fields = file
        // `convtrace replay examples/lenet5.yaml --layer 0`: no trace file; the engine re-runs to the
        // checkpoint a step needs (the `spec_` figures).
        if let problem = context.lenet.problem {
            let spec = try Self.replayFigures(context, prefix: "spec_replay") {
                try ReplaySession(source: TraceSource(problem: problem),
                                  options: StoryboardOptions(granularity: .cell, layers: [0]))
            }
            fields += spec.filter { $0.0 != "screen_bytes" }
        }
        return .object(fields)
    }

    /// Opens a session and times key presses: `PREFIX_open_ms`, `PREFIX_step_ms`, … (see `replay`).
    static func replayFigures(_ context: BenchContext, prefix: String, open: () throws -> ReplaySession)
        throws -> [(String, JSONValue)] {
        var session: ReplaySession?
        let tOpen = try context.medianSeconds(1) { session = try open() }
        guard let frames = session?.frames, frames.count > 2 else {
            throw BenchError(workload: "replay", message: "the replay trace has no frames")
        }
        let player = Player(source: frames, terminal: Terminal(), mode: .ansi, start: frames.count / 3)
        var bytes = 0
        var fetches: [Double] = []
        func press(_ command: PlayerCommand) throws -> Double {
            let start = ContinuousClock.now
            player.apply(command)
            _ = try frames.frame(at: player.state.step)  // the storyboard's part (kept, so the screen reuses it)
            fetches.append((ContinuousClock.now - start).seconds)
            bytes &+= try player.screen(columns: 120, rows: 40).repaint(columns: 120, rows: 40, mode: .ansi).utf8.count
            return (ContinuousClock.now - start).seconds
        }
        _ = try press(.next)  // warm up
        let presses = min(300, frames.count / 3)
        let forward = try (0..<presses).map { _ in try press(.next) }.sorted()
        let forwardFetch = fetches.suffix(presses).sorted()
        let backward = try (0..<presses).map { _ in try press(.previous) }.sorted()
        let tLast = try press(.last)
        let tLastFrame = fetches[fetches.count - 1]
        func ms(_ s: Double) -> JSONValue { rounded(s * 1000, 3) }
        let counts: [(String, JSONValue)] = prefix == "replay"
            ? [("frames", .int(frames.count)), ("events", .int(frames.eventCount))]
            : [(prefix + "_frames", .int(frames.count)), (prefix + "_events", .int(frames.eventCount))]
        return counts + [
            (prefix + "_open_ms", ms(tOpen)),
            (prefix + "_step_ms", ms(forward[forward.count / 2])),
            (prefix + "_step_frame_ms", ms(forwardFetch[forwardFetch.count / 2])),
            (prefix + "_step_back_ms", ms(backward[backward.count / 2])),
            (prefix + "_step_back_max_ms", ms(backward[backward.count - 1])),
            (prefix + "_jump_to_last_ms", ms(tLast)),
            (prefix + "_jump_to_last_frame_ms", ms(tLastFrame)),
            ("screen_bytes", .int(bytes / (2 * presses + 2))),
        ]
    }
}
