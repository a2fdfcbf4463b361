// EngineTests — loads the PyTorch float64 reference cases (Fixtures/*.json, written by tools/pytorch-fixtures).
import Foundation
import Testing
@testable import Engine

/// A tensor as the fixture files store it: shape plus row-major data, either as decimals (`data`)
/// or as base64 little-endian float64 (`f64le`, for large gradients).
struct FixtureTensor: Decodable, Sendable {
    var shape: [Int]
    var data: [Double]

    enum CodingKeys: String, CodingKey { case shape, data, f64le }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shape = try c.decode([Int].self, forKey: .shape)
        if let values = try c.decodeIfPresent([Double].self, forKey: .data) {
            data = values
        } else {
            let text = try c.decode(String.self, forKey: .f64le)
            guard let bytes = Data(base64Encoded: text), bytes.count % 8 == 0 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .f64le, in: c, debugDescription: "f64le is not base64 of float64 values")
            }
            data = stride(from: 0, to: bytes.count, by: 8).map { offset in
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(bytes[bytes.startIndex + offset + k]) << (8 * UInt64(k)) }
                return Double(bitPattern: bits)
            }
        }
        guard data.count == shape.reduce(1, *) else {
            throw DecodingError.dataCorruptedError(
                forKey: .shape, in: c, debugDescription: "\(data.count) values do not fill shape \(shape)")
        }
    }

    var tensor: Tensor { Tensor(shape: shape, data: data) }
}

/// Op parameters in the engine's terms (see Sources/Engine/Parameters.swift).
struct FixtureParams: Decodable, Sendable {
    var stride: [Int]?
    /// conv2d: [top, bottom, left, right]; conv_transpose2d and pools: [y, x].
    var padding: [Int]?
    var paddingMode: String?
    /// "same" or "full" when `padding` was resolved from a name.
    var paddingSpec: String?
    var dilation: [Int]?
    var flip: Bool?
    var outputPadding: [Int]?
    var kernelSize: [Int]?
    var ceilMode: Bool?
    var countIncludePad: Bool?
    var slope: Double?
    var withLogits: Bool?
    var eps: Double?
    var momentum: Double?
    var training: Bool?
    var p: Double?
    var groups: Int?
    var from: Int?

    func pair(_ v: [Int]?, default d: Int) -> Pair { v.map { Pair($0[0], $0[1]) } ?? Pair(d) }

    func conv2d() throws -> Conv2DParams {
        let p = padding ?? [0, 0, 0, 0]
        guard let mode = PaddingMode(rawValue: paddingMode ?? "zeros") else {
            throw FixtureError("unknown padding_mode \(paddingMode ?? "")")
        }
        return Conv2DParams(
            stride: pair(stride, default: 1), padding: Padding(top: p[0], bottom: p[1], left: p[2], right: p[3]),
            paddingMode: mode, dilation: pair(dilation, default: 1), flip: flip ?? false, groups: groups ?? 1)
    }

    func convTranspose2d() -> ConvTranspose2DParams {
        ConvTranspose2DParams(
            stride: pair(stride, default: 1), padding: pair(padding, default: 0),
            outputPadding: pair(outputPadding, default: 0), dilation: pair(dilation, default: 1))
    }

    func pool() throws -> Pool2DParams {
        guard let k = kernelSize else { throw FixtureError("pool case without kernel_size") }
        return Pool2DParams(
            kernelSize: Pair(k[0], k[1]), stride: stride.map { Pair($0[0], $0[1]) }, padding: pair(padding, default: 0),
            ceilMode: ceilMode ?? false, countIncludePad: countIncludePad ?? true)
    }
}

/// One single-op case: the op, its parameters, its tensors and PyTorch's results.
struct OpCase: Decodable, Sendable, CustomTestStringConvertible {
    var file: String = ""
    var name: String
    var op: String
    var params: FixtureParams?
    var input: FixtureTensor
    var kernel: FixtureTensor?
    var weight: FixtureTensor?
    var bias: FixtureTensor?
    var gradOutput: FixtureTensor?
    var target: FixtureTensor?
    var targetClasses: [Int]?
    var output: FixtureTensor?
    var loss: Double?
    var gradInput: FixtureTensor?
    var gradKernel: FixtureTensor?
    var gradWeight: FixtureTensor?
    var gradBias: FixtureTensor?

