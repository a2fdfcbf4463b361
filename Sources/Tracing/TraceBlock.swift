// Tracing — TraceBlock: one block of a version 2 binary trace as a reader can jump to it.
import Engine

/// A run of consecutive events of one phase and layer, as the block index of a version 2 binary file
/// lists it: what it holds and where reading it starts.
///
/// `TraceReader.blocks()` returns them in file order; `seek(to: block.position)` then `count` calls of
/// `next()` read exactly that block, so a view that needs a few layers reads only their blocks.
public struct TraceBlock: Equatable, Sendable {
    public var phase: Phase
    /// The layer index of every event in the block (`layers.count` is the loss).
    public var layer: Int
    /// The step of the block's first event; the others follow one by one.
    public var firstStep: Int
    /// Events in the block (at least 1).
    public var count: Int
    /// Where a reader of the same file resumes to read the block's first event.
    public var position: TracePosition

    public init(phase: Phase, layer: Int, firstStep: Int, count: Int, position: TracePosition) {
        self.phase = phase; self.layer = layer; self.firstStep = firstStep; self.count = count; self.position = position
    }
}
