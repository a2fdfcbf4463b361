// Engine — the numbers. Tensor is the one value type every op reads and writes.

/// A dense row-major tensor of `Double`s in PyTorch layout.
///
/// Inside the engine every image tensor is rank 4, N×C×H×W; linear layers use N×F.
/// Shorthand ranks (a 1-D signal, an H×W image) are a spec-level convenience that
/// `Specs` expands to rank 4 on the way in and folds back on the way out.
public struct Tensor: Equatable, Sendable {
    /// Extent of each axis, outermost first.
    public var shape: [Int]
    /// The elements in row-major order; `data.count == shape.reduce(1, *)`.
    public var data: [Double]

    /// Wraps `data` with `shape`.
    /// - Precondition: `data.count` equals the product of `shape`.
    @inlinable
    public init(shape: [Int], data: [Double]) {
        precondition(data.count == shape.reduce(1, *), "Tensor data count \(data.count) does not match shape \(shape)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of `shape` filled with `value` (zero by default).
    @inlinable
    public init(shape: [Int], repeating value: Double = 0) {
        self.shape = shape
        self.data = Array(repeating: value, count: shape.reduce(1, *))
    }

    /// Number of elements.
    @inlinable public var count: Int { data.count }

    /// Number of axes.
    @inlinable public var rank: Int { shape.count }

    /// Row-major flat offset of a rank-4 index (n, c, h, w).
    @inlinable
    public func offset(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        ((n * shape[1] + c) * shape[2] + h) * shape[3] + w
    }

    /// Element at rank-4 index (n, c, h, w).
    @inlinable
    public subscript(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Double {
        get { data[offset(n, c, h, w)] }
        set { data[offset(n, c, h, w)] = newValue }
    }

    /// The same elements viewed with another shape of equal element count.
    @inlinable
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// Largest absolute value of any element (0 for an empty tensor); the scale of the 1e-9 tolerance.
    @inlinable
    public var maxMagnitude: Double { data.reduce(0) { Swift.max($0, abs($1)) } }
}
