// Engine — untraced max_pool2d and avg_pool2d loops over raw buffers, the traced loops' arithmetic exactly.

/// The untraced pooling passes: the same loops, in the same order, with the same operations as the traced
/// ones in `MaxPool2D` and `AvgPool2D` (so the same bits), over raw buffers instead of `Tensor` subscripts,
/// which check bounds and copy-on-write on every element.
///
/// Shapes: X and dX N×C×H×W (`plane` = H·W per (n, c)), Y, dY and argmax N×C×Ho×Wo.
@usableFromInline
enum Pool2DKernels {
    /// avg_pool2d forward: per output cell, +0 plus every window cell in row-major order (0 for a padding
    /// cell), divided by the window's divisor.
    @inlinable
    static func avgForward(
        _ nc: Int, _ h: Int, _ w: Int, _ ho: Int, _ wo: Int, _ params: Pool2DParams,
        _ X: UnsafeBufferPointer<Double>, _ Y: UnsafeMutableBufferPointer<Double>
    ) {
        guard let x = X.baseAddress, let y = Y.baseAddress else { return }
        for plane in 0..<nc {
            let xp = x + plane * h * w, yp = y + plane * ho * wo
            for oy in 0..<ho {
                for ox in 0..<wo {
                    let win = AvgPool2D.window(y: oy, x: ox, height: h, width: w, params: params)
                    var sum = 0.0
                    for ih in win.h0..<win.h1 {
                        let rowInside = ih >= 0 && ih < h
                        for iw in win.w0..<win.w1 {
                            sum += rowInside && iw >= 0 && iw < w ? xp[ih * w + iw] : 0
                        }
                    }
                    yp[oy * wo + ox] = sum / Double(win.divisor)
                }
            }
        }
    }

    /// avg_pool2d backward: per output cell in row-major order, dY/divisor added to every real window cell
    /// in row-major order. dX must start at zero.
    @inlinable
    static func avgBackward(
        _ nc: Int, _ h: Int, _ w: Int, _ ho: Int, _ wo: Int, _ params: Pool2DParams,
        _ dY: UnsafeBufferPointer<Double>, _ dX: UnsafeMutableBufferPointer<Double>
    ) {
        guard let g = dY.baseAddress, let d = dX.baseAddress else { return }
        for plane in 0..<nc {
            let gp = g + plane * ho * wo, dp = d + plane * h * w
            for oy in 0..<ho {
                for ox in 0..<wo {
                    let win = AvgPool2D.window(y: oy, x: ox, height: h, width: w, params: params)
                    let share = gp[oy * wo + ox] / Double(win.divisor)
                    for ih in Swift.max(win.h0, 0)..<Swift.min(win.h1, h) {
                        for iw in Swift.max(win.w0, 0)..<Swift.min(win.w1, w) { dp[ih * w + iw] += share }
                    }
                }
            }
        }
    }

    /// max_pool2d forward: per output cell the first strict maximum over the real window cells in
    /// row-major order (starting from −∞ at the window's first real cell), and where it was (h·W + w).
    @inlinable
    static func maxForward(
        _ nc: Int, _ h: Int, _ w: Int, _ ho: Int, _ wo: Int, _ params: Pool2DParams,
        _ X: UnsafeBufferPointer<Double>, _ Y: UnsafeMutableBufferPointer<Double>, _ argmax: UnsafeMutableBufferPointer<Int>
    ) {
        guard let x = X.baseAddress, let y = Y.baseAddress, let at = argmax.baseAddress else { return }
        let (kh, kw) = (params.kernelSize.y, params.kernelSize.x)
        let (sy, sx) = (params.stride.y, params.stride.x)
        let (py, px) = (params.padding.y, params.padding.x)
        for plane in 0..<nc {
            let xp = x + plane * h * w, o = plane * ho * wo
            for oy in 0..<ho {
                let h0 = oy * sy - py
                let hStart = Swift.max(h0, 0), hEnd = Swift.min(h0 + kh, h)
                for ox in 0..<wo {
                    let w0 = ox * sx - px
                    let wStart = Swift.max(w0, 0), wEnd = Swift.min(w0 + kw, w)
                    var best = -Double.infinity
                    var bestAt = hStart * w + wStart
                    for ih in hStart..<hEnd {
                        for iw in wStart..<wEnd {
                            let v = xp[ih * w + iw]
                            if v > best { best = v; bestAt = ih * w + iw }
                        }
                    }
                    y[o + oy * wo + ox] = best
                    at[o + oy * wo + ox] = bestAt
                }
            }
        }
    }

    /// max_pool2d backward: per output cell in row-major order, dY added to its argmax cell. dX starts at zero.
    @inlinable
    static func maxBackward(
        _ nc: Int, _ h: Int, _ w: Int, _ ho: Int, _ wo: Int,
        _ argmax: UnsafeBufferPointer<Int>, _ dY: UnsafeBufferPointer<Double>, _ dX: UnsafeMutableBufferPointer<Double>
    ) {
        guard let g = dY.baseAddress, let d = dX.baseAddress, let at = argmax.baseAddress else { return }
        for plane in 0..<nc {
            let o = plane * ho * wo, dp = d + plane * h * w
            for cell in 0..<(ho * wo) { dp[at[o + cell]] += g[o + cell] }
        }
    }
}
