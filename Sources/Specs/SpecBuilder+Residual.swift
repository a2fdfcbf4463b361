// Specs — a `residual:` block in a network: its layers, then the add that joins them to the block's input.
import Engine

extension SpecBuilder {
    /// Expands `{residual: [layers…]}` into its layers followed by an `add` of the block's input.
    ///
    /// The block's layers take the next layer indices; the add comes right after them and records the
    /// index of the block's first layer (`from`). Blocks do not nest, hold no loss, and hold at least one layer.
    func residualBlock(_ item: SpecNode, _ pairs: [(key: String, keyNode: SpecNode, value: SpecNode)], _ keys: Keys,
                       into layerNodes: inout [(op: String, node: SpecNode, keys: Keys, from: Int?)]) throws(SpecError) {
        for p in pairs where p.key != "residual" {
            let problem = p.key == "op" ? "a residual block has no op: it is `residual: [layers…]`"
                : "unknown key '\(p.key)' for a residual block"
            throw p.keyNode.error(problem, valid: "keys of a residual block: residual")
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
        layerNodes.append((Ops.add.name, item, [:], first))
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
        let skip = from == here ? input : layerInputs[from]
        guard skip == input else {
            let what = block != nil ? "the residual block (layers \(from)…\(here - 1))" : "add (layer \(here))"
            throw node.error("\(what) changes the shape: its output is \(ShapeText.join(input)) but its input (the input "
                             + "of layer \(from)) is \(ShapeText.join(skip)), so they cannot be added",
                             valid: "layers that keep the channels, height and width (padding 'same', stride 1), so the block's output has its input's shape; "
                                 + "a 1×1 projection on the skip path is not supported yet")
        }
        return BuiltLayer(layer: .add(AddParams(from: from)), output: input)
    }
}
