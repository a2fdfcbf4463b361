// LessonBuilder — a nested list of numbers: what a claim states and what the engine computes.
import Engine
import Storyboard

/// A scalar or a nested list of numbers, the shape-agnostic value of a claim or of a result.
public indirect enum NumberTree: Equatable, Sendable {
    case scalar(Double)
    case list([NumberTree])

    /// The tensor's elements nested by its shape (a rank-0 shape gives a scalar).
    ///
    /// Shapes: `tensor.shape` [d0, d1, …] → d0 lists of d1 lists of … numbers.
    public init(_ tensor: Tensor) {
        self = NumberTree.nest(tensor.data[...], shape: tensor.shape[...])
    }

    /// A flat list of integers (a shape).
    public init(ints: [Int]) {
        self = .list(ints.map { .scalar(Double($0)) })
    }

    private static func nest(_ data: ArraySlice<Double>, shape: ArraySlice<Int>) -> NumberTree {
        guard let first = shape.first else { return .scalar(data.first ?? 0) }
        let rest = shape.dropFirst()
        let stride = rest.reduce(1, *)
        return .list((0..<first).map { i in
            let start = data.startIndex + i * stride
            return nest(data[start..<(start + stride)], shape: rest)
        })
    }

    /// Extent of each nesting level, following the first element (a scalar has shape []).
    public var shape: [Int] {
        switch self {
        case .scalar: return []
        case .list(let items): return [items.count] + (items.first?.shape ?? [])
        }
    }

    /// Every number in row-major order.
    public var flattened: [Double] {
        switch self {
        case .scalar(let v): return [v]
        case .list(let items): return items.flatMap(\.flattened)
        }
    }

    /// The largest absolute value of any element.
    public var maxMagnitude: Double { flattened.reduce(0) { Swift.max($0, abs($1)) } }

    /// The sub-tree at `path` (outermost index first), or nil when an index is out of range.
    public func at(_ path: [Int]) -> NumberTree? {
        guard let first = path.first else { return self }
        guard case .list(let items) = self, items.indices.contains(first) else { return nil }
        return items[first].at(Array(path.dropFirst()))
    }

    /// `[1, 2]`-style text with numbers formatted by `ValueFormat.significant` (10 digits).
    public var text: String {
        switch self {
        case .scalar(let v): return ValueFormat.significant(v, digits: 10)
        case .list(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        }
    }
}
