// Storyboard — the arithmetic of a step: target, every term with its operands, bias, result, running sum.

/// The equation of one step, e.g. `y[1,2] = 1·3 + 0·4 + … + b = 17`.
///
/// Terms are in trace order. For multi-channel convolutions `groups` splits them into per-channel
/// partial sums (`c0: … = 4`, `c1: … = −2`, …) that add up to the result.
public struct Equation: Equatable, Sendable {
    /// What is computed: the left-hand side, e.g. `y[1,2]`, `dK[0,1]`, `dX[2,2]`.
    public var target: Operand
    /// How the terms combine.
    public var combine: Combine
    /// Every term, in order. At mac granularity the terms not yet added are still listed with
    /// `state == .pending` so the whole equation is visible.
    public var terms: [Term]
    /// Per-channel (or other) partial sums over ranges of `terms`; empty when not grouped.
    public var groups: [TermGroup]
    /// The bias added after the sum, if any.
    public var bias: Operand?
    /// For `.mean`: the divisor (window size or non-padding count).
    public var divisor: Double?
    /// The value of the target after this equation, nil until it is known (mac granularity
    /// before the last term).
    public var result: Double?
    /// `result` formatted like the cells ("" when nil).
    public var resultText: String
    /// For `.apply`: the function's name as written, e.g. `tanh`, `relu`, `leaky_relu` (nil: `f`).
    public var function: String?

    public init(target: Operand, combine: Combine = .sum, terms: [Term], groups: [TermGroup] = [],
                bias: Operand? = nil, divisor: Double? = nil, result: Double?, resultText: String,
                function: String? = nil) {
        self.target = target; self.combine = combine; self.terms = terms; self.groups = groups
        self.bias = bias; self.divisor = divisor; self.result = result; self.resultText = resultText
        self.function = function
    }

    /// `tanh(-0.05)`: the function applied to the single operand (`.apply` equations).
    public var applicationText: String {
        (function ?? "f") + "(" + (terms.first?.operands.first?.text ?? "") + ")"
    }

    /// How an equation's terms combine into the result.
    public enum Combine: String, Equatable, Sendable {
        /// Σ products (+ bias): conv, transposed conv, linear, gradients.
        case sum
        /// max of the terms' values (max pooling).
        case max
        /// Σ values ÷ divisor (average pooling).
        case mean
        /// A function of one value (activations): the single term's `product` is f(x).
        case apply
    }

    /// Whether the terms are separate writes to different cells, not a sum: a transposed convolution's
    /// scatter (`scatter x[…]`) or average pooling spreading one dY cell (`spread dY[…]`). Views join such
    /// terms with ";" after an arrow, never with "+" or "=".
    public var isSeparateWrites: Bool {
        combine == .sum && result == nil && (target.label.hasPrefix("scatter ") || target.label.hasPrefix("spread "))
    }

    /// Index of the term being added in this frame (mac granularity), if any.
    public var currentTermIndex: Int? { terms.firstIndex { $0.state == .current } }

    /// The equation as one line of plain text, e.g. `y[1,2] = 1·3 + 0·4 + 2 (bias) = 17` (`≈` before the
    /// result when the printed numbers do not give it: `resultRelation`).
    ///
    /// Terms are written `a·b` with negative operands in parentheses; pending terms are included.
    /// - Parameter maxTerms: when there are more terms, the middle ones are elided with "…".
    public func text(maxTerms: Int = .max) -> String {
        var parts: [String] = []
        let shown: [Term?]
        if terms.count > maxTerms && maxTerms >= 2 {
            let head = (maxTerms + 1) / 2, tail = maxTerms - head
            shown = terms.prefix(head).map { Optional($0) } + [nil] + terms.suffix(tail).map { Optional($0) }
        } else {
            shown = terms.map { Optional($0) }
        }
        for t in shown { parts.append(t?.text ?? "…") }
        var rhs: String
        switch combine {
        case .sum where isSeparateWrites:
            return target.label + " → " + parts.joined(separator: "; ")
        case .sum:
            rhs = parts.isEmpty ? "0" : parts.joined(separator: " + ")
            if let bias { rhs += " + " + Operand.wrapped(bias.text) + " (bias)" }
        case .max:
            rhs = "max(" + parts.joined(separator: ", ") + ")"
        case .mean:
            rhs = "(" + parts.joined(separator: " + ") + ") / " + (divisor.map { ValueFormat.plain($0) } ?? "?")
        case .apply:
            rhs = applicationText
        }
        return target.label + " = " + rhs + (result == nil ? "" : " " + resultRelation + " " + resultText)
    }
}

