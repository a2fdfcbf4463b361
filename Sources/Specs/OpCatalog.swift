// Specs — every op a spec may name, the keys each accepts, and "did you mean" suggestions.
import Engine

/// What a spec may say: op names, their keys, and the keys every document accepts — all read from the
/// op descriptors (`Ops.layers`, `Ops.losses`), so an op is named in one place.
public enum OpCatalog {
    /// Ops usable as a layer of a network (and as a single op).
    public static let layerOps = Ops.layers.map(\.name)
    /// Losses: the last layer of a network, or a single op.
    public static let lossOps = Ops.losses.map(\.name)
    /// Every value `op:` may take at the top of a document.
    public static let allOps = layerOps + lossOps + ["network"]

    /// Keys that belong to the op itself (besides `op`), per op.
    public static let opKeys: [String: [String]] = {
        var keys = ["network": ["layers", "train"]]
        for d in Ops.layers { keys[d.name] = d.keys.map(\.name) }
        for d in Ops.losses { keys[d.name] = d.keys.map(\.name) }
        return keys
    }()

    /// Keys that must be present, per op.
    public static let requiredKeys: [String: [String]] = {
        var keys = ["network": ["layers"]]
        for d in Ops.layers where !d.requiredKeys.isEmpty { keys[d.name] = d.requiredKeys }
        for d in Ops.losses where !d.requiredKeys.isEmpty { keys[d.name] = d.requiredKeys }
        return keys
    }()

    /// The spec key `key` of op `op`, when the op declares it.
    public static func key(_ key: String, of op: String) -> OpKey? {
        Ops.layer(named: op)?.key(key) ?? Ops.loss(named: op)?.key(key)
    }

    /// The Markdown table of an op's keys, as docs/spec-format.md shows it (a test keeps the two equal).
    public static func keyTable(_ keys: [OpKey]) -> String {
        var lines = ["| key | default | meaning |", "|---|---|---|"]
        for key in keys { lines.append("| `\(key.name)` | \(key.defaultText) | \(key.meaning) |") }
        return lines.joined(separator: "\n")
    }

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
