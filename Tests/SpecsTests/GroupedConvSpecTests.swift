// SpecsTests — conv2d's `groups` key: read, checked against C and K, and refused with the key's line.
import Engine
import JSONText
import Specs
import Testing

@Suite struct GroupedConvSpecTests {
    static let input = "[[[1, 2], [3, 4]], [[0, 1], [1, 0]], [[2, 2], [2, 2]], [[1, 0], [0, 1]]]"

    @Test("groups: 2 on four channels: filter 0 sees channels 0–1, filter 1 channels 2–3")
    func grouped() throws {
        let p = try parse("{op: conv2d, input: \(Self.input), kernel: [[[[1]], [[2]]], [[[1]], [[-1]]]], groups: 2}")
        guard case .conv2d(let params, let kernel, _)? = p.network.layers.first else {
            Issue.record("not a conv2d"); return
        }
        #expect(params.groups == 2 && kernel.shape == [2, 2, 1, 1])
        // 1·x0 + 2·x1 = [[1, 4], [5, 4]]; x2 − x3 = [[1, 2], [2, 1]].
        #expect(try p.run().output.data == [1, 4, 5, 4, 1, 2, 2, 1])
    }

    @Test("depthwise (groups = C) with the channel count in the `shape` line")
    func depthwiseDescribe() throws {
        let p = try parse("{op: conv2d, input: \(Self.input), kernel: [[[[1]]], [[[1]]], [[[2]]], [[[3]]]], groups: 4}")
        #expect(p.network.layers[0].descriptor.describe(p.network.layers[0]) == "4@1×1, groups 4")
        #expect(try p.run().output.data == [1, 2, 3, 4, 0, 1, 1, 0, 4, 4, 4, 4, 3, 0, 0, 3])
    }

    @Test("groups that do not divide C or K, kernels with the wrong channel count, non-integers: refused at the key")
    func refusals() {
        let notDividing = specError("{op: conv2d, input: \(Self.input), kernel: [[[[1]], [[2]]], [[[1]], [[-1]]]], groups: 3}")
        #expect(notDividing?.description.contains("t.yaml:1:") == true)
        #expect(notDividing?.description.contains("groups: groups = 3 does not divide the input's 4 channels nor the kernel's 2 filters") == true,
                "\(String(describing: notDividing))")
        #expect(notDividing?.description.contains("an integer ≥ 1 that divides both C = 4 and K = 2: 1, 2") == true)
        let wrongChannels = specError("{op: conv2d, input: \(Self.input), kernel: [[[[1]], [[2]], [[3]]], [[[1]], [[-1]], [[0]]]], groups: 2}")
        #expect(wrongChannels?.description.contains("kernel: channel mismatch: with groups = 2 each filter sees C/groups = 2 of the input's 4 channels, but the kernel (K×C/groups×Fh×Fw = 2×3×1×1) has 3 (a kernel of shape 2×2×1×1)") == true,
                "\(String(describing: wrongChannels))")
        let zero = specError("{op: conv2d, input: \(Self.input), kernel: [[[[1]], [[2]], [[3]], [[4]]]], groups: 0}")
        #expect(zero?.description.contains("groups = 0 must be at least 1") == true, "\(String(describing: zero))")
        let text = specError("{op: conv2d, input: \(Self.input), kernel: [[[[1]], [[2]], [[3]], [[4]]]], groups: two}")
        #expect(text?.description.contains("is not an integer") == true)
    }
}
