// Storyboard — trace (header + events) → frames: the entry points, and the streaming frame builder.
import Engine

/// Turns a trace into frames. The state shown at step t is a pure function of the header
/// (`StoryboardSource`) and the events before t.
///
/// ```swift
/// let board = try Storyboard(source: source, options: StoryboardOptions(granularity: .cell))
/// let frames = try board.frames(events: recording.events)
/// ```
public struct Storyboard: Sendable {
    public let source: StoryboardSource
    public let options: StoryboardOptions
    let geometry: [LayerGeometry]

    /// - Throws: `StoryboardError` when the header's shapes do not fit together.
    public init(source: StoryboardSource, options: StoryboardOptions = StoryboardOptions()) throws {
        self.source = source
        self.options = options
        do {
            geometry = try layerGeometries(network: source.network, inputShape: source.input.shape)
        } catch let e as StoryboardError {
            throw e
        } catch {
            throw StoryboardError("\(error)")
        }
        if let layers = options.layers {
            let last = source.network.layers.count - (source.network.loss == nil ? 1 : 0)
            let names = source.network.layers.enumerated().map { "\($0.offset) \($0.element.opName)" }
                + (source.network.loss.map { ["\(source.network.layers.count) \($0.opName) (the loss)"] } ?? [])
            for l in layers.sorted() where l < 0 || l > last {
                throw StoryboardError("layer \(l) is not in the network; its layers are \(names.joined(separator: ", "))",
                                      reason: .layerOutsideNetwork(layer: l, layers: names))
            }
        }
    }

    /// How many frames `events` would make with these options (cheap: no frame is drawn).
    /// - Complexity: O(events).
    public func countFrames<S: Sequence>(events: S) -> Int where S.Element == TraceEvent {
        var counter = makeCounter()
        for e in events { counter.add(e) }
        return counter.finish()
    }

    /// A counter to feed events one by one (for streamed traces).
    public func makeCounter() -> FrameCounter {
        FrameCounter(grouper: FrameGrouper(geometry: geometry, options: options), options: options)
    }

    /// Throws the frame-budget refusal when `count` exceeds `options.maxFrames`.
    public func checkBudget(_ count: Int) throws {
        try checkBudget(count, byLayer: [:])
    }

    /// Throws the frame-budget refusal when the counted frames exceed `options.maxFrames`; the message
    /// lists the frames per layer so the reader can pick one with `--layer`.
    public func checkBudget(_ counter: FrameCounter) throws {
        try checkBudget(counter.count, byLayer: counter.countByLayer)
    }

    func checkBudget(_ count: Int, byLayer: [Int: Int]) throws {
        guard let limit = options.maxFrames, count > limit else { return }
        let perLayer = byLayer.keys.sorted().map { l in
            FrameBudgetExceeded.LayerFrames(
                layer: l, op: l < geometry.count ? geometry[l].layer.opName : (source.network.loss?.opName ?? "loss"),
                frames: byLayer[l] ?? 0)
        }
        var message = "this trace would make \(count) frames, more than the frame budget of \(limit)"
        if perLayer.count > 1 {
            message += ". Frames per layer: " + perLayer.map { "layer \($0.layer) \($0.op): \($0.frames)" }.joined(separator: ", ")
        }
        let facts = FrameBudgetExceeded(count: count, limit: limit, framesPerLayer: perLayer,
                                        layerCount: geometry.count)
        throw StoryboardError(message, reason: .frameBudget(facts))
    }

    /// Every frame of the trace, numbered, with `count` filled in.
    /// - Throws: `StoryboardError` when the frame budget is exceeded (checked before drawing).
    /// - Complexity: O(events + frames · frame size).
    public func frames(events: [TraceEvent]) throws -> [Frame] {
        var counter = makeCounter()
        for e in events { counter.add(e) }
        let total = counter.finish()
        try checkBudget(counter)
        var builder = try makeBuilder(expectedCount: total)
        var out: [Frame] = []
        out.reserveCapacity(total)
        for e in events { out.append(contentsOf: builder.add(e)) }
        out.append(contentsOf: builder.finish())
        return out
    }

