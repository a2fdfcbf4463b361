// EngineTests — size arithmetic on hostile numbers: no overflow trap, bounded advice, checked receptive fields.
import Testing
@testable import Engine

@Suite("size arithmetic: bounds, closed-form advice, checked receptive field")
struct SizeArithmeticTests {
    /// The exactness advice as it was computed before (every candidate enumerated), for small sizes.
    static func bruteForce(_ s: OutputSize) -> (paddings: [Int], strides: [Int]) {
        let base = s.input - s.effectiveKernel
        let pads = (0...max(s.effectiveKernel, s.totalPadding)).filter {
            $0 != s.totalPadding && base + $0 >= 0 && (base + $0) % s.stride == 0
        }
        let strides = (1...max(s.effectiveKernel, s.stride)).filter { $0 != s.stride && s.span % $0 == 0 }
        return (pads, strides)
    }

    @Test("the closed-form paddings and strides equal the enumeration wherever it listed at most 8")
    func closedFormMatchesEnumeration() throws {
        var compared = 0
        for input in 1...12 {
            for kernel in 1...5 {
                for stride in 1...6 {
                    for padding in 0...6 {
                        for dilation in 1...3 {
                            guard let s = try? OutputSize.convolution(input: input, kernel: kernel, stride: stride,
                                                                      padding: (padding, padding), dilation: dilation)
                            else { continue }
                            let brute = Self.bruteForce(s)
                            if brute.paddings.count <= OutputSize.maxCandidates {
                                #expect(s.exactTotalPaddings == brute.paddings, "\(s.formula)")
                            } else {
                                #expect(s.exactTotalPaddings.count == OutputSize.maxCandidates)
                                #expect(Set(s.exactTotalPaddings).isSubset(of: Set(brute.paddings)))
                            }
                            #expect(s.exactStrides == Array(brute.strides.prefix(OutputSize.maxCandidates)), "\(s.formula)")
                            compared += 1
                        }
                    }
                }
            }
        }
        #expect(compared > 5000)
    }

    @Test("a stride or padding of 2^20 gives a few candidates near the current padding, each exact")
    func hugeValuesGiveBoundedAdvice() throws {
        let s = try OutputSize.convolution(input: 6, kernel: 3, stride: 2, padding: (1 << 19, 1 << 19))
        #expect(!s.isExact)
        let pads = s.exactTotalPaddings
        #expect(pads.count == OutputSize.maxCandidates)
        for p in pads { #expect((6 - 3 + p) % 2 == 0) }
        #expect(pads.allSatisfy { abs($0 - s.totalPadding) <= 2 * s.stride * OutputSize.maxCandidates })
        let wide = try OutputSize.convolution(input: 5, kernel: 3, stride: OutputSize.maxExtent)
        #expect(wide.value == 1)
        #expect(wide.exactnessError() != nil)
        #expect(wide.exactStrides == [1, 2])
    }

    @Test("values above 2^20 are refused with the key and the range, never trapped")
    func outOfRange() {
        func message(_ body: () throws -> OutputSize) -> String {
            do { _ = try body(); return "" } catch let e as EngineError { return e.message } catch { return "\(error)" }
        }
        let dilation = message { try OutputSize.convolution(input: 5, kernel: 3, stride: 1, dilation: Int.max) }
        #expect(dilation == "conv2d: dilation (size) must be at most 1048576 (2^20, the largest size convtrace computes with), got 9223372036854775807")
        let pool = message { try OutputSize.pooling(input: 5, kernel: 2, stride: Int.max, ceilMode: true) }
        #expect(pool.contains("stride (size) must be at most 1048576") && pool.contains("got 9223372036854775807"))
        let pad = message { try OutputSize.convolution(input: 5, kernel: 3, stride: 1, padding: (10_000_000_000, 0)) }
        #expect(pad.contains("padding (size) must be at most 1048576"))
        let transposed = message { try OutputSize.transposedConvolution(input: 3, kernel: 3, stride: Int.max) }
        #expect(transposed.contains("stride (size) must be at most 1048576"))
        // The largest accepted values still compute.
        let m = OutputSize.maxExtent
        #expect((try? OutputSize.pooling(input: m, kernel: m, stride: m, padding: m / 2, dilation: 1, ceilMode: true))?.value == 2)
        #expect((try? OutputSize.transposedConvolution(input: m, kernel: m, stride: m, dilation: m))?.value
                    == (m - 1) * m + m * (m - 1) + 1)
    }

    @Test("receptive-field jumps that multiply past Int.max are an error naming the layer")
    func receptiveFieldOverflow() {
        let layers = (0..<5).map { _ in ReceptiveField.Layer(name: "max_pool2d", kernel: 2, stride: 1 << 20) }
        do {
            _ = try ReceptiveField(layers: layers)
            Issue.record("expected an overflow error")
        } catch let e as EngineError {
            #expect(e.message.hasPrefix("receptive field: at layer 3 (max_pool2d) the product of the strides"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        let dilated = [ReceptiveField.Layer(kernel: 1 << 20, stride: 1 << 20, dilation: 1 << 20)]
        #expect((try? ReceptiveField(layers: dilated))?.size == (1 << 20) * ((1 << 20) - 1) + 1)
    }
}
