// SpecsTests — results folded to the spec's ranks, checked against tutorial and hand-computed numbers.
import Engine
import Specs
import Testing
import Tracing

@Suite("Spec evaluation and folding")
struct SpecEvalTests {
    @Test("1-D valid / same / full from cnn-basics-backprop.md: [1,2,3] with [1,1,1]")
    func tutorialPadding() throws {
        // valid: 1+2+3 = 6. same: [0,1,2,3,0] → [3, 6, 5]. full: [0,0,1,2,3,0,0] → [1, 3, 6, 5, 3].
        for (padding, expected) in [("valid", [6.0]), ("same", [3.0, 6, 5]), ("full", [1.0, 3, 6, 5, 3])] {
            let v = try evaluate("op: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\npadding: \(padding)\n")
            #expect(numbers(v["output"]).shape == [expected.count])
            #expect(numbers(v["output"]).data == expected)
            #expect(v["output_shape"] == .array([.int(expected.count)]))
            #expect(v["grad_input"] == nil)
        }
    }

    @Test("conv-basic: output, grad_input, grad_kernel, grad_bias by hand, folded to the given ranks")
    func convBasic() throws {
        let v = try evaluate(try String(contentsOfFile: repositoryRoot + "/examples/conv-basic.yaml", encoding: .utf8))
        // out = X[y..y+1, x..x+1] · [[1,0],[0,−1]] + 0.5 = X[y][x] − X[y+1][x+1] + 0.5 = −4 + 0.5 everywhere.
        #expect(numbers(v["output"]).shape == [2, 2])
        #expect(numbers(v["output"]).data == [-3.5, -3.5, -3.5, -3.5])
        // dY all ones: dK[i][j] = Σ X over the 2×2 block starting at (i, j): 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9.
        #expect(numbers(v["grad_kernel"]).shape == [2, 2])
        #expect(numbers(v["grad_kernel"]).data == [12, 16, 24, 28])
        // dX[h][w] = Σ over windows covering (h, w) of the weight there: K00 where y=h, x=w; −K11 at (h−1, w−1).
        #expect(numbers(v["grad_input"]).data == [1, 1, 0, 1, 0, -1, 0, -1, -1])
        // The bias was given as a scalar, so its gradient is a scalar: Σ dY = 4.
        #expect(v["grad_bias"] == .number(4))
        #expect(v.keys == ["output", "output_shape", "grad_input", "grad_kernel", "grad_bias"])
    }

    @Test("more than one filter adds the K axis; gradients keep the shapes as given")
    func multipleFilters() throws {
        // H×W input 2×2, K×C×Fh×Fw kernel 2×1×1×1 (scale by 1 and by 2), bias [0, 1].
        let v = try evaluate("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[[[1]]], [[[2]]]]\nbias: [0, 1]\ngrad_output: [[[1, 1], [1, 1]], [[1, 1], [1, 1]]]\n")
        #expect(numbers(v["output"]).shape == [2, 2, 2])
        #expect(numbers(v["output"]).data == [1, 2, 3, 4, 3, 5, 7, 9])
        #expect(numbers(v["grad_input"]).shape == [2, 2])
        #expect(numbers(v["grad_input"]).data == [3, 3, 3, 3])  // 1·1 + 1·2 per cell
        #expect(numbers(v["grad_kernel"]).shape == [2, 1, 1, 1])
        #expect(numbers(v["grad_kernel"]).data == [10, 10])  // Σ X = 10 for each filter
        #expect(numbers(v["grad_bias"]).data == [4, 4])
    }

    @Test("4×4 max-pooling example of cnn-basics-backprop.md: [[6, 8], [9, 5]]")
    func maxPool() throws {
        let v = try evaluate("op: max_pool2d\ninput: [[1, 3, 2, 4], [5, 6, 7, 8], [9, 2, 3, 1], [4, 0, 1, 5]]\nkernel_size: 2\ngrad_output: [[1, 2], [3, 4]]\n")
        #expect(numbers(v["output"]).data == [6, 8, 9, 5])
        // The gradient goes to each window's maximum: 6 at (1,1), 8 at (1,3), 9 at (2,0), 5 at (3,3).
        #expect(numbers(v["grad_input"]).data == [0, 0, 0, 0, 0, 1, 0, 2, 3, 0, 0, 0, 0, 0, 0, 4])
        #expect(v["grad_kernel"] == nil)
    }

