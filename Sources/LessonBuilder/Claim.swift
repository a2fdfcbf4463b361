// LessonBuilder — one number (or tensor, or shape) a text claims, as written in `expect:`.

/// One `expect:` entry: a quantity, an optional index path into it, and the claimed value.
///
/// Keys: `output`, `output_shape`, `grad_input`, `grad_kernel` (`grad_weight`), `grad_bias`, `loss`,
/// `shapes` (every layer's output shape), `receptive_field`, `parameters` (learned values) and `macs`
/// (multiply-adds of the forward pass; for a network, the sums over its layers), each optionally prefixed by `layerN.` (a
/// network's layer N) and followed by indices: `output[1][2]`, `layer0.grad_kernel[0]`, `shapes[8]`.
public struct Claim: Equatable, Sendable {
    /// The key as written, e.g. `grad_input[0][2]`.
    public var key: String
    /// The quantity, with its `layerN.` prefix when there is one, e.g. `layer0.grad_kernel`.
    public var quantity: String
    /// Indices into the quantity, outermost first.
    public var indices: [Int]
    /// The claimed value.
    public var expected: NumberTree
    /// The claimed value as the text prints it (`15x15x2` for a shape written that way).
    public var printed: String
    /// For a shape written `AxBxC`: the axis letters in the text's order (from `shape_order:`).
    public var shapeOrder: String?
    /// 1-based line of the key in the lesson file.
    public var line: Int
    /// Whether the key has no value yet (`output:` alone): a claim for `convtrace verify --update` to fill.
    public var isMissing = false

    /// The quantities a claim may name (after an optional `layerN.` prefix).
    public static let quantities: Set<String> = [
        "output", "output_shape", "grad_input", "grad_kernel", "grad_weight", "grad_bias", "loss",
        "shapes", "receptive_field", "parameters", "macs",
    ]

    public init(key: String, quantity: String, indices: [Int], expected: NumberTree, printed: String,
                shapeOrder: String? = nil, line: Int) {
        self.key = key; self.quantity = quantity; self.indices = indices; self.expected = expected
        self.printed = printed; self.shapeOrder = shapeOrder; self.line = line
    }

    /// Splits `layer0.grad_kernel[1][2]` into (`layer0.grad_kernel`, [1, 2]); nil when not a valid key.
    public static func parseKey(_ key: String) -> (quantity: String, indices: [Int])? {
        var name = Substring(key)
        var indices: [Int] = []
        if let bracket = name.firstIndex(of: "[") {
            var rest = name[bracket...]
            name = name[..<bracket]
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                      let i = Int(rest[rest.index(after: rest.startIndex)..<close]), i >= 0 else { return nil }
                indices.append(i)
                rest = rest[rest.index(after: close)...]
            }
        }
        var base = name
        if base.hasPrefix("layer"), let dot = base.firstIndex(of: ".") {
            guard Int(base[base.index(base.startIndex, offsetBy: 5)..<dot]) != nil else { return nil }
            base = base[base.index(after: dot)...]
        }
        guard quantities.contains(String(base)) else { return nil }
        return (String(name), indices)
    }
}
