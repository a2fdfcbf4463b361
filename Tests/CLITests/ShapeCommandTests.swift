// CLITests — `convtrace shape` end to end: the formula with numbers, exactness advice, a network's table and receptive field.
import Foundation
import Testing

@Suite("convtrace shape (end to end)", .serialized)
struct ShapeCommandTests {
    @Test("the issue's example: --input 5 --kernel 3 --padding 1 --stride 2")
    func formula() throws {
        let r = try CLI.run(["shape", "--input", "5", "--kernel", "3", "--padding", "1", "--stride", "2"])
        #expect(r.status == 0)
        #expect(r.stdout == "Ho = (5 − 3 + 2·1)/2 + 1 = 3\nWo = (5 − 3 + 2·1)/2 + 1 = 3\noutput: 3×3\n")
    }

    @Test("LeNet's 32 → 28 and 28 → 14, rectangular same padding, transposed convolution")
    func tutorialNumbers() throws {
        let lenet = try CLI.run(["shape", "--input", "32", "--kernel", "5"])
        #expect(lenet.stdout.hasPrefix("Ho = (32 − 5 + 2·0)/1 + 1 = 28\n"))
        let pool = try CLI.run(["shape", "--input", "28", "--kernel", "2", "--pool"])
        #expect(pool.stdout.hasPrefix("Ho = (28 − 2 + 2·0)/2 + 1 = 14\n"))
        let rect = try CLI.run(["shape", "--input", "7x9", "--kernel", "3x5", "--padding", "same"])
        #expect(rect.stdout == "Ho = (7 − 3 + 2·1)/1 + 1 = 7\nWo = (9 − 5 + 2·2)/1 + 1 = 9\noutput: 7×9\n")
        let transposed = try CLI.run(["shape", "--input", "2", "--kernel", "3", "--stride", "2", "--padding", "1", "--output-padding", "1", "--transposed"])
        #expect(transposed.stdout.hasPrefix("Ho = (2 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 4\n"))
    }

    @Test("an inexact division says so and lists the paddings and strides that would be exact")
    func inexact() throws {
        let r = try CLI.run(["shape", "--input", "6", "--kernel", "3", "--padding", "1", "--stride", "2"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("Ho = ⌊(6 − 3 + 2·1)/2⌋ + 1 = 3\n"))
        #expect(r.stdout.contains("not exact"))
        #expect(r.stdout.contains("it is exact with total padding 1 (0 before + 1 after) or 3 (1 before + 2 after), or with stride 1"))
        let json = try CLI.run(["shape", "--json", "--input", "6", "--kernel", "3", "--padding", "1", "--stride", "2"])
        let height = jsonObject(json.stdout)?["height"] as? [String: Any]
        #expect(height?["exact"] as? Bool == false)
        #expect(height?["exact_total_paddings"] as? [Int] == [1, 3])
        #expect(height?["exact_strides"] as? [Int] == [1])
        #expect(jsonObject(json.stdout)?["output"] as? [Int] == [3, 3])
    }

    @Test("shape SPEC: every layer's output and the receptive field recurrence")
    func network() throws {
        let r = try CLI.run(["shape", "examples/lenet5.yaml"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("  #  layer                   output      params     MACs  size\n"))
        #expect(r.stdout.contains("  0  conv2d 6@5×5            1×6×28×28      156  117,600  Ho = Wo = (32 − 5 + 2·0)/1 + 1 = 28\n"))
        #expect(r.stdout.contains("  5  avg_pool2d 2, stride 2  1×16×5×5         –        –  Ho = Wo = (10 − 2 + 2·0)/2 + 1 = 5\n"))
        #expect(r.stdout.contains("  6  flatten                 1×400            –        –\n"))
        #expect(r.stdout.contains("  7  linear 400→120          1×120       48,120   48,000\n"))
        #expect(r.stdout.contains("parameters: 61,706; multiply-accumulates per forward pass: 416,520 (one input)\n"))
        // r_{l−1} = s_l·r_l + k_l − s_l from the top: 1 → 2 → 6 → 12 → 16.
        #expect(r.stdout.contains("  r4 = 1\n  r3 = 2·1 + 2 − 2 = 2\n  r2 = 1·2 + 5 − 1 = 6\n  r1 = 2·6 + 2 − 2 = 12\n  r0 = 1·12 + 5 − 1 = 16\n  receptive field: 16×16 input cells\n"))
        let json = try CLI.run(["shape", "--json", "examples/cnn-basics-backprop.yaml"])
        let object = jsonObject(json.stdout)
        let layers = object?["layers"] as? [[String: Any]] ?? []
        #expect(layers.map { $0["output_shape"] as? [Int] ?? [] } == [[1, 2, 30, 30], [1, 2, 30, 30], [1, 2, 15, 15], [1, 4, 15, 15], [1, 4, 15, 15], [1, 900], [1, 10]])
        #expect((object?["receptive_field"] as? [String: Any])?["height"] as? Int == 8)
    }

    @Test("bad flags and specs: exit 2 with the reason on stderr")
    func errors() throws {
        let stride0 = try CLI.run(["shape", "--input", "5", "--kernel", "3", "--stride", "0"])
        #expect(stride0.status == 2)
        #expect(stride0.stderr == "convtrace: shape: --stride must be at least 1, got 0\n")
        let big = try CLI.run(["shape", "--input", "2", "--kernel", "3"])
        #expect(big.status == 2)
        #expect(big.stderr.contains("the kernel height is larger than the padded input"))
        let same = try CLI.run(["shape", "--input", "5", "--kernel", "3", "--padding", "same", "--stride", "2"])
        #expect(same.status == 2)
        #expect(same.stderr.contains("same is only defined for stride 1"))
        let word = try CLI.run(["shape", "--input", "five", "--kernel", "3"])
        #expect(word.status == 2)
        #expect(word.stderr.contains("--input five is not a size"))
        let none = try CLI.run(["shape"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("missing --input"))
        let spec = try CLI.temporaryFile("op: network\ninput: [[1, 2]]\nlayers:\n  - {op: max_pool2d, kernel_size: 0}\n")
        let bad = try CLI.run(["shape", spec])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains(":4:35: layers[0].kernel_size: kernel_size must be at least 1, got 0"))
    }
}
