// SpecsTests — a network's `residual:` block: spliced into the layers with its add, checked for shape.
import Engine
import JSONText
import Specs
import Testing

@Suite struct ResidualSpecTests {
    static let conv = "{op: conv2d, kernel: [[[[0, 1, 0], [1, -1, 0], [0, 0, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 0]]], [[[0, 0, 1], [0, 1, 0], [1, 0, 0]], [[0, -1, 0], [0, 1, 0], [0, 0, 0]]]], padding: 1}"
    static let input = "[[[1, 2, 0], [0, 1, 3], [2, 1, 1]], [[0, 1, 1], [2, 0, 1], [1, 1, 0]]]"

    @Test("a block's layers take the next indices and its add comes after them, from = the block's first layer")
    func numbering() throws {
        let p = try parse("""
            {op: network, input: \(Self.input), layers: [{op: relu}, {residual: [\(Self.conv), {op: relu}]}, {op: tanh}]}
            """)
        #expect(p.network.layers.map(\.opName) == ["relu", "conv2d", "relu", "add", "tanh"])
        #expect(p.network.layers[3] == .add(AddParams(from: 1)))
        #expect(p.layerInfos.map(\.op) == ["relu", "conv2d", "relu", "add", "tanh"])
        // y = relu(conv(x)) + x at layer 3, checked against the layers run one by one.
        let r = try p.run()
        let sum = zip(r.activations[3].data, r.activations[1].data).map { $0 + $1 }
        #expect(r.activations[4].data == sum)
    }

    @Test("a projection takes the block input to the block's shape: 1×1 weights, bias, stride")
    func projection() throws {
        let spec = """
            {op: network, input: [[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 1, 0], [1, 0, 2, 2]], layers: [
              {residual: [{op: conv2d, kernel: [[[[1, 0], [0, 1]]], [[[0, 1], [1, 0]]]], stride: 2}, {op: relu}],
               projection: {kernel: [[1], [-1]], bias: [0.5, 0], stride: 2}}]}
            """
        let p = try parse(spec)
        guard case .add(let a) = p.network.layers[2], let q = a.projection else { Issue.record("no projection"); return }
        #expect(q.kernel.shape == [2, 1, 1, 1] && q.stride == Pair(2) && q.bias?.data == [0.5, 0])
        // y = relu(conv(x)) + (W·x[::2, ::2] + b): channel 0 adds x + 0.5, channel 1 adds −x.
        let r = try p.run()
        #expect(r.output.data == [3.5, 1.5, 4.5, 4.5, 1, 4, 0, 1])
        let wrong = specError(spec.replacingOccurrences(of: "stride: 2}}]}", with: "stride: 1}}]}"))
        #expect(wrong?.description.contains("the residual block (layers 0…1) gives 1×2×2×2 but its projection gives 1×2×4×4 from the block input 1×1×4×4") == true,
                "\(String(describing: wrong))")
        let channels = specError(spec.replacingOccurrences(of: "kernel: [[1], [-1]]", with: "kernel: [[1, 1], [-1, 1]]"))
        #expect(channels?.description.contains("the projection kernel is 2×2×1×1 but must be K×1×1×1") == true,
                "\(String(describing: channels))")
    }

    @Test("a block that changes the shape, an empty block, nesting, a loss inside: refused at the block")
    func refusals() {
        let strided = Self.conv.replacingOccurrences(of: "padding: 1", with: "padding: 0")
        let shape = specError("{op: network, input: \(Self.input), layers: [{residual: [\(strided)]}]}")
        #expect(shape?.description.contains("t.yaml:1:") == true)
        #expect(shape?.description.contains("the residual block (layers 0…0) changes the shape: its output is 1×2×1×1 but its input (the input of layer 0) is 1×2×3×3") == true,
                "\(String(describing: shape))")
        #expect(shape?.description.contains("or a 1×1 `projection:` on the skip path") == true)
        let empty = specError("{op: network, input: \(Self.input), layers: [{residual: []}]}")
        #expect(empty?.description.contains("residual: is empty") == true, "\(String(describing: empty))")
        let nested = specError("{op: network, input: \(Self.input), layers: [{residual: [{residual: [{op: relu}]}]}]}")
        #expect(nested?.description.contains("residual blocks do not nest") == true, "\(String(describing: nested))")
        let loss = specError("{op: network, input: \(Self.input), layers: [{residual: [{op: mse, target: 0}]}]}")
        #expect(loss?.description.contains("unknown op 'mse'") == true, "\(String(describing: loss))")
        let extra = specError("{op: network, input: \(Self.input), layers: [{residual: [{op: relu}], stride: 2}]}")
        #expect(extra?.description.contains("unknown key 'stride' for a residual block") == true, "\(String(describing: extra))")
        let later = specError("{op: network, input: \(Self.input), layers: [{op: relu}, {op: add, from: 5}]}")
        #expect(later?.description.contains("layer 5 is not this layer or an earlier one (0…1)") == true, "\(String(describing: later))")
    }
}
