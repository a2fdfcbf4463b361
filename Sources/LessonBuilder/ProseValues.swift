// LessonBuilder — numbers in a lesson's prose, substituted from the engine at build time.
import Foundation
import Storyboard

/// Replaces `{{KEY}}` in a lesson's text by the value the engine computed for `KEY` in the block just
/// above it, so a number in the prose is the engine's, not typed in by hand.
///
/// `KEY` is written as an `expect:` key: `loss`, `layer4.grad_bias[0]`, `output[1][2]`. The value is a
/// single number, written with 10 significant digits (`ValueFormat.significant`), as claims are printed.
enum ProseValues {
    /// `text` with every `{{KEY}}` replaced.
    /// - Parameters:
    ///   - text: Markdown between blocks.
    ///   - outcome: the run of the block above the text; nil before the first block.
    ///   - file: the lesson file, for messages.
    /// - Throws: `LessonError` (`.malformed`) naming the reference and what would be valid.
    static func substitute(_ text: String, outcome: BlockOutcome?, file: String) throws -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw LessonError(.malformed, file: file, line: 0, "`{{` without a closing `}}` in: \(rest.prefix(60))")
            }
            let key = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            out += try value(key, outcome: outcome, file: file)
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    static func value(_ key: String, outcome: BlockOutcome?, file: String) throws -> String {
        guard let outcome else {
            throw LessonError(.malformed, file: file, line: 0,
                              "{{\(key)}}: a prose value names a result of the convtrace block above it, and there is none")
        }
        guard let parsed = Claim.parseKey(key) else {
            throw LessonError(.malformed, file: file, line: 0, "{{\(key)}}: expected a key such as `loss` or `layer4.grad_bias[0]`; valid: "
                + Claim.quantities.sorted().joined(separator: ", "))
        }
        let alias = parsed.quantity.hasSuffix("grad_weight") ? parsed.quantity.replacingOccurrences(of: "grad_weight", with: "grad_kernel")
            : parsed.quantity.replacingOccurrences(of: "grad_kernel", with: "grad_weight")
        guard let tree = outcome.values[parsed.quantity] ?? outcome.values[alias] else {
            throw LessonError(.malformed, file: file, line: 0, "{{\(key)}}: the block above computes no `\(parsed.quantity)`; it computes "
                + outcome.values.keys.sorted().joined(separator: ", "))
        }
        guard let entry = tree.at(parsed.indices), case .scalar(let v) = entry else {
            throw LessonError(.malformed, file: file, line: 0, "{{\(key)}}: not a single number; `\(parsed.quantity)` has shape \(tree.shape)")
        }
        return ValueFormat.significant(v, digits: 10).replacingOccurrences(of: "-", with: "−")
    }
}
