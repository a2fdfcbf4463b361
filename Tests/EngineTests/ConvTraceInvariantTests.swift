// EngineTests — the trace contract of conv2d / conv_transpose2d: counts, order, indices, exact replay and sums.
import Testing
@testable import Engine

/// Exact (==) comparisons throughout: replaying the events must reproduce the engine's numbers bit for bit.
@Suite struct ConvTraceInvariantTests {
    struct Key: Hashable { var n: Int32, c: Int32, h: Int32, w: Int32; init(_ i: Index4) { (n, c, h, w) = (i.n, i.c, i.h, i.w) } }

    static func flat(_ i: Index4, _ shape: [Int]) -> Int { ((Int(i.n) * shape[1] + Int(i.c)) * shape[2] + Int(i.h)) * shape[3] + Int(i.w) }

    static func inside(_ i: Index4, _ shape: [Int]) -> Bool {
        i.n >= 0 && Int(i.n) < shape[0] && i.c >= 0 && Int(i.c) < shape[1]
            && i.h >= 0 && Int(i.h) < shape[2] && i.w >= 0 && Int(i.w) < shape[3]
    }

    /// Checks that the running `acc` of events (grouped by `key`) is the sequential sum `acc + product`,
    /// that `product == a·b`, and returns the final sum per key.
    static func replaySums(_ events: [TraceEvent], key: (TraceEvent) -> Key) -> [Key: Double] {
        var sums: [Key: Double] = [:]
        for e in events {
            #expect(e.product == e.a * e.b)
            let s = sums[key(e), default: 0] + e.product
            #expect(e.acc == s)
            sums[key(e)] = s
        }
        return sums
    }

