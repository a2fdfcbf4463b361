// SpecsTests — every op parses into the right layer with the right engine shapes; shorthand ranks expand.
import Engine
import Specs
import Testing
import Tracing

@Suite("Spec parsing")
struct SpecParsingTests {
    @Test("conv2d: shorthand ranks expand to N×C×H×W and K×C×Fh×Fw")
    func convShorthand() throws {
        // H×W input 3×3, Fh×Fw kernel 2×2 → engine 1×1×3×3 and 1×1×2×2; output 1×1×2×2, folded 2×2.
        let p = try parse("op: conv2d\ninput: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nkernel: [[1, 0], [0, -1]]\nbias: 0.5\n")
        #expect(p.input.shape == [1, 1, 3, 3])
        guard case .conv2d(let params, let kernel, let bias) = p.network.layers[0] else {
            Issue.record("not a conv2d layer"); return
        }
        #expect(kernel.shape == [1, 1, 2, 2])
        #expect(bias?.shape == [1])
        #expect(params == Conv2DParams())
        #expect(p.engineOutputShape == [1, 1, 2, 2])
        #expect(p.outputShape == [2, 2])
        #expect(p.layerInfos[0].kernelShape == [2, 2])
        #expect(p.layerInfos[0].biasShape == [])
        #expect(!p.hasBackward)
    }

    @Test("conv2d: 1-D signal, C×H×W with K filters, N×C×H×W")
    func convRanks() throws {
        // 1-D: [1,2,3] * [1,1,1] with full padding → 5 values; the int padding applies to W only.
        let oneD = try parse("op: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\npadding: full\n")
        #expect(oneD.input.shape == [1, 1, 1, 3])
        #expect(oneD.outputShape == [5])
        let oneDInt = try parse("op: conv2d\ninput: [1, 2, 3, 4]\nkernel: [1, 1]\npadding: 1\nstride: 2\n")
        guard case .conv2d(let q, _, _) = oneDInt.network.layers[0] else { Issue.record("no conv"); return }
        #expect(q.padding == Padding(top: 0, bottom: 0, left: 1, right: 1))
        #expect(q.stride == Pair(1, 2))
        #expect(oneDInt.outputShape == [3])  // (4 − 2 + 2)/2 + 1 = 3
        // 1-D with 2 filters keeps K: [K, Wo].
        let twoFilters = try parse("op: conv2d\ninput: [1, 2, 3]\nkernel: [[[[1, 1]]], [[[1, -1]]]]\n")
        #expect(twoFilters.outputShape == [2, 2])
        // H×W with 2 filters (K×C×Fh×Fw = 2×1×2×2) → K×Ho×Wo.
        let hw = try parse("op: conv2d\ninput: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nkernel: [[[[1, 0], [0, 1]]], [[[0, 1], [1, 0]]]]\nbias: [0, 1]\n")
        #expect(hw.outputShape == [2, 2, 2])
        // C×H×W (2×3×3), C×Fh×Fw kernel (one filter) → K×Ho×Wo = 1×2×2 (the C axis is kept).
        let chw = try parse("op: conv2d\ninput: [[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]]]\nkernel: [[[1, 0], [0, 1]], [[1, 1], [1, 1]]]\n")
        #expect(chw.input.shape == [1, 2, 3, 3])
        #expect(chw.outputShape == [1, 2, 2])
        // N×C×H×W keeps N.
        let nchw = try parse("op: conv2d\ninput: [[[[1, 2], [3, 4]]], [[[5, 6], [7, 8]]]]\nkernel: [[1]]\n")
        #expect(nchw.outputShape == [2, 1, 2, 2])
    }

