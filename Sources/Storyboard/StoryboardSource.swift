// Storyboard — what a storyboard is drawn from (the trace header's content) and how (options).
import Engine

/// The header of a trace as the storyboard needs it: the network with its weights, the input and
/// the gradient arriving at the output. `TraceHeader` (Tracing) rebuilds exactly these.
public struct StoryboardSource: Sendable {
    /// The layers (one layer for a single op) and the optional loss.
    public var network: Network
    /// The input, N×C×H×W (N×F for a network that starts with `linear`).
    public var input: Tensor
    /// dY at the network output when the backward pass starts from a given gradient.
    public var gradOutput: Tensor?
    /// Rank of the input as the spec gave it (1 for a 1-D signal, 2 for H×W, …); only changes how
    /// cells are labelled (`x[2]` instead of `x[0,2]`). Nil: infer from the shape.
    public var inputRank: Int?

    public init(network: Network, input: Tensor, gradOutput: Tensor? = nil, inputRank: Int? = nil) {
        self.network = network; self.input = input; self.gradOutput = gradOutput
        self.inputRank = inputRank
    }
}

/// How to cut a trace into frames.
public struct StoryboardOptions: Equatable, Sendable {
    /// One frame per output cell written (`cell`) or per elementary step (`mac`).
    public enum Granularity: String, Equatable, Sendable, CaseIterable {
        case cell, mac
    }
    /// Which pass to draw.
    public enum PhaseFilter: String, Equatable, Sendable, CaseIterable {
        case forward, backward, update, all

        func admits(_ p: Phase) -> Bool {
            switch self {
            case .all: true
            case .forward: p == .forward
            case .backward: p == .backward
            case .update: p == .update
            }
        }
    }
    /// How to draw a transposed convolution.
    public enum TransposedView: String, Equatable, Sendable, CaseIterable {
        /// Each input cell times the kernel, scattered (added) into the output.
        case scatter
        /// The equivalent direct convolution over the zero-inserted, padded input with the kernel
        /// rotated 180°.
        case direct
    }

    public var granularity: Granularity
    public var phase: PhaseFilter
    /// Decimal places for non-integer values.
    public var digits: Int
    /// Refuse to make more frames than this (nil: no limit).
    public var maxFrames: Int?
    /// For conv2d layers: also show the other of cross-correlation / true convolution side by side
    /// (the kernel rotated 180° and the second output).
    public var compareFlip: Bool
    /// Transposed convolution view.
    public var transposedView: TransposedView
    /// Only these layers (nil: all).
    public var layers: Set<Int>?
    /// Only the frames that write a cell in this region (nil: all); see `CellRegion`.
    public var region: CellRegion?

    public init(granularity: Granularity = .cell, phase: PhaseFilter = .all, digits: Int = 2,
                maxFrames: Int? = 2000, compareFlip: Bool = false, transposedView: TransposedView = .scatter,
                layers: Set<Int>? = nil, region: CellRegion? = nil) {
        self.granularity = granularity; self.phase = phase; self.digits = digits
        self.maxFrames = maxFrames; self.compareFlip = compareFlip; self.transposedView = transposedView
        self.layers = layers; self.region = region
    }
}

/// Why a storyboard could not be made, with what would be valid.
///
/// Messages name no command-line flag: `reason` carries the facts so that a command can word its
/// own advice (`--layer`, `--max-frames`, …).
public struct StoryboardError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, as facts.
    public enum Reason: Equatable, Sendable {
        /// Anything else; `message` says it.
        case other
        /// A layer was asked for that the network does not have; `layers` names those it has
        /// ("0 conv2d", …, "7 mse (the loss)").
        case layerOutsideNetwork(layer: Int, layers: [String])
        /// More frames than the budget allows; nothing was drawn.
        case frameBudget(FrameBudgetExceeded)
    }

    public var message: String
    public var reason: Reason
    public init(_ message: String, reason: Reason = .other) { self.message = message; self.reason = reason }
    public var description: String { message }
}

/// The facts of a frame-budget refusal: how many frames, the budget, and the frames per layer.
public struct FrameBudgetExceeded: Equatable, Sendable {
    /// Frames the trace would make with the options.
    public var count: Int
    /// The budget (`StoryboardOptions.maxFrames`).
    public var limit: Int
    /// Frames per layer that makes any, in layer order: index, op name, frames.
    public var framesPerLayer: [LayerFrames]
    /// Layers in the network (the loss not counted): whether choosing one layer could narrow it.
    public var layerCount: Int

    public init(count: Int, limit: Int, framesPerLayer: [LayerFrames], layerCount: Int) {
        self.count = count; self.limit = limit; self.framesPerLayer = framesPerLayer; self.layerCount = layerCount
    }

    /// Frames made by one layer.
    public struct LayerFrames: Equatable, Sendable {
        public var layer: Int
        public var op: String
        public var frames: Int
        public init(layer: Int, op: String, frames: Int) { self.layer = layer; self.op = op; self.frames = frames }
    }
}
