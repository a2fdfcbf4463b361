// Specs — reads a network's `train:` block: the optimizer and its keys, the steps, and an optional data set.
import Engine

extension SpecBuilder {
    /// Keys of a `train:` block.
    static let trainKeys = ["optimizer", "steps", "inputs", "targets"]

    /// Reads `train:` into `problem.training`; `inputs` replaces the input and `targets` the loss's target.
    ///
    /// - Throws: `SpecError` at the key: no loss to train, an unknown key or optimizer (with the nearest
    ///   name), steps outside 1…`Network.maxTrainingSteps`, a hyperparameter out of range, a data set whose
    ///   shape differs from `input` / the loss's target.
    func buildTraining(_ node: SpecNode, lossNode: SpecNode?, into problem: inout Problem) throws(SpecError) {
        let pairs = try node.mappingPairs(what: "a mapping like {optimizer: {name: sgd, lr: 0.1}, steps: 10}")
        var keys: Keys = [:]
        for p in pairs { keys[p.key] = (p.keyNode, p.value) }
        try checkKeys(pairs, valid: Self.trainKeys, op: "train", inLayer: false)
        guard problem.network.loss != nil, let lossNode else {
            throw node.error("needs a loss to minimise, but the network does not end in one",
                             valid: "add a loss as the last layer: mse, softmax_cross_entropy or bce")
        }
        guard let (_, optimizerNode) = keys["optimizer"] else {
            throw node.error("missing required key 'optimizer' for train",
                             valid: "optimizer: {name: sgd, lr: 0.1} (one of \(Ops.optimizers.map(\.name).joined(separator: ", ")))")
        }
        guard let (_, stepsNode) = keys["steps"] else {
            throw node.error("missing required key 'steps' for train", valid: "steps: 1 to \(Network.maxTrainingSteps)")
        }
        let optimizer = try buildOptimizer(optimizerNode)
        let steps = try stepsNode.int(expected: "a number of steps from 1 to \(Network.maxTrainingSteps)")
        guard steps >= 1, steps <= Network.maxTrainingSteps else {
            throw stepsNode.error("\(steps) steps is outside the training limit",
                                  valid: "1 to \(Network.maxTrainingSteps) steps")
        }
        if let (_, inputsNode) = keys["inputs"] {
            let t = try TensorReader.read(inputsNode, ranks: 1...4, layout: "the shape of input")
            guard t.shape == problem.folding.givenInputShape else {
                throw inputsNode.error("has shape \(t.shapeText) but input has shape \(ShapeText.join(problem.folding.givenInputShape))",
                                       valid: "the whole data set as one batch, in input's shape \(ShapeText.join(problem.folding.givenInputShape))")
            }
            problem.input = Tensor(shape: problem.input.shape, data: t.data)
        }
        if let (_, targetsNode) = keys["targets"], let lossInfo = problem.layerInfos.last, lossInfo.isLoss {
            var lossKeys: Keys = [:]
            for p in try lossNode.mappingPairs() { lossKeys[p.key] = (p.keyNode, p.value) }
            lossKeys["target"] = (targetsNode, targetsNode)
            problem.network.loss = try buildLoss(lossInfo.op, keys: lossKeys, at: lossNode, prediction: lossInfo.inputShape,
                                                 folding: problem.folding)
        }
        problem.training = TrainingSpec(optimizer: optimizer, steps: steps, path: node.path, line: node.line)
    }

    /// An optimizer from `{name: …, key: value…}` (or just its name), each key checked by its descriptor.
    func buildOptimizer(_ node: SpecNode) throws(SpecError) -> Optimizer {
        let names = Ops.optimizers.map(\.name)
        if case .scalar = node.node {
            return try makeOptimizer(name(in: node, names), keys: [:], at: node)
        }
        let pairs = try node.mappingPairs(what: "a mapping like {name: adam, lr: 0.01}")
        var keys: Keys = [:]
        for p in pairs { keys[p.key] = (p.keyNode, p.value) }
        guard let (_, nameNode) = keys["name"] else {
            throw node.error("missing required key 'name' for the optimizer", valid: "name: one of " + names.joined(separator: ", "))
        }
        let descriptor = try name(in: nameNode, names)
        try checkKeys(pairs, valid: ["name"] + descriptor.keys.map(\.name), op: descriptor.name, inLayer: false)
        return try makeOptimizer(descriptor, keys: keys, at: node)
    }

    /// The optimizer named by `node`, suggesting the nearest name for a near miss.
    private func name(in node: SpecNode, _ names: [String]) throws(SpecError) -> OpDescriptor<Optimizer> {
        let text = try name("optimizer", at: node, oneOf: names)
        guard let descriptor = Ops.optimizer(named: text) else {
            throw node.error("unknown optimizer '\(text)'", valid: names.joined(separator: ", "))
        }
        return descriptor
    }

    private func makeOptimizer(_ descriptor: OpDescriptor<Optimizer>, keys: Keys, at node: SpecNode) throws(SpecError) -> Optimizer {
        let values = try declaredValues(descriptor.keys, keys: keys)
        do {
            return try descriptor.make(ParameterReader(values))
        } catch {
            let message = "\(error)"
            throw place(of: message, declared: descriptor.keys, keys: keys, else: node).error(message)
        }
    }
}
