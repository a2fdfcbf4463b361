// Specs — how many trace events a run of a problem would emit, estimated from its shapes before it runs.
import Engine

extension Problem {
    /// An estimate (an upper bound up to small terms) of the events a traced run emits, per layer.
    ///
    /// A layer with a weight does one multiply-accumulate per (batch item, spatial position, weight
    /// element): N·max(H·W, Ho·Wo)·|weight| for conv2d and conv_transpose2d, N·|weight| for linear. A
    /// window op without a weight (pooling) reads Fh·Fw cells per output element. Any other layer touches
    /// each input and output element once. A backward pass emits about twice the forward's events again.
    /// The products saturate at `Int.max` instead of overflowing.
    public var estimatedEventsPerLayer: [Int] {
        let backward = hasBackward ? 3 : 1
        return layerInfos.enumerated().map { (i, info) in
            let inElems = Self.product(info.inputShape), outElems = Self.product(info.outputShape)
            var events = Self.saturatingSum(inElems, outElems)
            if let kernel = info.kernelShape {
                let weight = Self.product(kernel)
                let n = info.inputShape.first ?? 1
                let positions: Int
                if info.inputShape.count == 4, info.outputShape.count == 4 {
                    positions = Swift.max(Self.product(Array(info.inputShape[2...])), Self.product(Array(info.outputShape[2...])))
                } else {
                    positions = 1
                }
                events = Self.saturatingSum(events, Self.product([n, positions, weight]))
            } else if i < network.layers.count, !info.isLoss,
                      let sizes = try? network.layers[i].descriptor.sizes(network.layers[i], info.inputShape) {
                events = Self.saturatingSum(events, Self.product([outElems, sizes.height.kernel, sizes.width.kernel]))
            }
            return Self.product([events, backward])
        }
    }

    /// The estimated events of the whole run.
    public var estimatedEvents: Int { estimatedEventsPerLayer.reduce(0, Self.saturatingSum) }

    /// How many times the event limit an untraced run (`eval`, `verify`) may compute: nothing is stored
    /// per multiply-accumulate there, so only time bounds it.
    public static let untracedWorkFactor = 4

    /// Refuses a run whose estimated events exceed `limits.events` (times `untracedWorkFactor` when
    /// `traced` is false), naming the heaviest layer and its line.
    ///
    /// - Throws: `SpecError` with the estimate, the limit and how to lower or raise it.
    public func checkWork(traced: Bool = true, limits: ResourceLimits = .current) throws(SpecError) {
        let perLayer = estimatedEventsPerLayer
        let total = perLayer.reduce(0, Self.saturatingSum)
        let limit = traced ? limits.events : Self.product([limits.events, Self.untracedWorkFactor])
        guard total > limit else { return }
        let heaviest = perLayer.indices.max { perLayer[$0] < perLayer[$1] }
        let info = heaviest.map { layerInfos[$0] }
        let count = total == Int.max ? "more than \(Int.max)" : "about \(total)"
        throw SpecError(
            file: file, path: info?.path ?? "", line: info?.line,
            problem: "running this spec would take \(count) trace events (multiply-accumulates and gradient terms)"
                + (info.map { ", most of them in \($0.op)" } ?? "") + ", more than the limit of \(limit)"
                + (traced ? "" : " (\(Self.untracedWorkFactor)× the trace limit, as nothing is traced)"),
            valid: "a smaller input, padding or kernel, or a larger stride; or raise the limit with --max-events")
    }

    static func product(_ values: [Int]) -> Int {
        var total = 1
        for v in values {
            let (p, o) = total.multipliedReportingOverflow(by: Swift.max(v, 0))
            if o { return Int.max }
            total = p
        }
        return total
    }

    static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? Int.max : s
    }
}