    /// Every frame of `source`, numbered, with `count` filled in, in one streaming pass.
    ///
    /// The events go to a `FrameCounter` and a `FrameBuilder` together; no event is kept, and the
    /// filters (phase, layers, region) apply as they stream, so memory grows only with the frames
    /// kept. As soon as the count passes `options.maxFrames` the frames drawn are dropped and the
    /// rest is only counted, so a refusal never holds more than the budget's worth of frames.
    /// - Throws: `StoryboardError` with `.frameBudget` when the budget is exceeded (nothing is
    ///   returned), and the source's errors (`SpecError`, `TraceError`).
    /// - Complexity: one pass over the source; memory O(min(frames kept, maxFrames) · frame size + state).
    public func frames(streaming source: TraceSource) throws -> [Frame] {
        var counter = makeCounter()
        var builder = try makeBuilder(expectedCount: 0)
        var drawing = true
        var out: [Frame] = []
        try source.forEach(layers: layersRead) { e in
            counter.add(e)
            guard drawing else { return }
            out.append(contentsOf: builder.add(e))
            if let limit = options.maxFrames, counter.count > limit {
                drawing = false
                out = []
            }
        }
        let total = counter.finish()
        try checkBudget(counter)
        if drawing { out.append(contentsOf: builder.finish()) }
        for i in out.indices { out[i].count = total }
        return out
    }

    /// The layers whose events the frames of `options.layers` are drawn from (nil: all of them).
    ///
    /// A frame of layer l shows its input (written by the layer before, or by the one before a flatten),
    /// its own tensors, and in the backward pass its dY (written by the layer after, through a flatten, or
    /// by the loss). Events of every other layer change nothing those frames show, so a stream may skip them.
    public var layersRead: Set<Int>? {
        guard let chosen = options.layers else { return nil }
        var read = chosen
        for l in chosen {
            var j = l - 1  // the input: the last layer before l that has events of its own
            while j >= 0 && j < geometry.count {
                read.insert(j)
                guard isPassThrough(j) else { break }
                j -= 1
            }
            j = l + 1  // dY: the first layer after l that has events of its own, or the loss
            while j <= geometry.count {
                read.insert(j)
                guard j < geometry.count, isPassThrough(j) else { break }
                j += 1
            }
        }
        return read
    }

    private func isPassThrough(_ l: Int) -> Bool {
        if case .flatten = geometry[l].layer { return true }
        return false
    }

    /// A builder to feed events one by one; frames come out as their group of events completes.
    /// - Parameter expectedCount: stored in each frame's `count` (use `countFrames` first); 0 if unknown.
    public func makeBuilder(expectedCount: Int = 0) throws -> FrameBuilder {
        try FrameBuilder(source: source, options: options, geometry: geometry, expectedCount: expectedCount)
    }
}

/// Streams frames out of events: feed `add(_:)` every event in order, then `finish()`.
///
/// Memory: the known values of every tensor in the network, plus the events of one group.
public struct FrameBuilder: Sendable {
    let ctx: SceneContext
    let grouper: FrameGrouper
    var state: TraceState
    var group: [TraceEvent] = []
    var groupKey: FrameGrouper.Key?
    var undo: [TraceState.Undo] = []
    /// Index the next frame gets.
    public private(set) var nextIndex = 0
    /// Value written into every frame's `count`.
    public var expectedCount: Int
    /// Transposed-conv direct view: buffered scatter macs by output cell.
    var gathered: [Index4: [TraceEvent]] = [:]
    /// Groups whose frames all number below this are not drawn: `add`/`finish` only advance the
    /// state and the numbering for them. TerminalReplay counts (`Int.max`) and skips through long
    /// traces this way; a group that reaches `drawFrom` is drawn whole.
    public var drawFrom = 0

    init(source: StoryboardSource, options: StoryboardOptions, geometry: [LayerGeometry], expectedCount: Int) throws {
        ctx = SceneContext(source: source, geometry: geometry, options: options)
        grouper = FrameGrouper(geometry: geometry, options: options)
        state = try TraceState(source: source)
        self.expectedCount = expectedCount
    }

