// Engine — padding modes: which real input cell (if any) a padded coordinate reads, and which paddings a mode allows.

extension PaddingMode {
    /// The input index a coordinate reads along one axis under this padding mode.
    ///
    /// `index` is in unpadded coordinates and may lie outside `0..<size` (that is a padding cell).
    /// - `zeros`: `nil` outside (the value is 0).
    /// - `reflect`: mirrored about the edge cell, which is not repeated (`-1 → 1`, numpy's `reflect`).
    /// - `replicate`: the nearest edge cell (`-1 → 0`).
    /// - `circular`: wrapped around (`-1 → size − 1`).
    /// - Parameters:
    ///   - index: the coordinate, `-padBefore ..< size + padAfter`.
    ///   - size: the input extent along this axis (≥ 1).
    /// - Returns: the source index in `0..<size`, or `nil` for a zero padding cell.
    /// - Complexity: O(1) for paddings that `validatePadding` accepts.
    @inlinable
    public func sourceIndex(_ index: Int, size: Int) -> Int? {
        if index >= 0 && index < size { return index }
        switch self {
        case .zeros:
            return nil
        case .replicate:
            return index < 0 ? 0 : size - 1
        case .circular:
            let r = index % size
            return r < 0 ? r + size : r
        case .reflect:
            guard size > 1 else { return 0 }
            // Fold into one period 2(size − 1) of the mirror, then mirror the upper half.
            let period = 2 * (size - 1)
            var r = index % period
            if r < 0 { r += period }
            return r < size ? r : period - r
        }
    }

    /// The value a (possibly padding) coordinate reads from one row-major H×W plane of `data`.
    ///
    /// - Parameters:
    ///   - data: the tensor's flat storage; `planeOffset` is the offset of element (h = 0, w = 0).
    ///   - h, w: unpadded coordinates, possibly outside the plane.
    /// - Returns: the input value, or 0 for a `zeros` padding cell.
    @inlinable
    public func value(in data: [Double], planeOffset: Int, height: Int, width: Int, h: Int, w: Int) -> Double {
        guard let sh = sourceIndex(h, size: height), let sw = sourceIndex(w, size: width) else { return 0 }
        return data[planeOffset + sh * width + sw]
    }

    /// Refuses paddings PyTorch refuses for this mode (reflect: each side < size; circular: each side ≤ size).
    ///
    /// - Parameters:
    ///   - before, after: padding on the two sides of the axis (top/bottom or left/right).
    ///   - size: input extent along the axis.
    ///   - axis: `"height"` or `"width"`, for the message.
    ///   - op: op name for the message.
    /// - Throws: `EngineError` saying which padding is too large and what the limit is.
    public func validatePadding(before: Int, after: Int, size: Int, axis: String, op: String = "conv2d") throws {
        let largest = Swift.max(before, after)
        switch self {
        case .zeros, .replicate:
            return
        case .reflect:
            guard largest < size else {
                throw EngineError(
                    "\(op): padding_mode reflect needs each padding to be smaller than the input \(axis) "
                        + "(\(size)), but the padding is \(before) and \(after); reflect mirrors the input without "
                        + "repeating the edge, so it can supply at most \(size - 1) cell(s) per side. Use padding ≤ "
                        + "\(size - 1), or padding_mode replicate / circular / zeros")
            }
        case .circular:
            guard largest <= size else {
                throw EngineError(
                    "\(op): padding_mode circular wraps around at most once, so each padding must be at most the "
                        + "input \(axis) (\(size)), but the padding is \(before) and \(after). Use padding ≤ \(size), "
                        + "or padding_mode replicate / zeros")
            }
        }
    }
}
