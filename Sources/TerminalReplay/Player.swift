// TerminalReplay — the interactive player: keys in, frames out, the terminal always given back.
import Storyboard

/// Plays a `FrameSource` on a terminal.
///
/// The loop waits for a key, a resize or the next playback tick, updates the `PlayerState`, and
/// repaints when something visible changed. The terminal is restored when `run()` returns or throws,
/// on SIGINT/SIGTERM/SIGHUP, and at process exit (see `Terminal`).
public final class Player {
    public let source: FrameSource
    public let terminal: Terminal
    public let mode: ColorMode
    public private(set) var state: PlayerState

    /// Grid rows that fit, remembered per layout so consecutive frames of a scene do not re-measure.
    private var fitCache: [FitKey: Int?] = [:]
    private struct FitKey: Hashable {
        var columns: Int, rows: Int, scene: String, layer: Int, phase: Int, grids: Int, extra: Int
    }

    /// - Parameters:
    ///   - source: the frames.
    ///   - terminal: the terminal to draw on (started by `run()`).
    ///   - mode: colours or plain text (markers).
    ///   - start: first frame shown (0-based, clamped).
    ///   - speed: playback speed in frames per second.
    ///   - playing: start playing immediately.
    public init(source: FrameSource, terminal: Terminal, mode: ColorMode, start: Int = 0, speed: Double = 4,
                playing: Bool = false) {
        self.source = source; self.terminal = terminal; self.mode = mode
        self.state = PlayerState(total: source.count, start: start, speed: speed, playing: playing)
    }

    /// Runs until `q`, Ctrl-C, Esc or the end of input.
    /// - Throws: `TerminalError` when the terminal cannot be set up; whatever the frame source throws.
    public func run() throws {
        try terminal.start()
        defer { terminal.stop() }
        let clock = ContinuousClock()
        var last = clock.now
        var pending: [UInt8] = []
        try draw()
        while !state.quit {
            let timeout: Double? = pending.isEmpty ? state.secondsToNextStep : 0.05
            let wake = terminal.wait(timeout: timeout)
            let before = state
            let now = clock.now
            let elapsed = now - last
            last = now
            // Time first (with the state as it was while waiting), then the keys.
            state.advance(by: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            var forceRedraw = false
            switch wake {
            case .input(let bytes):
                let decoded = Key.decode(pending + bytes)
                pending = decoded.pending
                handle(decoded.keys)
            case .timeout:
                if !pending.isEmpty {
                    handle(Key.decode(pending, final: true).keys)
                    pending = []
                }
            case .resize:
                fitCache.removeAll()
                forceRedraw = true
            case .endOfInput:
                state.apply(.quit)
            }
            if state.quit { break }
            if forceRedraw || state.step != before.step || state.isPlaying != before.isPlaying
                || state.speed != before.speed
            {
                try draw()
            }
        }
    }

    /// Applies one command as a key press would (without drawing); for the benchmark and tests.
    public func apply(_ command: PlayerCommand) { state.apply(command) }

    private func handle(_ keys: [Key]) {
        for key in keys {
            guard let command = PlayerCommand(key: key) else { continue }
            state.apply(command)
            if state.quit { return }
        }
    }

    /// Repaints the current frame at the terminal's current size.
    public func draw() throws {
        let (columns, rows) = terminal.size
        terminal.write(try screen(columns: columns, rows: rows).repaint(columns: columns, rows: rows, mode: mode))
    }

    /// The screen for the current state at a terminal size (what `draw()` paints).
    public func screen(columns: Int, rows: Int) throws -> Screen {
        guard state.total > 0 else {
            return Screen(lines: [ScreenLine("(no frames: the trace has no steps for these options)", .dim),
                                  ScreenLine(state.statusText, .status), ScreenLine(PlayerCommand.helpLine, .help)])
        }
        let frame = try source.frame(at: state.step)
        var screen = Self.fit(frame, columns: columns, rows: rows, status: state.statusText, cache: &fitCache)
        // Still too tall (a tiny terminal): keep the top, and the key help on the last line.
        if screen.lines.count > rows, rows >= 2, let help = screen.lines.last {
            screen.lines = Array(screen.lines.prefix(rows - 1)) + [help]
        }
        return screen
    }

    /// Draws `frame` at the largest grid height that keeps the screen within `rows` lines.
    private static func fit(_ frame: Frame, columns: Int, rows: Int, status: String, cache: inout [FitKey: Int?]) -> Screen {
        let help = PlayerCommand.helpLine
        let key = FitKey(columns: columns, rows: rows, scene: frame.scene.rawValue, layer: frame.layer,
                         phase: Int(frame.phase.rawValue), grids: frame.grids.count,
                         extra: frame.grids.reduce(frame.notes.count) { $0 &* 31 &+ $1.rows &* 1024 &+ $1.columns })
        if let known = cache[key] {
            // nil: everything fits; Int.max: fits with idle grids folded; else folded and clipped.
            // The key does not see everything that sets the height (which grids fold, how long the
            // caption wraps), so a remembered layout is used only when it really fits.
            let screen = known.map { rowsPerGrid in
                FrameView(columns: columns, gridRows: rowsPerGrid == Int.max ? nil : rowsPerGrid, foldIdleGrids: true)
                    .screen(for: frame, status: status, help: help)
            } ?? FrameView(columns: columns).screen(for: frame, status: status, help: help)
            if screen.lines.count <= rows { return screen }
        }
        let full = FrameView(columns: columns).screen(for: frame, status: status, help: help)
        guard full.lines.count > rows else { cache[key] = .some(nil); return full }
        // Too tall: fold the grids this step does not touch, then binary search the largest grid
        // height that fits.
        let folded = FrameView(columns: columns, foldIdleGrids: true).screen(for: frame, status: status, help: help)
        guard folded.lines.count > rows else { cache[key] = .some(Int.max); return folded }
        let tallest = frame.grids.map(\.rows).max() ?? 1
        var lo = 1, hi = max(1, tallest - 1)
        var best: (Int, Screen)?
        while lo <= hi {
            let mid = (lo + hi) / 2
            let s = FrameView(columns: columns, gridRows: mid, foldIdleGrids: true).screen(for: frame, status: status, help: help)
            if s.lines.count <= rows { best = (mid, s); lo = mid + 1 } else { hi = mid - 1 }
        }
        if let best { cache[key] = .some(best.0); return best.1 }
        cache[key] = .some(1)
        return FrameView(columns: columns, gridRows: 1, foldIdleGrids: true).screen(for: frame, status: status, help: help)
    }
}
