// SpecsTests — the catalog, the spec reader and the docs' key tables all follow the op descriptors.
import Engine
import Foundation
import JSONText
import Specs
import Testing
import Tracing

@Suite("Op catalog")
struct OpCatalogTests {
    /// One spec per op giving every key the op has, each with a non-default value.
    static let everyKey: [String: String] = [
        "add": "{op: add, input: [[1, -2], [0.5, 3]], from: 0}",
        "conv2d": "{op: conv2d, input: [[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[0, 1, 0], [2, 0, 2], [1, 1, 1]]], kernel: [[[[1, 0], [0, -1]]], [[[2, 1], [0, 1]]]], bias: [0.5, 1], stride: [1, 2], padding: [1, 0], padding_mode: reflect, dilation: [2, 1], flip: true, groups: 2}",
        "conv_transpose2d": "{op: conv_transpose2d, input: [[1, 2], [3, 4]], weight: [[1, 2], [3, 4]], bias: 1, stride: 2, padding: 1, output_padding: 1, dilation: 2}",
        "max_pool2d": "{op: max_pool2d, input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel_size: 2, stride: 1, padding: 1, ceil_mode: true}",
        "avg_pool2d": "{op: avg_pool2d, input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel_size: 2, stride: 1, padding: 1, ceil_mode: true, count_include_pad: false}",
        "global_max_pool": "{op: global_max_pool, input: [[1, 2], [3, 4]]}",
        "global_avg_pool": "{op: global_avg_pool, input: [[1, 2], [3, 4]]}",
        "relu": "{op: relu, input: [-1, 2]}",
        "leaky_relu": "{op: leaky_relu, input: [-1, 2], slope: 0.2}",
        "sigmoid": "{op: sigmoid, input: [-1, 2]}",
        "tanh": "{op: tanh, input: [-1, 2]}",
        "softmax": "{op: softmax, input: [-1, 2]}",
        "linear": "{op: linear, input: [1, 2], weight: [[1, 2], [3, 4]], bias: [0.5, -0.5]}",
        "flatten": "{op: flatten, input: [[[1, 2], [3, 4]]]}",
        "batch_norm2d": "{op: batch_norm2d, input: [[[1, 2], [3, 4]], [[0, 1], [1, 0]]], weight: [2, 0.5], bias: [1, -1], eps: 0.001, momentum: 0.3, training: false, running_mean: [0.5, 1], running_var: [2, 3]}",
        "dropout": "{op: dropout, input: [1, 2, 3], p: 0.25, training: false, seed: 3, mask: [1, 0, 1]}",
        "mse": "{op: mse, input: [1, 2], target: [0, 1]}",
        "softmax_cross_entropy": "{op: softmax_cross_entropy, input: [1, 2, 3], target: 2}",
        "bce": "{op: bce, input: [0.5, -1], target: [1, 0], with_logits: true}",
    ]

    @Test("the catalog's op names and keys are the descriptors'")
    func catalogFollowsDescriptors() {
        #expect(OpCatalog.layerOps == Ops.layers.map(\.name))
        #expect(OpCatalog.lossOps == Ops.losses.map(\.name))
        #expect(OpCatalog.opKeys["conv2d"] == ["kernel", "bias", "stride", "padding", "padding_mode", "dilation", "flip", "groups"])
        #expect(OpCatalog.requiredKeys["max_pool2d"] == ["kernel_size"])
        #expect(OpCatalog.requiredKeys["relu"] == nil)
        #expect(Set(Self.everyKey.keys) == Set(OpCatalog.layerOps + OpCatalog.lossOps))
    }

    @Test("the spec reader accepts every key of every op, and the values reach the layer",
          arguments: Ops.layers.map(\.name) + Ops.losses.map(\.name))
    func everyKeyAccepted(op: String) throws {
        let text = try #require(Self.everyKey[op])
        let keys = OpCatalog.opKeys[op] ?? []
        for key in keys { #expect(text.contains(" \(key): "), "the \(op) spec here does not give \(key)") }
        let problem = try parse(text)
        if let layer = problem.network.layers.first {
            #expect(layer.opName == op)
            // Every optional key was given a non-default value, so no header parameter equals the default.
            let params = Dictionary(layer.descriptor.parameters(layer), uniquingKeysWith: { a, _ in a })
            for key in layer.descriptor.keys where !key.isRequired {
                if let d = key.defaultValue, let given = params[key.name] { #expect(given != d, "\(op).\(key.name)") }
            }
            // And the layer survives the trace header.
            let header = TraceHeader(spec: .null, network: problem.network, input: problem.input, gradOutput: nil)
            #expect(try TraceHeader(json: try JSONValue(parsing: header.toJSON().serialized())).network == problem.network)
        } else {
            #expect(problem.network.loss?.descriptor.name == op)
        }
        _ = try problem.run()
    }

    @Test("a near-miss key is refused with the descriptor's keys suggested")
    func unknownKey() {
        let e = specError("{op: leaky_relu, input: [1], slop: 0.1}")
        #expect(e?.description.contains("unknown key 'slop' for leaky_relu; did you mean 'slope'?") == true)
        #expect(e?.description.contains("keys of leaky_relu: op, input, grad_output, slope, show") == true)
        let m = specError("{op: leaky_relu, input: [1], slope: x}")
        #expect(m?.description.contains("a number, e.g. 0.01") == true)
    }

    @Test("docs/spec-format.md shows every op, and each op's key table is the descriptor's")
    func docTablesMatch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/spec-format.md")
        let doc = try String(contentsOf: url, encoding: .utf8)
        let headings = doc.split(separator: "\n").filter { $0.hasPrefix("### ") }
        for name in OpCatalog.layerOps + OpCatalog.lossOps {
            #expect(headings.contains { $0.contains("`\(name)`") }, "no heading for \(name) in docs/spec-format.md")
        }
        for (name, keys) in Ops.layers.map({ ($0.name, $0.keys) }) + Ops.losses.map({ ($0.name, $0.keys) }) where !keys.isEmpty {
            let table = OpCatalog.keyTable(keys)
            #expect(doc.contains(table + "\n\n"), "docs/spec-format.md lacks this table for \(name):\n\(table)")
        }
    }
}
