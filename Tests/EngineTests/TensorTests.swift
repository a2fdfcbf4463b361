// EngineTests — the Tensor value type.
import Testing
@testable import Engine

@Suite struct TensorTests {
    @Test func rowMajorOffsets() {
        var t = Tensor(shape: [1, 2, 2, 3])
        t[0, 1, 1, 2] = 7
        #expect(t.data[11] == 7)
        #expect(t.offset(0, 1, 0, 0) == 6)
    }
}
