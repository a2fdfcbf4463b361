// Specs — a parsed spec: the network to run, its input, the backward seed, and how to fold results back.
import Engine
import JSONText
import Tracing

/// Everything a spec document says, ready for the engine.
///
/// Tensors are already expanded to the engine's ranks (N×C×H×W, or N×F for features);
/// `folding` and the per-layer `layerInfos` remember the ranks as given so that results can be
/// folded back (a 1-D signal gives a 1-D output, an H×W image an Ho×Wo output, and so on).
public struct Problem: Sendable {
    /// The file the spec came from ("<stdin>" for `-`).
    public var file: String
    /// The `op:` of the document (`network` for a stack of layers).
    public var op: String
    /// The layers (a single op is a network of one layer; a single loss op is a network of none).
    public var network: Network
    /// The input in engine rank.
    public var input: Tensor
    /// The backward seed dY in engine rank, when the spec gives `grad_output`.
    public var gradOutput: Tensor?
    /// The whole document as JSON (for trace headers and lessons).
    public var document: JSONValue
    /// `show`, `expect`, `tolerance`, `title`, `caption` as written.
    public var extras: LessonExtras
    /// How the input was given, and so how outputs fold back.
    public var folding: Folding
    /// One entry per layer of `network.layers`, plus one for the loss when there is one.
    public var layerInfos: [LayerInfo]
    /// The network's `train:` block, when it has one: running the problem trains (`Problem+Train.swift`).
    public var training: TrainingSpec? = nil

    /// The engine shape of the network output (before the loss).
    public var engineOutputShape: [Int] { layerInfos.last(where: { !$0.isLoss })?.outputShape ?? input.shape }

    /// The rank the spec gave the input (1 for a 1-D signal): views label cells with it.
    public var givenInputRank: Int { folding.givenInputShape.count }

    /// The output shape as the result is reported (folded to the input's ranks).
    public var outputShape: [Int] { folding.fold(engineOutputShape) }

    /// Whether running the problem also runs a backward pass.
    public var hasBackward: Bool { gradOutput != nil || network.loss != nil }

    /// Largest number of elements any one tensor of a spec may have: `ResourceLimits.current.elements`
    /// (by default 2^26 = 67,108,864 doubles, 512 MiB).
    public static var elementLimit: Int { ResourceLimits.current.elements }
}

/// Lesson and tutorial extras, kept as written for LessonBuilder.
public struct LessonExtras: Sendable, Equatable {
    public var show: JSONValue?
    public var expect: JSONValue?
    public var tolerance: JSONValue?
    public var title: JSONValue?
    public var caption: JSONValue?
    public init(show: JSONValue? = nil, expect: JSONValue? = nil, tolerance: JSONValue? = nil,
                title: JSONValue? = nil, caption: JSONValue? = nil) {
        self.show = show; self.expect = expect; self.tolerance = tolerance; self.title = title; self.caption = caption
    }
}

/// One layer (or the loss) as the spec gave it and as shape inference resolved it.
public struct LayerInfo: Sendable, Equatable {
    /// Spec op name (`conv2d`, …, or the loss op).
    public var op: String
    /// Key path of the layer in the document ("" for a single op, `layers[2]` in a network).
    public var path: String
    /// 1-based line of the layer in the document, when known.
    public var line: Int?
    /// Engine shape of the layer's input and output (a loss outputs a scalar: `[]`).
    public var inputShape: [Int]
    public var outputShape: [Int]
    /// The kernel / weight and bias shapes as given (for folding their gradients), when the layer has them.
    public var kernelShape: [Int]?
    public var biasShape: [Int]?
    /// Whether this entry is the loss.
    public var isLoss: Bool
    public init(op: String, path: String, line: Int?, inputShape: [Int], outputShape: [Int],
                kernelShape: [Int]? = nil, biasShape: [Int]? = nil, isLoss: Bool = false) {
        self.op = op; self.path = path; self.line = line; self.inputShape = inputShape
        self.outputShape = outputShape; self.kernelShape = kernelShape; self.biasShape = biasShape
        self.isLoss = isLoss
    }

    /// The JSON key of the kernel-like gradient: `grad_` + the op's required tensor key (`grad_kernel` for
    /// conv2d, `grad_weight` for conv_transpose2d and linear).
    public var kernelGradientKey: String {
        let weightKey = Ops.layer(named: op)?.keys.first { key in
            if case .tensor = key.type { key.isRequired } else { false }
        }
        return "grad_" + (weightKey?.name ?? "weight")
    }
}

/// How the input was given, so engine-rank results can be folded back to it.
public struct Folding: Sendable, Equatable {
    /// The input shape as given.
    public var givenInputShape: [Int]
    /// The input had an N axis (N×C×H×W, or N×F features).
    public var hasBatch: Bool
    /// The input had a C axis (C×H×W or N×C×H×W).
    public var hasChannels: Bool
    /// The input was a 1-D signal (W).
    public var oneD: Bool

    public init(givenInputShape: [Int], hasBatch: Bool, hasChannels: Bool, oneD: Bool) {
        self.givenInputShape = givenInputShape; self.hasBatch = hasBatch
        self.hasChannels = hasChannels; self.oneD = oneD
    }

    /// Folds an engine shape to the ranks the input was given in.
    ///
    /// Rank 4 N×K×Ho×Wo: N dropped when the input had none; K dropped when the input had no channel
    /// axis and K = 1 (more than one filter always keeps it); Ho dropped for a 1-D signal when Ho = 1.
    /// Rank 2 N×F: N dropped when the input had none. A scalar stays a scalar.
    public func fold(_ shape: [Int]) -> [Int] {
        switch shape.count {
        case 4:
            var out: [Int] = []
            if hasBatch || shape[0] != 1 { out.append(shape[0]) }
            if hasBatch || hasChannels || shape[1] != 1 { out.append(shape[1]) }
            if !oneD || shape[2] != 1 { out.append(shape[2]) }
            out.append(shape[3])
            return out
        case 2:
            return hasBatch || shape[0] != 1 ? shape : [shape[1]]
        default:
            return shape
        }
    }
}
