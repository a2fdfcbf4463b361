// Engine — a plain, untraced conv2d (pad explicitly, then slide), the oracle for tests and the benchmark's baseline.

/// conv2d written the textbook way, independent of `Conv2D`'s event-ordered loops: materialise the
/// padded input, slide the (flipped) kernel over it; backward scatters into the padded grid and folds
/// the padding's gradient back onto the cells it was copied from.
///
/// It validates through `Conv2DGeometry` (same messages) and emits nothing.
public enum Conv2DReference {
    /// Output N×K×Ho×Wo of conv2d; same meaning as `Conv2D.forward`.
    public static func forward(input: Tensor, kernel: Tensor, bias: Tensor?, params: Conv2DParams) throws -> Tensor {
        let g = try Conv2DGeometry(input: input.shape, kernel: kernel.shape, bias: bias?.shape, params: params)
        let (xp, hp, wp) = padded(input, g)
        let kf = oriented(kernel, flip: params.flip)
        var out = Tensor(shape: g.outputShape)
        for n in 0..<g.batch { for k in 0..<g.filters { for y in 0..<g.outHeight { for x in 0..<g.outWidth {
            var s = bias?.data[k] ?? 0
            let c0 = g.firstChannel(ofFilter: k)  // groups: filter k reads channels c0 ..< c0 + C/G
            for c in 0..<g.groupChannels { for i in 0..<g.kernelHeight { for j in 0..<g.kernelWidth {
                let r = y * params.stride.y + i * params.dilation.y, q = x * params.stride.x + j * params.dilation.x
                s += xp[((n * g.channels + c0 + c) * hp + r) * wp + q] * kf[k, c, i, j]
            } } }
            out[n, k, y, x] = s
        } } } }
        return out
    }

    /// dX, dK, db of conv2d given dY; same meaning as `Conv2D.backward`.
    public static func backward(input: Tensor, kernel: Tensor, bias: Tensor?, params: Conv2DParams,
                                gradOutput: Tensor) throws -> LayerGradients {
        let g = try Conv2DGeometry(input: input.shape, kernel: kernel.shape, bias: bias?.shape, params: params)
        guard gradOutput.shape == g.outputShape else {
            throw EngineError("conv2d reference backward: grad_output must be \(ShapeCheck.shapeText(g.outputShape))")
        }
        let (xp, hp, wp) = padded(input, g)
        let kf = oriented(kernel, flip: params.flip)
        var dXp = [Double](repeating: 0, count: xp.count)
        var dKf = Tensor(shape: kernel.shape)
        var db = [Double](repeating: 0, count: g.filters)
        for n in 0..<g.batch { for k in 0..<g.filters { for y in 0..<g.outHeight { for x in 0..<g.outWidth {
            let d = gradOutput[n, k, y, x]
            db[k] += d
            let c0 = g.firstChannel(ofFilter: k)
            for c in 0..<g.groupChannels { for i in 0..<g.kernelHeight { for j in 0..<g.kernelWidth {
                let r = y * params.stride.y + i * params.dilation.y, q = x * params.stride.x + j * params.dilation.x
                let p = ((n * g.channels + c0 + c) * hp + r) * wp + q
                dXp[p] += d * kf[k, c, i, j]
                dKf[k, c, i, j] += d * xp[p]
            } } }
        } } } }
        // Fold the padded grid's gradient onto the input cells each padded cell copied.
        var dX = Tensor(shape: input.shape)
        for n in 0..<g.batch { for c in 0..<g.channels { for r in 0..<hp { for q in 0..<wp {
            let sh = g.rowSource[r], sw = g.colSource[q]
            if sh >= 0 && sw >= 0 { dX[n, c, sh, sw] += dXp[((n * g.channels + c) * hp + r) * wp + q] }
        } } } }
        return LayerGradients(input: dX, kernel: oriented(dKf, flip: params.flip),
                              bias: bias.map { Tensor(shape: $0.shape, data: db) })
    }

    /// The input padded under the mode, flat N×C×Hp×Wp.
    static func padded(_ x: Tensor, _ g: Conv2DGeometry) -> ([Double], Int, Int) {
        let hp = g.rowSource.count, wp = g.colSource.count
        var out = [Double](repeating: 0, count: g.batch * g.channels * hp * wp)
        for n in 0..<g.batch { for c in 0..<g.channels { for r in 0..<hp { for q in 0..<wp {
            let sh = g.rowSource[r], sw = g.colSource[q]
            if sh >= 0 && sw >= 0 { out[((n * g.channels + c) * hp + r) * wp + q] = x[n, c, sh, sw] }
        } } } }
        return (out, hp, wp)
    }

    /// The kernel rotated 180° in its last two axes when `flip`.
    static func oriented(_ k: Tensor, flip: Bool) -> Tensor {
        guard flip else { return k }
        var r = k
        let (fh, fw) = (k.shape[2], k.shape[3])
        for a in 0..<k.shape[0] { for c in 0..<k.shape[1] { for i in 0..<fh { for j in 0..<fw {
            r[a, c, i, j] = k[a, c, fh - 1 - i, fw - 1 - j]
        } } } }
        return r
    }
}
