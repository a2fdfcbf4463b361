// LessonBuilder — the one door to the engine: a spec in, named results (and optionally events) out.
import Engine
import Specs

/// Runs a block's spec through Specs and the engine.
///
/// `SpecsEvaluator` is the real one; tests may substitute a fake to exercise the builder alone.
public protocol BlockEvaluator: Sendable {
    /// Runs `spec` (JSON text, the block without its lesson keys, recipes expanded).
    /// - Parameters:
    ///   - spec: the spec text.
    ///   - file: the lesson file, for messages.
    ///   - line: the block's opening fence line, for messages.
    ///   - traced: record every event (for tables, equations, traces, pictures).
    /// - Returns: the results named as `expect:` names them.
    /// - Throws: `LessonError` (`.malformed` for a spec Specs rejects, `.evaluation` for an engine refusal).
    func evaluate(spec: String, file: String, line: Int, traced: Bool) throws -> BlockOutcome
}

/// What running one block produced.
public struct BlockOutcome: Sendable {
    /// Results by quantity name: `output`, `output_shape`, `grad_input`, `grad_kernel`, `grad_bias`,
    /// `loss`, `shapes`, `receptive_field`, and per network layer `layerN.grad_kernel`… Tensors have the
    /// shape the spec gave (shorthand ranks folded back).
    public var values: [String: NumberTree]
    /// Every event, in order, when the run was traced (else empty).
    public var events: [TraceEvent]
    /// The resolved network (a single op is a network of one layer).
    public var network: Network
    /// The rank-4 input as the engine saw it.
    public var input: Tensor
    /// Engine shapes of the input and of every layer's output (`activationShapes[0]` is the input).
    public var activationShapes: [[Int]]
    /// The parsed problem (trace header, folding), for the trace and picture views.
    public var problem: Problem?

    public init(values: [String: NumberTree], events: [TraceEvent] = [], network: Network, input: Tensor,
                activationShapes: [[Int]] = [], problem: Problem? = nil) {
        self.values = values; self.events = events; self.network = network; self.input = input
        self.activationShapes = activationShapes; self.problem = problem
    }
}