    @Test("conv2d parameters: stride, padding forms, padding_mode, dilation, flip")
    func convParameters() throws {
        let base = "op: conv2d\ninput: [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]\nkernel: [[1, 0, 1], [0, 1, 0], [1, 0, 1]]\n"
        func params(_ extra: String) throws -> Conv2DParams {
            guard case .conv2d(let p, _, _) = try parse(base + extra).network.layers[0] else { throw SpecError(file: "", path: "", problem: "no conv") }
            return p
        }
        #expect(try params("stride: [2, 1]").stride == Pair(2, 1))
        #expect(try params("padding: [1, 2]").padding == Padding(1, 2))
        #expect(try params("padding: [0, 1, 2, 3]").padding == Padding(top: 0, bottom: 1, left: 2, right: 3))
        #expect(try params("padding: same").padding == Padding(1))
        #expect(try params("padding: full").padding == Padding(2))
        #expect(try params("padding: valid").padding == .zero)
        #expect(try params("padding: same\ndilation: 2").padding == Padding(2))  // d·(F−1) = 4 in total
        #expect(try params("padding_mode: reflect\npadding: 1").paddingMode == .reflect)
        #expect(try params("dilation: [1, 2]").dilation == Pair(1, 2))
        #expect(try params("flip: true").flip)
        #expect(try parse(base + "stride: 2\npadding: 1").outputShape == [3, 3])  // (5 − 3 + 2)/2 + 1 = 3
    }

    @Test("conv_transpose2d: weight C_in×C_out×Fh×Fw, output size (H−1)·s − 2p + d·(F−1) + op + 1")
    func convTranspose() throws {
        // 2×2 input, 3×3 weight, stride 2, padding 1, output_padding 1: (2−1)·2 − 2 + 2 + 1 + 1 = 4.
        let p = try parse("op: conv_transpose2d\ninput: [[1, 2], [3, 4]]\nweight: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]\nstride: 2\npadding: 1\noutput_padding: 1\n")
        guard case .convTranspose2d(let params, let w, _) = p.network.layers[0] else { Issue.record("no layer"); return }
        #expect(w.shape == [1, 1, 3, 3])
        #expect(params == ConvTranspose2DParams(stride: Pair(2), padding: Pair(1), outputPadding: Pair(1)))
        #expect(p.outputShape == [4, 4])
        #expect(p.layerInfos[0].kernelGradientKey == "grad_weight")
        // C_in×C_out×Fh×Fw with C_out = 2 adds the K axis to an H×W input.
        let two = try parse("op: conv_transpose2d\ninput: [[1, 2], [3, 4]]\nweight: [[[[1]], [[2]]]]\nbias: [0, 1]\n")
        #expect(two.outputShape == [2, 2, 2])
    }

    @Test("pools: kernel_size, stride default, padding, ceil_mode, count_include_pad; global pools")
    func pools() throws {
        let input = "input: [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]\n"
        let maxp = try parse("op: max_pool2d\n" + input + "kernel_size: 2\n")
        #expect(maxp.network.layers[0] == .maxPool2d(Pool2DParams(kernelSize: Pair(2))))
        #expect(maxp.outputShape == [2, 2])
        let avg = try parse("op: avg_pool2d\n" + input + "kernel_size: 3\nstride: 2\npadding: 1\nceil_mode: true\ncount_include_pad: false\n")
        #expect(avg.network.layers[0] == .avgPool2d(Pool2DParams(kernelSize: Pair(3), stride: Pair(2), padding: Pair(1), ceilMode: true, countIncludePad: false)))
        #expect(avg.outputShape == [3, 3])  // ⌈(4 + 2 − 3)/2⌉ + 1 = 3; the last window starts at 2·2 − 1 = 3 < 4, kept
        // ceil_mode dropping a window: W = 5, k 2, s 2, p 1: ⌈(5 + 2 − 2)/2⌉ + 1 = 4, but (4 − 1)·2 = 6 ≥ 5 + 1 → 3.
        #expect(try parse("op: max_pool2d\ninput: [1, 2, 3, 4, 5]\nkernel_size: 2\npadding: 1\nceil_mode: true\n").outputShape == [3])
        #expect(try parse("op: global_max_pool\n" + input).outputShape == [1, 1])
        #expect(try parse("op: global_avg_pool\ninput: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]\n").outputShape == [2, 1, 1])
    }

