// SpecsTests — batch_norm2d and dropout through the spec reader: eval's running statistics and mask, and
// refusals that name the file and say what would be valid.
import Engine
import JSONText
import Specs
import Testing

@Suite struct NormSpecTests {
    @Test func batchNormReportsGradientsAndRunningStatistics() throws {
        // Channel 0 holds 1…4 (μ 2.5, biased σ² 1.25, unbiased 5/3); channel 1 holds 0, 0, 2, 2 (μ 1, σ² 1, unbiased 4/3).
        let v = try evaluate("""
            {op: batch_norm2d, input: [[[1, 2], [3, 4]], [[0, 0], [2, 2]]], momentum: 0.5, eps: 0,
             running_mean: [1, 1], running_var: [1, 2], grad_output: [[[1, 0], [0, 0]], [[0, 0], [0, 1]]]}
            """)
        #expect(close(numbers(v["running_mean"]).data, [0.5 * 1 + 0.5 * 2.5, 0.5 * 1 + 0.5 * 1]))
        #expect(close(numbers(v["running_var"]).data, [0.5 * 1 + 0.5 * 5.0 / 3, 0.5 * 2 + 0.5 * 4.0 / 3]))
        #expect(close(numbers(v["output"]).data, [-1.5, -0.5, 0.5, 1.5].map { $0 / 1.25.squareRoot() } + [-1, -1, 1, 1]))
        #expect(close(numbers(v["grad_bias"]).data, [1, 1]))
        #expect(close(numbers(v["grad_weight"]).data, [-1.5 / 1.25.squareRoot(), 1]))
        // Evaluation: the running statistics are used and reported unchanged.
        let e = try evaluate("{op: batch_norm2d, input: [[[[3]], [[5]]]], training: false, running_mean: [1, 1], running_var: [4, 16], eps: 0}")
        #expect(close(numbers(e["output"]).data, [1, 1]))
        #expect(close(numbers(e["running_var"]).data, [4, 16]))
    }

    @Test func dropoutReportsTheMaskInTheInputsShape() throws {
        let v = try evaluate("{op: dropout, input: [[1, 2], [3, 4]], p: 0.75, mask: [[1, 0], [0, 1]], grad_output: [[1, 1], [1, 1]]}")
        #expect(numbers(v["mask"]).shape == [2, 2])
        #expect(numbers(v["mask"]).data == [1, 0, 0, 1])
        #expect(numbers(v["output"]).data == [4, 0, 0, 16])
        #expect(numbers(v["grad_input"]).data == [4, 0, 0, 4])
        let seeded = try evaluate("{op: dropout, input: [1, 2, 3, 4, 5, 6, 7, 8], p: 0.5, seed: 42}")
        #expect(numbers(seeded["mask"]).data == Dropout.mask(count: 8, p: 0.5, seed: 42))
        let off = try evaluate("{op: dropout, input: [1, 2], training: false}")
        #expect(off["mask"] == nil)
        #expect(numbers(off["output"]).data == [1, 2])
    }

    @Test func refusalsNameTheFileAndTheFix() {
        let cases: [(String, String)] = [
            ("{op: batch_norm2d, input: [[[[1]], [[2]]]]}", "expected more than 1 value per channel when training"),
            ("{op: batch_norm2d, input: [[[1, 2]], [[3, 4]]], bias: [1, 2, 3]}", "bias has 3 values but the input has C = 2 channels"),
            ("{op: batch_norm2d, input: [[[1, 2]], [[3, 4]]], eps: -1}", "eps must be a finite number ≥ 0"),
            ("{op: dropout, input: [1, 2], p: 1}", "p must be in [0, 1)"),
            ("{op: dropout, input: [1, 2], mask: [1, 2]}", "mask must hold only 0 (dropped) and 1 (kept)"),
            ("{op: dropout, input: [1, 2], mask: [[1, 0], [1, 1]]}", "give a mask of the input's shape"),
            ("{op: dropout, input: [1, 2], seed: -3}", "seed must be an integer from 0 to 2^53"),
        ]
        for (spec, message) in cases {
            let text = specError(spec)?.description ?? ""
            #expect(text.hasPrefix("t.yaml"), "\(spec): \(text)")
            #expect(text.contains(message), "\(spec): \(text)")
        }
        // A refusal about one key is placed at that key's value: p and mask on their own lines.
        #expect(specError("op: dropout\ninput: [1, 2]\np: 1\n")?.description.hasPrefix("t.yaml:3:4: p: ") == true)
        #expect(specError("op: dropout\ninput: [1, 2]\nmask: [1, 2]\n")?.description.hasPrefix("t.yaml:3:7: mask: ") == true)
        // In a network, the shape check names the layer.
        let net = specError("{op: network, input: [[[[1]], [[2]]]], layers: [{op: batch_norm2d}]}")?.description ?? ""
        #expect(net.contains("layers[0]") && net.contains("N·H·W = 1"), "\(net)")
    }
}
