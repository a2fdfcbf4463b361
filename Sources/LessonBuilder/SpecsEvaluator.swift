// LessonBuilder — the real evaluator: Specs parses the block, the engine runs it, results are named.
import Engine
import Foundation
import JSONText
import Specs
import Tracing

/// Runs blocks through `Specs` and the engine.
public struct SpecsEvaluator: BlockEvaluator {
    public init() {}

    public func evaluate(spec: String, file: String, line: Int, traced: Bool) throws -> BlockOutcome {
        let problem: Problem
        do {
            problem = try SpecDocument.parse(spec, file: file)
        } catch {
            // Block text keeps the file's line numbering (spec line 1 = the line after the fence); a spec
            // rewritten as one-line JSON (recipes expanded) can only be placed at the fence.
            let specLine = spec.hasPrefix("{") ? 0 : (error.line ?? 0)
            throw LessonError(.malformed, file: file, line: line + specLine, SpecsEvaluator.message(error))
        }
        // A train: block trains once: its last step's pass is the result, its losses and parameters are claims too.
        let result: NetworkResult
        var trained: TrainingResult?
        var events: [TraceEvent] = []
        do {
            var recording = Tracer(sink: RecordingSink())
            if problem.training != nil {
                let run = traced ? try problem.train(tracer: &recording) : try problem.train()
                trained = run
                result = run.lastRun
            } else {
                result = traced ? try problem.run(tracer: &recording) : try problem.run()
            }
            events = recording.sink.events
        } catch {
            throw LessonError(.evaluation, file: file, line: line, SpecsEvaluator.message(error))
        }
        var values: [String: NumberTree] = [:]
        SpecsEvaluator.collect(problem.evalJSON(result), into: &values)
        if let trained { SpecsEvaluator.collect(problem.trainingJSON(trained), into: &values) }
        values["shapes"] = .list(result.activations.dropFirst().map { NumberTree(ints: problem.folding.fold($0.shape)) })
        for (i, activation) in result.activations.dropFirst().enumerated() {
            values["layer\(i).output"] = NumberTree(Tensor(shape: problem.folding.fold(activation.shape), data: activation.data))
        }
        // What each layer learns and multiplies (`Layer.parameterCount`, `Layer.multiplyAccumulates`), and the totals.
        var parameters = 0, multiplyAccumulates = 0
        for (i, layer) in problem.network.layers.enumerated() where i < result.activations.count {
            let macs = (try? layer.multiplyAccumulates(input: result.activations[i].shape)).flatMap { $0 } ?? 0
            let learned = layer.parameterCount(input: result.activations[i].shape)
            values["layer\(i).parameters"] = .scalar(Double(learned))
            values["layer\(i).multiply_accumulates"] = .scalar(Double(macs))
            parameters += learned
            multiplyAccumulates += macs
        }
        values["parameters"] = .scalar(Double(parameters))
        values["multiply_accumulates"] = .scalar(Double(multiplyAccumulates))
        if let field = try? ReceptiveField.of(problem.network), !field.layerIndices.isEmpty {
            let (ry, rx) = (field.y.size, field.x.size)
            values["receptive_field"] = problem.folding.oneD || ry == rx ? .scalar(Double(rx)) : NumberTree(ints: [ry, rx])
        }
        return BlockOutcome(values: values, events: events, network: problem.network, input: problem.input,
                            activationShapes: result.activations.map(\.shape), problem: problem)
    }

    static func message(_ error: SpecError) -> String {
        var s = error.path.isEmpty ? "" : "\(error.path): "
        s += error.problem
        if !error.valid.isEmpty { s += " (\(error.valid))" }
        return s
    }

    /// The claimable values of an `eval` (or training) JSON object: each top-level key, and each entry of
    /// its `layers` list as `layerN.name`.
    static func collect(_ json: JSONValue, into values: inout [String: NumberTree]) {
        guard case .object(let pairs) = json else { return }
        for (key, value) in pairs {
            if key == "layers", case .array(let layers) = value {
                for (i, layer) in layers.enumerated() {
                    guard case .object(let entries) = layer else { continue }
                    for (name, v) in entries where name != "op" {
                        if let tree = tree(v) { values["layer\(i).\(name)"] = tree }
                    }
                }
            } else if let tree = tree(value) {
                values[key] = tree
            }
        }
    }

    static func tree(_ value: JSONValue) -> NumberTree? {
        switch value {
        case .number(let v): return .scalar(v)
        case .array(let items):
            var out: [NumberTree] = []
            for item in items {
                guard let t = tree(item) else { return nil }
                out.append(t)
            }
            return .list(out)
        default: return nil
        }
    }
}