    @Test("activations, softmax, flatten, linear")
    func elementwise() throws {
        #expect(try parse("op: relu\ninput: [-1, 0, 2]\n").network.layers == [.relu])
        #expect(try parse("op: relu\ninput: [-1, 0, 2]\n").outputShape == [3])
        #expect(try parse("op: leaky_relu\ninput: [-1, 2]\nslope: 0.2\n").network.layers == [.leakyRelu(slope: 0.2)])
        #expect(try parse("op: leaky_relu\ninput: [-1, 2]\n").network.layers == [.leakyRelu(slope: 0.01)])
        #expect(try parse("op: sigmoid\ninput: [[0, 1]]\n").network.layers == [.sigmoid])
        #expect(try parse("op: tanh\ninput: [[[0, 1]]]\n").outputShape == [1, 1, 2])
        let softmax = try parse("op: softmax\ninput: [1, 2, 3]\n")
        #expect(softmax.input.shape == [1, 3])  // classes along axis 1
        #expect(softmax.outputShape == [3])
        #expect(try parse("op: flatten\ninput: [[[1, 2], [3, 4]]]\n").outputShape == [4])
        let linear = try parse("op: linear\ninput: [1, 2]\nweight: [[1, 0], [0, 1], [1, 1]]\nbias: [0, 0, 1]\n")
        #expect(linear.input.shape == [1, 2])
        #expect(linear.outputShape == [3])
        #expect(try parse("op: linear\ninput: [[1, 2], [3, 4]]\nweight: [[1, 1]]\n").outputShape == [2, 1])
    }

    @Test("losses: mse, softmax_cross_entropy, bce (with and without logits)")
    func losses() throws {
        let mse = try parse("op: mse\ninput: [1, 2]\ntarget: [0, 0]\n")
        #expect(mse.network.layers.isEmpty)
        #expect(mse.network.loss == .mse(target: Tensor(shape: [1, 2], data: [0, 0])))
        #expect(mse.hasBackward)
        let ce = try parse("op: softmax_cross_entropy\ninput: [[1, 2, 3], [1, 0, 0]]\ntarget: [2, 0]\n")
        #expect(ce.network.loss == .softmaxCrossEntropy(target: [2, 0]))
        #expect(try parse("op: softmax_cross_entropy\ninput: [1, 2, 3]\ntarget: 1\n").network.loss == .softmaxCrossEntropy(target: [1]))
        let bce = try parse("op: bce\ninput: [0.2, 0.9]\ntarget: [0, 1]\nwith_logits: true\n")
        #expect(bce.network.loss == .bce(target: Tensor(shape: [1, 2], data: [0, 1]), withLogits: true))
        #expect(try parse("op: bce\ninput: [0.2, 0.9]\ntarget: [0, 1]\n").network.loss == .bce(target: Tensor(shape: [1, 2], data: [0, 1]), withLogits: false))
    }

    @Test("network: layers in order, loss last, per-layer shapes")
    func network() throws {
        let spec = """
            op: network
            input: [[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]
            layers:
              - {op: conv2d, kernel: [[[[1, 0], [0, 1]]], [[[0, 1], [1, 0]]]], bias: [0, 0]}
              - {op: relu}
              - {op: max_pool2d, kernel_size: 2, stride: 1}
              - {op: flatten}
              - {op: linear, weight: [[1, 0, 0, 0, 0, 0, 0, 1], [0, 1, 0, 0, 0, 0, 1, 0]], bias: [0, 0]}
              - {op: softmax_cross_entropy, target: 1}
            """
        let p = try parse(spec)
        #expect(p.network.layers.count == 5)
        #expect(p.network.loss == .softmaxCrossEntropy(target: [1]))
        #expect(p.layerInfos.map(\.outputShape) == [[1, 2, 3, 3], [1, 2, 3, 3], [1, 2, 2, 2], [1, 8], [1, 2], []])
        #expect(p.layerInfos.map(\.path) == ["layers[0]", "layers[1]", "layers[2]", "layers[3]", "layers[4]", "layers[5]"])
        #expect(p.layerInfos[0].line == 4)
        #expect(p.outputShape == [2])
    }

