// Engine — untraced conv2d kernels for stride 1 and dilation 1: eight output cells per SIMD register.
import CEngineKernels

/// The untraced conv2d loops for stride 1 and dilation 1, vectorized across neighbouring cells of a row.
///
/// Bit-identical to the traced loops in `Conv2D`: every SIMD lane holds one output (or gradient) cell,
/// starts from +0 like the traced `acc`, and receives that cell's terms one at a time in the traced order,
/// each term the same product (`a * b`, same operands) as the traced event's. No lane ever mixes two
/// cells, no sum is split or reassociated, and nothing fuses a multiply and an add (the C loops in
/// CEngineKernels compile with contraction off), so each cell's floating-point sum is the traced one to the
/// last bit, whichever vector width the CPU gets. The lanes past the end of a row compute values that are
/// never stored; every buffer read that way carries `slack` extra elements.
///
/// - The input is first copied into a padded plane X̃ (N×C×Hp×Wp) exactly as the traced loop reads it:
///   the source cell for reflect/replicate/circular padding, 0 for zeros padding (the traced `a` is 0 there,
///   so the traced product is the same `0 · b`).
/// - dX runs over a copy of dY with Fw−1 zero columns on each side, for zeros padding only. A zero column
///   adds the product `0 · w`, which is ±0 when the weight `w` is finite, and adding ±0 leaves a sum that
///   started at +0 unchanged (such a sum is never −0). So `supportsBackward` also requires finite weights.
@usableFromInline
enum Conv2DRowKernels {
    /// Lanes per register block.
    @usableFromInline static let lanes = 8
    /// Extra elements after every buffer that is read eight at a time (the C loops read two vectors a row).
    @usableFromInline static let slack = 16

    /// Whether the row kernels compute this forward pass (stride 1, dilation 1, any padding mode, one group).
    @inlinable
    static func supportsForward(_ g: Conv2DGeometry) -> Bool {
        let p = g.params
        return g.groups == 1 && p.stride.y == 1 && p.stride.x == 1 && p.dilation.y == 1 && p.dilation.x == 1
            && g.rowSource.count == g.outHeight + g.kernelHeight - 1
            && g.colSource.count == g.outWidth + g.kernelWidth - 1
    }

    /// Whether the row kernels compute this backward pass: the forward conditions, zeros padding,
    /// a kernel at most `lanes` wide, and finite weights (see the type's note on dX).
    @inlinable
    static func supportsBackward(_ g: Conv2DGeometry, _ K: UnsafeBufferPointer<Double>) -> Bool {
        guard supportsForward(g), g.params.paddingMode == .zeros, g.kernelWidth <= lanes else { return false }
        for w in K where !w.isFinite { return false }
        return true
    }

    /// The padded input X̃ (N×C×Hp×Wp, then `slack` zeros) as the traced loops read it.
    @inlinable
    static func paddedInput(_ g: Conv2DGeometry, _ X: UnsafeBufferPointer<Double>) -> [Double] {
        let (NC, H, W) = (g.batch * g.channels, g.height, g.width)
        let (Hp, Wp) = (g.rowSource.count, g.colSource.count)
        var out = [Double](repeating: 0, count: NC * Hp * Wp + slack)
        out.withUnsafeMutableBufferPointer { P in
            for plane in 0..<NC {
                for hp in 0..<Hp {
                    let sh = g.rowSource[hp]
                    if sh < 0 { continue }
                    let src = plane * H * W + sh * W, dst = (plane * Hp + hp) * Wp
                    for wp in 0..<Wp {
                        let sw = g.colSource[wp]
                        if sw >= 0 { P[dst + wp] = X[src + sw] }
                    }
                }
            }
        }
        return out
    }

    /// The kernel in window-tap order: K̃[k, c, i, j] = K[k, c, i, j], or K[k, c, Fh−1−i, Fw−1−j] with flip.
    @inlinable
    static func tapKernel(_ g: Conv2DGeometry, _ K: UnsafeBufferPointer<Double>) -> [Double] {
        guard g.params.flip else { return Array(K) }
        let (Fh, Fw) = (g.kernelHeight, g.kernelWidth)
        var out = [Double](repeating: 0, count: K.count)
        for plane in 0..<(g.filters * g.channels) {
            for i in 0..<Fh {
                for j in 0..<Fw {
                    out[(plane * Fh + i) * Fw + j] = K[(plane * Fh + Fh - 1 - i) * Fw + Fw - 1 - j]
                }
            }
        }
        return out
    }

