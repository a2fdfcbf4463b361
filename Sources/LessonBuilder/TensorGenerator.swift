// LessonBuilder — tensors written as a recipe (`{zeros: [2, 30, 30]}`) expanded to literal nested lists.
import Storyboard
import Yams

/// Expands tensor recipes in a spec so lessons need not type thousands of numbers.
///
/// A recipe is a mapping in place of a tensor, with one of:
/// - `zeros: SHAPE`, `ones: SHAPE`, `full: SHAPE` with `value: v`;
/// - `arange: SHAPE` — 0, 1, 2, … in row-major order (optional `start:`, `step:`);
/// - `values: NESTED LIST` — the list as given;
/// - `image: square | checker | ramp | diagonal` with `size: [h, w]` — a small synthetic picture with
///   values 0 … 1 (`square`: a bright square in the middle of a dark field; `checker`: 2×2 checks;
///   `ramp`: brightness rising left to right; `diagonal`: bright on and below the main diagonal);
/// optionally followed by `divide: d` and/or `times: t`, applied to every element.
public enum TensorGenerator {
    /// A recipe that cannot be expanded; `line` is relative to the block (1-based).
    public struct Failure: Error, Sendable {
        public var message: String
        public var line: Int?
    }

    /// Recipe keys (the first one present selects the recipe).
    public static let recipes = ["zeros", "ones", "full", "arange", "values", "image"]

    /// `node` with every recipe replaced by its literal nested list.
    public static func expand(_ node: Node) throws -> Node {
        switch node {
        case .mapping(let mapping):
            if let recipe = recipes.first(where: { mapping[$0] != nil }) {
                return try literal(recipe: recipe, mapping: mapping, line: node.mark?.line)
            }
            return .mapping(Node.Mapping(try mapping.map { ($0.key, try expand($0.value)) }))
        case .sequence(let seq):
            return .sequence(Node.Sequence(try seq.map(expand)))
        default:
            return node
        }
    }

    private static func shape(_ node: Node?, _ what: String, line: Int?) throws -> [Int] {
        guard let node, case .sequence(let seq) = node else {
            throw Failure(message: "\(what): expected a shape such as [2, 30, 30]", line: line)
        }
        let dims = seq.compactMap(\.int)
        guard dims.count == seq.count, !dims.isEmpty, dims.allSatisfy({ $0 > 0 }) else {
            throw Failure(message: "\(what): every dimension must be a positive integer", line: line)
        }
        guard dims.reduce(1, { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }) <= 4_000_000 else {
            throw Failure(message: "\(what): \(dims) has more than 4,000,000 elements; lessons use small tensors", line: line)
        }
        return dims
    }

    private static func number(_ node: Node?, _ what: String, default value: Double, line: Int?) throws -> Double {
        guard let node else { return value }
        guard let v = node.float ?? node.int.map(Double.init), v.isFinite else {
            throw Failure(message: "\(what): expected a number", line: node.mark?.line ?? line)
        }
        return v
    }

    private static func literal(recipe: String, mapping: Node.Mapping, line: Int?) throws -> Node {
        var dims: [Int]
        var data: [Double]
        switch recipe {
        case "zeros", "ones":
            dims = try shape(mapping[recipe], recipe, line: line)
            data = Array(repeating: recipe == "ones" ? 1 : 0, count: dims.reduce(1, *))
        case "full":
            dims = try shape(mapping[recipe], recipe, line: line)
            let v = try number(mapping["value"], "full: value", default: .nan, line: line)
            guard !v.isNaN else { throw Failure(message: "full: needs `value: v`", line: line) }
            data = Array(repeating: v, count: dims.reduce(1, *))
        case "arange":
            dims = try shape(mapping[recipe], recipe, line: line)
            let start = try number(mapping["start"], "arange: start", default: 0, line: line)
            let step = try number(mapping["step"], "arange: step", default: 1, line: line)
            data = (0..<dims.reduce(1, *)).map { start + Double($0) * step }
        case "values":
            guard let node = mapping["values"], let tree = LessonBlock.numbers(node) else {
                throw Failure(message: "values: expected a nested list of numbers", line: line)
            }
            dims = tree.shape
            data = tree.flattened
        default:
            guard let name = mapping["image"]?.string else { throw Failure(message: "image: expected a name", line: line) }
            let size = try shape(mapping["size"], "image: size", line: line)
            guard size.count == 2 else { throw Failure(message: "image: size must be [h, w]", line: line) }
            let (h, w) = (size[0], size[1])
            let pixel: (Int, Int) -> Double
            switch name {
            case "square": pixel = { y, x in (y >= h / 4 && y < h - h / 4 && x >= w / 4 && x < w - w / 4) ? 1 : 0 }
            case "checker": pixel = { y, x in ((y / 2 + x / 2) % 2 == 0) ? 1 : 0 }
            case "ramp": pixel = { _, x in w > 1 ? Double(x) / Double(w - 1) : 0 }
            case "diagonal": pixel = { y, x in y >= x ? 1 : 0 }
            default:
                throw Failure(message: "image: unknown picture `\(name)`; valid: square, checker, ramp, diagonal", line: line)
            }
            dims = size
            data = (0..<h).flatMap { y in (0..<w).map { x in pixel(y, x) } }
        }
        let divide = try number(mapping["divide"], "divide", default: 1, line: line)
        guard divide != 0 else { throw Failure(message: "divide: must not be 0", line: line) }
        let times = try number(mapping["times"], "times", default: 1, line: line)
        if divide != 1 || times != 1 { data = data.map { $0 * times / divide } }
        return nest(data[...], dims[...])
    }

    private static func nest(_ data: ArraySlice<Double>, _ dims: ArraySlice<Int>) -> Node {
        guard let first = dims.first else { return Node(ValueFormat.significant(data.first ?? 0, digits: 17)) }
        let rest = dims.dropFirst()
        let stride = rest.reduce(1, *)
        return .sequence(Node.Sequence((0..<first).map { i in
            let start = data.startIndex + i * stride
            return nest(data[start..<(start + stride)], rest)
        }, .implicit, .flow))
    }
}
