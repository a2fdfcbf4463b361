// Tracing — TraceHeader: what a trace file says before its events (spec, layers, initial tensors).
import Engine
import JSONText

/// The self-contained header of a trace: the spec, every layer with resolved parameters and shapes,
/// and the initial tensors, so that the exact `Network`, input and gradOutput can be rebuilt.
///
/// JSON form (see docs/trace-format.md): `format`, `schema_version`, `spec`, `input`, `grad_output`,
/// `layers` (one object per layer), `loss`. Tensors are `{"shape": [...], "data": [...]}` (row-major).
public struct TraceHeader: Equatable, Sendable {
    /// The value of the `format` key.
    public static let formatName = "convtrace-trace"
    /// The schema version this code writes and reads.
    public static let schemaVersion = 1

    /// The spec as the user wrote it (JSON form), kept for display; `network`/`input` are authoritative.
    public var spec: JSONValue
    public var network: Network
    /// N×C×H×W (or N×F for a network starting with `linear`).
    public var input: Tensor
    /// dY for the last layer when the backward pass starts from it (no loss).
    public var gradOutput: Tensor?
    /// Input and output shape of each layer (`nil` when it could not be worked out); `layerShapes.count
    /// == network.layers.count`.
    public var layerShapes: [LayerShape?]
    /// The shape the loss reads (the network output), when there is a loss.
    public var lossInputShape: [Int]?

    /// Builds a header; layer shapes are worked out from `input.shape` and the layer parameters.
    public init(spec: JSONValue, network: Network, input: Tensor, gradOutput: Tensor?) {
        self.spec = spec; self.network = network; self.input = input; self.gradOutput = gradOutput
        var shapes: [LayerShape?] = []
        var current: [Int]? = input.shape
        for layer in network.layers {
            let out = current.flatMap { try? layer.outputShape(input: $0) }
            if let inShape = current, let out { shapes.append(LayerShape(input: inShape, output: out)) } else { shapes.append(nil) }
            current = out
        }
        self.layerShapes = shapes
        self.lossInputShape = network.loss == nil ? nil : current
    }

    /// Memberwise (used by the reader).
    init(spec: JSONValue, network: Network, input: Tensor, gradOutput: Tensor?, layerShapes: [LayerShape?], lossInputShape: [Int]?) {
        self.spec = spec; self.network = network; self.input = input; self.gradOutput = gradOutput
        self.layerShapes = layerShapes; self.lossInputShape = lossInputShape
    }

    /// The op name of layer `index`; `index == layers.count` names the loss.
    public func opName(ofLayer index: Int) -> String {
        if index >= 0 && index < network.layers.count { return network.layers[index].opName }
        if index == network.layers.count, let loss = network.loss { return loss.opName }
        return "layer \(index)"
    }
}

/// The input and output shape of one layer.
public struct LayerShape: Equatable, Hashable, Sendable {
    public var input: [Int]
    public var output: [Int]
    public init(input: [Int], output: [Int]) { self.input = input; self.output = output }
}