    /// Forward: Y (N×K×Ho×Wo) from X (N×C×H×W), K (K×C×Fh×Fw) and an optional bias (K).
    /// Lanes are eight neighbouring output cells of a row; the loops are `ct_conv_forward` (CEngineKernels).
    @usableFromInline
    static func forward(
        _ g: Conv2DGeometry, _ X: UnsafeBufferPointer<Double>, _ K: UnsafeBufferPointer<Double>,
        _ B: UnsafeBufferPointer<Double>?, _ Y: UnsafeMutableBufferPointer<Double>
    ) {
        let padded = paddedInput(g, X), taps = tapKernel(g, K)
        padded.withUnsafeBufferPointer { P in
            taps.withUnsafeBufferPointer { T in
                guard let xp = P.baseAddress, let kp = T.baseAddress, let yp = Y.baseAddress else { return }
                ct_conv_forward(g.batch, g.filters, g.channels, g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth,
                                g.rowSource.count, g.colSource.count, xp, kp, B?.baseAddress, yp)
            }
        }
    }

    /// Backward: dK (K×C×Fh×Fw), dX (N×C×H×W) and db (K) from X, K and dY (N×K×Ho×Wo).
    @inlinable
    static func backward(
        _ g: Conv2DGeometry, _ X: UnsafeBufferPointer<Double>, _ K: UnsafeBufferPointer<Double>,
        _ dY: UnsafeBufferPointer<Double>, _ dK: UnsafeMutableBufferPointer<Double>,
        _ dX: UnsafeMutableBufferPointer<Double>, _ db: UnsafeMutableBufferPointer<Double>?
    ) {
        kernelGradient(g, X, dY, dK)
        inputGradient(g, K, dY, dX)
        if let db { biasGradient(g, dY, db) }
    }

    /// dK[k,c,ki,kj] = Σ_{n,y,x} dY[n,k,y,x] · X̃[n,c,y+i,x+j] in (n, y, x) order; lanes are the taps j of one
    /// row i (`ct_conv_kernel_grad`).
    @usableFromInline
    static func kernelGradient(
        _ g: Conv2DGeometry, _ X: UnsafeBufferPointer<Double>, _ dY: UnsafeBufferPointer<Double>,
        _ dK: UnsafeMutableBufferPointer<Double>
    ) {
        let padded = paddedInput(g, X)
        padded.withUnsafeBufferPointer { P in
            guard let xp = P.baseAddress, let dyp = dY.baseAddress, let dkp = dK.baseAddress else { return }
            ct_conv_kernel_grad(g.batch, g.filters, g.channels, g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth,
                                g.rowSource.count, g.colSource.count, xp, dyp, dkp, g.params.flip ? 1 : 0)
        }
    }

    /// dX[n,c,h,w] = Σ_k Σ_{i descending} Σ_{j descending} dY[n,k,y,x] · K̃[k,c,i,j] with y = h+top−i,
    /// x = w+left−j: for one cell that is the traced (k, y, x) order. Lanes are neighbouring cells w
    /// (`ct_conv_input_grad`).
    @usableFromInline
    static func inputGradient(
        _ g: Conv2DGeometry, _ K: UnsafeBufferPointer<Double>, _ dY: UnsafeBufferPointer<Double>,
        _ dX: UnsafeMutableBufferPointer<Double>
    ) {
        let (N, F, C, H, W) = (g.batch, g.filters, g.channels, g.height, g.width)
        let (Fh, Fw, Ho, Wo) = (g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth)
        let (top, left) = (g.params.padding.top, g.params.padding.left)
        let Wq = Wo + 2 * (Fw - 1)
        var gradRows = [Double](repeating: 0, count: N * F * Ho * Wq + slack)
        gradRows.withUnsafeMutableBufferPointer { Q in
            guard let q = Q.baseAddress, let d = dY.baseAddress else { return }
            for r in 0..<(N * F * Ho) {
                (q + r * Wq + Fw - 1).update(from: d + r * Wo, count: Wo)
            }
        }
        let taps = tapKernel(g, K)
        gradRows.withUnsafeBufferPointer { Q in
            taps.withUnsafeBufferPointer { T in
                guard let qp = Q.baseAddress, let kp = T.baseAddress, let xp = dX.baseAddress else { return }
                ct_conv_input_grad(N, F, C, H, W, Fh, Fw, Ho, Wo, Wq, top, left, qp, kp, xp)
            }
        }
    }

    /// db[k] = Σ_{n,y,x} dY[n,k,y,x] in (n, y, x) order (`ct_conv_bias_grad`).
    @usableFromInline
    static func biasGradient(_ g: Conv2DGeometry, _ dY: UnsafeBufferPointer<Double>, _ db: UnsafeMutableBufferPointer<Double>) {
        guard let dyp = dY.baseAddress, let dbp = db.baseAddress else { return }
        ct_conv_bias_grad(g.batch, g.filters, g.outHeight * g.outWidth, dyp, dbp)
    }
}
