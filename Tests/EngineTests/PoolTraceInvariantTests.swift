// EngineTests — pooling trace invariants: event counts, replay reproduces outputs and gradients, tie flags.
import Testing
@testable import Engine

@Suite struct PoolTraceInvariantTests {
    static let params = Pool2DParams(kernelSize: Pair(3), stride: Pair(2), padding: Pair(1), ceilMode: true)

    /// (real, padding) window cells per output of a 1×1×H×W input, counted independently of the engine.
    static func windowCells(h: Int, w: Int, ho: Int, wo: Int, p: Pool2DParams) -> [(real: Int, padding: Int)] {
        var cells: [(Int, Int)] = []
        for y in 0..<ho {
            for x in 0..<wo {
                var real = 0, pad = 0
                for i in 0..<p.kernelSize.y {
                    for j in 0..<p.kernelSize.x {
                        let ih = y * p.stride.y - p.padding.y + i, iw = x * p.stride.x - p.padding.x + j
                        guard ih < h + p.padding.y, iw < w + p.padding.x else { continue }  // past the padded input
                        if ih >= 0, ih < h, iw >= 0, iw < w { real += 1 } else { pad += 1 }
                    }
                }
                cells.append((real, pad))
            }
        }
        return cells
    }

    @Test func maxPoolCountsAndReplay() throws {
        var rng = RestRNG(seed: 31)
        let x = rng.tensor([1, 1, 6, 7])
        var t = Tracer(sink: RecordingSink())
        let y = try MaxPool2D.forward(input: x, params: Self.params, tracer: &t)
        // Ho = ⌈(6 + 2 − 3)/2⌉ + 1 = 4, Wo = ⌈(7 + 2 − 3)/2⌉ + 1 = 4.
        #expect(y.shape == [1, 1, 4, 4])
        let cells = Self.windowCells(h: 6, w: 7, ho: 4, wo: 4, p: Self.params)
        let events = t.sink.events
        #expect(events.filter { $0.kind == .pool }.count == cells.reduce(0) { $0 + $1.real })
        #expect(events.filter { $0.kind == .output }.count == 16)
        #expect(!events.contains { $0.flags.contains(.padding) })
        #expect(events.allSatisfy { $0.a.isFinite && $0.b.isFinite && $0.acc.isFinite })
        // Replay: the max of each output's `a` values is the output, and the last selected term holds it.
        for (k, value) in y.data.enumerated() {
            let cell = Index4(0, 0, k / 4, k % 4)
            let terms = events.filter { $0.kind == .pool && $0.output == cell }
            #expect(terms.map(\.a).max() == value)
            #expect(terms.last(where: { $0.flags.contains(.selected) })?.a == value)
            #expect(terms.allSatisfy { x[0, 0, Int($0.input.h), Int($0.input.w)] == $0.a })
        }
        // Backward: one routed term per output cell; replaying them rebuilds dX.
        let dY = rng.tensor(y.shape)
        let before = events.count
        let g = try MaxPool2D.backward(input: x, params: Self.params, gradOutput: dY, tracer: &t).input
        let grads = t.sink.events.dropFirst(before)
        #expect(grads.count == 16)
        var replay = Tensor(shape: x.shape)
        for e in grads {
            #expect(e.kind == .grad && e.target == .input && e.flags.contains(.selected) && e.b == 1)
            replay[0, 0, Int(e.input.h), Int(e.input.w)] += e.a * e.b
        }
        #expect(replay == g)
    }