    @Test(arguments: PaddingMode.allCases)
    func conv2d(mode: PaddingMode) throws {
        var rng = SeededRandom(seed: 0x7ACE &+ UInt64(PaddingMode.allCases.firstIndex(of: mode)!))
        for _ in 0..<15 {
            let c = ConvCase.random(&rng, mode: mode)
            let p = c.params
            let (K, C, Fh, Fw) = (c.kernel.shape[0], c.kernel.shape[1], c.kernel.shape[2], c.kernel.shape[3])
            let (H, W) = (c.input.shape[2], c.input.shape[3])
            var tracer = Tracer(sink: RecordingSink())
            let y = try Conv2D.forward(input: c.input, kernel: c.kernel, bias: c.bias, params: p, tracer: &tracer)
            let forward = tracer.sink.events
            #expect(forward.map(\.step) == Array(0..<forward.count))
            let (N, Ho, Wo) = (y.shape[0], y.shape[2], y.shape[3])
            let macs = forward.filter { $0.kind == .mac }
            let cells = N * K * Ho * Wo
            // Counting rule.
            #expect(macs.count == cells * C * Fh * Fw, "\(c)")
            #expect(forward.filter { $0.kind == .bias }.count == (c.bias == nil ? 0 : cells))
            #expect(forward.filter { $0.kind == .output }.count == cells)
            #expect(forward.count == macs.count + (c.bias == nil ? 1 : 2) * cells)

            // Order and indices: per output cell row-major, the window c, i, j row-major, then bias, output.
            var expected: [(EventKind, Index4, Index4, Index4)] = []
            for n in 0..<N { for k in 0..<K { for oy in 0..<Ho { for ox in 0..<Wo {
                for ch in 0..<C { for i in 0..<Fh { for j in 0..<Fw {
                    expected.append((.mac, Index4(n, k, oy, ox),
                                     Index4(n, ch, oy * p.stride.y + i * p.dilation.y, ox * p.stride.x + j * p.dilation.x),
                                     p.flip ? Index4(k, ch, Fh - 1 - i, Fw - 1 - j) : Index4(k, ch, i, j)))
                } } }
                if c.bias != nil { expected.append((.bias, Index4(n, k, oy, ox), .zero, Index4(k, 0, 0, 0))) }
                expected.append((.output, Index4(n, k, oy, ox), .zero, .zero))
            } } } }
            #expect(forward.count == expected.count)
            for (e, x) in zip(forward, expected) {
                let same = e.kind == x.0 && e.output == x.1
                #expect(same && e.padded == x.2 && e.kernel == x.3, "\(c)")
            }

            // Operands: b is the kernel value at `kernel`; a the input value at `input` (0 for zeros padding);
            // `padded` is `input` shifted by (top, left) unless the mode read a different cell.
            for e in macs {
                #expect(e.b == c.kernel.data[Self.flat(e.kernel, c.kernel.shape)])
                let ph = Int(e.padded.h) - p.padding.top, pw = Int(e.padded.w) - p.padding.left
                let isPadding = ph < 0 || ph >= H || pw < 0 || pw >= W
                #expect(e.flags.contains(.padding) == isPadding)
                if mode == .zeros || !isPadding {
                    #expect(e.input == Index4(Int(e.padded.n), Int(e.padded.c), ph, pw))
                }
                if mode == .zeros && isPadding {
                    #expect(e.a == 0 && !Self.inside(e.input, c.input.shape))
                } else {
                    #expect(Self.inside(e.input, c.input.shape))
                    #expect(e.a == c.input.data[Self.flat(e.input, c.input.shape)])
                }
            }

            // Replay: sequential acc + a·b per output cell, then + bias, reproduces the output exactly.
            var replay: [Key: Double] = [:]
            for e in forward {
                let key = Key(e.output)
                switch e.kind {
                case .mac:
                    let s = replay[key, default: 0] + e.a * e.b
                    #expect(e.acc == s && e.product == e.a * e.b)
                    replay[key] = s
                case .bias:
                    #expect(e.a == replay[key, default: 0])
                    let s = replay[key, default: 0] + e.b
                    #expect(e.acc == s)
                    replay[key] = s
                default:
                    #expect(e.a == replay[key, default: 0] && e.acc == e.a)
                    #expect(y.data[Self.flat(e.output, y.shape)] == e.acc)
                }
            }
            #expect(replay.count == cells)

            // Untraced gives bit-identical numbers.
            var silent = Tracer.untraced
            #expect(try Conv2D.forward(input: c.input, kernel: c.kernel, bias: c.bias, params: p, tracer: &silent) == y)

            // Backward.
            let dY = rng.tensor(y.shape)
            var bt = Tracer(sink: RecordingSink())
            bt.nextStep = tracer.nextStep
            let g = try Conv2D.backward(input: c.input, kernel: c.kernel, bias: c.bias, params: p, gradOutput: dY, tracer: &bt)
            let backward = bt.sink.events
            #expect(backward.first?.step == forward.count)
            #expect(backward.allSatisfy { $0.kind == .grad })
            let kTerms = backward.filter { $0.target == .kernel }
            let xTerms = backward.filter { $0.target == .input }
            let bTerms = backward.filter { $0.target == .bias }
            let readsReal = macs.filter { mode != .zeros || !$0.flags.contains(.padding) }
            #expect(kTerms.count == macs.count)
            #expect(xTerms.count == readsReal.count)
            #expect(bTerms.count == (c.bias == nil ? 0 : cells))
            // Grouped in the stated order: kernel terms, then input terms, then bias terms.
            #expect(backward.map(\.target) == kTerms.map(\.target) + xTerms.map(\.target) + bTerms.map(\.target))
            let kCells = kTerms.map { Self.flat($0.kernel, c.kernel.shape) }
            #expect(kCells == kCells.sorted())
            let xCells = xTerms.map { Self.flat($0.input, c.input.shape) }
            #expect(xCells == xCells.sorted())

            // Each term is one mac: the same (output, padded, kernel) triples, with the same operands.
            func triple(_ e: TraceEvent) -> [Int32] {
                [e.output.n, e.output.c, e.output.h, e.output.w, e.padded.c, e.padded.h, e.padded.w,
                 e.kernel.n, e.kernel.c, e.kernel.h, e.kernel.w]
            }
            let macTriples = macs.map(triple).sorted { $0.lexicographicallyPrecedes($1) }
            #expect(kTerms.map(triple).sorted { $0.lexicographicallyPrecedes($1) } == macTriples)
            #expect(xTerms.map(triple).sorted { $0.lexicographicallyPrecedes($1) }
                == readsReal.map(triple).sorted { $0.lexicographicallyPrecedes($1) })
            for e in kTerms {
                #expect(e.a == dY.data[Self.flat(e.output, dY.shape)])
                let read = Self.inside(e.input, c.input.shape) ? c.input.data[Self.flat(e.input, c.input.shape)] : 0
                #expect(e.b == read)
            }
            for e in xTerms {
                #expect(e.a == dY.data[Self.flat(e.output, dY.shape)])
                #expect(e.b == c.kernel.data[Self.flat(e.kernel, c.kernel.shape)])
            }
            // Input terms keep the mac order (k, y, x, i, j) inside each dX cell.
            var previous: [Key: [Int]] = [:]
            for e in xTerms {
                let order = [Int(e.output.c), Int(e.output.h), Int(e.output.w), Int(e.padded.h), Int(e.padded.w)]
                if let last = previous[Key(e.input)] { #expect(last.lexicographicallyPrecedes(order)) }
                previous[Key(e.input)] = order
            }

            // The terms sum, in event order, to the gradients exactly.
            let dK = Self.replaySums(kTerms) { Key($0.kernel) }
            let dX = Self.replaySums(xTerms) { Key($0.input) }
            let db = Self.replaySums(bTerms) { Key($0.kernel) }
            for (key, v) in dK { #expect(g.kernel!.data[Self.flat(Index4(Int(key.n), Int(key.c), Int(key.h), Int(key.w)), c.kernel.shape)] == v) }
            for (key, v) in dX { #expect(g.input.data[Self.flat(Index4(Int(key.n), Int(key.c), Int(key.h), Int(key.w)), c.input.shape)] == v) }
            for (key, v) in db { #expect(g.bias!.data[Int(key.n)] == v) }
            // Input cells no window reached (a stride skipping them) have no terms and a zero gradient.
            for i in 0..<c.input.count where dX[Key(ShapeCheck.index4(ofFlat: i, in: c.input.shape))] == nil {
                #expect(g.input.data[i] == 0)
            }
            #expect(dK.count == c.kernel.count)

            #expect(try Conv2D.backward(input: c.input, kernel: c.kernel, bias: c.bias, params: p, gradOutput: dY,
                                        tracer: &silent) == g)
        }
    }

    @Test func convTranspose2d() throws {
        var rng = SeededRandom(seed: 0x7AC7)
        var ran = 0
        for _ in 0..<25 {
            let (n, ci, co) = (rng.int(1...2), rng.int(1...2), rng.int(1...3))
            let stride = Pair(rng.int(1...3), rng.int(1...3)), dilation = Pair(rng.int(1...2), rng.int(1...2))
            let params = ConvTranspose2DParams(
                stride: stride, padding: Pair(rng.int(0...1), rng.int(0...1)),
                outputPadding: Pair(rng.int(0...max(stride.y, dilation.y) - 1), rng.int(0...max(stride.x, dilation.x) - 1)),
                dilation: dilation)
            let x = rng.tensor([n, ci, rng.int(1...4), rng.int(1...4)])
            let w = rng.tensor([ci, co, rng.int(1...3), rng.int(1...3)])
            let b: Tensor? = rng.bool() ? rng.tensor([co]) : nil
            var tracer = Tracer(sink: RecordingSink())
            guard let y = try? ConvTranspose2D.forward(input: x, weight: w, bias: b, params: params, tracer: &tracer)
            else { continue }
            ran += 1
            let events = tracer.sink.events
            let macs = events.filter { $0.kind == .mac }
            // One mac per (input cell, weight cell) landing inside the output, counted independently.
            var landings = 0
            for h in 0..<x.shape[2] { for i in 0..<w.shape[2] {
                let oy = h * stride.y - params.padding.y + i * dilation.y
                guard oy >= 0 && oy < y.shape[2] else { continue }
                for ww in 0..<x.shape[3] { for j in 0..<w.shape[3] {
                    let ox = ww * stride.x - params.padding.x + j * dilation.x
                    if ox >= 0 && ox < y.shape[3] { landings += 1 }
                } }
            } }
            #expect(macs.count == landings * n * ci * co)
            let cells = y.count
            #expect(events.filter { $0.kind == .output }.count == cells)
            #expect(events.filter { $0.kind == .bias }.count == (b == nil ? 0 : cells))
            // Replay the scatter, then bias, exactly.
            var replay: [Key: Double] = [:]
            for e in events {
                let key = Key(e.output)
                switch e.kind {
                case .mac:
                    #expect(e.a == x.data[Self.flat(e.input, x.shape)] && e.b == w.data[Self.flat(e.kernel, w.shape)])
                    #expect(Int(e.output.h) == Int(e.input.h) * stride.y - params.padding.y + Int(e.kernel.h) * dilation.y)
                    replay[key, default: 0] += e.a * e.b
                    #expect(e.acc == replay[key])
                case .bias:
                    replay[key, default: 0] += e.b
                    #expect(e.acc == replay[key])
                default:
                    #expect(y.data[Self.flat(e.output, y.shape)] == e.acc && replay[key, default: 0] == e.acc)
                }
            }
            // Gradients: one weight term and one input term per mac; sums exact.
            let dY = rng.tensor(y.shape)
            var bt = Tracer(sink: RecordingSink())
            let g = try ConvTranspose2D.backward(input: x, weight: w, bias: b, params: params, gradOutput: dY, tracer: &bt)
            let terms = bt.sink.events
            let wTerms = terms.filter { $0.target == .kernel }, xTerms = terms.filter { $0.target == .input }
            let bTerms = terms.filter { $0.target == .bias }
            #expect(wTerms.count == macs.count && xTerms.count == macs.count && bTerms.count == (b == nil ? 0 : cells))
            for (key, v) in Self.replaySums(wTerms, key: { Key($0.kernel) }) {
                #expect(g.kernel!.data[Self.flat(Index4(Int(key.n), Int(key.c), Int(key.h), Int(key.w)), w.shape)] == v)
            }
            for (key, v) in Self.replaySums(xTerms, key: { Key($0.input) }) {
                #expect(g.input.data[Self.flat(Index4(Int(key.n), Int(key.c), Int(key.h), Int(key.w)), x.shape)] == v)
            }
            for (key, v) in Self.replaySums(bTerms, key: { Key($0.kernel) }) { #expect(g.bias!.data[Int(key.n)] == v) }
        }
        #expect(ran >= 15)
    }
}