    enum CodingKeys: String, CodingKey {
        case name, op, params, input, kernel, weight, bias, gradOutput, target, targetClasses, output, loss
        case gradInput, gradKernel, gradWeight, gradBias
    }

    var testDescription: String { "\(file)/\(name)" }
}

/// One layer of a network case.
struct FixtureLayer: Decodable, Sendable {
    var op: String
    var params: FixtureParams?
    var kernel: FixtureTensor?
    var weight: FixtureTensor?
    var bias: FixtureTensor?
    var runningMean: FixtureTensor?
    var runningVar: FixtureTensor?
    var mask: FixtureTensor?

    func layer() throws -> Layer {
        let p = params ?? FixtureParams()
        switch op {
        case "conv2d":
            guard let kernel else { throw FixtureError("conv2d layer without kernel") }
            return .conv2d(try p.conv2d(), kernel: kernel.tensor, bias: bias?.tensor)
        case "conv_transpose2d":
            guard let weight else { throw FixtureError("conv_transpose2d layer without weight") }
            return .convTranspose2d(p.convTranspose2d(), weight: weight.tensor, bias: bias?.tensor)
        case "max_pool2d": return .maxPool2d(try p.pool())
        case "avg_pool2d": return .avgPool2d(try p.pool())
        case "global_max_pool": return .globalMaxPool
        case "global_avg_pool": return .globalAvgPool
        case "relu": return .relu
        case "leaky_relu": return .leakyRelu(slope: p.slope ?? 0.01)
        case "sigmoid": return .sigmoid
        case "tanh": return .tanh
        case "softmax": return .softmax
        case "flatten": return .flatten
        case "linear":
            guard let weight else { throw FixtureError("linear layer without weight") }
            return .linear(weight: weight.tensor, bias: bias?.tensor)
        case "batch_norm2d":
            return .batchNorm2d(BatchNorm2DParams(
                weight: weight?.tensor, bias: bias?.tensor, runningMean: runningMean?.tensor, runningVar: runningVar?.tensor,
                eps: p.eps ?? 1e-5, momentum: p.momentum ?? 0.1, training: p.training ?? true))
        case "dropout":
            return .dropout(DropoutParams(p: p.p ?? 0.5, training: p.training ?? true, mask: mask?.tensor))
        case "add":
            guard let from = p.from else { throw FixtureError("add layer without from") }
            return .add(AddParams(from: from, projection: kernel.map {
                AddParams.Projection(kernel: $0.tensor, bias: bias?.tensor, stride: p.pair(p.stride, default: 1))
            }))
        default: throw FixtureError("unknown layer op \(op)")
        }
    }
}

/// The loss at the end of a network case.
struct FixtureLoss: Decodable, Sendable {
    var op: String
    var target: FixtureTensor?
    var targetClasses: [Int]?

    func loss() throws -> Loss {
        switch op {
        case "mse":
            guard let target else { throw FixtureError("mse without target") }
            return .mse(target: target.tensor)
        case "softmax_cross_entropy":
            guard let targetClasses else { throw FixtureError("cross-entropy without target_classes") }
            return .softmaxCrossEntropy(target: targetClasses)
        case "bce", "bce_with_logits":
            guard let target else { throw FixtureError("bce without target") }
            return .bce(target: target.tensor, withLogits: op == "bce_with_logits")
        default: throw FixtureError("unknown loss op \(op)")
        }
    }
}

/// Per-layer parameter gradients of a network case (empty for layers without parameters).
struct FixtureLayerGrads: Decodable, Sendable {
    var kernel: FixtureTensor?
    var weight: FixtureTensor?
    var bias: FixtureTensor?
}

/// A whole network run forward and backward in PyTorch.
struct NetworkCase: Decodable, Sendable, CustomTestStringConvertible {
    var file: String = ""
    var name: String
    var source: String?
    var input: FixtureTensor
    var layers: [FixtureLayer]
    var loss: FixtureLoss?
    var lossValue: Double?
    var gradOutput: FixtureTensor?
    var output: FixtureTensor
    var gradInput: FixtureTensor
    var layerGrads: [FixtureLayerGrads]

    enum CodingKeys: String, CodingKey {
        case name, source, input, layers, loss, lossValue, gradOutput, output, gradInput, layerGrads
    }

    var testDescription: String { "\(file)/\(name)" }

