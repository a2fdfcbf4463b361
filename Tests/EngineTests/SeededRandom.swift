// EngineTests — a fixed-seed generator (SplitMix64) and small helpers for the convolution tests.
import Testing
@testable import Engine

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and the same sequence on every platform and run.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi) with 53 random bits.
    mutating func double(_ lo: Double = -1, _ hi: Double = 1) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(UInt64(1) << 53)
    }

    /// Uniform in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func bool() -> Bool { next() & 1 == 1 }

    mutating func tensor(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in double() })
    }
}

/// One random conv2d problem: shapes and parameters that PyTorch accepts.
struct ConvCase: CustomStringConvertible {
    var input: Tensor, kernel: Tensor, bias: Tensor?, params: Conv2DParams

    var description: String {
        "input \(input.shape) kernel \(kernel.shape) bias \(bias != nil) stride \(params.stride) "
            + "padding \(params.padding) mode \(params.paddingMode) dilation \(params.dilation) flip \(params.flip)"
    }

    /// A small random case; padding is drawn within what `mode` allows.
    static func random(_ rng: inout SeededRandom, mode: PaddingMode) -> ConvCase {
        while true {
            let (n, c, k) = (rng.int(1...2), rng.int(1...3), rng.int(1...3))
            let (h, w) = (rng.int(1...6), rng.int(1...6))
            let (fh, fw) = (rng.int(1...3), rng.int(1...3))
            let stride = Pair(rng.int(1...3), rng.int(1...3))
            let dilation = Pair(rng.int(1...2), rng.int(1...2))
            let maxPadH = mode == .reflect ? h - 1 : (mode == .circular ? h : 3)
            let maxPadW = mode == .reflect ? w - 1 : (mode == .circular ? w : 3)
            let padding = Padding(top: rng.int(0...min(maxPadH, 3)), bottom: rng.int(0...min(maxPadH, 3)),
                                  left: rng.int(0...min(maxPadW, 3)), right: rng.int(0...min(maxPadW, 3)))
            guard h + padding.top + padding.bottom >= dilation.y * (fh - 1) + 1,
                  w + padding.left + padding.right >= dilation.x * (fw - 1) + 1 else { continue }
            let params = Conv2DParams(stride: stride, padding: padding, paddingMode: mode, dilation: dilation,
                                      flip: rng.bool())
            let bias: Tensor? = rng.bool() ? rng.tensor([k]) : nil
            return ConvCase(input: rng.tensor([n, c, h, w]), kernel: rng.tensor([k, c, fh, fw]), bias: bias,
                            params: params)
        }
    }
}

/// max |a − b| over the largest magnitude of `expected` (the team's 1e-9-style relative error).
func convRelativeError(_ actual: Tensor, _ expected: Tensor) -> Double {
    guard actual.shape == expected.shape else { return .infinity }
    let scale = Swift.max(expected.maxMagnitude, 1e-300)
    return zip(actual.data, expected.data).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) } / scale
}

/// Σ a ⊙ b.
func convDot(_ a: Tensor, _ b: Tensor) -> Double {
    zip(a.data, b.data).reduce(0) { $0 + $1.0 * $1.1 }
}

/// A rank-4 tensor 1×1×H×W from rows.
func convImage(_ rows: [[Double]]) -> Tensor {
    Tensor(shape: [1, 1, rows.count, rows[0].count], data: rows.flatMap { $0 })
}

/// A 1-D signal as a 1×1×1×W tensor.
func convSignal(_ values: [Double]) -> Tensor {
    Tensor(shape: [1, 1, 1, values.count], data: values)
}

/// Runs `body` and returns the EngineError message it threw, or nil.
func engineErrorMessage(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch let e as EngineError { return e.message } catch { return "\(error)" }
}
