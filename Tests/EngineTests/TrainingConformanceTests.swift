// EngineTests — training against PyTorch 2.13 float64 (Fixtures/training.json): 5 steps of sgd, adam, adamw and
// rmsprop on the tutorial network and on a small conv net with batch norm; losses and final parameters to 1e-9.
import Foundation
import Testing
@testable import Engine

/// One hyperparameter as the fixture writes it: a number, a flag, or a list (betas).
enum FixtureOptimizerValue: Decodable, Sendable {
    case bool(Bool), number(Double), list([Double]), name(String)
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let l = try? c.decode([Double].self) { self = .list(l) }
        else { self = .name(try c.decode(String.self)) }
    }
    var parameter: ParameterValue {
        switch self {
        case .bool(let b): .bool(b)
        case .number(let d): .double(d)
        case .list(let l): .tensor(Tensor(shape: [l.count], data: l))
        case .name(let s): .string(s)
        }
    }
}

/// One training case: which fixture network, the optimizer, and what PyTorch computed.
struct TrainingCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var networkFile: String
    var network: String
    var optimizer: [String: FixtureOptimizerValue]
    var steps: Int
    var losses: [Double]
    /// Per layer: parameter and running-statistic tensors after the last step, by PyTorch name.
    var final: [[String: FixtureTensor]]

    var testDescription: String { "training/\(name)" }

    /// The optimizer built through its descriptor, the way a spec's `train.optimizer` is.
    func makeOptimizer() throws -> Optimizer {
        guard case .name(let opName) = optimizer["name"], let descriptor = Ops.optimizer(named: opName) else {
            throw FixtureError("\(name): no known optimizer name")
        }
        let values = optimizer.filter { $0.key != "name" }.map { ($0.key, $0.value.parameter) }
        return try descriptor.make(ParameterReader(values))
    }

    func networkCase() throws -> NetworkCase {
        guard let c = try Fixtures.networkFile(networkFile).cases.first(where: { $0.name == network }) else {
            throw FixtureError("\(name): network \(network) is not in \(networkFile).json")
        }
        return c
    }

    static var all: [TrainingCase] {
        guard let url = try? Fixtures.url("training"), let data = try? Data(contentsOf: url),
              let file = try? Fixtures.decoder().decode(FixtureFile<TrainingCase>.self, from: data)
        else { return [] }
        return file.cases
    }
}

@Suite struct TrainingConformanceTests {
    @Test func fixtureLoads() {
        let cases = TrainingCase.all
        #expect(cases.count == 12)
        for name in ["sgd", "adam", "adamw", "rmsprop"] {
            #expect(cases.contains { $0.network == "cnn-basics-backprop" && $0.name.hasPrefix("tutorial_\(name)") })
            #expect(cases.contains { $0.networkFile == "bn_networks" && $0.name.hasPrefix("bn_\(name)") })
        }
    }

    @Test("losses and final parameters match PyTorch after 5 steps, traced and untraced", arguments: TrainingCase.all)
    func matchesPyTorch(_ c: TrainingCase) throws {
        let net = try c.networkCase()
        let network = try net.network()
        let optimizer = try c.makeOptimizer()
        var untraced = Tracer.untraced
        let result = try network.train(input: net.input.tensor, optimizer: optimizer, steps: c.steps, tracer: &untraced)
        #expect(result.losses.count == c.losses.count)
        for (i, (a, e)) in zip(result.losses, c.losses).enumerated() {
            expectMatches(a, e, "loss of step \(i + 1)", in: c.name)
        }
        #expect(c.final.count == result.network.layers.count)
        for (i, (layer, expected)) in zip(result.network.layers, c.final).enumerated() {
            switch layer {
            case .conv2d(_, let kernel, let bias):
                expectMatches(kernel, expected["kernel"], "layer \(i) kernel", in: c.name)
                expectMatches(bias, expected["bias"], "layer \(i) bias", in: c.name)
            case .linear(let weight, let bias):
                expectMatches(weight, expected["weight"], "layer \(i) weight", in: c.name)
                expectMatches(bias, expected["bias"], "layer \(i) bias", in: c.name)
            case .batchNorm2d(let p):
                expectMatches(p.weight, expected["weight"], "layer \(i) γ", in: c.name)
                expectMatches(p.bias, expected["bias"], "layer \(i) β", in: c.name)
                expectMatches(p.runningMean, expected["running_mean"], "layer \(i) running_mean", in: c.name)
                expectMatches(p.runningVar, expected["running_var"], "layer \(i) running_var", in: c.name)
            default:
                #expect(expected.isEmpty, "\(c.name): layer \(i) has no parameters but PyTorch has \(expected.keys)")
            }
        }
        // The traced run computes the same numbers, and its update events end in the final values.
        var traced = Tracer(sink: RecordingSink())
        let tracedResult = try network.train(input: net.input.tensor, optimizer: optimizer, steps: c.steps, tracer: &traced)
        #expect(tracedResult == result)
        let events = traced.sink.events
        let updates = events.filter { $0.kind == .update }
        #expect(updates.allSatisfy { $0.phase == .update })
        #expect(Set(updates.map { Int($0.output.n) }) == Set(1...c.steps))
        for (i, layer) in tracedResult.network.layers.enumerated() {
            let finals = updates.filter {
                $0.layer == i && $0.output.n == Int32(c.steps) && $0.output.c == UpdatePart.value.rawValue
                    && $0.target == .kernel
            }
            let expected: Tensor? = switch layer {
            case .conv2d(_, let k, _): k
            case .linear(let w, _): w
            case .batchNorm2d(let p): p.weight
            default: nil
            }
            if let expected {
                #expect(finals.map(\.acc) == expected.data, "\(c.name): layer \(i)'s last value events")
            } else {
                #expect(finals.isEmpty)
            }
        }
    }
}
