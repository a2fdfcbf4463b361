// StoryboardTests — an equation reads "=" only when its printed numbers give its printed result, else "≈".
import Testing
@testable import Storyboard

@Suite("Equation relation as printed")
struct EquationRelationTests {
    static func term(_ a: Double, _ b: Double, _ f: ValueFormat) -> Term {
        Term(operands: [Operand(label: "dY", value: a, text: f.text(a)), Operand(label: "x", value: b, text: f.text(b))],
             product: a * b, productText: f.text(a * b), traceStep: 0)
    }

    static func equation(_ pairs: [(Double, Double)], bias: Double? = nil, digits: Int = 2) -> Equation {
        let f = ValueFormat(digits: digits)
        let terms = pairs.map { term($0.0, $0.1, f) }
        let result = pairs.reduce(bias ?? 0) { $0 + $1.0 * $1.1 }
        return Equation(target: Operand(label: "dK[0,0]", value: result, text: f.text(result)), terms: terms,
                        bias: bias.map { Operand(label: "b", value: $0, text: f.text($0)) },
                        result: result, resultText: f.text(result))
    }

    @Test("lesson 10's dK[0,0]: the printed terms give 1.06, the result prints 1.07, so it reads ≈")
    func roundedTermsReadApproximately() {
        let e = Self.equation([(0.3947, 2), (0.1918, 3), (-0.2937, 1)])
        #expect(e.resultText == "1.07")
        #expect(e.resultRelation == "≈")
        #expect(e.text() == "dK[0,0] = 0.39·2 + 0.19·3 + (-0.29)·1 ≈ 1.07")
    }

    @Test("integers and exact decimals read =, with and without a bias")
    func exactReadsEqual() {
        #expect(Self.equation([(1, 3), (-2, 4), (0.5, 0.5)]).resultRelation == "=")
        #expect(Self.equation([(1, 3), (2, 4)], bias: -0.25).text() == "dK[0,0] = 1·3 + 2·4 + (-0.25) (bias) = 10.75")
        // 0.5·0.25 = 0.125 prints as 0.13 with two decimals: ≈; with three decimals it is exact again.
        #expect(Self.equation([(0.5, 0.25)]).resultRelation == "≈")
        #expect(Self.equation([(0.5, 0.25)], digits: 3).resultRelation == "=")
    }

    @Test("a term whose printed operands do not multiply to its printed product reads ≈; running sums likewise")
    func termsAndRunningSums() {
        let f = ValueFormat(digits: 2)
        #expect(Self.term(0.394, 2, f).productRelation == "≈")  // 0.39·2 = 0.78, product prints 0.79
        #expect(Self.term(0.25, 2, f).productRelation == "=")
        let r = RunningSum(before: 0.784, term: 0.571, after: 1.355, beforeText: "0.78", termText: "0.57", afterText: "1.36",
                           termsDone: 2, termsTotal: 3)
        #expect(r.relation == "≈")
        #expect(r.text == "running sum: 0.78 + 0.57 ≈ 1.36  (term 2 of 3)")
        let exact = RunningSum(before: 1, term: 2.5, after: 3.5, beforeText: "1", termText: "2.5", afterText: "3.5",
                               termsDone: 2, termsTotal: 3)
        #expect(exact.text == "running sum: 1 + 2.5 = 3.5  (term 2 of 3)")
    }
}
