// Storyboard — which events belong to one frame: one output cell's terms, one gradient cell's terms, …

import Engine

/// Cuts an event stream into groups (one group → one cell frame, or one frame per step at mac
/// granularity). Knows nothing of pictures; counting frames uses it alone.
struct FrameGrouper: Sendable {
    /// What makes consecutive events one group.
    enum Key: Hashable, Sendable {
        case forwardCell(layer: Int, output: Index4)
        case scatter(layer: Int, input: Index4)
        case grad(layer: Int, target: UInt8, cell: Index4)
        case single(step: Int)
        /// Transposed conv, direct view: scatter macs are collected per output cell, no frame yet.
        case gather(layer: Int)
        /// Batch norm: the terms of one channel's mean or variance (`NormPart` raw value in `part`).
        case statistic(layer: Int, channel: Int32, part: Int32)
        /// An optimizer step: the terms of one parameter element's update at one training step.
        case update(layer: Int, target: UInt8, cell: Index4, step: Int32)
    }

    /// `Key.grad` targets of a residual join's backward cells (beyond `GradTarget`'s raw values).
    static let addSplitTarget: UInt8 = 8, addForkTarget: UInt8 = 9

    /// Layers whose backward input-gradient terms are grouped by dY cell (pooling: routing view).
    let groupInputGradByOutput: LayerFlags
    /// Transposed-conv layers drawn as a scatter: forward macs grouped by input cell.
    let scatterLayers: LayerFlags
    /// Transposed-conv layers drawn as the equivalent direct convolution: macs gathered by output cell,
    /// one frame per output cell at its `output` event.
    let directLayers: LayerFlags
    /// `options.layers` as flags (nil: every layer); looked up once per event.
    let chosenLayers: LayerFlags?

    /// The filters of the options: phase, layers, region.
    let options: StoryboardOptions
    /// Shapes, to tell vectors from image planes when matching a region.
    let geometry: [LayerGeometry]

    init(geometry: [LayerGeometry], options: StoryboardOptions) {
        self.options = options
        self.geometry = geometry
        var pools = Set<Int>(), scatter = Set<Int>(), direct = Set<Int>()
        for (l, g) in geometry.enumerated() {
            switch g.layer {
            case .maxPool2d, .avgPool2d, .globalMaxPool, .globalAvgPool: pools.insert(l)
            case .convTranspose2d where options.transposedView == .scatter: scatter.insert(l)
            case .convTranspose2d: direct.insert(l)
            default: break
            }
        }
        groupInputGradByOutput = LayerFlags(pools)
        scatterLayers = LayerFlags(scatter)
        directLayers = LayerFlags(direct)
        chosenLayers = options.layers.map(LayerFlags.init)
    }

    /// The group key of `e`.
    func key(_ e: TraceEvent) -> Key {
        switch e.kind {
        case .mac, .bias, .pool, .output:
            if e.kind == .mac && directLayers.contains(e.layer) { return .gather(layer: e.layer) }
            if scatterLayers.contains(e.layer) {
                if e.kind == .mac { return .scatter(layer: e.layer, input: e.input) }
                return .forwardCell(layer: e.layer, output: e.output)
            }
            return .forwardCell(layer: e.layer, output: e.output)
        case .activation, .loss:
            return .single(step: e.step)
        case .norm:
            switch NormPart(rawValue: e.kernel.c) {
            case .normalize: return .forwardCell(layer: e.layer, output: e.output)
            case .mean, .variance: return .statistic(layer: e.layer, channel: e.kernel.n, part: e.kernel.c)
            default: return .single(step: e.step)
            }
        case .add:  // one event per cell: the join is the output cell; the split and the fork are block-input cells
            switch AddPart(rawValue: e.kernel.c) {
            case .join: return .forwardCell(layer: e.layer, output: e.output)
            case .split: return .grad(layer: e.layer, target: Self.addSplitTarget, cell: e.input)
            default: return .grad(layer: e.layer, target: Self.addForkTarget, cell: e.input)
            }
        case .grad:
            switch e.target {
            case .input:
                if groupInputGradByOutput.contains(e.layer) {
                    return .grad(layer: e.layer, target: 4, cell: e.output)
                }
                return .grad(layer: e.layer, target: e.target.rawValue, cell: e.input)
            case .kernel: return .grad(layer: e.layer, target: e.target.rawValue, cell: e.kernel)
            case .bias: return .grad(layer: e.layer, target: e.target.rawValue, cell: Index4(Int(e.kernel.n), 0, 0, 0))
            case .none: return .single(step: e.step)
            }
        case .update:
            return .update(layer: e.layer, target: e.target.rawValue, cell: e.kernel, step: e.output.n)
        }
    }

    /// Whether the group `key` that `e` belongs to is drawn under the options' phase, layer and region filters.
    func admits(_ e: TraceEvent, key: Key) -> Bool {
        guard options.phase.admits(e.phase), chosenLayers?.contains(e.layer) ?? true else { return false }
        guard let region = options.region else { return true }
        guard let cell = writtenCell(key: key, event: e) else { return false }
        return region.contains(row: cell.row, column: cell.column)
    }