    @Test("losses as ops: the loss is the output; grad_input is dL/dprediction")
    func losses() throws {
        // mse([1, 2], [0, 0]) = (1 + 4)/2 = 2.5; d/dx = 2(x − t)/n = [1, 2].
        let mse = try evaluate("op: mse\ninput: [1, 2]\ntarget: [0, 0]\n")
        #expect(mse["output"] == .number(2.5))
        #expect(mse["loss"] == .number(2.5))
        #expect(mse["output_shape"] == .array([]))
        #expect(numbers(mse["grad_input"]).data == [1, 2])
        // softmax cross-entropy of logits [0, 0] against class 0: ln 2; gradient softmax − onehot = [−0.5, 0.5].
        let ce = try evaluate("op: softmax_cross_entropy\ninput: [0, 0]\ntarget: 0\n")
        #expect(close(numbers(ce["loss"]).data, [0.6931471805599453]))
        #expect(close(numbers(ce["grad_input"]).data, [-0.5, 0.5]))
        #expect(numbers(ce["grad_input"]).shape == [2])
    }

    @Test("linear: y = Wx + b folded to F; grad_weight, grad_bias")
    func linear() throws {
        // W = [[1, 2], [3, 4]], x = [1, 1], b = [0, 1] → [3, 8]; dY = [1, 0] → dW = [[1, 1], [0, 0]], dx = [1, 2].
        let v = try evaluate("op: linear\ninput: [1, 1]\nweight: [[1, 2], [3, 4]]\nbias: [0, 1]\ngrad_output: [1, 0]\n")
        #expect(numbers(v["output"]).shape == [2])
        #expect(numbers(v["output"]).data == [3, 8])
        #expect(numbers(v["grad_weight"]).data == [1, 1, 0, 0])
        #expect(numbers(v["grad_bias"]).data == [1, 0])
        #expect(numbers(v["grad_input"]).data == [1, 2])
        #expect(numbers(v["grad_input"]).shape == [2])
    }

    @Test("network: loss, per-layer parameter gradients, layers key in order")
    func network() throws {
        // 1×2×2 input → conv 1×1 weight 2, bias 0 → relu → flatten → linear [[1, 1, 1, 1]] → mse against 0.
        // out = 2·(1+2+3+4) = 20; loss = 400; dL/dout = 40; dW_lin = 40·[2, 4, 6, 8]; dK = Σ 40·1·x = 400.
        let v = try evaluate("""
            op: network
            input: [[[1, 2], [3, 4]]]
            layers:
              - {op: conv2d, kernel: [[[2]]], bias: [0]}
              - {op: relu}
              - {op: flatten}
              - {op: linear, weight: [[1, 1, 1, 1]]}
              - {op: mse, target: [20.5]}
            """)
        // out = 20, target 20.5: loss = 0.25; dL/dout = 2·(20 − 20.5) = −1.
        #expect(v["loss"] == .number(0.25))
        #expect(numbers(v["output"]).data == [20])
        #expect(numbers(v["output"]).shape == [1])
        #expect(v.keys == ["output", "output_shape", "grad_input", "loss", "layers"])
        let layers = v["layers"]?.arrayValue ?? []
        #expect(layers.map { $0["op"] } == [.string("conv2d"), .string("relu"), .string("flatten"), .string("linear")])
        #expect(numbers(layers[0]["grad_kernel"]).data == [-10])  // Σ (−1)·1·2·... : dK = Σ dY_conv·x = −(1+2+3+4)
        #expect(numbers(layers[0]["grad_kernel"]).shape == [1, 1, 1])
        #expect(numbers(layers[0]["grad_bias"]).data == [-4])
        #expect(numbers(layers[3]["grad_weight"]).data == [-2, -4, -6, -8])
        #expect(layers[1].keys == ["op"])
        #expect(numbers(v["grad_input"]).shape == [1, 2, 2])
        #expect(numbers(v["grad_input"]).data == [-2, -2, -2, -2])
    }

    @Test("the worked networks run forward and backward from their example files")
    func examples() throws {
        for name in ["cnn-basics-backprop", "lenet5"] {
            let p = try SpecDocument.load(path: repositoryRoot + "/examples/\(name).yaml")
            let v = p.evalJSON(try p.run())
            #expect(numbers(v["output"]).shape == [1, 10])
            let loss = v["loss"]?.doubleValue ?? .nan
            // Ten nearly equal logits: the loss is close to ln 10 = 2.3026.
            #expect(loss > 2.0 && loss < 2.6)
            #expect(numbers(v["grad_input"]).shape == [1, 1, 32, 32])
        }
    }

    @Test("eval output is deterministic")
    func deterministic() throws {
        let text = "op: conv2d\ninput: [[1, 2, 3], [4, 5, 6]]\nkernel: [[0.1, 0.2]]\ngrad_output: [[1, 1], [1, 1]]\n"
        #expect(try evaluate(text).serialized() == evaluate(text).serialized())
    }
}
