// Engine — where events go. The engine is generic over a sink so an untraced run costs nothing.

/// A consumer of trace events.
///
/// Engine ops are generic over `Sink`; with `NullSink` (`isRecording == false`) every emit is
/// dead code after specialization.
public protocol TraceSink {
    /// Whether events are wanted at all; a `false` here lets the optimizer drop event construction.
    static var isRecording: Bool { get }
    /// Receives one event; `event.step` is already numbered.
    mutating func record(_ event: TraceEvent)
}

/// Discards everything; the untraced fast path.
public struct NullSink: TraceSink {
    @inlinable public init() {}
    @inlinable public static var isRecording: Bool { false }
    @inlinable public mutating func record(_ event: TraceEvent) {}
}

/// Keeps every event in memory, in order.
public struct RecordingSink: TraceSink {
    public var events: [TraceEvent] = []
    @inlinable public init() {}
    @inlinable public static var isRecording: Bool { true }
    @inlinable public mutating func record(_ event: TraceEvent) { events.append(event) }
}

/// Numbers events and stamps them with the current phase and layer before handing them to a sink.
///
/// Ops call `tracer.emit(...)`; the network sets `phase` and `layer` around each op.
public struct Tracer<Sink: TraceSink> {
    public var sink: Sink
    /// Step number the next event gets.
    public var nextStep: Int = 0
    public var phase: Phase = .forward
    public var layer: Int = 0

    @inlinable public init(sink: Sink) { self.sink = sink }

    /// Whether emitting does anything (constant-folded for `NullSink`).
    @inlinable @inline(__always) public var isRecording: Bool { Sink.isRecording }

    /// Numbers `event`, stamps phase and layer, and records it. A no-op for `NullSink`.
    @inlinable @inline(__always)
    public mutating func emit(_ event: @autoclosure () -> TraceEvent) {
        guard Sink.isRecording else { return }
        var e = event()
        e.step = nextStep
        e.phase = phase
        e.layer = layer
        nextStep += 1
        sink.record(e)
    }
}

extension Tracer where Sink == NullSink {
    /// A tracer that records nothing.
    @inlinable public static var untraced: Tracer<NullSink> { Tracer(sink: NullSink()) }
}
