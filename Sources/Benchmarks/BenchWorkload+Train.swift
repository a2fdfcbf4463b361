// Benchmarks — the `train` workload: SGD steps of LeNet-5 with batch norm after each conv, untraced, and the
// trace-write rate of one traced step.
import Engine
import Foundation
import JSONText
import Tracing

extension BenchWorkload {
    /// `train_steps_per_s`: 100 SGD steps (lr 0.01, momentum 0.9) of LeNet-5 with a batch_norm2d after each
    /// conv, untraced (`Network.train` with the null sink, as `eval` of a train: spec runs it), median over
    /// `runs`; and one traced step (forward, backward, update: every event) written as a version 2 trace.
    static let train = BenchWorkload(name: "train") { context in
        let network = BenchTrain.lenetWithBatchNorm(context.lenet.network)
        let input = context.lenet.input
        let optimizer = Optimizer.sgd(SGDParams(lr: 0.01, momentum: 0.9))
        let steps = 100
        var sink = 0.0
        let seconds = try context.medianSeconds(max(3, context.runs / 3)) {
            var tracer = Tracer<NullSink>.untraced
            sink += try network.train(input: input, optimizer: optimizer, steps: steps, tracer: &tracer).losses[steps - 1]
        }
        // One traced step: record it, then time the v2 writer on its events.
        var recorder = Tracer(sink: RecordingSink())
        _ = try network.train(input: input, optimizer: optimizer, steps: 1, tracer: &recorder)
        let events = recorder.sink.events
        let header = TraceHeader(spec: .object([("op", .string("network")), ("note", .string("LeNet-5 + batch norm, 1 SGD step"))]),
                                 network: network, input: input, gradOutput: nil)
        let path = context.folder + "/train-step.ctb"
        let write = try context.medianSeconds {
            let w = try CompactBinaryWriter(path: path, header: header)
            for e in events { w.record(e) }
            try w.finish()
        }
        let traced = try context.medianSeconds(max(3, context.runs / 3)) {
            var tracer = Tracer(sink: RecordingSink())
            sink += try network.train(input: input, optimizer: optimizer, steps: 1, tracer: &tracer).losses[0]
        }
        if sink.isNaN { print("") }  // keeps the results alive
        let updates = events.filter { $0.kind == .update }.count
        return .object([
            ("train_steps_per_s", rounded(Double(steps) / seconds, 1)),
            ("steps", .int(steps)),
            ("network", .string(context.lenet.source + " with batch_norm2d after each conv2d, sgd lr 0.01 momentum 0.9")),
            ("traced_step_events", .int(events.count)),
            ("traced_step_update_events", .int(updates)),
            ("traced_step_record_s", rounded(traced, 4)),
            ("traced_step_v2_write_events_per_s", rounded(Double(events.count) / write, 0)),
        ])
    }
}

/// The network the `train` workload trains.
enum BenchTrain {
    /// `network` with a training batch_norm2d (PyTorch defaults) inserted after every conv2d.
    static func lenetWithBatchNorm(_ network: Network) -> Network {
        var layers: [Layer] = []
        for layer in network.layers {
            layers.append(layer)
            if case .conv2d = layer { layers.append(.batchNorm2d(BatchNorm2DParams())) }
        }
        return Network(layers: layers, loss: network.loss)
    }
}
