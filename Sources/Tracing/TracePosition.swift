// Tracing — TracePosition: where a reader stands in a trace file, to come back to without re-reading.

/// A place in a trace file between two events: the byte offset of the next event, the events
/// before it, and (JSON Lines) the line number used in messages. In a version 2 binary file the offset
/// is that of the block holding the next event and `intoBlock` the events of that block before it.
public struct TracePosition: Equatable, Sendable {
    public var offset: Int
    public var events: Int
    public var line: Int
    public var intoBlock: Int
    public init(offset: Int, events: Int, line: Int, intoBlock: Int = 0) {
        self.offset = offset; self.events = events; self.line = line; self.intoBlock = intoBlock
    }
}
