// EngineTests — receptive fields by the recurrence r_{l−1} = s_l·r_l + k_l − s_l (cnn-basics-backprop.md).
import Testing
@testable import Engine

@Suite struct ReceptiveFieldTests {
    @Test func twoStackedThreeByThreeConvolutions() throws {
        // r2 = 1; r1 = 1·1 + 3 − 1 = 3; r0 = 1·3 + 3 − 1 = 5: two 3×3 convs see 5×5 (the tutorial's figure).
        let rf = try ReceptiveField(layers: [.init(kernel: 3), .init(kernel: 3)])
        #expect(rf.size == 5)
        #expect(rf.levels.map(\.size) == [5, 3, 1])
        #expect(rf.formula == "r2 = 1\nr1 = 1·1 + 3 − 1 = 3\nr0 = 1·3 + 3 − 1 = 5")
    }

    @Test func strideAndDilation() throws {
        // conv 3 stride 2, then conv 3 dilated by 2 (k = 2·(3 − 1) + 1 = 5):
        // r2 = 1; r1 = 1·1 + 5 − 1 = 5; r0 = 2·5 + 3 − 2 = 11. Jumps 1, 2, 2.
        let rf = try ReceptiveField(layers: [.init(kernel: 3, stride: 2), .init(kernel: 3, dilation: 2)])
        #expect(rf.levels.map(\.size) == [11, 5, 1])
        #expect(rf.levels.map(\.jump) == [1, 2, 2])
        // Forward view: a level-1 unit sees 3 input cells; a level-2 unit 3 + (5 − 1)·2 = 11.
        #expect(rf.levels.map(\.inputField) == [1, 3, 11])
        #expect(rf.levels[0].formula == "r0 = 2·5 + 3 − 2 = 11")
    }

    @Test func leNet() throws {
        // C1 5/1, S2 2/2, C3 5/1, S4 2/2: r4 = 1; r3 = 2·1 + 2 − 2 = 2; r2 = 1·2 + 5 − 1 = 6;
        // r1 = 2·6 + 2 − 2 = 12; r0 = 1·12 + 5 − 1 = 16. Cumulative strides 1, 1, 2, 2, 4.
        let rf = try ReceptiveField(layers: [
            .init(kernel: 5), .init(kernel: 2, stride: 2), .init(kernel: 5), .init(kernel: 2, stride: 2),
        ])
        #expect(rf.levels.map(\.size) == [16, 12, 6, 2, 1])
        #expect(rf.levels.map(\.jump) == [1, 1, 2, 2, 4])
        #expect(rf.levels.map(\.inputField) == [1, 5, 6, 14, 16])
    }

    @Test func ofANetworkStopsAtFlatten() throws {
        // conv 3×5 → relu → max pool 2 → flatten → linear: y: r = 2·1 + 2 − 2 = 2, then 1·2 + 3 − 1 = 4;
        // x: 2, then 1·2 + 5 − 1 = 6.
        let network = Network(layers: [
            .conv2d(Conv2DParams(), kernel: Tensor(shape: [2, 1, 3, 5]), bias: nil),
            .relu,
            .maxPool2d(Pool2DParams(kernelSize: Pair(2))),
            .flatten,
            .linear(weight: Tensor(shape: [1, 8]), bias: nil),
        ])
        let rf = try ReceptiveField.of(network)
        #expect(rf.y.size == 4)
        #expect(rf.x.size == 6)
        #expect(rf.layerIndices == [0, 2])
        #expect(rf.stoppedAt == 3)
    }

    @Test func refusesZeroStride() {
        #expect(engineErrorMessage { _ = try ReceptiveField(layers: [.init(kernel: 3, stride: 0)]) }?
            .contains("at least 1") == true)
    }
}
