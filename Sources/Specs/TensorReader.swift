// Specs — nested YAML/JSON lists → a shape and row-major numbers, refusing ragged, non-numeric and non-finite input.
import Engine

/// A tensor as written in a spec: its shape as given (before shorthand expansion) and its numbers.
struct GivenTensor {
    var shape: [Int]
    var data: [Double]
    /// The node it came from (for later errors about its shape).
    var node: SpecNode

    var rank: Int { shape.count }
    var tensor: Tensor { Tensor(shape: shape, data: data) }

    /// "3×3" style rendering of the given shape ("scalar" for rank 0).
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
    static func read(_ node: SpecNode, ranks: ClosedRange<Int>, layout: String) throws(SpecError) -> GivenTensor {
        var data: [Double] = []
        var shape: [Int] = []
        if node.items() == nil {
            // A scalar.
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
        try collect(node, depth: 0, shape: &shape, data: &data)
        guard ranks.contains(shape.count) else {
            throw node.error("has \(shape.count) dimension\(shape.count == 1 ? "" : "s") (\(ShapeText.join(shape))), expected \(ranks.lowerBound == ranks.upperBound ? "\(ranks.lowerBound)" : "\(Swift.max(1, ranks.lowerBound)) to \(ranks.upperBound)")",
                             valid: layout)
        }
        return GivenTensor(shape: shape, data: data, node: node)
    }

    /// Depth-first walk that fixes the shape on the first path down and checks every other row against it.
    private static func collect(_ node: SpecNode, depth: Int, shape: inout [Int], data: inout [Double]) throws(SpecError) {
        guard let items = node.items() else {
            // A leaf: must be at the leaf depth.
            if depth < shape.count {
                throw node.error("is a number but the rows before it are lists of \(shape[depth]) values (ragged array)",
                                 valid: "every row must have the same shape")
            }
            if node.isNull { throw node.error("is empty, not a number", valid: "a finite number") }
            data.append(try node.double())
            return
        }
        if depth == shape.count {
            // First time at this depth; fix the extent unless rows with leaves came before.
            if !data.isEmpty {
                throw node.error("is a list but the rows before it hold numbers here (ragged array)",
                                 valid: "every row must have the same shape")
            }
            guard !items.isEmpty else { throw node.error("is an empty list", valid: "at least one value per row") }
            guard depth < 4 else {
                throw node.error("nests deeper than 4 levels", valid: "at most N×C×H×W")
            }
            shape.append(items.count)
        } else if depth > shape.count || items.count != shape[depth] {
            let rowNumber = node.path.split(separator: "[").last.flatMap { Int($0.dropLast()) }.map { $0 + 1 } ?? 0
            let firstPath = firstRowPath(node.path)
            throw node.error("ragged array: row \(rowNumber) has \(items.count) value\(items.count == 1 ? "" : "s"), row 1 (\(firstPath)) has \(shape[depth])",
                             valid: "every row must have the same length")
        }
        for item in items {
            try collect(item, depth: depth + 1, shape: &shape, data: &data)
        }
    }

    /// `input[2][1]` → `input[2][0]`: the first row at the same depth.
    private static func firstRowPath(_ path: String) -> String {
        guard let open = path.lastIndex(of: "[") else { return path }
        return String(path[..<open]) + "[0]"
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}
