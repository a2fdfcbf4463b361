// Benchmarks — the `kernels` workload: untraced forward + backward through `Problem.run()`, the call `eval` makes.
import JSONText
import Engine
import Foundation
import Specs
import Tracing

extension BenchWorkload {
    /// Untraced forward + backward of the bench conv case, the tutorial examples and LeNet-5, each run the
    /// way `convtrace eval` runs a spec (`Problem.run()`); `tools/bench_vs_pytorch.py` times PyTorch on the
    /// same specs. Each figure is the median over `runs` of the mean of enough repetitions to take ~20 ms.
    static let kernels = BenchWorkload(name: "kernels") { context in
        var fields: [(String, JSONValue)] = []
        for (key, problem) in try BenchKernels.problems() {
            fields.append((key, rounded(try BenchKernels.microseconds(problem, context), 2)))
        }
        return .object(fields)
    }
}

/// The specs `kernels` times, and the timing loop.
enum BenchKernels {
    /// The bench conv case as a spec: 1×1×28×28 input, six 5×5 filters with a bias, dY given.
    ///
    /// Values: input (7·i mod 13)/12 − 0.5, kernel (11·i mod 19)/100 − 0.09, dY (i mod 5)/4 − 0.5 (row-major i).
    static func conv28Spec() -> String {
        func nested(_ shape: [Int], _ value: (Int) -> Double) -> String {
            var i = 0
            func level(_ d: Int) -> String {
                if d == shape.count { defer { i += 1 }; return "\(value(i))" }
                return "[" + (0..<shape[d]).map { _ in level(d + 1) }.joined(separator: ", ") + "]"
            }
            return level(0)
        }
        return """
            {"op": "conv2d",
             "input": \(nested([1, 1, 28, 28]) { Double(($0 * 7) % 13) / 12 - 0.5 }),
             "kernel": \(nested([6, 1, 5, 5]) { Double(($0 * 11) % 19) / 100 - 0.09 }),
             "bias": [0.1, -0.2, 0.05, 0, 0.3, -0.1],
             "grad_output": \(nested([1, 6, 24, 24]) { Double($0 % 5) / 4 - 0.5 })}
            """
    }

    /// (JSON key, problem): the bench case, the tutorial examples, LeNet-5.
    static func problems() throws -> [(String, Problem)] {
        var list: [(String, Problem)] = [("conv_fwd_bwd_28_us", try SpecDocument.parse(conv28Spec(), file: "bench-conv28.json"))]
        for (key, path) in [("conv_basic_us", "examples/conv-basic.yaml"),
                            ("conv_stride_padding_us", "examples/conv-stride-padding.yaml"),
                            ("cnn_basics_backprop_us", "examples/cnn-basics-backprop.yaml"),
                            ("lenet_fwd_bwd_us", "examples/lenet5.yaml")] {
            if let problem = try? SpecDocument.load(path: path) { list.append((key, problem)) }
        }
        return list
    }

    /// Median over `context.runs` (at least 9) of the mean time of one untraced `problem.run()`, in µs.
    static func microseconds(_ problem: Problem, _ context: BenchContext) throws -> Double {
        var sink = 0.0
        let once = try context.medianSeconds(3) { sink += try problem.run().output.data[0] }
        let repeats = max(1, min(10_000, Int(0.02 / max(once, 1e-9))))
        let seconds = try context.medianSeconds(max(context.runs, 9)) {
            for _ in 0..<repeats { sink += try problem.run().output.data[0] }
        } / Double(repeats)
        if sink.isNaN { print("") }  // keeps the results alive
        return seconds * 1e6
    }
}