    @Test func avgPoolCountsAndReplay() throws {
        var rng = RestRNG(seed: 32)
        let x = rng.tensor([1, 1, 6, 7])
        for include in [true, false] {
            var p = Self.params
            p.countIncludePad = include
            var t = Tracer(sink: RecordingSink())
            let y = try AvgPool2D.forward(input: x, params: p, tracer: &t)
            let cells = Self.windowCells(h: 6, w: 7, ho: 4, wo: 4, p: p)
            let events = t.sink.events
            let pools = events.filter { $0.kind == .pool }
            #expect(pools.count == cells.reduce(0) { $0 + $1.real + $1.padding })
            #expect(pools.filter { $0.flags.contains(.padding) }.count == cells.reduce(0) { $0 + $1.padding })
            #expect(pools.filter { $0.flags.contains(.padding) }.allSatisfy { $0.a == 0 })
            let outputs = events.filter { $0.kind == .output }
            #expect(outputs.count == 16)
            for (k, e) in outputs.enumerated() {
                // Replay: sum of the window's terms / divisor; the divisor follows count_include_pad.
                let terms = pools.filter { $0.output == e.output }
                let sum = terms.reduce(0) { $0 + $1.a }
                #expect(sum == e.a)
                #expect(e.b == Double(include ? cells[k].real + cells[k].padding : cells[k].real))
                #expect(e.a / e.b == y.data[k])
            }
            let dY = rng.tensor(y.shape)
            let before = events.count
            let g = try AvgPool2D.backward(input: x, params: p, gradOutput: dY, tracer: &t).input
            let grads = t.sink.events.dropFirst(before)
            #expect(grads.count == cells.reduce(0) { $0 + $1.real })
            var replay = Tensor(shape: x.shape)
            for e in grads { replay[0, 0, Int(e.input.h), Int(e.input.w)] += e.product }
            #expect(restRelError(replay.data, g.data) < 1e-15)
        }
    }

    @Test func tiesSelectOnlyTheFirstMaximum() throws {
        // Window values 3, 7, 7, 7 in row-major order: 3 is selected (first term), then the first 7;
        // the later 7s are not strictly greater, so they are not selected.
        let x = Tensor(shape: [1, 1, 2, 2], data: [3, 7, 7, 7])
        var t = Tracer(sink: RecordingSink())
        _ = try MaxPool2D.forward(input: x, params: Pool2DParams(kernelSize: Pair(2)), tracer: &t)
        let flags = t.sink.events.filter { $0.kind == .pool }.map { $0.flags.contains(.selected) }
        #expect(flags == [true, true, false, false])
        _ = try MaxPool2D.backward(
            input: x, params: Pool2DParams(kernelSize: Pair(2)), gradOutput: Tensor(shape: [1, 1, 1, 1], data: [1]),
            tracer: &t)
        #expect(t.sink.events.last?.input == Index4(0, 0, 0, 1))
        // Global max pool: same rule.
        var g = Tracer(sink: RecordingSink())
        _ = try GlobalMaxPool.forward(input: x, tracer: &g)
        #expect(g.sink.events.filter { $0.kind == .pool }.map { $0.flags.contains(.selected) } == [true, true, false, false])
        #expect(g.sink.events.last?.input == Index4(0, 0, 0, 1))
    }

    @Test func globalPoolCounts() throws {
        var rng = RestRNG(seed: 33)
        let x = rng.tensor([2, 3, 4, 5])
        var t = Tracer(sink: RecordingSink())
        let y = try GlobalAvgPool.forward(input: x, tracer: &t)
        // One pool term per cell plus one output per plane.
        #expect(t.sink.events.count == 2 * 3 * 20 + 6)
        #expect(t.sink.events.filter { $0.kind == .output }.map(\.acc) == y.data)
        _ = try GlobalAvgPool.backward(input: x, gradOutput: Tensor(shape: [2, 3, 1, 1], repeating: 1), tracer: &t)
        #expect(t.sink.events.count == 2 * (2 * 3 * 20) + 6)
        var m = Tracer(sink: RecordingSink())
        _ = try GlobalMaxPool.forward(input: x, tracer: &m)
        _ = try GlobalMaxPool.backward(input: x, gradOutput: Tensor(shape: [2, 3, 1, 1], repeating: 1), tracer: &m)
        #expect(m.sink.events.count == 2 * 3 * 20 + 6 + 6)
    }

    @Test func untracedAndTracedAgree() throws {
        var rng = RestRNG(seed: 34)
        let x = rng.tensor([1, 2, 5, 5])
        var silent = Tracer.untraced
        var loud = Tracer(sink: RecordingSink())
        #expect(try MaxPool2D.forward(input: x, params: Self.params, tracer: &silent)
                == MaxPool2D.forward(input: x, params: Self.params, tracer: &loud))
        #expect(try AvgPool2D.forward(input: x, params: Self.params, tracer: &silent)
                == AvgPool2D.forward(input: x, params: Self.params, tracer: &loud))
    }
}
