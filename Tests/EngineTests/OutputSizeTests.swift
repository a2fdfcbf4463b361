// EngineTests — output-size arithmetic with its formula, exactness advice, and the tutorials' shapes.
import Testing
@testable import Engine

@Suite struct OutputSizeTests {
    @Test func cs231nExample() throws {
        // CS231n: W = 5, F = 3, P = 1, S = 2 → (5 − 3 + 2)/2 + 1 = 3.
        let s = try OutputSize.convolution(input: 5, kernel: 3, stride: 2, padding: (1, 1))
        #expect(s.value == 3)
        #expect(s.isExact)
        #expect(s.formula == "(5 − 3 + 2·1)/2 + 1 = 3")
        #expect(s.exactnessError() == nil)
        // CS231n also: a 7×7 input with a 3×3 filter, no padding: stride 1 → 5, stride 2 → 3.
        #expect(try OutputSize.convolution(input: 7, kernel: 3, stride: 1).value == 5)
        #expect(try OutputSize.convolution(input: 7, kernel: 3, stride: 2).value == 3)
    }

    @Test func asymmetricPaddingAndDilation() throws {
        // same padding for F = 4: 1 before, 2 after: (5 − 4 + 1 + 2)/1 + 1 = 5.
        let same = try OutputSize.convolution(input: 5, kernel: 4, stride: 1, padding: (1, 2))
        #expect(same.formula == "(5 − 4 + 1 + 2)/1 + 1 = 5")
        // Dilation 2, F = 3 covers 2·(3 − 1) + 1 = 5 cells: (7 − 5 + 2)/1 + 1 = 5.
        let dilated = try OutputSize.convolution(input: 7, kernel: 3, stride: 1, padding: (1, 1), dilation: 2)
        #expect(dilated.formula == "(7 − (2·(3 − 1) + 1) + 2·1)/1 + 1 = 5")
        #expect(dilated.effectiveKernel == 5)
    }

    @Test func inexactDivisionNamesTheFixes() throws {
        // (6 − 3 + 0)/2 = 1.5 → PyTorch floors: 1 + 1 = 2, and the last padded row is never read.
        let s = try OutputSize.convolution(input: 6, kernel: 3, stride: 2)
        #expect(s.value == 2)
        #expect(!s.isExact)
        #expect(s.formula == "⌊(6 − 3 + 2·0)/2⌋ + 1 = 2")
        #expect(s.unreadCells == 1)
        // Exact when 3 + P is even (P = 1, 3 within 0…F) or when the stride divides 3 (1, 3).
        #expect(s.exactTotalPaddings == [1, 3])
        #expect(s.exactStrides == [1, 3])
        let message = try #require(s.exactnessError(axis: "height")).message
        #expect(message.contains("3 is not divisible by the stride 2"))
        #expect(message.contains("PyTorch floors it to 2"))
        #expect(message.contains("total padding 1 (0 before + 1 after) or 3 (1 before + 2 after)"))
        #expect(message.contains("stride 1 or 3"))
        #expect(throws: EngineError.self) { try s.requireExact() }
    }

    @Test func transposedConvolution() throws {
        // (3 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 4 − 2 + 2 + 2 = 6 (PyTorch ConvTranspose2d docs' formula).
        let s = try OutputSize.transposedConvolution(input: 3, kernel: 3, stride: 2, padding: 1, outputPadding: 1)
        #expect(s.value == 6)
        #expect(s.formula == "(3 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 6")
        #expect(s.isExact)
    }

    @Test func poolingWithCeilMode() throws {
        // Floor: (5 − 2)/2 = 1.5 → 1 + 1 = 2; ceil_mode: 2 + 1 = 3 (the last window starts at 4, inside).
        #expect(try OutputSize.pooling(input: 5, kernel: 2, stride: 2).formula == "⌊(5 − 2 + 2·0)/2⌋ + 1 = 2")
        let ceil = try OutputSize.pooling(input: 5, kernel: 2, stride: 2, ceilMode: true)
        #expect(ceil.value == 3)
        #expect(ceil.formula == "⌈(5 − 2 + 2·0)/2⌉ + 1 = 3")
        // With padding 1: ⌈(5 − 2 + 2)/2⌉ + 1 = 4, but window 4 would start at 3·2 = 6 ≥ 5 + 1, in the right
        // padding, so PyTorch drops it: 3.
        let dropped = try OutputSize.pooling(input: 5, kernel: 2, stride: 2, padding: 1, ceilMode: true)
        #expect(dropped.value == 3)
        #expect(dropped.formula == "⌈(5 − 2 + 2·1)/2⌉ + 1 − 1 = 3")
        #expect(dropped.note != nil)
        // The tutorials' 4×4 max-pool example: 2×2 windows, stride 2 → (4 − 2)/2 + 1 = 2.
        #expect(try OutputSize.pooling(input: 4, kernel: 2, stride: 2).formula == "(4 − 2 + 2·0)/2 + 1 = 2")
        #expect(throws: EngineError.self) { try OutputSize.pooling(input: 5, kernel: 2, stride: 2, padding: 2) }
    }

    @Test func leNetShapes() throws {
        // theory-conv-nets.md: 32×32 → C1 5×5 → 28 → S2 2×2/2 → 14 → C3 5×5 → 10 → S4 → 5 → C5 5×5 → 1.
        var size = 32
        for (kernel, stride, pooling) in [(5, 1, false), (2, 2, true), (5, 1, false), (2, 2, true), (5, 1, false)] {
            size = pooling ? try OutputSize.pooling(input: size, kernel: kernel, stride: stride).value
                           : try OutputSize.convolution(input: size, kernel: kernel, stride: stride).value
        }
        #expect(size == 1)
        #expect(try OutputSize.convolution(input: 32, kernel: 5, stride: 1).formula == "(32 − 5 + 2·0)/1 + 1 = 28")
    }

    @Test func refusals() {
        #expect(engineErrorMessage { _ = try OutputSize.convolution(input: 5, kernel: 3, stride: 0) }?
            .contains("stride must be at least 1, got 0") == true)
        #expect(engineErrorMessage { _ = try OutputSize.convolution(input: 5, kernel: 3, stride: 1, dilation: 0) }?
            .contains("dilation must be at least 1") == true)
        #expect(engineErrorMessage { _ = try OutputSize.convolution(input: 5, kernel: 3, stride: 1, padding: (-1, 0)) }?
            .contains("padding must not be negative") == true)
        let big = engineErrorMessage { _ = try OutputSize.convolution(input: 2, kernel: 5, stride: 1, axis: "height") }
        #expect(big?.contains("the kernel height is larger than the padded input") == true)
        #expect(big?.contains("total padding of at least 3") == true)
    }
}
