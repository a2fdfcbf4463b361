// EngineTests — conv2d with `groups`: which channels each filter reads, in numbers and in the trace.
import Testing
@testable import Engine

/// Grouped and depthwise conv2d (PyTorch's `groups`). PyTorch agreement is in `PyTorchConformanceTests`
/// (Fixtures/grouped_conv.json, grouped_networks.json); here: an independent oracle (a grouped conv is
/// `groups` ordinary convs side by side), the trace's channel bookkeeping, and the refusals.
@Suite struct GroupedConvTests {
    /// Input channels `range` of x (N×C×H×W) as their own tensor.
    static func channels(_ x: Tensor, _ range: Range<Int>) -> Tensor {
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        var out = Tensor(shape: [n, range.count, h, w])
        for b in 0..<n { for (i, ch) in range.enumerated() { for y in 0..<h { for q in 0..<w {
            out[b, i, y, q] = x[b, ch, y, q]
        } } } }
        return out
    }

    @Test("a grouped conv equals one ordinary conv per group, forward and backward",
          arguments: [(4, 6, 2), (3, 3, 3), (2, 4, 2), (6, 3, 3)])
    func groupsAreSeparateConvs(c: Int, k: Int, groups: Int) throws {
        var rng = SeededRandom(seed: 0x6120 &+ UInt64(c * 31 + k * 7 + groups))
        let x = rng.tensor([2, c, 5, 6]), kernel = rng.tensor([k, c / groups, 3, 2]), bias = rng.tensor([k])
        let params = Conv2DParams(stride: Pair(2, 1), padding: Padding(1), groups: groups)
        var tracer = Tracer.untraced
        let y = try Conv2D.forward(input: x, kernel: kernel, bias: bias, params: params, tracer: &tracer)
        let dY = rng.tensor(y.shape)
        let g = try Conv2D.backward(input: x, kernel: kernel, bias: bias, params: params, gradOutput: dY, tracer: &tracer)
        let (cg, kg) = (c / groups, k / groups)
        var plain = params
        plain.groups = 1
        for group in 0..<groups {
            let xs = Self.channels(x, group * cg..<(group + 1) * cg)
            let ks = Tensor(shape: [kg, cg, 3, 2], data: Array(kernel.data[(group * kg * cg * 6)..<((group + 1) * kg * cg * 6)]))
            let bs = Tensor(shape: [kg], data: Array(bias.data[(group * kg)..<((group + 1) * kg)]))
            let ys = try Conv2DReference.forward(input: xs, kernel: ks, bias: bs, params: plain)
            #expect(convRelativeError(Self.channels(y, group * kg..<(group + 1) * kg), ys) <= 1e-13, "group \(group) output")
            let gs = try Conv2DReference.backward(input: xs, kernel: ks, bias: bs, params: plain,
                                                  gradOutput: Self.channels(dY, group * kg..<(group + 1) * kg))
            #expect(convRelativeError(Self.channels(g.input, group * cg..<(group + 1) * cg), gs.input) <= 1e-13, "group \(group) dX")
            let dK = Tensor(shape: [kg, cg, 3, 2], data: Array(g.kernel!.data[(group * kg * cg * 6)..<((group + 1) * kg * cg * 6)]))
            #expect(convRelativeError(dK, gs.kernel!) <= 1e-13, "group \(group) dK")
        }
    }

