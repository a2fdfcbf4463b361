// Storyboard — the state of a traced computation at step t, rebuilt from the header and the events before t.
import Engine

/// One tensor as known so far: values plus whether each cell has been touched / finished.
struct KnownTensor: Sendable {
    /// Rank-4 shape (rank-2 tensors are stored as N×F×1×1).
    var shape: [Int]
    var values: [Double]
    /// 0 unknown, 1 partial (accumulating), 2 final.
    var state: [UInt8]

    init(shape: [Int]) {
        self.shape = KnownTensor.rank4(shape)
        let n = shape.reduce(1, *)
        values = Array(repeating: 0, count: n)
        state = Array(repeating: 0, count: n)
    }

    init(final t: Tensor) {
        shape = KnownTensor.rank4(t.shape)
        values = t.data
        state = Array(repeating: 2, count: t.count)
    }

    static func rank4(_ s: [Int]) -> [Int] {
        switch s.count {
        case 4: s
        case 3: [1] + s
        case 2: [s[0], s[1], 1, 1]
        case 1: [1, 1, 1, s[0]]
        default: [1, 1, 1, s.reduce(1, *)]
        }
    }

    var n: Int { shape[0] }
    var c: Int { shape[1] }
    var h: Int { shape[2] }
    var w: Int { shape[3] }

    func offset(_ i: Index4) -> Int? {
        let n = Int(i.n), c = Int(i.c), h = Int(i.h), w = Int(i.w)
        guard n >= 0, n < shape[0], c >= 0, c < shape[1], h >= 0, h < shape[2], w >= 0, w < shape[3] else { return nil }
        return ((n * shape[1] + c) * shape[2] + h) * shape[3] + w
    }

