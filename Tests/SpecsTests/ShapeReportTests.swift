// SpecsTests — the `convtrace shape SPEC` report: per-layer formulas, exactness notes, receptive field.
import Engine
import Specs
import Testing
import Tracing

@Suite("Shape report")
struct ShapeReportTests {
    @Test("the tutorial's 5×5×3 input, K = 2, F = 3, S = 2, P = 1 gives 3×3×2 with the formula shown")
    func tutorialConv() throws {
        // convolutional-neural-networks.md: (5 − 3 + 2·1)/2 + 1 = 3, two filters → 3×3×2 (K×Ho×Wo = 2×3×3 here).
        let zeros3x3x3 = "[[[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]]"
        let row = "[1, 2, 3, 4, 5]"
        let plane = "[\(row), \(row), \(row), \(row), \(row)]"
        let p = try parse("op: conv2d\ninput: [\(plane), \(plane), \(plane)]\nkernel: [\(zeros3x3x3), \(zeros3x3x3)]\nstride: 2\npadding: 1\n")
        #expect(p.outputShape == [2, 3, 3])
        let report = try p.shapeReport()
        #expect(report.rows.count == 1)
        #expect(report.rows[0].height?.formula == "(5 − 3 + 2·1)/2 + 1 = 3")
        #expect(report.rows[0].summary == "2@3×3, stride 2, padding 1")
        #expect(report.text.contains("  0  conv2d 2@3×3, stride 2, padding 1  1×2×3×3  Ho = Wo = (5 − 3 + 2·1)/2 + 1 = 3"))
        #expect(report.json["output_shape"] == .array([.int(2), .int(3), .int(3)]))
    }

    @Test("an inexact division is noted; the receptive field follows r_{l−1} = s_l·r_l + k_l − s_l")
    func inexactAndField() throws {
        // 6×6 → conv 3×3 (stride 1) → 4×4 → conv 3×3 stride 2 → ⌊(4 − 3)/2⌋ + 1 = 1.
        // Receptive field from the top: r2 = 1, r1 = 2·1 + 3 − 2 = 3, r0 = 1·3 + 3 − 1 = 5.
        let row = "[1, 2, 3, 4, 5, 6]"
        let p = try parse("""
            op: network
            input: [[\(row), \(row), \(row), \(row), \(row), \(row)]]
            layers:
              - {op: conv2d, kernel: [[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]]}
              - {op: relu}
              - {op: conv2d, kernel: [[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]], stride: 2}
            """)
        let report = try p.shapeReport()
        #expect(report.rows.map(\.outputShape) == [[1, 1, 4, 4], [1, 1, 4, 4], [1, 1, 1, 1]])
        // (4 − 3 + 0)/2 = 0.5: floored, the last row/column is never read.
        #expect(report.rows[2].height?.isExact == false)
        #expect(report.text.contains("note: output height is not exact"))
        #expect(report.receptiveField?.y.size == 5)
        #expect(report.text.contains("r2 = 1\n  r1 = 2·1 + 3 − 2 = 3\n  r0 = 1·3 + 3 − 1 = 5"))
    }
}
