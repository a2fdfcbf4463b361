// Specs — a budget on how far YAML aliases expand a document, so "billion laughs" is refused before any walk.
import Yams

/// Counts the nodes of a composed YAML document with aliases expanded, stopping at a budget.
///
/// Yams resolves `*alias` by sharing the anchored node, so composing is cheap, but every later walk (the
/// spec builder, the document's JSON copy, a lesson block's `title`) visits each alias as a full copy:
/// nine levels of nine aliases are 9^9 nodes. Without aliases a document has at most about one node per
/// byte of text, so `budget(forTextOfLength:)` allows that plus a small margin and refuses the rest.
public enum YAMLExpansion {
    /// Nodes a document of `length` bytes may expand to: the text length plus 1,024.
    public static func budget(forTextOfLength length: Int) -> Int { length + 1024 }

    /// Whether `node`, with aliases expanded, has more than `budget` nodes.
    ///
    /// - Complexity: O(budget): the walk stops as soon as the count passes it.
    public static func exceeds(_ node: Node, budget: Int) -> Bool {
        var count = 0
        var pending: [Node] = [node]
        while let next = pending.popLast() {
            count += 1
            if count > budget { return true }
            switch next {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    pending.append(key)
                    pending.append(value)
                }
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            default:
                break
            }
        }
        return false
    }

    /// The message for a refused document.
    public static func message(budget: Int) -> String {
        "expands to more than \(budget) YAML nodes through aliases (*name); write the values out, "
            + "or use fewer nested aliases"
    }
}
