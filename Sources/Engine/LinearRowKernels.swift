// Engine — untraced linear kernels: eight independent sums per SIMD register.
import CEngineKernels

/// The untraced linear forward and backward, bit-identical to the traced loops in `Linear`.
///
/// As in `Conv2DRowKernels`: each SIMD lane is one output or gradient cell, starts from +0 like the traced
/// `acc`, and adds that cell's terms one at a time in the traced order, each the traced product (same operands).
@usableFromInline
enum LinearRowKernels {
    @usableFromInline static let lanes = 8

    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Double>) -> SIMD8<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Double>.self)
    }

    @inlinable @inline(__always)
    static func store(_ v: SIMD8<Double>, _ p: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Double>.self)
    }

    /// Y (N×out) = X (N×in) · Wᵀ (W out×in) + b: per cell Σ_i x[n,i]·w[o,i] in i order, then + b[o].
    /// Lanes are eight outputs o; their weights are eight rows, transposed eight columns at a time
    /// (`ct_linear_forward` in CEngineKernels).
    @usableFromInline
    static func forward(
        _ n: Int, _ fin: Int, _ fout: Int, _ X: UnsafeBufferPointer<Double>, _ W: UnsafeBufferPointer<Double>,
        _ B: UnsafeBufferPointer<Double>?, _ Y: UnsafeMutableBufferPointer<Double>
    ) {
        guard let x = X.baseAddress, let w = W.baseAddress, let y = Y.baseAddress else { return }
        ct_linear_forward(n, fin, fout, x, w, B?.baseAddress, y)
    }

    /// dW[o,i] = Σ_n dY[n,o]·x[n,i] (n order), dX[n,i] = Σ_o dY[n,o]·w[o,i] (o order), db[o] = Σ_n dY[n,o].
    /// Lanes are eight neighbouring columns i (dX: `ct_linear_input_grad` in CEngineKernels).
    @usableFromInline
    static func backward(
        _ n: Int, _ fin: Int, _ fout: Int, _ X: UnsafeBufferPointer<Double>, _ W: UnsafeBufferPointer<Double>,
        _ dY: UnsafeBufferPointer<Double>, _ dW: UnsafeMutableBufferPointer<Double>,
        _ dX: UnsafeMutableBufferPointer<Double>, _ db: UnsafeMutableBufferPointer<Double>?
    ) {
        guard let x = X.baseAddress, let w = W.baseAddress, let g = dY.baseAddress,
              let gw = dW.baseAddress, let gx = dX.baseAddress else { return }
        let vectorEnd = fin - fin % lanes
        for o in 0..<fout {
            var i = 0
            while i < vectorEnd {
                var acc = SIMD8<Double>(repeating: 0)
                for nn in 0..<n { acc += SIMD8(repeating: g[nn * fout + o]) * load(x + nn * fin + i) }
                store(acc, gw + o * fin + i)
                i += lanes
            }
            while i < fin {
                var acc = 0.0
                for nn in 0..<n { acc += g[nn * fout + o] * x[nn * fin + i] }
                gw[o * fin + i] = acc
                i += 1
            }
        }
        ct_linear_input_grad(n, fin, fout, g, w, gx)  // lanes: eight neighbouring columns i
        if let db {
            for o in 0..<fout {
                var acc = 0.0
                for nn in 0..<n { acc += g[nn * fout + o] }
                db[o] = acc
            }
        }
    }
}