    /// Adds one event; returns the frames completed by it (often none, at most one group's worth).
    public mutating func add(_ e: TraceEvent) -> [Frame] {
        var out: [Frame] = []
        let k = grouper.key(e)
        if let gk = groupKey, gk != k { out = closeGroup() }
        groupKey = k
        group.append(e)
        state.apply(e, undo: &undo)
        if grouper.closesGroup(e) { out += closeGroup() }
        return out
    }

    /// Closes the last group and returns its frames.
    public mutating func finish() -> [Frame] { closeGroup() }

    private mutating func closeGroup() -> [Frame] {
        defer { group.removeAll(keepingCapacity: true); undo.removeAll(keepingCapacity: true); groupKey = nil }
        guard let last = group.last else { return [] }
        if case .gather = groupKey {
            for e in group { gathered[e.output, default: []].append(e) }
            return []
        }
        if grouper.directLayers.contains(last.layer), last.phase == .forward, let first = group.first {
            // The output cell's gathered macs come first, then its bias and output events.
            group = (gathered.removeValue(forKey: first.output) ?? []) + group
            undo.removeAll()
        }
        guard let key = groupKey else { return [] }
        guard grouper.admits(last, key: key) else { return [] }
        let steps = group.indices.filter { FrameGrouper.isStep(group[$0]) }
        let direct = grouper.directLayers.contains(last.layer) && last.phase == .forward
        guard !steps.isEmpty || direct else { return [] }
        let made = ctx.options.granularity == .cell ? 1 : max(1, steps.count)
        if nextIndex + made <= drawFrom {
            nextIndex += made
            return []
        }
        var frames: [Frame] = []
        if direct {
            // The state is already final for this cell; the frames read running values from the events.
            if ctx.options.granularity == .cell || steps.isEmpty {
                if let f = TransposedScene.direct(ctx, group: group, current: nil, state: state) { frames.append(f) }
            } else {
                for s in steps {
                    if let f = TransposedScene.direct(ctx, group: group, current: s, state: state) { frames.append(f) }
                }
            }
        } else if ctx.options.granularity == .cell {
            if let f = draw(current: nil) { frames.append(f) }
        } else {
            // Rebuild the state step by step inside the group so each frame shows the state after its step.
            state.revert(undo)
            var scratch: [TraceState.Undo] = []
            var applied = 0
            for s in steps {
                while applied <= s {
                    state.apply(group[applied], undo: &scratch)
                    applied += 1
                }
                if let f = draw(current: s) { frames.append(f) }
            }
            while applied < group.count {
                state.apply(group[applied], undo: &scratch)
                applied += 1
            }
        }
        for i in frames.indices {
            frames[i].legend = frames[i].shownLegend
            frames[i].index = nextIndex
            frames[i].count = expectedCount
            nextIndex += 1
        }
        return frames
    }

    private func draw(current: Int?) -> Frame? {
        guard let e0 = group.first else { return nil }
        let l = e0.layer
        guard l < ctx.geometry.count else { return GenericScene.frame(ctx, group: group, current: current, state: state) }
        if e0.kind == .update { return OptimizerStepScene.frame(ctx, group: group, current: current, state: state) }
        switch (ctx.geometry[l].layer, e0.kind) {
        case (.conv2d, .mac), (.conv2d, .bias), (.conv2d, .output):
            return ConvScene.frame(ctx, group: group, current: current, state: state)
        case (.conv2d, .grad):
            return ConvGradientScene.frame(ctx, group: group, current: current, state: state)
        case (.maxPool2d, _), (.avgPool2d, _), (.globalMaxPool, _), (.globalAvgPool, _):
            return PoolScene.frame(ctx, group: group, current: current, state: state)
        case (.add, .add):
            return ResidualScene.frame(ctx, group: group, state: state)
        case (.add, .grad) where e0.target == .input && e0.flags.contains(.selected):
            return ResidualScene.frame(ctx, group: group, state: state)
        case (.add, _):  // a projection's 1×1 conv terms, forward and backward
            return ResidualScene.projectionFrame(ctx, group: group, state: state)
        default:
            return GenericScene.frame(ctx, group: group, current: current, state: state)
        }
    }
}
