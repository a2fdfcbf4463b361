// Specs — turns a checked document into layers, tensors in engine rank, and shapes, pointing at the bad key.
import Engine
import JSONText
import Tracing

/// Builds a `Problem` from a document, one key at a time, running shape inference as it goes so that
/// every shape error names the key (and line) that caused it.
struct SpecBuilder {
    let file: String
    /// The input is a 1-D signal: single ints in stride, dilation, padding, kernel_size mean the W axis.
    var oneD = false

    init(file: String) { self.file = file }

    /// The keys of a mapping node by name.
    typealias Keys = [String: (key: SpecNode, value: SpecNode)]

    // MARK: - Document

    mutating func build(root: SpecNode, document: JSONValue) throws(SpecError) -> Problem {
        let pairs = try root.mappingPairs(what: "a mapping with 'op', 'input' and the op's keys")
        var keys: Keys = [:]
        for p in pairs { keys[p.key] = (p.keyNode, p.value) }
        let op = try opName(keys, at: root, allowed: OpCatalog.allOps, context: "")
        try checkKeys(pairs, valid: OpCatalog.topLevelKeys(op: op), op: op, inLayer: false)
        try requireKeys(keys, ["input"] + (OpCatalog.requiredKeys[op] ?? []), op: op, at: root)

        // The layer list (a single op is one layer, a single loss is none) — first only the ops,
        // to know how to read the input.
        // `from`: for the join a `residual:` block adds after its layers, the index of the block's first layer.
        var layerNodes: [(op: String, node: SpecNode, keys: Keys, from: Int?)] = []
        if op == "network" {
            let layersNode = keys["layers"]!.value
            guard let items = layersNode.items() else {
                throw layersNode.error("expected a list of layers, got \(layersNode.shortDescription)",
                                       valid: "a list like [{op: conv2d, kernel: ...}, {op: relu}]")
            }
            guard !items.isEmpty else {
                throw layersNode.error("is empty", valid: "at least one layer")
            }
            for (i, item) in items.enumerated() {
                let itemPairs = try item.mappingPairs(what: "a layer mapping like {op: relu}")
                var itemKeys: Keys = [:]
                for p in itemPairs { itemKeys[p.key] = (p.keyNode, p.value) }
                if itemKeys["residual"] != nil {
                    try residualBlock(item, itemPairs, itemKeys, into: &layerNodes)
                    continue
                }
                let layerOp = try opName(itemKeys, at: item, allowed: OpCatalog.layerOps + OpCatalog.lossOps,
                                         context: "a layer")
                if OpCatalog.lossOps.contains(layerOp), i != items.count - 1 {
                    throw item.error("the loss \(layerOp) must be the last layer, but \(items.count - 1 - i) layer\(items.count - 1 - i == 1 ? " follows" : "s follow") it",
                                     valid: "move the loss to the end of layers")
                }
                try checkKeys(itemPairs, valid: OpCatalog.layerKeys(op: layerOp), op: layerOp, inLayer: true)
                try requireKeys(itemKeys, OpCatalog.requiredKeys[layerOp] ?? [], op: layerOp, at: item)
                layerNodes.append((layerOp, item, itemKeys, nil))
            }
        } else {
            layerNodes.append((op, root, keys, nil))
        }

        // The input, expanded to engine rank.
        let firstOp = layerNodes[0].op
        let inputNode = keys["input"]!.value
        let firstInput = Ops.layer(named: firstOp)?.input ?? Ops.loss(named: firstOp)?.input ?? .any
        let given: GivenTensor
        var folding: Folding
        var shape: [Int]
        if firstInput.readsFeatures {
            let maxRank = firstInput == .features ? 2 : 4
            given = try TensorReader.read(inputNode, ranks: 1...maxRank,
                                          layout: maxRank == 2 ? "F features or N×F" : "F, N×F, C×H×W or N×C×H×W")
            switch given.rank {
            case 1: shape = [1, given.shape[0]]
            case 2: shape = given.shape
            case 3: shape = [1] + given.shape
            default: shape = given.shape
            }
            folding = Folding(givenInputShape: given.shape, hasBatch: given.rank == 2 || given.rank == 4,
                              hasChannels: given.rank >= 3, oneD: false)
        } else {
            given = try TensorReader.read(inputNode, ranks: 1...4, layout: "W, H×W, C×H×W or N×C×H×W")
            shape = Array(repeating: 1, count: 4 - given.rank) + given.shape
            folding = Folding(givenInputShape: given.shape, hasBatch: given.rank == 4,
                              hasChannels: given.rank >= 3, oneD: given.rank == 1)
            oneD = given.rank == 1
        }
        try checkSize(shape, at: inputNode, what: "the input")
        let input = Tensor(shape: shape, data: given.data)

        // Layers with shape inference.
        var layers: [Layer] = []
        var loss: Loss?
        var infos: [LayerInfo] = []
        for entry in layerNodes {
            let path = entry.node.path
            if OpCatalog.lossOps.contains(entry.op) {
                let l = try buildLoss(entry.op, keys: entry.keys, at: entry.node, prediction: shape, folding: folding)
                loss = l
                infos.append(LayerInfo(op: entry.op, path: path, line: entry.node.line, inputShape: shape,
                                       outputShape: [], isLoss: true))
            } else {
                let built = entry.op == Ops.add.name
                    ? try buildAdd(entry.keys, from: entry.from, at: entry.node, input: shape, layerInputs: infos.map(\.inputShape))
                    : try buildLayer(entry.op, keys: entry.keys, at: entry.node, input: shape)
                try checkSize(built.output, at: entry.node, what: "the output of \(entry.op)")
                layers.append(built.layer)
                infos.append(LayerInfo(op: entry.op, path: path, line: entry.node.line, inputShape: shape,
                                       outputShape: built.output, kernelShape: built.kernelShape,
                                       biasShape: built.biasShape))
                shape = built.output
            }
        }

        // The backward seed.
        var gradOutput: Tensor?
        if let (_, g) = keys["grad_output"] {
            if loss != nil {
                throw g.error("is not used: a \(op == "network" ? "network that ends in a loss" : "loss") runs backward from the loss",
                              valid: "remove grad_output, or remove the loss layer")
            }
            let t = try TensorReader.read(g, ranks: 0...4, layout: "the shape of the output")
            let folded = folding.fold(shape)
            if t.shape == folded || t.shape == shape {
                gradOutput = Tensor(shape: shape, data: t.data)
            } else if t.shape.isEmpty && shape.reduce(1, *) == 1 {
                gradOutput = Tensor(shape: shape, data: t.data)
            } else {
                throw g.error("has shape \(t.shapeText) but the output has shape \(ShapeText.join(folded))",
                              valid: "a dY of shape \(ShapeText.join(folded))")
            }
        }

        func extra(_ k: String) -> JSONValue? { keys[k].map { SpecDocument.json($0.value.node) } }
        let extras = LessonExtras(show: extra("show"), expect: extra("expect"), tolerance: extra("tolerance"),
                                  title: extra("title"), caption: extra("caption"))
        var problem = Problem(file: file, op: op, network: Network(layers: layers, loss: loss), input: input,
                              gradOutput: gradOutput, document: document, extras: extras, folding: folding,
                              layerInfos: infos)
        if let (_, trainNode) = keys["train"] {  // a network's training run (SpecBuilder+Train.swift)
            try buildTraining(trainNode, lossNode: layerNodes.last?.node, into: &problem)
        }
        return problem
    }