/// One term of an equation: the operands multiplied (or the single value pooled) and its product.
public struct Term: Equatable, Sendable {
    /// The factors, e.g. [x[0,1], k[0,0]] for a mac, [dY[1,1], x[1,2]] for a kernel-gradient
    /// term; a single operand for pooling terms.
    public var operands: [Operand]
    /// The product of the operands (pooling: the value; activation: f(x)).
    public var product: Double
    /// `product` formatted.
    public var productText: String
    /// The term read a padding cell.
    public var isPadding: Bool
    /// Max pooling: the term that is (so far) the maximum.
    public var isSelected: Bool
    /// Done, being added now, or still to come (mac granularity).
    public var state: TermState
    /// 0-based trace step of the event this term comes from.
    public var traceStep: Int

    public init(operands: [Operand], product: Double, productText: String, isPadding: Bool = false,
                isSelected: Bool = false, state: TermState = .done, traceStep: Int) {
        self.operands = operands; self.product = product; self.productText = productText
        self.isPadding = isPadding; self.isSelected = isSelected; self.state = state
        self.traceStep = traceStep
    }

    /// "a·b" with negative operands in parentheses, e.g. `(-1)·3`.
    public var text: String { operands.map { Operand.wrapped($0.text) }.joined(separator: "·") }
}

/// Whether a term has been added yet.
public enum TermState: String, Equatable, Sendable {
    case done, current, pending
}

/// One operand of a term: a labelled value and the cell it came from.
public struct Operand: Equatable, Sendable {
    /// Label with tensor indices, e.g. `x[0,1]`, `k[1,0,2,2]`, `dY[1,1]`, `b[0]`.
    public var label: String
    /// The value.
    public var value: Double
    /// The value formatted like the cells.
    public var text: String
    /// The frame cell it was read from (nil if not drawn in the frame).
    public var ref: CellRef?
    /// The value came from a padding cell.
    public var isPadding: Bool

    public init(label: String, value: Double, text: String, ref: CellRef? = nil, isPadding: Bool = false) {
        self.label = label; self.value = value; self.text = text; self.ref = ref; self.isPadding = isPadding
    }

    /// Negative numbers in parentheses so that products read clearly.
    public static func wrapped(_ s: String) -> String { s.hasPrefix("-") || s.hasPrefix("−") ? "(" + s + ")" : s }
}

/// A partial sum over consecutive terms (e.g. one input channel's contribution).
public struct TermGroup: Equatable, Sendable {
    /// e.g. "channel 0".
    public var label: String
    /// Indices into `Equation.terms`.
    public var terms: Range<Int>
    /// Sum of those terms (nil while some are pending).
    public var subtotal: Double?
    /// `subtotal` formatted ("" when nil).
    public var subtotalText: String
    public init(label: String, terms: Range<Int>, subtotal: Double?, subtotalText: String) {
        self.label = label; self.terms = terms; self.subtotal = subtotal; self.subtotalText = subtotalText
    }
}

/// The running accumulator at mac granularity: `before + term = after`.
public struct RunningSum: Equatable, Sendable {
    /// Accumulator before this step.
    public var before: Double
    /// The term added now (for max pooling: the value compared).
    public var term: Double
    /// Accumulator after this step (the event's `acc`).
    public var after: Double
    /// Formatted versions.
    public var beforeText: String, termText: String, afterText: String
    /// How many terms of the equation have been added, including this one.
    public var termsDone: Int
    /// How many terms the equation has.
    public var termsTotal: Int
    /// `.sum` (acc + term) or `.max` (max(acc, term)); `.mean` accumulates a sum too.
    public var combine: Equation.Combine

    public init(before: Double, term: Double, after: Double, beforeText: String, termText: String,
                afterText: String, termsDone: Int, termsTotal: Int, combine: Equation.Combine = .sum) {
        self.before = before; self.term = term; self.after = after; self.beforeText = beforeText
        self.termText = termText; self.afterText = afterText; self.termsDone = termsDone
        self.termsTotal = termsTotal; self.combine = combine
    }

    /// e.g. "running sum: 4 + 6 = 10  (term 3 of 9)" or "running max: max(4, 6) = 6  (term 3 of 4)".
    public var text: String {
        let count = "  (term \(termsDone) of \(termsTotal))"
        if combine == .max {
            if termsDone <= 1 { return "running max: \(afterText)" + count }
            return "running max: max(\(beforeText), \(termText)) = \(afterText)" + count
        }
        if termsDone <= 1 { return "running sum: \(Operand.wrapped(termText)) \(relation) \(afterText)" + count }
        return "running sum: \(beforeText) + \(Operand.wrapped(termText)) \(relation) \(afterText)" + count
    }
}