    /// The grid cell a group's frame writes, as the grid shows it: (h, w) of an image plane, (n, feature)
    /// of a vector (linear layers, activations after flatten), (out, in) of a linear weight gradient;
    /// nil when it writes no grid cell (a bias gradient, the loss).
    func writtenCell(key: Key, event e: TraceEvent) -> (row: Int, column: Int)? {
        switch key {
        case .forwardCell(let l, let output): return planeCell(output, vector: isVector(l, output: true))
        case .scatter(let l, let input): return planeCell(input, vector: isVector(l, output: false))
        case .gather(let l): return planeCell(e.output, vector: isVector(l, output: true))
        case .statistic, .update: return nil
        case .single: return e.kind == .loss || e.kind == .norm ? nil : planeCell(e.output, vector: isVector(e.layer, output: true))
        case .grad(let l, let target, let cell):
            switch target {
            case GradTarget.bias.rawValue: return nil
            case GradTarget.kernel.rawValue:
                let isLinear = l < geometry.count && { if case .linear = geometry[l].layer { true } else { false } }()
                return isLinear ? (Int(cell.n), Int(cell.c)) : (Int(cell.h), Int(cell.w))
            case GradTarget.input.rawValue: return planeCell(cell, vector: isVector(l, output: false))
            default: return planeCell(cell, vector: isVector(l, output: true))  // pooling: the dY cell routed
            }
        }
    }

    private func planeCell(_ i: Index4, vector: Bool) -> (row: Int, column: Int) {
        vector ? (Int(i.n), Int(i.c)) : (Int(i.h), Int(i.w))
    }

    /// Whether layer `l`'s output (or input) is a vector: N×F, held as N×F×1×1 (linear layers, what
    /// follows flatten, a global pool's output). The loss (index `layers.count`) reads the last output.
    private func isVector(_ l: Int, output: Bool) -> Bool {
        guard let g = l < geometry.count ? geometry[l] : geometry.last else { return false }
        let shape = output || l >= geometry.count ? g.outShape : g.inShape
        return shape.count == 2 || (shape.count == 4 && shape[2] == 1 && shape[3] == 1)
    }

    /// Whether `e` ends its group (inclusive): an `output` event finishes its cell.
    func closesGroup(_ e: TraceEvent) -> Bool {
        switch e.kind {
        case .output: !scatterLayers.contains(e.layer)
        case .activation, .loss, .add: true
        case .norm: e.kernel.c == NormPart.runningMean.rawValue || e.kernel.c == NormPart.runningVar.rawValue
        case .grad: e.target == .none
        case .update: e.output.c == UpdatePart.value.rawValue
        default: false
        }
    }

    /// Whether `e` makes a frame of its own at mac granularity (a batch-norm cell's normalisation is the
    /// first operand of its scale term, not a term of its own).
    static func isStep(_ e: TraceEvent) -> Bool {
        e.kind != .output && !(e.kind == .norm && e.kernel.c == NormPart.normalize.rawValue)
    }
}

/// A set of layer indices as flags: membership is one array read, checked for every event.
struct LayerFlags: Sendable {
    private let flags: [Bool]

    init(_ layers: Set<Int>) {
        var flags = Array(repeating: false, count: (layers.filter { $0 >= 0 }.max() ?? -1) + 1)
        for l in layers where l >= 0 { flags[l] = true }
        self.flags = flags
    }

    func contains(_ layer: Int) -> Bool { layer >= 0 && layer < flags.count && flags[layer] }
}

/// Counts frames without drawing them.
public struct FrameCounter: Sendable {
    let grouper: FrameGrouper
    let options: StoryboardOptions
    var currentKey: FrameGrouper.Key?
    var currentAdmitted = false
    var currentSteps = 0
    var currentEvents = 0
    /// Direct-view transposed layers: macs gathered per output cell (layer, cell) until its frame.
    var gathered: [Index4: Int] = [:]
    var currentIsDirectCell = false
    /// Frames counted so far (complete groups only until `finish`).
    public private(set) var count = 0
    /// Frames counted so far per layer (the loss is `layers.count`).
    public private(set) var countByLayer: [Int: Int] = [:]
    var currentLayer = 0

    init(grouper: FrameGrouper, options: StoryboardOptions) { self.grouper = grouper; self.options = options }

    mutating func closeGroup() {
        guard currentEvents > 0 else { return }
        if case .gather = currentKey {
            // Counted with the output cell they belong to.
        } else if currentAdmitted {
            let n: Int
            if currentIsDirectCell {
                n = options.granularity == .cell ? 1 : max(1, currentSteps)
            } else {
                n = options.granularity == .cell ? (currentSteps > 0 ? 1 : 0) : currentSteps
            }
            count += n
            if n > 0 { countByLayer[currentLayer, default: 0] += n }
        }
        currentKey = nil; currentSteps = 0; currentEvents = 0; currentIsDirectCell = false
    }

    /// Adds one event.
    public mutating func add(_ e: TraceEvent) {
        let k = grouper.key(e)
        if k != currentKey { closeGroup() }
        currentKey = k
        currentLayer = e.layer
        currentAdmitted = grouper.admits(e, key: k)
        currentEvents += 1
        if FrameGrouper.isStep(e) { currentSteps += 1 }
        if grouper.directLayers.contains(e.layer) && e.phase == .forward {
            if e.kind == .mac {
                gathered[e.output, default: 0] += 1
            } else if case .forwardCell = k, !currentIsDirectCell {
                currentIsDirectCell = true
                currentSteps += gathered.removeValue(forKey: e.output) ?? 0
            }
        }
        if grouper.closesGroup(e) { closeGroup() }
    }

    /// Closes the last group; returns the total.
    public mutating func finish() -> Int {
        closeGroup()
        return count
    }
}