    // MARK: - Keys

    /// The `op:` of a mapping, checked against `allowed` (with a suggestion for a near miss).
    func opName(_ keys: Keys, at node: SpecNode, allowed: [String], context: String) throws(SpecError) -> String {
        guard let (_, v) = keys["op"] else {
            throw node.error("missing required key 'op'", valid: "op: one of " + allowed.joined(separator: ", "))
        }
        let name = try v.string(expected: "an op name")
        guard allowed.contains(name) else {
            var problem = "unknown op '\(name)'"
            if name == "network" { problem = "a network cannot be a layer (networks do not nest)" }
            let hint = OpCatalog.didYouMean(name, among: allowed)
            if !hint.isEmpty { problem += "; \(hint)" }
            throw v.error(problem, valid: "one of " + allowed.joined(separator: ", "))
        }
        return name
    }

    /// Refuses keys that the op does not have, suggesting the nearest valid one.
    func checkKeys(_ pairs: [(key: String, keyNode: SpecNode, value: SpecNode)], valid: [String], op: String, inLayer: Bool) throws(SpecError) {
        for p in pairs where !valid.contains(p.key) {
            var problem = "unknown key '\(p.key)' for \(op)"
            let owners = OpCatalog.opKeys.filter { $0.value.contains(p.key) }.map(\.key).sorted()
            let hint = OpCatalog.didYouMean(p.key, among: valid)
            if !hint.isEmpty {
                problem += "; \(hint)"
            } else if !owners.isEmpty {
                problem = "'\(p.key)' is not a key of \(op) (it belongs to \(owners.joined(separator: ", ")))"
            } else if inLayer && (OpCatalog.documentKeys + OpCatalog.extraKeys).contains(p.key) {
                problem = "'\(p.key)' belongs at the top of the document, not in a layer"
            }
            throw p.keyNode.error(problem, valid: "keys of \(op)\(inLayer ? " layers" : ""): " + valid.joined(separator: ", "))
        }
    }

    /// Refuses a mapping that lacks one of `required`.
    func requireKeys(_ keys: Keys, _ required: [String], op: String, at node: SpecNode) throws(SpecError) {
        for k in required where keys[k] == nil {
            let what: String
            switch k {
            case "input": what = "the input tensor: W, H×W, C×H×W or N×C×H×W (F or N×F for linear and losses)"
            case "layers": what = "the list of layers"
            default: what = OpCatalog.key(k, of: op)?.missingHint ?? k
            }
            throw node.error("missing required key '\(k)' for \(op)", valid: what)
        }
    }

    // MARK: - Sizes

    /// Refuses a shape whose element count overflows or exceeds `Problem.elementLimit`, before allocating.
    func checkSize(_ shape: [Int], at node: SpecNode, what: String) throws(SpecError) {
        if let count = SpecBuilder.elementCount(shape), count <= Problem.elementLimit { return }
        let count = SpecBuilder.elementCount(shape).map { "\($0) elements" } ?? "more elements than an Int can count"
        throw node.error("\(what) would be \(ShapeText.join(shape)) = \(count), which does not fit in memory",
                         valid: "at most \(Problem.elementLimit) elements (\(Problem.elementLimit >> 17) MiB of Double) per tensor; use a smaller size, padding or stride, or raise the limit with --max-elements")
    }

    /// The product of `shape`, or nil on overflow or a negative extent.
    static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            total = p
        }
        return total
    }
}
