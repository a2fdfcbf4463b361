// EngineTests — the op descriptors: one per op, names unique, header parameters round trip, shape rules hold.
import Foundation
import Testing
@testable import Engine

@Suite("Op descriptors")
struct OpDescriptorTests {
    /// One layer per op with non-default parameters and weights, and the input shape it is run on.
    static let layers: [(layer: Layer, input: [Int])] = [
        (.conv2d(Conv2DParams(stride: Pair(2, 1), padding: Padding(top: 1, bottom: 2, left: 0, right: 1),
                              paddingMode: .reflect, dilation: Pair(1, 2), flip: true, groups: 2),
                 kernel: Tensor(shape: [2, 1, 2, 2], data: [0.5, -1, 2, 0.25, 1, 1, -3, 7]),
                 bias: Tensor(shape: [2], data: [0.5, -0.25])), [1, 2, 5, 6]),
        (.convTranspose2d(ConvTranspose2DParams(stride: Pair(2), padding: Pair(1, 0), outputPadding: Pair(1, 0),
                                                dilation: Pair(1, 2)),
                          weight: Tensor(shape: [1, 2, 2, 2], data: [1, -2, 3, 0.5, -1, 0, 2, 4]), bias: nil), [1, 1, 3, 3]),
        (.maxPool2d(Pool2DParams(kernelSize: Pair(2, 3), stride: Pair(1, 2), padding: Pair(1, 0), ceilMode: true)), [1, 2, 5, 6]),
        (.avgPool2d(Pool2DParams(kernelSize: Pair(3, 2), stride: Pair(2, 1), padding: Pair(1), ceilMode: true,
                                 countIncludePad: false)), [1, 1, 6, 5]),
        (.globalMaxPool, [2, 3, 2, 2]),
        (.globalAvgPool, [2, 3, 2, 2]),
        (.relu, [1, 1, 2, 3]),
        (.leakyRelu(slope: 0.2), [1, 1, 2, 3]),
        (.sigmoid, [1, 2]),
        (.tanh, [1, 1, 3, 1]),
        (.softmax, [2, 3]),
        (.linear(weight: Tensor(shape: [2, 3], data: [1, 2, 3, -4, 5, 0.5]), bias: Tensor(shape: [2], data: [0.1, 0.2])), [2, 3]),
        (.flatten, [2, 3, 2, 1]),
        (.batchNorm2d(BatchNorm2DParams(weight: Tensor(shape: [2], data: [2, 0.5]), bias: Tensor(shape: [2], data: [1, -1]),
                                        runningMean: Tensor(shape: [2], data: [0.5, 1]),
                                        runningVar: Tensor(shape: [2], data: [2, 3]), eps: 1e-3, momentum: 0.3,
                                        training: false)), [1, 2, 2, 2]),
        (.dropout(DropoutParams(p: 0.25, training: true, seed: 3, mask: Tensor(shape: [1, 1, 2, 3], data: [1, 0, 1, 1, 0, 0]))),
         [1, 1, 2, 3]),
        (.add(AddParams(from: 0)), [1, 2, 2, 1]),
    ]

    static let losses: [Loss] = [
        .mse(target: Tensor(shape: [1, 2], data: [0.3, -0.7])),
        .softmaxCrossEntropy(target: [2, 0]),
        .bce(target: Tensor(shape: [1, 2], data: [1, 0]), withLogits: true),
    ]

