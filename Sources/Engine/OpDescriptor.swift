// Engine — everything the rest of convtrace needs to know about one op, in one value next to its forward/backward.

/// One op (a layer or a loss) described once: its name, its spec keys, its shape rule, how it is written
/// into a trace header and read back, and what `convtrace shape` says about it.
///
/// Each op's descriptor sits at the end of the op's own file (`extension Ops { static let conv2d = … }`),
/// next to its forward and backward; `Ops.layers` and `Ops.losses` list them all. Specs, Tracing, the
/// `shape` command and the docs' key tables read these lists instead of naming ops themselves.
/// `Op` is `Layer` or `Loss`.
public struct OpDescriptor<Op>: Sendable {
    /// The name as written in specs and trace headers, e.g. `conv2d`.
    public var name: String
    /// One line: what the op computes.
    public var summary: String
    /// The keys a spec may give (besides `op`), in the order the docs list them.
    public var keys: [OpKey]
    /// The input shapes the op accepts (and so how a spec's shorthand input is expanded when it comes first).
    public var input: InputKind
    /// The shape rule, e.g. `N×C×H×W → N×K×Ho×Wo`.
    public var shapeRule: String
    /// The output-size formula per axis, for ops that have one.
    public var formula: String?
    /// The output shape for an input shape, with the checks the forward pass makes (`Layer.outputShape`).
    public var outputShape: @Sendable (Op, [Int]) throws -> [Int]
    /// A short parameter summary for `convtrace shape`, e.g. `6@5×5, stride 2` ("" when there is nothing to say).
    public var describe: @Sendable (Op) -> String
    /// Height and width output sizes with their formulas, for `convtrace shape` (nil for ops without a window).
    /// The second argument is the input shape (N×C×H×W).
    public var sizes: @Sendable (Op, [Int]) throws -> (height: OutputSize, width: OutputSize)?
    /// How the op takes part in the receptive field (`ReceptiveField.of`); ops that say nothing stop the count.
    public var receptiveField: @Sendable (Op) throws -> ReceptiveFieldRole
    /// The op's resolved parameters as a trace header writes them, in a fixed order.
    public var parameters: @Sendable (Op) -> [(String, ParameterValue)]
    /// Rebuilds the op from its parameters (the inverse of `parameters`).
    public var make: @Sendable (ParameterReader) throws -> Op
    /// The names among `parameters` that training learns (e.g. `kernel`, `bias`); their tensors' element
    /// counts are the layer's parameter count (`Layer.parameterCount`). Empty for ops without weights.
    public var learnable: [String]
    /// The forward pass's multiply-accumulates for an input shape — exactly the `mac` events it emits
    /// (`Layer.multiplyAccumulates`); nil for ops that multiply no weights.
    public var multiplyAccumulates: @Sendable (Op, [Int]) throws -> Int?
    /// Values training learns that the op does not hold as tensors until it is trained, for an input shape
    /// (batch norm's γ and β when the spec leaves them at 1 and 0: C each); 0 for most ops.
    public var learnedDefaults: @Sendable (Op, [Int]) -> Int

    public init(
        name: String, summary: String, keys: [OpKey] = [], input: InputKind = .any, shapeRule: String,
        formula: String? = nil,
        outputShape: @escaping @Sendable (Op, [Int]) throws -> [Int] = { _, input in input },
        describe: @escaping @Sendable (Op) -> String = { _ in "" },
        sizes: @escaping @Sendable (Op, [Int]) throws -> (height: OutputSize, width: OutputSize)? = { _, _ in nil },
        receptiveField: @escaping @Sendable (Op) throws -> ReceptiveFieldRole = { _ in .stops },
        parameters: @escaping @Sendable (Op) -> [(String, ParameterValue)] = { _ in [] },
        learnable: [String] = [],
        multiplyAccumulates: @escaping @Sendable (Op, [Int]) throws -> Int? = { _, _ in nil },
        learnedDefaults: @escaping @Sendable (Op, [Int]) -> Int = { _, _ in 0 },
        make: @escaping @Sendable (ParameterReader) throws -> Op
    ) {
        self.name = name; self.summary = summary; self.keys = keys; self.input = input
        self.shapeRule = shapeRule; self.formula = formula; self.outputShape = outputShape
        self.describe = describe; self.sizes = sizes; self.receptiveField = receptiveField
        self.parameters = parameters; self.make = make
        self.learnable = learnable; self.multiplyAccumulates = multiplyAccumulates
        self.learnedDefaults = learnedDefaults
    }

    /// The key named `name`, if the op has one.
    public func key(_ name: String) -> OpKey? { keys.first { $0.name == name } }

    /// The names of the keys a spec must give.
    public var requiredKeys: [String] { keys.filter(\.isRequired).map(\.name) }
}

/// How one layer takes part in the receptive-field recurrence r_{l−1} = s_l·r_l + k_l − s_l.
public enum ReceptiveFieldRole: Equatable, Sendable {
    /// Element-wise: the receptive field passes through unchanged.
    case passes
    /// A sliding window: one level of the recurrence on each axis.
    case window(y: ReceptiveField.Layer, x: ReceptiveField.Layer)
    /// Mixes all positions (flatten, linear, global pools) or scatters (transposed conv): counting stops here.
    case stops
}

/// The input shapes an op accepts.
public enum InputKind: Equatable, Sendable {
    /// N×C×H×W only (convolutions, pools, flatten).
    case image
    /// N×F only (linear, softmax_cross_entropy).
    case features
    /// N×F or N×C×H×W (softmax, mse, bce).
    case featuresOrImage
    /// Any shape, element-wise (activations); a spec's shorthand input is read as an image.
    case any

    /// True for ops whose first-layer spec input is read as features (`F` or `N×F`) rather than an image.
    public var readsFeatures: Bool { self == .features || self == .featuresOrImage }
}

/// Text pieces for `OpDescriptor.describe`: `, stride 2`, `, padding 1×2`.
public enum ParameterText {
    /// `label y` (or `label y×x`), or "" when both are `hideIf`.
    public static func pair(_ label: String, _ p: Pair, hideIf: Int) -> String {
        if p.y == hideIf && p.x == hideIf { return "" }
        return p.y == p.x ? "\(label) \(p.y)" : "\(label) \(p.y)×\(p.x)"
    }

    /// `, padding 1`, `, padding 1×2` or `, padding [t, b, l, r]`; "" for no padding.
    public static func padding(_ p: Padding) -> String {
        if p == .zero { return "" }
        if p.top == p.bottom && p.left == p.right {
            return p.top == p.left ? ", padding \(p.top)" : ", padding \(p.top)×\(p.left)"
        }
        return ", padding [\(p.top), \(p.bottom), \(p.left), \(p.right)]"
    }

    /// The message for an input of the wrong rank: "max_pool2d: expects an input of shape N×C×H×W, got 1×4".
    public static func rankError(_ op: String, _ input: [Int], expected: String) -> EngineError {
        EngineError("\(op): expects an input of shape \(expected), got \(ShapeCheck.shapeText(input))")
    }
}
