// Storyboard — the loss of each training step, read from a trace: what the loss plot and the player show.
import Engine

/// The loss per training step of a trace, as a pure value for views to draw.
///
/// A forward pass's loss is the `acc` of its last `loss` event; a trace with `update` events (a `train:`
/// spec) has one forward pass per step, so `losses[t − 1]` is the loss of step t, computed before that
/// step's update. A trace without updates has one forward pass and one loss (or none).
public struct LossCurve: Equatable, Sendable {
    /// The loss of each step, in order.
    public var losses: [Double]
    /// Whether the trace trains (it has `update` events).
    public var isTraining: Bool
    /// The trace step (event index) at which each training step's forward pass starts.
    public var stepStarts: [Int]

    public init(losses: [Double], isTraining: Bool, stepStarts: [Int] = []) {
        self.losses = losses; self.isTraining = isTraining; self.stepStarts = stepStarts
    }

    /// The 1-based training step that trace step `event` belongs to (1 when the trace does not train).
    public func trainingStep(ofEvent event: Int) -> Int {
        var t = 0
        while t < stepStarts.count && stepStarts[t] <= event { t += 1 }
        return max(1, t)
    }

    /// Collects the losses while events stream past: feed every event to `add`, in order.
    public struct Collector: Sendable {
        var losses: [Double] = []
        var current: Double?
        var sawUpdate = false
        var previousWasUpdate = true
        var starts: [Int] = []
        public init() {}

        /// Notes one event: a `loss` event sets the running loss, the first event after it that is not a
        /// `loss` event closes that forward pass's loss.
        public mutating func add(_ e: TraceEvent) {
            if previousWasUpdate && e.kind != .update { starts.append(e.step) }
            previousWasUpdate = e.kind == .update
            if e.kind == .loss {
                current = e.acc
                return
            }
            if let c = current { losses.append(c); current = nil }
            if e.kind == .update { sawUpdate = true }
        }

        /// The curve of everything added so far.
        public var curve: LossCurve {
            var all = losses
            if let current { all.append(current) }
            return LossCurve(losses: all, isTraining: sawUpdate, stepStarts: starts)
        }
    }

    /// The curve of a spec or trace, streamed once (constant memory besides one number per step).
    public static func of(_ source: TraceSource) throws -> LossCurve {
        var collector = Collector()
        try source.stream(from: nil) { e, _ in collector.add(e); return true }
        return collector.curve
    }

    /// "loss by step 1: 0.72 · 2: 0.57 · …" for text views, the steps up to `through` (all when nil), at
    /// most `limit` of them (the first and the last ones).
    public func summary(format: ValueFormat, through: Int? = nil, limit: Int = 12) -> String {
        let losses = Array(self.losses.prefix(through ?? self.losses.count))
        guard !losses.isEmpty else { return "no loss yet" }
        let shown: [(Int, Double)]
        if losses.count <= limit {
            shown = Array(losses.enumerated())
        } else {
            let head = limit / 2, tail = limit - head
            shown = Array(losses.enumerated().prefix(head)) + Array(losses.enumerated().suffix(tail))
        }
        var parts: [String] = []
        for (i, (t, v)) in shown.enumerated() {
            if i > 0, shown[i - 1].0 != t - 1 { parts.append("…") }
            parts.append("\(t + 1): \(format.text(v))")
        }
        return "loss by step " + parts.joined(separator: " · ")
    }
}