    @Test("every op is listed once, and the samples here cover every descriptor")
    func oneListOneName() {
        let names = Ops.layers.map(\.name) + Ops.losses.map(\.name)
        #expect(Set(names).count == names.count, "an op name appears twice: \(names)")
        #expect(Self.layers.map(\.layer.opName) == Ops.layers.map(\.name))
        #expect(Self.losses.map(\.descriptor.name) == Ops.losses.map(\.name))
        for d in Ops.layers { #expect(Ops.layer(named: d.name)?.name == d.name) }
        for d in Ops.losses { #expect(Ops.loss(named: d.name)?.name == d.name) }
        for d in Ops.layers { #expect(Set(d.keys.map(\.name)).count == d.keys.count, "\(d.name) declares a key twice") }
    }

    @Test("layer → header parameters → layer is the same layer, for every op with non-default parameters")
    func layerRoundTrip() throws {
        for (layer, _) in Self.layers {
            let d = layer.descriptor
            let back = try d.make(ParameterReader(d.parameters(layer)))
            #expect(back == layer, "\(d.name): \(back) ≠ \(layer)")
        }
    }

    @Test("loss → header parameters → loss is the same loss, bce with logits included")
    func lossRoundTrip() throws {
        for loss in Self.losses + [.bce(target: Tensor(shape: [2], data: [0, 1]), withLogits: false)] {
            let d = loss.descriptor
            #expect(try d.make(ParameterReader(d.parameters(loss))) == loss, "\(d.name)")
        }
    }

    @Test("a descriptor's output shape is the shape its forward pass produces")
    func shapeRuleMatchesForward() throws {
        for (layer, input) in Self.layers {
            let x = Tensor(shape: input, data: (0..<input.reduce(1, *)).map { Double($0 % 7) / 7 - 0.3 })
            var tracer = Tracer(sink: NullSink())
            let y = try Network.forward(layer, input: x, tracer: &tracer)
            #expect(try layer.descriptor.outputShape(layer, input) == y.shape, "\(layer.opName)")
        }
    }

    @Test("every key a spec must give has a hint, and no required key has a default")
    func keysAreComplete() {
        for d in Ops.layers.map({ ($0.name, $0.keys) }) + Ops.losses.map({ ($0.name, $0.keys) }) {
            for key in d.1 {
                if key.isRequired {
                    #expect(key.defaultValue == nil && key.defaultText == "required", "\(d.0).\(key.name)")
                    #expect(key.missingHint != key.name, "\(d.0).\(key.name) has no hint")
                }
                #expect(!key.meaning.isEmpty, "\(d.0).\(key.name) has no meaning for the docs")
            }
        }
    }

    @Test("the shape summary and sizes for `convtrace shape`: conv2d with stride, padding and dilation")
    func shapeSummary() throws {
        let (conv, input) = Self.layers[0]
        #expect(conv.descriptor.describe(conv) == "2@2×2, stride 2×1, padding [1, 2, 0, 1], dilation 1×2, groups 2")
        let sizes = try #require(try conv.descriptor.sizes(conv, input))
        // Ho = ⌊(5 + 1 + 2 − 1·(2 − 1) − 1)/2⌋ + 1 = 4, Wo = ⌊(6 + 0 + 1 − 2·(2 − 1) − 1)/1⌋ + 1 = 5.
        #expect(sizes.height.value == 4)
        #expect(sizes.width.value == 5)
        #expect(try Ops.relu.sizes(.relu, [1, 1, 2, 2]) == nil)
    }

    @Test("receptive field: windows count, element-wise ops pass, the rest stop the count")
    func receptiveFieldRoles() throws {
        for (layer, _) in Self.layers {
            let role = try layer.descriptor.receptiveField(layer)
            switch layer {
            case .conv2d, .maxPool2d, .avgPool2d:
                guard case .window = role else { Issue.record("\(layer.opName) should count as a window"); continue }
            case .relu, .leakyRelu, .sigmoid, .tanh, .softmax, .batchNorm2d, .dropout, .add:
                #expect(role == .passes, "\(layer.opName)")
            default:
                #expect(role == .stops, "\(layer.opName)")
            }
        }
        // conv2d's window: kernel 2×2, stride 2×1, dilation 1×2.
        let conv = Self.layers[0].layer
        #expect(try conv.descriptor.receptiveField(conv)
                == .window(y: .init(name: "conv2d", kernel: 2, stride: 2, dilation: 1),
                           x: .init(name: "conv2d", kernel: 2, stride: 1, dilation: 2)))
    }

    @Test("docs/trace-format.md names every header parameter of every layer op")
    func traceFormatDocListsParameters() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/trace-format.md")
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("| `") }
        for (layer, _) in Self.layers {
            let name = layer.opName
            guard let row = rows.first(where: { $0.split(separator: "|").first?.contains("`\(name)`") == true }) else {
                Issue.record("docs/trace-format.md has no layer row for \(name)")
                continue
            }
            let keys = row.split(separator: "|").dropFirst().joined()
            let names = layer.descriptor.parameters(layer).map(\.0)
            if names.isEmpty { #expect(keys.contains("none"), "\(name)") }
            for key in names { #expect(keys.contains("`\(key)`"), "docs/trace-format.md: \(name) lacks `\(key)`") }
        }
    }
}
