// Specs — a network spec's `train:` block, resolved: the optimizer, the number of steps, and where it was written.
import Engine

/// What `train:` asks for. The data set is the problem's `input` and its loss's target (replaced by
/// `train.inputs` / `train.targets` when those are given).
public struct TrainingSpec: Sendable, Equatable {
    public var optimizer: Optimizer
    /// Full-batch steps, 1…`Network.maxTrainingSteps`.
    public var steps: Int
    /// Key path (`train`) and line of the block, for messages.
    public var path: String
    public var line: Int?
    public init(optimizer: Optimizer, steps: Int, path: String = "train", line: Int? = nil) {
        self.optimizer = optimizer; self.steps = steps; self.path = path; self.line = line
    }
}
