// Engine — turns a padding as written (explicit, valid, same, full) into cells on each side.

extension PaddingSpec {
    /// The explicit padding this spec means for a kernel of `kernel` cells dilated by `dilation`.
    ///
    /// Per axis, with the effective kernel extent d·(F−1)+1:
    /// - `valid`: 0 on every side;
    /// - `same`: d·(F−1) in total, the smaller half on top/left and the extra cell on bottom/right
    ///   (PyTorch's and TensorFlow's rule), so the output has the input's size — stride 1 only;
    /// - `full`: d·(F−1) on every side, so every input cell meets every kernel cell;
    /// - `explicit`: as given (checked non-negative).
    /// - Parameters:
    ///   - kernel: kernel size (Fh, Fw).
    ///   - dilation: (dy, dx).
    ///   - stride: (sy, sx); `same` requires (1, 1).
    /// - Returns: top, bottom, left and right padding in cells.
    /// - Throws: `EngineError` for `same` with a stride other than 1, kernel or dilation below 1, or a
    ///   negative explicit padding.
    public func resolve(kernel: Pair, dilation: Pair, stride: Pair) throws -> Padding {
        guard kernel.y >= 1, kernel.x >= 1 else {
            throw EngineError("padding: the kernel must be at least 1×1, got \(kernel.y)×\(kernel.x)")
        }
        guard dilation.y >= 1, dilation.x >= 1 else {
            throw EngineError("padding: dilation must be at least 1, got [\(dilation.y), \(dilation.x)]")
        }
        let totalY = dilation.y * (kernel.y - 1)
        let totalX = dilation.x * (kernel.x - 1)
        switch self {
        case .valid:
            return .zero
        case .full:
            return Padding(top: totalY, bottom: totalY, left: totalX, right: totalX)
        case .same:
            guard stride.y == 1, stride.x == 1 else {
                throw EngineError(
                    "padding: same is only defined for stride 1 (as in PyTorch), but the stride is "
                        + "[\(stride.y), \(stride.x)]; use stride 1, or give the padding explicitly "
                        + "(for example \(totalY / 2) or [\(totalY / 2), \(totalY - totalY / 2), \(totalX / 2), "
                        + "\(totalX - totalX / 2)] as [top, bottom, left, right])")
            }
            return Padding(top: totalY / 2, bottom: totalY - totalY / 2, left: totalX / 2, right: totalX - totalX / 2)
        case .explicit(let p):
            guard p.top >= 0, p.bottom >= 0, p.left >= 0, p.right >= 0 else {
                throw EngineError(
                    "padding must not be negative, got [top \(p.top), bottom \(p.bottom), left \(p.left), "
                        + "right \(p.right)]; use 0 or more cells on each side (or valid)")
            }
            return p
        }
    }
}