    func network() throws -> Network {
        Network(layers: try layers.map { try $0.layer() }, loss: try loss?.loss())
    }
}

struct FixtureFile<Case: Decodable & Sendable>: Decodable, Sendable {
    var generator: String
    var torch: String
    var dtype: String
    var op: String
    var cases: [Case]
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads the fixture files from the test bundle.
enum Fixtures {
    /// Every single-op fixture file, by name without `.json`.
    static let opFiles = ["conv2d", "grouped_conv", "conv_transpose2d", "pooling", "activations", "linear", "losses",
                          "lesson_conv2d", "lesson_conv_transpose2d"]
    /// Every network fixture file.
    static let networkFiles = ["networks", "example_networks", "bn_networks", "grouped_networks", "residual_networks"]

    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureError("Fixtures/\(name).json is not in the EngineTests bundle (run tools/pytorch-fixtures/run.sh)")
        }
        return url
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }

    static func opFile(_ name: String) throws -> FixtureFile<OpCase> {
        var file = try decoder().decode(FixtureFile<OpCase>.self, from: Data(contentsOf: url(name)))
        for i in file.cases.indices { file.cases[i].file = name }
        return file
    }

    static func networkFile(_ name: String) throws -> FixtureFile<NetworkCase> {
        var file = try decoder().decode(FixtureFile<NetworkCase>.self, from: Data(contentsOf: url(name)))
        for i in file.cases.indices { file.cases[i].file = name }
        return file
    }

    /// The cases of one op file; empty when it cannot be read (`PyTorchConformanceTests.fixturesLoad`
    /// fails in that case, so an unreadable file never passes silently).
    static func opCases(_ name: String) -> [OpCase] { (try? opFile(name).cases) ?? [] }

    static func networkCases(_ name: String) -> [NetworkCase] { (try? networkFile(name).cases) ?? [] }
}

/// Compares an engine tensor with PyTorch's, to 1e-9 × max(1, largest magnitude of PyTorch's tensor).
///
/// Records one issue naming the case, the quantity, the first differing element (as a multi-index)
/// and how many elements differ.
func expectMatches(
    _ actual: Tensor?, _ expected: FixtureTensor?, _ what: String, in caseName: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let expected else { return }
    guard let actual else {
        Issue.record("\(caseName): the engine gave no \(what); PyTorch's has shape \(expected.shape)",
                     sourceLocation: sourceLocation)
        return
    }
    guard actual.shape == expected.shape else {
        Issue.record("\(caseName): \(what) has shape \(actual.shape), PyTorch's \(expected.shape)",
                     sourceLocation: sourceLocation)
        return
    }
    let scale = max(1, expected.data.reduce(0) { max($0, abs($1)) })
    let tolerance = 1e-9 * scale
    var first: Int? = nil
    var bad = 0
    for i in 0..<expected.data.count {
        let a = actual.data[i], e = expected.data[i]
        if !(abs(a - e) <= tolerance) {
            bad += 1
            if first == nil { first = i }
        }
    }
    if let i = first {
        let message: String =
            "\(caseName): \(what)\(multiIndex(i, expected.shape)) = \(actual.data[i]), PyTorch \(expected.data[i]) "
            + "(|diff| \(abs(actual.data[i] - expected.data[i])) > tolerance \(tolerance)); "
            + "\(bad) of \(expected.data.count) elements differ"
        Issue.record("\(message)", sourceLocation: sourceLocation)
    }
}

/// `[n, c, h, w]` text for a flat row-major offset.
func multiIndex(_ flat: Int, _ shape: [Int]) -> String {
    var rest = flat
    var index = [Int](repeating: 0, count: shape.count)
    for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return "[" + index.map(String.init).joined(separator: ", ") + "]"
}

/// Compares a scalar to 1e-9 × max(1, |expected|).
func expectMatches(
    _ actual: Double?, _ expected: Double?, _ what: String, in caseName: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let expected else { return }
    guard let actual else {
        Issue.record("\(caseName): the engine gave no \(what); PyTorch's is \(expected)", sourceLocation: sourceLocation)
        return
    }
    let tolerance = 1e-9 * max(1, abs(expected))
    #expect(abs(actual - expected) <= tolerance,
            "\(caseName): \(what) = \(actual), PyTorch \(expected) (tolerance \(tolerance))",
            sourceLocation: sourceLocation)
}