    func offset(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int { ((n * shape[1] + c) * shape[2] + h) * shape[3] + w }

    subscript(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Double { values[offset(n, c, h, w)] }
}

/// Static facts about one layer: its input and output shapes (rank 4).
struct LayerGeometry: Sendable {
    var layer: Layer
    var inShape: [Int]
    var outShape: [Int]
    /// Resolved conv padding (top, bottom, left, right) for conv2d; pool padding for pools.
    var padding: Padding
}

/// Every layer's geometry, computed from the header alone.
func layerGeometries(network: Network, inputShape: [Int]) throws -> [LayerGeometry] {
    var engineShape = inputShape
    var out: [LayerGeometry] = []
    for (l, layer) in network.layers.enumerated() {
        let next: [Int]
        do {
            next = try layer.outputShape(input: engineShape)
        } catch {
            throw StoryboardError("layer \(l) (\(layer.opName)): \(error)")
        }
        guard next.allSatisfy({ $0 > 0 }) else {
            throw StoryboardError("layer \(l) (\(layer.opName)): the output would be empty (shape \(next))")
        }
        let pad: Padding
        switch layer {
        case .conv2d(let p, _, _): pad = p.padding
        case .maxPool2d(let p), .avgPool2d(let p): pad = Padding(p.padding.y, p.padding.x)
        default: pad = .zero
        }
        out.append(LayerGeometry(layer: layer, inShape: KnownTensor.rank4(engineShape),
                                 outShape: KnownTensor.rank4(next), padding: pad))
        engineShape = next
    }
    return out
}

/// The values known at the current step: activations, and gradients as they accumulate.
struct TraceState: Sendable {
    let geometry: [LayerGeometry]
    let source: StoryboardSource
    /// `activations[l]` is the input of layer l; the last one is the network output.
    var activations: [KnownTensor]
    /// dX per layer (index `layers.count` is the loss's dL/dprediction).
    var gradInput: [KnownTensor]
    /// dK / dW per layer (nil for layers without weights).
    var gradKernel: [KnownTensor?]
    /// db per layer (stored as 1×K×1×1).
    var gradBias: [KnownTensor?]
    /// Running loss value.
    var loss: Double?
    /// Dropout layers: the mask as far as the trace has shown it (1 kept, 0 dropped; from `selected`).
    var masks: [KnownTensor?]

    /// One undo record: which tensor, which cell, and what it held before.
    struct Undo { var slot: Slot; var offset: Int; var value: Double; var state: UInt8 }
    enum Slot { case activation(Int), gradInput(Int), gradKernel(Int), gradBias(Int), mask(Int), loss }

    init(source: StoryboardSource) throws {
        self.source = source
        geometry = try layerGeometries(network: source.network, inputShape: source.input.shape)
        activations = [KnownTensor(final: source.input)] + geometry.map { KnownTensor(shape: $0.outShape) }
        gradInput = geometry.map { KnownTensor(shape: $0.inShape) }
            + [KnownTensor(shape: geometry.last?.outShape ?? KnownTensor.rank4(source.input.shape))]
        gradKernel = geometry.map { g in
            switch g.layer {
            case .conv2d(_, let k, _): KnownTensor(shape: k.shape)
            case .convTranspose2d(_, let k, _): KnownTensor(shape: k.shape)
            case .linear(let wt, _): KnownTensor(shape: wt.shape)
            case .add(let p): p.projection.map { KnownTensor(shape: $0.kernel.shape) }
            case .batchNorm2d: KnownTensor(shape: [g.inShape.count > 1 ? g.inShape[1] : 1, 1, 1, 1])  // γ: (c, 0, 0, 0)
            default: nil
            }
        }
        masks = geometry.map { g in
            if case .dropout = g.layer { KnownTensor(shape: g.inShape) } else { nil }
        }
        gradBias = geometry.map { g in
            switch g.layer {
            case .conv2d(_, _, let b?), .convTranspose2d(_, _, let b?), .linear(_, let b?):
                KnownTensor(shape: [1, b.count, 1, 1])
            case .add(let p): p.projection?.bias.map { KnownTensor(shape: [1, $0.count, 1, 1]) }
            case .batchNorm2d: KnownTensor(shape: [1, g.inShape.count > 1 ? g.inShape[1] : 1, 1, 1])
            default: nil
            }
        }
    }

    /// Fills the outputs of event-less layers (flatten) up to layer `l`'s input.
    mutating func propagateForward(upTo l: Int) {
        guard l > 0 else { return }
        for j in 1...min(l, geometry.count) where isPassThrough(j - 1) && activations[j].state.contains(where: { $0 != 2 }) {
            activations[j].values = activations[j - 1].values
            activations[j].state = activations[j - 1].state
        }
    }

    func isPassThrough(_ l: Int) -> Bool {
        if case .flatten = geometry[l].layer { return true }
        return false
    }

    /// dY of layer l: the gradient arriving at its output.
    func gradOutput(of l: Int) -> KnownTensor? {
        if l + 1 == geometry.count {
            if source.network.loss != nil { return gradInput[l + 1] }
            return source.gradOutput.map { KnownTensor(final: $0) }
        }
        if l + 1 < geometry.count, isPassThrough(l + 1) {
            guard var g = gradOutput(of: l + 1) else { return nil }
            g.shape = geometry[l].outShape
            return g
        }
        return l + 1 < gradInput.count ? gradInput[l + 1] : nil
    }

    /// Applies one event, recording what it overwrote in `undo`.
    mutating func apply(_ e: TraceEvent, undo: inout [Undo]) {
        let l = e.layer
        guard l >= 0 else { return }
        if e.phase == .forward { propagateForward(upTo: min(l, geometry.count)) }
        switch e.kind {
        case .mac, .bias, .pool:
            guard l < geometry.count else { return }
            write(.activation(l + 1), e.output, e.acc, 1, &undo)
        case .output, .activation:
            guard l < geometry.count else { return }
            write(.activation(l + 1), e.output, e.acc, 2, &undo)
            if e.kind == .activation, masks[l] != nil {
                write(.mask(l), e.input, e.flags.contains(.selected) ? 1 : 0, 2, &undo)
            }
        case .loss:
            undo.append(Undo(slot: .loss, offset: 0, value: loss ?? .nan, state: loss == nil ? 0 : 1))
            loss = e.acc
        case .norm:  // statistics have no tensor of their own; a normalised cell is the output in progress
            guard l < geometry.count, e.kernel.c == NormPart.normalize.rawValue else { return }
            write(.activation(l + 1), e.output, e.acc, 1, &undo)
        case .add:
            guard l < geometry.count else { return }
            switch AddPart(rawValue: e.kernel.c) {
            case .join: write(.activation(l + 1), e.output, e.acc, 2, &undo)
            case .fork:  // the block input's gradient, complete: main path + skip path
                if case .add(let p) = geometry[l].layer { write(.gradInput(p.from), e.input, e.acc, 2, &undo) }
            default: break  // the split copies dY; nothing new is known
            }
        case .grad:
            switch e.target {
            case .input:
                // An add with a projection: only the main path's copies (flagged) are this layer's input gradient;
                // the projection's terms are the block input's skip share, which the fork adds.
                if l < geometry.count, case .add(let p) = geometry[l].layer, p.projection != nil,
                   !e.flags.contains(.selected) { return }
                write(.gradInput(l), e.input, e.acc, 1, &undo)
            case .kernel: write(.gradKernel(l), e.kernel, e.acc, 1, &undo)
            case .bias: write(.gradBias(l), Index4(0, Int(e.kernel.n), 0, 0), e.acc, 1, &undo)
            case .none: break
            }
        case .update:  // the parameters' new values are in the events; the header's tensors stay as given
            break
        }
    }

    /// Reverts `undo` (newest first).
    mutating func revert(_ undo: [Undo]) {
        for u in undo.reversed() {
            switch u.slot {
            case .loss: loss = u.state == 0 ? nil : u.value
            case .activation(let i): activations[i].values[u.offset] = u.value; activations[i].state[u.offset] = u.state
            case .gradInput(let i): gradInput[i].values[u.offset] = u.value; gradInput[i].state[u.offset] = u.state
            case .gradKernel(let i):
                gradKernel[i]?.values[u.offset] = u.value; gradKernel[i]?.state[u.offset] = u.state
            case .gradBias(let i): gradBias[i]?.values[u.offset] = u.value; gradBias[i]?.state[u.offset] = u.state
            case .mask(let i): masks[i]?.values[u.offset] = u.value; masks[i]?.state[u.offset] = u.state
            }
        }
    }

    private mutating func write(_ slot: Slot, _ index: Index4, _ value: Double, _ st: UInt8, _ undo: inout [Undo]) {
        func put(_ t: inout KnownTensor) {
            guard let o = t.offset(index) else { return }
            undo.append(Undo(slot: slot, offset: o, value: t.values[o], state: t.state[o]))
            t.values[o] = value
            t.state[o] = st
        }
        switch slot {
        case .activation(let i): if i < activations.count { put(&activations[i]) }
        case .gradInput(let i): if i < gradInput.count { put(&gradInput[i]) }
        case .gradKernel(let i): if i < gradKernel.count, gradKernel[i] != nil { put(&gradKernel[i]!) }
        case .gradBias(let i): if i < gradBias.count, gradBias[i] != nil { put(&gradBias[i]!) }
        case .mask(let i): if i < masks.count, masks[i] != nil { put(&masks[i]!) }
        case .loss: break
        }
    }
}
