// Tracing — checks every event a reader returns against the header, so a corrupted file is a message, not a trap.
import Engine

/// Checks decoded events against the trace header: the layer exists, steps count up one by one, and the
/// indices lie inside the shapes the header declares.
///
/// Kinds, phases and targets are checked by the decoders (an unknown byte or name is refused there);
/// this type checks what only the header can tell. Every view indexes grids with these numbers, so a
/// reader that returns an event has promised they are in range.
/// - Complexity: O(1) per event.
public struct TraceEventValidator: Sendable {
    /// Per layer (and the loss, last), the output and input extents as (n, c, h, w), when known.
    private let outputs: [Extent?]
    private let inputs: [Extent?]
    private let kernels: [Extent?]
    /// (n, c, h, w) bounds of a shape: rank 4 as is, rank 2 N×F as (N, F, 1, 1), a scalar as (1, 1, 1, 1).
    struct Extent: Sendable {
        var n: Int32, c: Int32, h: Int32, w: Int32
        init?(_ shape: [Int]) {
            let s: [Int]
            switch shape.count {
            case 4: s = shape
            case 2: s = [shape[0], shape[1], 1, 1]
            case 0: s = [1, 1, 1, 1]
            default: return nil
            }
            guard s.allSatisfy({ $0 >= 1 && $0 <= Int(Int32.max) }) else { return nil }
            (n, c, h, w) = (Int32(s[0]), Int32(s[1]), Int32(s[2]), Int32(s[3]))
        }
        func contains(_ i: Index4) -> Bool {
            i.n >= 0 && i.n < n && i.c >= 0 && i.c < c && i.h >= 0 && i.h < h && i.w >= 0 && i.w < w
        }
        var text: String { "\(n)×\(c)×\(h)×\(w)" }
    }

    /// The number of layers events may name: the network's layers, plus one for the loss.
    public let layerCount: Int

    public init(header: TraceHeader) {
        layerCount = header.network.layers.count + (header.network.loss == nil ? 0 : 1)
        // An add with a projection also reads (and, backward, writes: the projection's terms, the fork) the
        // block input, shaped as layer `from`'s input: its extents cover both.
        func widened(_ i: Int, _ shape: [Int]) -> Extent? {
            if i < header.network.layers.count, case .add(let p) = header.network.layers[i], p.projection != nil,
               p.from < header.layerShapes.count, let block = header.layerShapes[p.from]?.input, block.count == shape.count {
                return Extent(zip(block, shape).map { Swift.max($0, $1) })
            }
            return Extent(shape)
        }
        outputs = header.layerShapes.enumerated().map { i, s in s.flatMap { widened(i, $0.output) } }
        inputs = header.layerShapes.enumerated().map { i, s in s.flatMap { widened(i, $0.input) } }
        kernels = header.network.layers.map { layer in
            switch layer {
            case .conv2d(_, let kernel, _): Extent(kernel.shape)
            case .convTranspose2d(_, let weight, _): Extent(weight.shape)
            case .linear(let weight, _): Extent(weight.shape)
            case .add(let p): p.projection.flatMap { Extent($0.kernel.shape) }
            default: nil
            }
        }
    }

    /// What is wrong with `event`, the `index`-th event of the file (0-based), or nil when it fits the header.
    ///
    /// Steps number the events from 0 without gaps, so event `index` must have step `index`.
    public func problem(with event: TraceEvent, index: Int) -> String? {
        if event.step != index {
            return "step \(event.step) where step \(index) should come (steps count up by one from 0)"
        }
        guard event.layer >= 0, event.layer < layerCount else {
            return "layer \(event.layer) is not a layer of this trace (the header has \(layerCount): 0…\(layerCount - 1))"
        }
        // Checked without building an array per event (this runs for every event a view reads).
        func negative(_ i4: Index4, heightAndWidth: Bool) -> Bool {
            i4.n < 0 || i4.c < 0 || (heightAndWidth && (i4.h < 0 || i4.w < 0))
        }
        if negative(event.output, heightAndWidth: true) || negative(event.input, heightAndWidth: false)
            || negative(event.padded, heightAndWidth: true) || negative(event.kernel, heightAndWidth: true) {
            for (name, i4) in [("output", event.output), ("input", event.input), ("padded", event.padded), ("kernel", event.kernel)]
            where negative(i4, heightAndWidth: name != "input") {
                return "\(name) index (\(i4.n), \(i4.c), \(i4.h), \(i4.w)) has a negative component"
            }
        }
        guard event.layer < outputs.count else { return nil }  // the loss: its indices are checked above
        if event.kind != .loss, event.kind != .update, let out = outputs[event.layer], !out.contains(event.output) {
            return "output index (\(event.output.n), \(event.output.c), \(event.output.h), \(event.output.w)) lies "
                + "outside layer \(event.layer)'s output \(out.text)"
        }
        if !event.flags.contains(.padding), event.input != .zero, let inp = inputs[event.layer], !inp.contains(event.input) {
            return "input index (\(event.input.n), \(event.input.c), \(event.input.h), \(event.input.w)) lies "
                + "outside layer \(event.layer)'s input \(inp.text) and the event is not marked as padding"
        }
        if event.kernel != .zero, event.kind != .add, event.layer < kernels.count, let k = kernels[event.layer],
           !k.contains(event.kernel) {  // an add event's `k` holds its part, not a weight
            return "kernel index (\(event.kernel.n), \(event.kernel.c), \(event.kernel.h), \(event.kernel.w)) lies "
                + "outside layer \(event.layer)'s weight \(k.text)"
        }
        return nil
    }
}