    @Test("the trace: a filter reads only its group's channels, kernel channel c within the group")
    func traceChannels() throws {
        var rng = SeededRandom(seed: 0x6121)
        let (c, k, groups) = (6, 4, 2)
        let x = rng.tensor([1, c, 4, 4]), kernel = rng.tensor([k, c / groups, 2, 2])
        let params = Conv2DParams(padding: Padding(1), groups: groups)
        let g = try Conv2DGeometry(input: x.shape, kernel: kernel.shape, bias: nil, params: params)
        var tracer = Tracer(sink: RecordingSink())
        let y = try Conv2D.forward(input: x, kernel: kernel, bias: nil, params: params, tracer: &tracer)
        let macs = tracer.sink.events.filter { $0.kind == .mac }
        #expect(macs.count == g.macCount)
        #expect(g.macCount == 1 * 4 * 5 * 5 * 3 * 2 * 2)  // N·K·Ho·Wo·(C/G)·Fh·Fw: a third of an ungrouped conv's
        for e in macs {
            let filter = Int(e.output.c), kc = Int(e.kernel.c)
            #expect(kc < c / groups)
            #expect(Int(e.input.c) == (filter / (k / groups)) * (c / groups) + kc, "step \(e.step)")
            #expect(Int(e.padded.c) == Int(e.input.c))
        }
        // Every output is the last acc of its macs.
        for e in tracer.sink.events where e.kind == .output {
            #expect(e.acc == y[Int(e.output.n), Int(e.output.c), Int(e.output.h), Int(e.output.w)])
        }
        tracer.sink.events.removeAll()
        tracer.phase = .backward
        let dY = rng.tensor(y.shape)
        let grads = try Conv2D.backward(input: x, kernel: kernel, bias: nil, params: params, gradOutput: dY, tracer: &tracer)
        let inputTerms = tracer.sink.events.filter { $0.target == .input }
        for e in inputTerms {  // dX[c] gets terms only from the filters of c's group
            #expect(Int(e.output.c) / (k / groups) == Int(e.input.c) / (c / groups), "step \(e.step)")
            #expect(e.b == kernel[Int(e.kernel.n), Int(e.kernel.c), Int(e.kernel.h), Int(e.kernel.w)])
        }
        #expect(inputTerms.count == g.macCount - tracer.sink.events.filter { $0.target == .kernel && $0.flags.contains(.padding) }.count)
        var last: [Index4: Double] = [:]
        for e in inputTerms { last[e.input] = e.acc }
        for (cell, value) in last { #expect(value == grads.input[Int(cell.n), Int(cell.c), Int(cell.h), Int(cell.w)]) }
        var lastK: [Index4: Double] = [:]
        for e in tracer.sink.events where e.target == .kernel { lastK[e.kernel] = e.acc }
        #expect(lastK.count == kernel.count)
        for (cell, value) in lastK { #expect(value == grads.kernel![Int(cell.n), Int(cell.c), Int(cell.h), Int(cell.w)]) }
    }

    @Test("a layer's multiply-adds are its mac events, and its parameters follow the grouped kernel",
          arguments: [1, 2, 4])
    func counts(groups: Int) throws {
        var rng = SeededRandom(seed: 0x6122 &+ UInt64(groups))
        let conv = Layer.conv2d(Conv2DParams(stride: Pair(2), padding: Padding(1), groups: groups),
                                kernel: rng.tensor([8, 4 / groups, 3, 3]), bias: rng.tensor([8]))
        let net = Network(layers: [conv, .flatten, .linear(weight: rng.tensor([3, 8 * 3 * 3]), bias: nil)])
        let x = rng.tensor([2, 4, 5, 5])
        var tracer = Tracer(sink: RecordingSink())
        let r = try net.run(input: x, tracer: &tracer)
        for (i, layer) in net.layers.enumerated() {
            let macs = tracer.sink.events.filter { $0.layer == i && $0.kind == .mac }.count
            #expect(try (layer.multiplyAccumulates(input: r.activations[i].shape) ?? 0) == macs, "layer \(i)")
        }
        // K·(C/G)·Fh·Fw + K: 8·4·9 + 8 = 296 ungrouped, 152 with 2 groups, 80 depthwise.
        #expect(conv.parameterCount(input: [2, 4, 5, 5]) == 8 * (4 / groups) * 9 + 8)
        #expect(try conv.multiplyAccumulates(input: [2, 4, 5, 5]) == 2 * 8 * 3 * 3 * (4 / groups) * 9)
        // Batch norm learns γ and β per channel whether the spec gives them or leaves them at 1 and 0.
        let gamma = Tensor(shape: [5], data: [1, 1, 1, 1, 1]), beta = Tensor(shape: [5], data: [0, 0, 0, 0, 0])
        #expect(Layer.batchNorm2d(BatchNorm2DParams(weight: gamma, bias: beta)).parameterCount(input: [2, 5, 3, 3]) == 10)
        #expect(Layer.batchNorm2d(BatchNorm2DParams()).parameterCount(input: [2, 5, 3, 3]) == 10)
        #expect(Layer.batchNorm2d(BatchNorm2DParams(weight: gamma)).parameterCount(input: [2, 5, 3, 3]) == 10)
    }

    @Test("depthwise: output channel c is channel c convolved with filter c alone")
    func depthwise() throws {
        let x = Tensor(shape: [1, 2, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 0, 1, 0, 1, 0, 1, 0, 1])
        let kernel = Tensor(shape: [2, 1, 2, 2], data: [1, 0, 0, -1, 2, 2, 2, 2])
        var tracer = Tracer.untraced
        let y = try Conv2D.forward(input: x, kernel: kernel, bias: nil, params: Conv2DParams(groups: 2), tracer: &tracer)
        // Channel 0 with [[1, 0], [0, −1]]: x[y][x] − x[y+1][x+1] = −4 everywhere; channel 1 with 2s: 2·(sum of a 2×2 window).
        #expect(y.data == [-4, -4, -4, -4, 4, 4, 4, 4])
    }

    @Test("groups that do not divide C or K are refused with the divisors that would do")
    func refusals() {
        func message(_ input: [Int], _ kernel: [Int], _ groups: Int) -> String {
            do {
                _ = try Conv2DGeometry(input: input, kernel: kernel, bias: nil, params: Conv2DParams(groups: groups))
                return ""
            } catch { return "\(error)" }
        }
        let m = message([1, 6, 4, 4], [4, 2, 3, 3], 3)
        #expect(m.contains("groups = 3 must be at least 1 and divide both the input channels C = 6 and the filters K = 4"), "\(m)")
        #expect(m.contains("valid groups: 1, 2"), "\(m)")
        #expect(message([1, 6, 4, 4], [6, 2, 3, 3], 0).contains("groups = 0 must be at least 1"))
        let w = message([1, 6, 4, 4], [6, 3, 3, 3], 3)
        #expect(w.contains("with groups = 3 each filter sees C/groups = 2 channels but the kernel has 3"), "\(w)")
        #expect(message([1, 6, 4, 4], [6, 2, 3, 3], 3) == "")
    }

    @Test("a network checks a grouped conv's channels against the layer before it")
    func networkChannelCheck() throws {
        let net = Network(layers: [.conv2d(Conv2DParams(groups: 2), kernel: Tensor(shape: [2, 2, 1, 1], data: [1, 1, 1, 1]), bias: nil)])
        var tracer = Tracer.untraced
        _ = try net.run(input: Tensor(shape: [1, 4, 2, 2]), tracer: &tracer)
        #expect(throws: EngineError.self) { try net.run(input: Tensor(shape: [1, 2, 2, 2]), tracer: &tracer) }
        do { _ = try net.run(input: Tensor(shape: [1, 2, 2, 2]), tracer: &tracer) } catch {
            #expect("\(error)".contains("layer 0 (conv2d) expects 4 input channels (kernel 2×2×1×1, groups 2) but the input gives 2"), "\(error)")
        }
    }
}
