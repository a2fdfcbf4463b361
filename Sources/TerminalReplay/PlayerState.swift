// TerminalReplay — the player as a pure value: which step is shown, whether it plays, how fast.

/// Where the player is and what it is doing; every change is a pure function of a command or of time.
///
/// Steps are 0-based inside (`step` in 0..<total); the screen shows them 1-based (`step t/T`).
public struct PlayerState: Equatable, Sendable {
    /// Number of frames; 0 for an empty trace.
    public private(set) var total: Int
    /// The frame shown, 0-based; 0 when `total == 0`.
    public private(set) var step: Int
    public private(set) var isPlaying: Bool
    /// Frames per second while playing.
    public private(set) var speed: Double
    /// Whether the user asked to quit.
    public private(set) var quit: Bool = false
    /// Time played since the last step was taken, in seconds (playing only).
    public private(set) var pendingTime: Double = 0

    /// Slowest and fastest playback, in frames per second.
    public static let speedRange: ClosedRange<Double> = 0.25...1024

    /// A paused player at `start` (clamped into the trace), `speed` clamped into `speedRange`.
    public init(total: Int, start: Int = 0, speed: Double = 4, playing: Bool = false) {
        self.total = max(0, total)
        self.step = total > 0 ? min(max(0, start), total - 1) : 0
        self.speed = min(max(speed, Self.speedRange.lowerBound), Self.speedRange.upperBound)
        self.isPlaying = playing && total > 1
    }

    /// The last valid step.
    public var lastStep: Int { max(0, total - 1) }

    /// Applies one command. Stepping by hand pauses playback; playing at the end restarts from the first step.
    /// - Returns: whether the shown step changed.
    @discardableResult
    public mutating func apply(_ command: PlayerCommand) -> Bool {
        let before = step
        switch command {
        case .togglePlay:
            if isPlaying { isPlaying = false } else if total > 1 {
                if step == lastStep { step = 0 }
                isPlaying = true
                pendingTime = 0
            }
        case .next: isPlaying = false; step = min(step + 1, lastStep)
        case .previous: isPlaying = false; step = max(step - 1, 0)
        case .first: isPlaying = false; step = 0
        case .last: isPlaying = false; step = lastStep
        case .faster: speed = min(speed * 2, Self.speedRange.upperBound)
        case .slower: speed = max(speed / 2, Self.speedRange.lowerBound)
        case .quit: quit = true; isPlaying = false
        }
        return step != before
    }

    /// Lets `seconds` of playback pass: advances ⌊time·speed⌋ steps, stopping (and pausing) at the last.
    /// - Returns: whether the shown step changed.
    @discardableResult
    public mutating func advance(by seconds: Double) -> Bool {
        guard isPlaying, seconds > 0 else { return false }
        pendingTime += seconds
        let steps = Int((pendingTime * speed).rounded(.down))
        guard steps > 0 else { return false }
        pendingTime -= Double(steps) / speed
        let before = step
        step = min(step + steps, lastStep)
        if step == lastStep { isPlaying = false; pendingTime = 0 }
        return step != before
    }

    /// Seconds until the next step is due while playing, nil when paused.
    public var secondsToNextStep: Double? {
        guard isPlaying else { return nil }
        return max(0, 1 / speed - pendingTime)
    }

    /// Jumps to `step` (clamped); used by `--start` and tests.
    public mutating func seek(to target: Int) {
        step = total > 0 ? min(max(0, target), lastStep) : 0
    }

    /// A short status: `step 3/25 · paused · 4 steps/s`.
    public var statusText: String {
        let shown = total == 0 ? 0 : step + 1
        let mode = isPlaying ? "playing" : "paused"
        return "step \(shown)/\(total) · \(mode) · \(Self.format(speed: speed)) steps/s"
    }

    static func format(speed: Double) -> String {
        speed == speed.rounded() ? String(Int(speed)) : String(speed)
    }
}
