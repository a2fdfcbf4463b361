// LessonBuilder — compares every `expect:` claim of a document with the engine, element by element.
import Engine
import Foundation
import Storyboard

/// Checks claims against results.
public struct Verifier: Sendable {
    public var evaluator: any BlockEvaluator

    public init(evaluator: any BlockEvaluator) { self.evaluator = evaluator }

    /// Runs every block of `document` that has claims and checks each claim.
    /// - Throws: `LessonError` when a block is malformed or the engine refuses its spec.
    public func verify(_ document: LessonDocument) throws -> [ClaimCheck] {
        var checks: [ClaimCheck] = []
        for block in document.blocks where !block.claims.isEmpty {
            let outcome = try evaluator.evaluate(spec: block.specForEngine, file: document.file, line: block.line, traced: false)
            checks += Verifier.check(block, outcome: outcome, file: document.file)
        }
        return checks
    }

    /// Checks each claim of `block` against `outcome`.
    public static func check(_ block: LessonBlock, outcome: BlockOutcome, file: String) -> [ClaimCheck] {
        block.claims.map { claim in
            check(claim, in: block, outcome: outcome, file: file)
        }
    }

    static func check(_ claim: Claim, in block: LessonBlock, outcome: BlockOutcome, file: String) -> ClaimCheck {
        let base = outcome.values[claim.quantity]
            ?? (claim.quantity.hasSuffix("grad_weight") ? outcome.values[claim.quantity.replacingOccurrences(of: "grad_weight", with: "grad_kernel")] : nil)
            ?? (claim.quantity.hasSuffix("grad_kernel") ? outcome.values[claim.quantity.replacingOccurrences(of: "grad_kernel", with: "grad_weight")] : nil)
        guard let base else {
            let known = outcome.values.keys.sorted().joined(separator: ", ")
            return ClaimCheck(file: file, block: block, claim: claim, computed: nil, computedText: "nothing",
                              differences: ["\(claim.key): claimed \(claim.printed), but this spec computes no `\(claim.quantity)` (it computes: \(known))"])
        }
        guard var computed = base.at(claim.indices) else {
            return ClaimCheck(file: file, block: block, claim: claim, computed: nil, computedText: "nothing",
                              differences: ["\(claim.key): index out of range; `\(claim.quantity)` has shape \(base.shape)"])
        }
        var computedText = computed.text
        var expected = claim.expected
        if let order = claim.shapeOrder {
            // Rewrite the engine's shape in the text's axis order.
            let engine = computed.flattened.map { Int($0) }
            let letters = Verifier.axisLetters(rank: engine.count)
            var reordered: [Int] = []
            for letter in order {
                let l = letter == "F" ? "C" : letter
                guard let pos = letters.firstIndex(of: l) else { reordered = []; break }
                reordered.append(engine[pos])
            }
            if reordered.count == order.count {
                computed = NumberTree(ints: reordered)
                computedText = reordered.map(String.init).joined(separator: "x")
            }
        } else if claim.printed.contains("x") {
            computedText = computed.flattened.map { ValueFormat.significant($0, digits: 10) }.joined(separator: "x")
        }
        if claim.isMissing {
            return ClaimCheck(file: file, block: block, claim: claim, computed: computed, computedText: computedText,
                              differences: ["\(claim.key): no value claimed; engine computes \(computedText)"])
        }
        if case .scalar = expected, case .list(let items) = computed, items.count == 1, case .scalar = items[0] {
            expected = .list([expected])  // `loss: 0.69` against a one-element list
        } else if case .scalar = computed, case .list(let items) = expected, items.count == 1, case .scalar = items[0] {
            computed = .list([computed])  // `grad_bias: [10]` against a bias given as a scalar
        }
        let tolerance = block.tolerance ?? 1e-9 * max(1, computed.maxMagnitude)
        var differences: [String] = []
        if expected.shape != computed.shape {
            differences.append("\(claim.key): claimed \(claim.printed) (shape \(expected.shape)), engine computes \(computedText) (shape \(computed.shape))")
        } else if claim.shapeOrder != nil || claim.printed.contains("x") {
            if expected.flattened != computed.flattened {
                differences.append("\(claim.key): claimed \(claim.printed), engine computes \(computedText)")
            }
        } else {
            let shape = expected.shape
            for (offset, pair) in zip(expected.flattened, computed.flattened).enumerated() where !(abs(pair.0 - pair.1) <= tolerance) {
                var index: [Int] = []
                var rest = offset
                for d in shape.reversed() { index.insert(rest % d, at: 0); rest /= d }
                let name = claim.key + index.map { "[\($0)]" }.joined()
                differences.append("\(name): claimed \(ValueFormat.significant(pair.0, digits: 10)), engine computes \(ValueFormat.significant(pair.1, digits: 10))")
            }
        }
        return ClaimCheck(file: file, block: block, claim: claim, computed: computed, computedText: computedText,
                          differences: differences)
    }

    /// Axis letters of a result of `rank` axes, as Specs folds shapes: W; H W; C H W; N C H W.
    static func axisLetters(rank: Int) -> [Character] {
        switch rank {
        case 1: return ["W"]
        case 2: return ["H", "W"]
        case 3: return ["C", "H", "W"]
        default: return ["N", "C", "H", "W"]
        }
    }
}
