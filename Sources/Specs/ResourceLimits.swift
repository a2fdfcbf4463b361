// Specs — how large a tensor and how long a trace a run may make: checked before anything is allocated.
import Synchronization

/// The limits every run of a spec is checked against before it allocates or emits anything.
///
/// `elements` bounds every tensor a spec makes (its input, a padded input, every layer output);
/// `events` bounds the trace events a run would emit, estimated from the layer shapes (about one per
/// multiply-accumulate and gradient term), and with it the work of an untraced run. The CLI sets
/// `current` once from `--max-elements` / `--max-events` (docs/spec-format.md, "Limits").
public struct ResourceLimits: Sendable, Equatable {
    /// Largest number of elements of any one tensor.
    public var elements: Int
    /// Largest number of trace events (multiply-accumulates and gradient terms) of one run.
    public var events: Int

    public init(elements: Int = ResourceLimits.defaultElements, events: Int = ResourceLimits.defaultEvents) {
        self.elements = elements; self.events = events
    }

    /// 2^26 = 67,108,864 doubles, 512 MiB per tensor.
    public static let defaultElements = 1 << 26
    /// 2^24 = 16,777,216 events: about 400 MB of binary trace, and a few seconds of work.
    public static let defaultEvents = 1 << 24

    private static let storage = Mutex(ResourceLimits())

    /// The limits in force for this process (the defaults unless a command line raised or lowered them).
    public static var current: ResourceLimits {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
