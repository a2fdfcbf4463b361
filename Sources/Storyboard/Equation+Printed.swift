// Storyboard — whether an equation holds as printed: "=" when the printed numbers give the printed result, else "≈".

extension Equation {
    /// The relation between the right-hand side as printed and the printed result: `=` when a reader who
    /// does the arithmetic on the printed numbers gets the printed result, `≈` when rounding the numbers
    /// for display breaks that (e.g. `0.39·2 + 0.19·3 + (-0.29)·1` gives 1.06 while the exact result
    /// prints as 1.07). Max and function equations always read `=`: rounding keeps the order of values,
    /// and f(x) is read as the function's value, not recomputed.
    public var resultRelation: String {
        guard let result = Printed.number(resultText) else { return "=" }
        switch combine {
        case .sum:
            guard let sum = Printed.sum(of: terms, range: terms.indices), let b = bias.map({ Printed.number($0.text) }) ?? 0 else { return "=" }
            return Printed.relation(sum + b, result)
        case .mean:
            guard let sum = Printed.sum(of: terms, range: terms.indices), let d = divisor, d != 0 else { return "=" }
            return Printed.relation(sum / d, result)
        case .max, .apply:
            return "="
        }
    }

    /// The relation of group `g`'s printed terms to its printed subtotal (see `resultRelation`).
    public func subtotalRelation(_ g: TermGroup) -> String {
        guard let subtotal = Printed.number(g.subtotalText), let sum = Printed.sum(of: terms, range: g.terms) else { return "=" }
        return Printed.relation(sum, subtotal)
    }

    /// The relation of the printed subtotals (plus the printed bias) to the printed result, for the
    /// last line of a grouped equation (`y = c0 + c1 + b ≈ result`).
    public var subtotalsRelation: String {
        guard let result = Printed.number(resultText) else { return "=" }
        var sum = 0.0
        for g in groups {
            guard let s = Printed.number(g.subtotalText) else { return "=" }
            sum += s
        }
        if let bias {
            guard let b = Printed.number(bias.text) else { return "=" }
            sum += b
        }
        return Printed.relation(sum, result)
    }
}

extension Term {
    /// `=` when the printed operands multiply to the printed product, else `≈` (see `Equation.resultRelation`).
    public var productRelation: String {
        guard operands.count > 1, let p = Printed.number(productText), let computed = Printed.sum(of: [self], range: 0..<1) else { return "=" }
        return Printed.relation(computed, p)
    }
}

extension RunningSum {
    /// `=` when the printed `before + term` (or max) gives the printed `after`, else `≈` (see
    /// `Equation.resultRelation`).
    public var relation: String {
        guard combine != .max, let b = Printed.number(beforeText), let t = Printed.number(termText),
              let a = Printed.number(afterText) else { return "=" }
        return Printed.relation(b + t, a)
    }
}

/// Arithmetic on numbers as `ValueFormat` prints them.
enum Printed {
    /// The value of a printed number (`-0.29`, `−0.29`, `1.5e-07`), nil for `nan`, `inf` or other text.
    static func number(_ text: String) -> Double? {
        guard !text.isEmpty else { return nil }
        let ascii = text.replacingOccurrences(of: "−", with: "-")
        guard let v = Double(ascii), v.isFinite else { return nil }
        return v
    }

    /// Σ over `range` of the product of each term's printed operands (a single operand: its value).
    static func sum(of terms: [Term], range: Range<Int>) -> Double? {
        var sum = 0.0
        for i in range where terms.indices.contains(i) {
            var product = 1.0
            for o in terms[i].operands {
                guard let v = number(o.text) else { return nil }
                product *= v
            }
            sum += product
        }
        return sum
    }

    /// `=` when `computed` equals `printed` up to the floating-point error of adding a few printed
    /// decimals (relative 1e-9), else `≈`.
    static func relation(_ computed: Double, _ printed: Double) -> String {
        abs(computed - printed) <= 1e-9 * max(1, abs(printed), abs(computed)) ? "=" : "≈"
    }
}
