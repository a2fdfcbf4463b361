// TracingTests — TraceHeader: the JSON form rebuilds the exact network, input and grad_output.
import Engine
import JSONText
import Testing
@testable import Tracing

@Suite("TraceHeader")
struct TraceHeaderTests {
    /// Every layer kind and every loss appears once, with non-default parameters and awkward weights.
    static func everyLayer(loss: Loss?) -> TraceHeader {
        let k = Tensor(shape: [2, 1, 2, 3], data: [0.1, -0.0, 1e-300, 3, 123456789.123, -2, 1, 2, 3, 4, 5, 6])
        let w = Tensor(shape: [2, 3, 3, 2], data: (0..<36).map { Double($0) / 7 })
        let layers: [Layer] = [
            .conv2d(Conv2DParams(stride: Pair(2, 1), padding: Padding(top: 1, bottom: 2, left: 0, right: 3),
                                 paddingMode: .reflect, dilation: Pair(1, 2), flip: true), kernel: k, bias: Tensor(shape: [2], data: [0.5, -0.25])),
            .convTranspose2d(ConvTranspose2DParams(stride: Pair(2), padding: Pair(1, 0), outputPadding: Pair(1, 0), dilation: Pair(1)),
                             weight: w, bias: nil),
            .maxPool2d(Pool2DParams(kernelSize: Pair(2), stride: Pair(1, 2), padding: Pair(1, 0), ceilMode: true)),
            .avgPool2d(Pool2DParams(kernelSize: Pair(3, 2), countIncludePad: false)),
            .globalMaxPool, .globalAvgPool, .relu, .leakyRelu(slope: 0.01), .sigmoid, .tanh, .softmax, .flatten,
            .linear(weight: Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]), bias: Tensor(shape: [2], data: [0.1, 0.2])),
        ]
        let input = Tensor(shape: [1, 1, 5, 6], data: (0..<30).map { Double($0) * 0.1 })
        return TraceHeader(spec: .object([("op", .string("network")), ("note", .string("every layer"))]),
                           network: Network(layers: layers, loss: loss), input: input,
                           gradOutput: loss == nil ? Tensor(shape: [1, 2], data: [1, -1]) : nil)
    }

    @Test("header JSON text → header rebuilds the same network for every layer and loss", arguments: [
        nil, Loss.mse(target: Tensor(shape: [1, 2], data: [0.3, -0.7])), .softmaxCrossEntropy(target: [1]),
        .bce(target: Tensor(shape: [1, 2], data: [1, 0]), withLogits: true), .bce(target: Tensor(shape: [1, 2], data: [0, 1]), withLogits: false),
    ])
    func roundTrip(loss: Loss?) throws {
        let header = TraceHeaderTests.everyLayer(loss: loss)
        let text = header.toJSON().serialized()
        let back = try TraceHeader(json: try JSONValue(parsing: text))
        #expect(back == header)
        #expect(back.network == header.network)
        #expect(back.input.data.map(\.bitPattern) == header.input.data.map(\.bitPattern))
        #expect(back.toJSON().serialized() == text)
    }

    @Test("LeNet-5 shapes: 1×32×32 → 6×28×28 → 6×14×14 → 16×10×10 → 16×5×5 → 400 → 120 → 84 → 10")
    func lenetShapes() {
        let conv1 = Layer.conv2d(Conv2DParams(), kernel: Tensor(shape: [6, 1, 5, 5]), bias: nil)
        let conv2 = Layer.conv2d(Conv2DParams(), kernel: Tensor(shape: [16, 6, 5, 5]), bias: nil)
        let pool = Layer.maxPool2d(Pool2DParams(kernelSize: Pair(2)))
        let layers: [Layer] = [conv1, .relu, pool, conv2, .relu, pool, .flatten,
                               .linear(weight: Tensor(shape: [120, 400]), bias: nil), .relu,
                               .linear(weight: Tensor(shape: [84, 120]), bias: nil), .relu,
                               .linear(weight: Tensor(shape: [10, 84]), bias: nil)]
        let h = TraceHeader(spec: .null, network: Network(layers: layers, loss: .softmaxCrossEntropy(target: [3])),
                            input: Tensor(shape: [1, 1, 32, 32]), gradOutput: nil)
        #expect(h.layerShapes.map { $0?.output ?? [] } == [
            [1, 6, 28, 28], [1, 6, 28, 28], [1, 6, 14, 14], [1, 16, 10, 10], [1, 16, 10, 10], [1, 16, 5, 5],
            [1, 400], [1, 120], [1, 120], [1, 84], [1, 84], [1, 10]])
        #expect(h.lossInputShape == [1, 10])
        #expect(h.opName(ofLayer: 12) == "softmax_cross_entropy")
    }

    @Test("readable keys in the conv2d layer object")
    func readableKeys() throws {
        let json = Fixtures.convHeader.toJSON()
        #expect(json.keys == ["format", "schema_version", "spec", "input", "grad_output", "layers", "loss"])
        let layer = json["layers"]?.arrayValue?.first
        #expect(layer?.serialized() == #"{"op":"conv2d","stride":[1,1],"padding":[1,1,1,1],"padding_mode":"zeros","dilation":[1,1],"flip":false,"kernel_size":[2,2],"kernel":{"shape":[1,1,2,2],"data":[1,0,0,-1]},"bias":{"shape":[1],"data":[0.5]},"input_shape":[1,1,3,3],"output_shape":[1,1,4,4]}"#)
    }

    @Test("bad headers are refused with the key named")
    func badHeaders() throws {
        func message(_ edit: (inout String) -> Void) -> String {
            var text = Fixtures.convHeader.toJSON().serialized()
            edit(&text)
            return Fixtures.errorMessage { _ = try TraceHeader(json: try JSONValue(parsing: text)) }
        }
        #expect(message { $0 = $0.replacingOccurrences("\"schema_version\":1", "\"schema_version\":7") }
                == "schema version 7 is not supported; this convtrace reads version 1")
        #expect(message { $0 = $0.replacingOccurrences("convtrace-trace", "something-else") }
                == #"not a convtrace trace: the header's "format" is "something-else", expected "convtrace-trace""#)
        #expect(message { $0 = $0.replacingOccurrences("\"padding_mode\":\"zeros\"", "\"padding_mode\":\"mirror\"") }
                == "header key layers[0].padding_mode: expected one of zeros, reflect, replicate, circular")
        #expect(message { $0 = $0.replacingOccurrences("\"data\":[1,0,0,-1]", "\"data\":[1,0,0]") }
                == "header key layers[0].kernel.data: has 3 numbers but shape [1, 1, 2, 2] needs 4")
        #expect(message { $0 = $0.replacingOccurrences("\"op\":\"conv2d\"", "\"op\":\"conv3d\"") }.hasPrefix(
                "header key layers[0].op: unknown op \"conv3d\"; valid: conv2d, conv_transpose2d"))
    }
}

extension String {
    /// Replaces every occurrence of `target` (tests only; avoids Foundation).
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var out = "", rest = self[...]
        while let r = rest.firstRange(of: target) { out += rest[..<r.lowerBound] + replacement; rest = rest[r.upperBound...] }
        return out + rest
    }
}
