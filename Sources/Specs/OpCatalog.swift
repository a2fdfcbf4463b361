// Specs — every op a spec may name, the keys each accepts, and "did you mean" suggestions.

/// What a spec may say: op names, their keys, and the keys every document accepts.
public enum OpCatalog {
    /// Ops usable as a layer of a network (and as a single op).
    public static let layerOps = [
        "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "global_max_pool", "global_avg_pool",
        "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "linear", "flatten",
    ]
    /// Losses: the last layer of a network, or a single op.
    public static let lossOps = ["mse", "softmax_cross_entropy", "bce"]
    /// Every value `op:` may take at the top of a document.
    public static let allOps = layerOps + lossOps + ["network"]

    /// Keys that belong to the op itself (besides `op`), per op.
    public static let opKeys: [String: [String]] = [
        "conv2d": ["kernel", "bias", "stride", "padding", "padding_mode", "dilation", "flip"],
        "conv_transpose2d": ["weight", "bias", "stride", "padding", "output_padding", "dilation"],
        "max_pool2d": ["kernel_size", "stride", "padding", "ceil_mode"],
        "avg_pool2d": ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"],
        "global_max_pool": [], "global_avg_pool": [],
        "relu": [], "leaky_relu": ["slope"], "sigmoid": [], "tanh": [], "softmax": [],
        "linear": ["weight", "bias"],
        "flatten": [],
        "mse": ["target"],
        "softmax_cross_entropy": ["target"],
        "bce": ["target", "with_logits"],
        "network": ["layers"],
    ]

    /// Keys that must be present, per op.
    public static let requiredKeys: [String: [String]] = [
        "conv2d": ["kernel"], "conv_transpose2d": ["weight"],
        "max_pool2d": ["kernel_size"], "avg_pool2d": ["kernel_size"],
        "linear": ["weight"],
        "mse": ["target"], "softmax_cross_entropy": ["target"], "bce": ["target"],
        "network": ["layers"],
    ]

    /// Lesson and tutorial extras: accepted at the top of any document and handed to LessonBuilder.
    public static let extraKeys = ["show", "expect", "tolerance", "title", "caption"]

    /// Keys of the document (not of a layer): the input and the backward seed.
    public static let documentKeys = ["op", "input", "grad_output"]

    /// Keys valid at the top of a document whose op is `op`.
    public static func topLevelKeys(op: String) -> [String] {
        documentKeys + (opKeys[op] ?? []) + extraKeys
    }

    /// Keys valid in a `layers:` entry whose op is `op`.
    public static func layerKeys(op: String) -> [String] {
        ["op"] + (opKeys[op] ?? [])
    }

    /// The candidates closest to `word` (edit distance ≤ max(2, a third of its length)), best first.
    public static func suggestions(for word: String, among candidates: [String]) -> [String] {
        let limit = Swift.max(2, word.count / 3)
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0)) }.filter { $0.1 <= limit }
        let best = scored.map(\.1).min()
        return scored.filter { $0.1 == best }.map(\.0)
    }

    /// "did you mean `x`?" text or "" when nothing is close.
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        let s = suggestions(for: word, among: candidates)
        guard !s.isEmpty else { return "" }
        return "did you mean " + s.map { "'\($0)'" }.joined(separator: " or ") + "?"
    }

    /// Levenshtein distance (insert, delete, substitute, each 1).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1,
                                       previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
