// Specs — nested YAML/JSON lists → a shape and row-major numbers, refusing ragged, non-numeric and non-finite input.
import Engine
import Yams

/// A tensor as written in a spec: its shape as given (before shorthand expansion) and its numbers.
struct GivenTensor {
    var shape: [Int]
    var data: [Double]
    /// The node it came from (for later errors about its shape).
    var node: SpecNode

    var rank: Int { shape.count }
    var tensor: Tensor { Tensor(shape: shape, data: data) }

    /// "3×3" style rendering of the given shape ("a scalar" for rank 0).
    var shapeText: String { shape.isEmpty ? "a scalar" : ShapeText.join(shape) }
}

enum ShapeText {
    /// `[2, 3, 4]` → `2×3×4`.
    static func join(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }
}

/// Reads nested lists of numbers.
enum TensorReader {
    /// Reads `node` as a tensor of rank `ranks` (a scalar is rank 0 and only allowed when 0 is in `ranks`).
    ///
    /// - Parameters:
    ///   - ranks: the ranks this key accepts.
    ///   - layout: what the accepted ranks mean, for the message (e.g. "W, H×W, C×H×W or N×C×H×W").
    /// - Complexity: O(elements); key paths are only built for an error.
    static func read(_ node: SpecNode, ranks: ClosedRange<Int>, layout: String) throws(SpecError) -> GivenTensor {
        var data: [Double] = []
        var shape: [Int] = []
        guard case .sequence = node.node else {
            // A scalar (or a mapping).
            if node.isNull { throw node.error("has no value", valid: "a nested list of numbers: \(layout)") }
            if case .mapping = node.node {
                throw node.error("expected a nested list of numbers, got a mapping", valid: layout)
            }
            guard ranks.contains(0) else {
                let v = try node.double(expected: "a nested list of numbers: \(layout)")
                throw node.error("got the single number \(Self.format(v)), expected a nested list", valid: layout)
            }
            data.append(try node.double())
            return GivenTensor(shape: [], data: data, node: node)
        }
        var indices: [Int] = []
        try collect(node.node, root: node, indices: &indices, shape: &shape, data: &data)
        guard ranks.contains(shape.count) else {
            throw node.error("has \(shape.count) dimension\(shape.count == 1 ? "" : "s") (\(ShapeText.join(shape))), expected \(ranks.lowerBound == ranks.upperBound ? "\(ranks.lowerBound)" : "\(Swift.max(1, ranks.lowerBound)) to \(ranks.upperBound)")",
                             valid: layout)
        }
        return GivenTensor(shape: shape, data: data, node: node)
    }

    /// The located node for an element at `indices` below `root`.
    private static func located(_ n: Node, _ root: SpecNode, _ indices: [Int]) -> SpecNode {
        SpecNode(node: n, path: root.path + indices.map { "[\($0)]" }.joined(), file: root.file)
    }

    /// Depth-first walk that fixes the shape on the first path down and checks every other row against it.
    private static func collect(_ n: Node, root: SpecNode, indices: inout [Int], shape: inout [Int], data: inout [Double]) throws(SpecError) {
        let depth = indices.count
        guard case .sequence(let seq) = n else {
            // A leaf: must be at the leaf depth.
            if depth < shape.count {
                throw located(n, root, indices).error("is a number but the rows before it are lists of \(shape[depth]) values (ragged array)",
                                                      valid: "every row must have the same shape")
            }
            if case .scalar(let s) = n, s.style == .plain || s.style == .any, let v = SpecNode.parseNumber(s.string), v.isFinite {
                data.append(v)
                return
            }
            let leaf = located(n, root, indices)
            if leaf.isNull { throw leaf.error("is empty, not a number", valid: "a finite number") }
            data.append(try leaf.double())
            return
        }
        if depth == shape.count {
            // First time at this depth; fix the extent unless rows with leaves came before.
            if !data.isEmpty {
                throw located(n, root, indices).error("is a list but the rows before it hold numbers here (ragged array)",
                                                      valid: "every row must have the same shape")
            }
            guard seq.count > 0 else { throw located(n, root, indices).error("is an empty list", valid: "at least one value per row") }
            guard depth < 4 else {
                throw located(n, root, indices).error("nests deeper than 4 levels", valid: "at most N×C×H×W")
            }
            shape.append(seq.count)
        } else if depth > shape.count || seq.count != shape[depth] {
            let row = (indices.last ?? 0) + 1
            let first = root.path + (indices.dropLast().map { "[\($0)]" } + ["[0]"]).joined()
            throw located(n, root, indices).error("ragged array: row \(row) has \(seq.count) value\(seq.count == 1 ? "" : "s"), row 1 (\(first)) has \(shape[depth])",
                                                  valid: "every row must have the same length")
        }
        indices.append(0)
        for (i, item) in seq.enumerated() {
            indices[depth] = i
            try collect(item, root: root, indices: &indices, shape: &shape, data: &data)
        }
        indices.removeLast()
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}
