// Specs — a `residual:` block in a network: its layers, then the add that joins them to the block's input.
import Engine

extension SpecBuilder {
    /// Expands `{residual: [layers…]}` into its layers followed by an `add` of the block's input.
    ///
    /// The block's layers take the next layer indices; the add comes right after them and records the
    /// index of the block's first layer (`from`). Blocks do not nest, hold no loss, and hold at least one layer.
    func residualBlock(_ item: SpecNode, _ pairs: [(key: String, keyNode: SpecNode, value: SpecNode)], _ keys: Keys,
                       into layerNodes: inout [(op: String, node: SpecNode, keys: Keys, from: Int?)]) throws(SpecError) {
        for p in pairs where p.key != "residual" && p.key != "projection" {
            let problem = p.key == "op" ? "a residual block has no op: it is `residual: [layers…]`"
                : "unknown key '\(p.key)' for a residual block"
            throw p.keyNode.error(problem, valid: "keys of a residual block: residual, projection")
        }
        let listNode = keys["residual"]!.value
        guard let items = listNode.items() else {
            throw listNode.error("expected a list of layers, got \(listNode.shortDescription)",
                                 valid: "a list like [{op: conv2d, kernel: ...}, {op: relu}]")
        }
        guard !items.isEmpty else {
            throw listNode.error("is empty", valid: "at least one layer (the block's main path)")
        }
        let first = layerNodes.count
        for item in items {
            let itemPairs = try item.mappingPairs(what: "a layer mapping like {op: relu}")
            var itemKeys: Keys = [:]
            for p in itemPairs { itemKeys[p.key] = (p.keyNode, p.value) }
            if let (k, _) = itemKeys["residual"] {
                throw k.error("residual blocks do not nest", valid: "list the inner block after this one, not inside it")
            }
            let layerOp = try opName(itemKeys, at: item, allowed: OpCatalog.layerOps.filter { $0 != Ops.add.name },
                                     context: "a layer of a residual block")
            try checkKeys(itemPairs, valid: OpCatalog.layerKeys(op: layerOp), op: layerOp, inLayer: true)
            try requireKeys(itemKeys, OpCatalog.requiredKeys[layerOp] ?? [], op: layerOp, at: item)
            layerNodes.append((layerOp, item, itemKeys, nil))
        }
        var addKeys: Keys = [:]
        if let projection = keys["projection"] { addKeys["projection"] = projection }
        layerNodes.append((Ops.add.name, item, addKeys, first))
    }

    /// The add layer joining a residual block (`from` given) or written `{op: add, from: i}`, checked against
    /// the shapes: the added input (the input of layer `from`) must have this layer's input shape.
    func buildAdd(_ keys: Keys, from block: Int?, at node: SpecNode, input: [Int],
                  layerInputs: [[Int]]) throws(SpecError) -> BuiltLayer {
        let here = layerInputs.count
        let from: Int
        if let block {
            from = block
        } else {
            let fromNode = keys["from"]!.value
            from = try fromNode.int(expected: "the index of this layer or an earlier one: 0…\(here)")
            guard from >= 0, from <= here else {
                throw fromNode.error("layer \(from) is not this layer or an earlier one", valid: "0…\(here)")
            }
        }
        let blockInput = from == here ? input : layerInputs[from]
        var skip = blockInput
        var projection: AddParams.Projection?
        var kernelShape: [Int]?, biasShape: [Int]?
        if let (_, node) = keys["projection"] {
            (projection, kernelShape, biasShape) = try readProjection(node, blockInput: blockInput)
            if let projection {
                skip = [blockInput[0], projection.kernel.shape[0],
                        (blockInput[2] - 1) / projection.stride.y + 1, (blockInput[3] - 1) / projection.stride.x + 1]
            }
        }
        guard skip == input else {
            if projection != nil {
                throw node.error("the residual block (layers \(from)…\(here - 1)) gives \(ShapeText.join(input)) but its projection "
                                 + "gives \(ShapeText.join(skip)) from the block input \(ShapeText.join(blockInput))",
                                 valid: "a projection with \(input.count > 1 ? input[1] : 1) filters and the stride that takes the block input to the block's output size")
            }
            let what = block != nil ? "the residual block (layers \(from)…\(here - 1))" : "add (layer \(here))"
            throw node.error("\(what) changes the shape: its output is \(ShapeText.join(input)) but its input (the input "
                             + "of layer \(from)) is \(ShapeText.join(skip)), so they cannot be added",
                             valid: "layers that keep the channels, height and width (padding 'same', stride 1), or a 1×1 "
                                 + "`projection:` on the skip path that takes the input to the output's shape")
        }
        return BuiltLayer(layer: .add(AddParams(from: from, projection: projection)), output: input,
                          kernelShape: kernelShape, biasShape: biasShape)
    }

    /// A block's `projection: {kernel: K×C×1×1 (or K×C), bias: K, stride: s}` for a block input N×C×H×W.
    func readProjection(_ node: SpecNode, blockInput: [Int]) throws(SpecError)
        -> (AddParams.Projection, [Int], [Int]?) {
        let pairs = try node.mappingPairs(what: "a mapping {kernel: K×C×1×1, bias: K, stride: s}")
        var keys: Keys = [:]
        for p in pairs {
            guard ["kernel", "bias", "stride"].contains(p.key) else {
                throw p.keyNode.error("unknown key '\(p.key)' for a projection", valid: "kernel, bias, stride")
            }
            keys[p.key] = (p.keyNode, p.value)
        }
        guard blockInput.count == 4 else {
            throw node.error("a projection needs an N×C×H×W block input, got \(ShapeText.join(blockInput))", valid: "remove the projection")
        }
        guard let (_, kernelNode) = keys["kernel"] else {
            throw node.error("missing required key 'kernel' for a projection", valid: "kernel: K×C×1×1 weights (a 1×1 convolution)")
        }
        let k = try TensorReader.read(kernelNode, ranks: 2...4, layout: "K×C (or K×C×1×1)")
        let shape = k.rank == 2 ? k.shape + [1, 1] : (k.rank == 3 ? [1] + k.shape : k.shape)
        guard shape[2] == 1, shape[3] == 1, shape[1] == blockInput[1] else {
            throw kernelNode.error("the projection kernel is \(ShapeText.join(shape)) but must be K×\(blockInput[1])×1×1 "
                                   + "(a 1×1 convolution over the block input's \(blockInput[1]) channels)",
                                   valid: "a K×\(blockInput[1]) or K×\(blockInput[1])×1×1 kernel")
        }
        let (bias, biasShape) = try readBias(keys, count: shape[0], what: "one value per projection filter (K = \(shape[0]))")
        var stride = Pair(1)
        if let (_, s) = keys["stride"] {
            let v = try s.int(expected: "an integer ≥ 1")
            guard v >= 1, v <= OutputSize.maxExtent else { throw s.error("stride must be at least 1, got \(v)", valid: "an integer ≥ 1") }
            stride = Pair(v)
        }
        return (.init(kernel: Tensor(shape: shape, data: k.data), bias: bias, stride: stride), k.shape, biasShape)
    }
}
