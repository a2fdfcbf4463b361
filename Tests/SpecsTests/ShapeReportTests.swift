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
        // 2 filters of 3·3·3 weights, no bias = 54; 2·3·3 output cells of 27 terms each = 486.
        #expect(report.text.contains("  0  conv2d 2@3×3, stride 2, padding 1  1×2×3×3      54   486  Ho = Wo = (5 − 3 + 2·1)/2 + 1 = 3"))
        #expect(report.json["parameters"] == .int(54))
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

    @Test("LeNet-5: 61,706 parameters and 416,520 multiply-accumulates, layer by layer")
    func lenetCounts() throws {
        // The known counts of LeNet-5 with a 400→120 linear layer (as torch's sum(p.numel()) gives them):
        // conv 6@5×5 on 1 channel: 6·25 + 6 = 156, 28·28·6 cells × 25 terms = 117,600;
        // conv 16@5×5 on 6 channels: 16·150 + 16 = 2,416, 10·10·16 × 150 = 240,000;
        // linear 400→120: 48,000 + 120, 120→84: 10,080 + 84, 84→10: 840 + 10.
        let report = try SpecDocument.load(path: repositoryRoot + "/examples/lenet5.yaml").shapeReport()
        #expect(report.rows.map(\.parameters) == [156, 0, 0, 2416, 0, 0, 0, 48120, 0, 10164, 0, 850])
        #expect(report.rows.map(\.multiplyAccumulates) == [117_600, nil, nil, 240_000, nil, nil, nil, 48_000, nil, 10_080, nil, 840])
        #expect(report.totalParameters == 61_706)
        #expect(report.totalMultiplyAccumulates == 416_520)
        #expect(report.json["multiply_accumulates"] == .int(416_520))
        #expect(report.text.contains("parameters: 61,706; multiply-accumulates per forward pass: 416,520 (one input)"))
    }

    @Test("a batch multiplies the MACs, not the parameters")
    func batchCounts() throws {
        let one = try parse("op: conv2d\ninput: [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]\nkernel: [[1, 0], [0, -1]]\nbias: [0]\n").shapeReport()
        let two = try parse("op: conv2d\ninput: [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]\nkernel: [[1, 0], [0, -1]]\nbias: [0]\n").shapeReport()
        #expect(one.totalParameters == 5 && two.totalParameters == 5)
        #expect(one.totalMultiplyAccumulates == 16 && two.totalMultiplyAccumulates == 32)
        #expect(two.text.contains("multiply-accumulates per forward pass: 32 (a batch of 2, 2 × the per-input count)"))
    }
}