    @Test("JSON specs parse like YAML; lesson extras are kept; grad_output takes the folded or engine shape")
    func jsonAndExtras() throws {
        let p = try parse(#"{"op": "relu", "input": [[-1, 2], [3, -4]], "grad_output": [[1, 1], [1, 1]], "title": "ReLU", "tolerance": 1e-9, "expect": {"output": [[0, 2], [3, 0]]}, "show": ["output"], "caption": "c"}"#)
        #expect(p.extras.title == .string("ReLU"))
        #expect(p.extras.tolerance == .number(1e-9))
        #expect(p.extras.expect?["output"] == .array([.array([.number(0), .number(2)]), .array([.number(3), .number(0)])]))
        #expect(p.extras.show == .array([.string("output")]))
        #expect(p.extras.caption == .string("c"))
        #expect(p.gradOutput?.shape == [1, 1, 2, 2])
        #expect(p.document["op"] == .string("relu"))
        #expect(p.document.keys == ["op", "input", "grad_output", "title", "tolerance", "expect", "show", "caption"])
        let engineShape = try parse("op: relu\ninput: [[-1, 2]]\ngrad_output: [[[[1, 1]]]]\n")
        #expect(engineShape.gradOutput?.shape == [1, 1, 1, 2])
    }

    @Test("numbers: YAML spellings (ints, decimals, exponents, hex) and the document JSON")
    func numberSpellings() throws {
        let p = try parse("op: relu\ninput: [1, -2.5, 3e2, 0x10, +4, 1_000]\n")
        #expect(p.input.data == [1, -2.5, 300, 16, 4, 1000])
    }

    @Test("the trace header carries the spec, network and tensors")
    func header() throws {
        let p = try parse("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\ngrad_output: [[1, 1], [1, 1]]\n")
        let h = p.traceHeader()
        #expect(h.network == p.network)
        #expect(h.input == p.input)
        #expect(h.gradOutput == p.gradOutput)
        #expect(h.spec == p.document)
    }

    @Test("the example specs parse with the architecture the tutorials give")
    func examples() throws {
        let lenet = try SpecDocument.load(path: repositoryRoot + "/examples/lenet5.yaml")
        // 32 →conv5→ 28 →pool2→ 14 →conv5→ 10 →pool2→ 5; 16·5·5 = 400 → 120 → 84 → 10.
        #expect(lenet.layerInfos.map(\.outputShape) == [
            [1, 6, 28, 28], [1, 6, 28, 28], [1, 6, 14, 14], [1, 16, 10, 10], [1, 16, 10, 10], [1, 16, 5, 5],
            [1, 400], [1, 120], [1, 120], [1, 84], [1, 84], [1, 10], [],
        ])
        #expect(lenet.network.loss == .softmaxCrossEntropy(target: [7]))
        let cnn = try SpecDocument.load(path: repositoryRoot + "/examples/cnn-basics-backprop.yaml")
        // 32×32×1 → conv 2@3×3 → 30×30×2 → pool → 15×15×2 → conv 4@3×3, padding 1 → 15×15×4 → 900.
        #expect(cnn.layerInfos.map(\.outputShape) == [
            [1, 2, 30, 30], [1, 2, 30, 30], [1, 2, 15, 15], [1, 4, 15, 15], [1, 4, 15, 15], [1, 900], [1, 10], [],
        ])
        let basic = try SpecDocument.load(path: repositoryRoot + "/examples/conv-basic.yaml")
        #expect(basic.outputShape == [2, 2])
        #expect(basic.extras.expect != nil)
    }
}
