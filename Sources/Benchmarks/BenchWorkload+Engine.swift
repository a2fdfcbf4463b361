// Benchmarks — the engine workload: conv2d forward + backward, untraced and into the null and memory sinks.
import Engine
import Foundation
import Tracing

extension BenchWorkload {
    /// conv2d forward + backward on 1×1×28×28 with 6 filters 5×5: plain reference vs traced with sinks.
    static let convFwdBwd28 = BenchWorkload(name: "conv_fwd_bwd_28") { context in
        let input = Tensor(shape: [1, 1, 28, 28], data: (0..<784).map { Double(($0 * 7) % 13) / 12 - 0.5 })
        let kernel = Tensor(shape: [6, 1, 5, 5], data: (0..<150).map { Double(($0 * 11) % 19) / 100 - 0.09 })
        let bias = Tensor(shape: [6], data: [0.1, -0.2, 0.05, 0, 0.3, -0.1])
        let dY = Tensor(shape: [1, 6, 24, 24], data: (0..<3456).map { Double($0 % 5) / 4 - 0.5 })
        let params = Conv2DParams()
        let repeats = 20
        var sinkCheck = 0.0
        let untraced = try context.medianSeconds(max(context.runs, 9)) {
            for _ in 0..<repeats {
                let y = try Conv2DReference.forward(input: input, kernel: kernel, bias: bias, params: params)
                let g = try Conv2DReference.backward(input: input, kernel: kernel, bias: bias, params: params, gradOutput: dY)
                sinkCheck += y.data[0] + g.input.data[0]
            }
        } / Double(repeats)
        let null = try context.medianSeconds(max(context.runs, 9)) {
            for _ in 0..<repeats {
                var tracer = Tracer<NullSink>.untraced
                let y = try Conv2D.forward(input: input, kernel: kernel, bias: bias, params: params, tracer: &tracer)
                let g = try Conv2D.backward(input: input, kernel: kernel, bias: bias, params: params, gradOutput: dY, tracer: &tracer)
                sinkCheck += y.data[0] + g.input.data[0]
            }
        } / Double(repeats)
        var events = 0
        let memory = try context.medianSeconds {
            var tracer = Tracer(sink: RecordingSink())
            let y = try Conv2D.forward(input: input, kernel: kernel, bias: bias, params: params, tracer: &tracer)
            let g = try Conv2D.backward(input: input, kernel: kernel, bias: bias, params: params, gradOutput: dY, tracer: &tracer)
            sinkCheck += y.data[0] + g.input.data[0]
            events = tracer.sink.events.count
        }
        if sinkCheck.isNaN { print("") }  // keeps the results alive
        return .object([
            ("untraced_ns", rounded(untraced * 1e9, 0)),
            ("null_sink_ns", rounded(null * 1e9, 0)),
            ("memory_sink_ns", rounded(memory * 1e9, 0)),
            ("null_sink_ratio", rounded(null / untraced, 3)),
            ("memory_sink_ratio", rounded(memory / untraced, 3)),
            ("events", .int(events)),
        ])
    }

}
