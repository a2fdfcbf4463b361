// Engine — output-size arithmetic as a first-class result: the formula with the numbers substituted.

/// The output size along one axis of a convolution, transposed convolution or pooling, with its working.
///
/// ```
/// let h = try OutputSize.convolution(input: 5, kernel: 3, stride: 2, padding: (1, 1))
/// h.value    // 3
/// h.formula  // "(5 − 3 + 2·1)/2 + 1 = 3"
/// ```
/// PyTorch floors the division (ceil for pooling with `ceil_mode`); `isExact` says whether it had to.
/// `exactnessError` explains an inexact division and lists paddings and strides that would be exact.
public struct OutputSize: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Which arithmetic the size follows.
    public enum Operation: Equatable, Hashable, Sendable {
        /// ⌊(H + pads − (d·(F−1)+1)) / s⌋ + 1.
        case convolution
        /// (H − 1)·s − 2p + d·(F−1) + output_padding + 1.
        case transposedConvolution
        /// As convolution, rounding up when `ceilMode` (and dropping a last window that would start
        /// in the bottom/right padding, as PyTorch does).
        case pooling(ceilMode: Bool)
    }

    public let operation: Operation
    /// Input extent H (or W).
    public let input: Int
    /// Kernel extent F as given (before dilation).
    public let kernel: Int
    public let stride: Int
    public let dilation: Int
    /// Padding before (top/left) and after (bottom/right). Transposed conv: `p` on both sides.
    public let paddingBefore: Int
    public let paddingAfter: Int
    /// Transposed convolution only; 0 otherwise.
    public let outputPadding: Int
    /// The output extent.
    public let value: Int
    /// `H + pads − (d·(F−1)+1)`: the span the window's start can move over (convolution, pooling).
    public let span: Int
    /// Whether `span` is divisible by the stride (always true for transposed convolution).
    public let isExact: Bool
    /// Pooling with `ceil_mode`: the last window was dropped because it would start in the padding.
    public let droppedLastWindow: Bool

    /// The formula with numbers substituted and the result, e.g. `(5 − 3 + 2·1)/2 + 1 = 3`. Built when
    /// asked for, not with every size: the engine computes sizes on every run, and building the text
    /// each time made an untraced LeNet-5 pass take 411 µs instead of 362 (medians, interleaved runs).
    public var formula: String {
        switch operation {
        case .transposedConvolution:
            return Self.transposedFormula(input, stride, paddingBefore, dilation, kernel, outputPadding, value)
        case .pooling(ceilMode: true) where !isExact:
            let text = "\(Self.numerator(input, kernel, dilation, paddingBefore, paddingAfter))/\(stride)"
            return "⌈\(text)⌉ + 1" + (droppedLastWindow ? " − 1" : "") + " = \(value)"
        case .convolution, .pooling:
            let text = "\(Self.numerator(input, kernel, dilation, paddingBefore, paddingAfter))/\(stride)"
            return (isExact ? "\(text) + 1" : "⌊\(text)⌋ + 1") + " = \(value)"
        }
    }

    /// An extra remark (pooling with `ceil_mode` dropping a window), or nil.
    public var note: String? {
        droppedLastWindow ? "ceil_mode drops the last window: it would start in the bottom/right padding" : nil
    }

    /// `(H − 1)·s − 2·p + d·(F − 1) + output_padding + 1 = value` with the numbers substituted.
    private static func transposedFormula(_ input: Int, _ stride: Int, _ padding: Int, _ dilation: Int, _ kernel: Int,
                                          _ outputPadding: Int, _ value: Int) -> String {
        "(\(input) − 1)·\(stride) − 2·\(padding) + \(dilation)·(\(kernel) − 1) + \(outputPadding) + 1 = \(value)"
    }

    /// d·(F−1)+1, the extent the dilated kernel covers.
    @inlinable public var effectiveKernel: Int { dilation * (kernel - 1) + 1 }
    /// Total padding on the axis.
    @inlinable public var totalPadding: Int { paddingBefore + paddingAfter }
    /// Rows (columns) of the padded input after the last window that no window reaches (floor only).
    @inlinable public var unreadCells: Int { isExact ? 0 : span % stride }

    public var description: String { note.map { "\(formula) (\($0))" } ?? formula }

    // MARK: - Constructors

    /// Output size of a convolution along one axis: ⌊(H + top + bottom − (d·(F−1)+1)) / s⌋ + 1.
    ///
    /// - Parameters:
    ///   - input: input extent H ≥ 1.
    ///   - kernel: kernel extent F ≥ 1.
    ///   - stride: s ≥ 1.
    ///   - padding: (before, after), each ≥ 0.
    ///   - dilation: d ≥ 1.
    ///   - axis: name of the axis for messages (`"height"`, `"width"`).
    /// - Returns: the size with its formula; `isExact == false` when PyTorch had to floor.
    /// - Throws: `EngineError` for a stride, dilation, kernel or input below 1, negative padding, or a
    ///   dilated kernel larger than the padded input.
    public static func convolution(
        input: Int, kernel: Int, stride: Int, padding: (before: Int, after: Int) = (0, 0), dilation: Int = 1,
        axis: String = "size", op: String = "conv2d"
    ) throws -> OutputSize {
        try validate(input: input, kernel: kernel, stride: stride, dilation: dilation,
                     paddings: [padding.before, padding.after], axis: axis, op: op)
        let eff = try checkedEffectiveKernel(kernel, dilation, axis: axis, op: op)
        let padded = try checkedSum([input, padding.before, padding.after], axis: axis, op: op)
        guard padded >= eff else {
            let need = eff - input
            throw EngineError(
                "\(op): the kernel \(axis) is larger than the padded input: the kernel covers "
                    + "\(dilation == 1 ? "\(kernel)" : "d·(F−1)+1 = \(dilation)·(\(kernel) − 1) + 1 = \(eff)") cells "
                    + "but the padded input \(axis) is \(input) + \(padding.before) + \(padding.after) = \(padded). "
                    + "Use a total padding of at least \(need) (e.g. \(need - need / 2) before and \(need / 2) after"
                    + "\(need % 2 == 0 ? ", or padding \(need / 2)" : "")), a smaller kernel"
                    + "\(dilation > 1 ? " or dilation" : ""), or padding full")
        }
        let span = padded - eff
        let value = span / stride + 1
        let exact = span % stride == 0
        return OutputSize(operation: .convolution, input: input, kernel: kernel, stride: stride, dilation: dilation,
                          paddingBefore: padding.before, paddingAfter: padding.after, outputPadding: 0,
                          value: value, span: span, isExact: exact, droppedLastWindow: false)
    }

    /// Output size of a transposed convolution along one axis (PyTorch's rule):
    /// (H − 1)·s − 2p + d·(F−1) + output_padding + 1.
    ///
    /// - Throws: `EngineError` for stride, dilation, kernel or input below 1, negative padding or output
    ///   padding, an output padding that is not smaller than the stride or the dilation, or a size below 1.
    public static func transposedConvolution(
        input: Int, kernel: Int, stride: Int, padding: Int = 0, outputPadding: Int = 0, dilation: Int = 1,
        axis: String = "size", op: String = "conv_transpose2d"
    ) throws -> OutputSize {
        try validate(input: input, kernel: kernel, stride: stride, dilation: dilation,
                     paddings: [padding], axis: axis, op: op)
        guard outputPadding >= 0 else {
            throw EngineError("\(op): output_padding must not be negative, got \(outputPadding) (\(axis))")
        }
        guard outputPadding < stride || outputPadding < dilation else {
            throw EngineError(
                "\(op): output_padding (\(axis)) must be smaller than the stride or the dilation (PyTorch's rule), "
                    + "but output_padding is \(outputPadding) with stride \(stride) and dilation \(dilation); use "
                    + "output_padding ≤ \(Swift.max(stride, dilation) - 1)")
        }
        let eff = try checkedEffectiveKernel(kernel, dilation, axis: axis, op: op)
        let (grown, o1) = (input - 1).multipliedReportingOverflow(by: stride)
        let (twoP, o2) = padding.multipliedReportingOverflow(by: 2)
        guard !o1, !o2, grown <= Int.max / 4, twoP <= Int.max / 4 else {
            throw EngineError("\(op): the \(axis) arithmetic overflows (input \(input), stride \(stride), padding \(padding))")
        }
        let value = grown - twoP + (eff - 1) + outputPadding + 1
        guard value >= 1 else {
            let formula = transposedFormula(input, stride, padding, dilation, kernel, outputPadding, value)
            throw EngineError(
                "\(op): the output \(axis) would be \(formula), less than 1; the padding \(padding) crops away more "
                    + "than the scatter produces. Use padding ≤ \((grown + eff - 1 + outputPadding) / 2)")
        }
        return OutputSize(operation: .transposedConvolution, input: input, kernel: kernel, stride: stride,
                          dilation: dilation, paddingBefore: padding, paddingAfter: padding,
                          outputPadding: outputPadding, value: value, span: value - 1, isExact: true,
                          droppedLastWindow: false)
    }

    /// Output size of max/avg pooling along one axis (PyTorch's `pooling_output_shape`).
    ///
    /// ⌊(H + 2p − (d·(F−1)+1))/s⌋ + 1, or with `ceilMode` ⌈…⌉ + 1 minus one when that last window would
    /// start in the bottom/right padding ((out − 1)·s ≥ H + p).
    /// - Throws: `EngineError` for kernel, stride, dilation or input below 1, negative padding, padding
    ///   above half the kernel (PyTorch's rule), or a kernel larger than the padded input.
    public static func pooling(
        input: Int, kernel: Int, stride: Int, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false,
        axis: String = "size", op: String = "pool"
    ) throws -> OutputSize {
        try validate(input: input, kernel: kernel, stride: stride, dilation: dilation,
                     paddings: [padding], axis: axis, op: op)
        guard padding <= kernel / 2 else {
            throw EngineError(
                "\(op): padding (\(axis)) \(padding) is more than half the kernel_size \(kernel); PyTorch allows "
                    + "at most \(kernel / 2)")
        }
        let floorSize = try convolution(input: input, kernel: kernel, stride: stride, padding: (padding, padding),
                                        dilation: dilation, axis: axis, op: op)
        let span = floorSize.span
        var value = floorSize.value
        var dropped = false
        if ceilMode && !floorSize.isExact {
            value = (span + stride - 1) / stride + 1
            if (value - 1) * stride >= input + padding {
                value -= 1
                dropped = true
            }
        }
        return OutputSize(operation: .pooling(ceilMode: ceilMode), input: input, kernel: kernel, stride: stride,
                          dilation: dilation, paddingBefore: padding, paddingAfter: padding, outputPadding: 0,
                          value: value, span: span, isExact: floorSize.isExact, droppedLastWindow: dropped)
    }

    // MARK: - Exactness

    /// Total paddings (0…max(d·(F−1)+1, current)) that would make the division exact, current one excluded;
    /// at most `maxCandidates`, the ones nearest the current padding.
    ///
    /// - Complexity: O(1) in the sizes: the exact paddings form the progression p ≡ (F_eff − H) mod s.
    public var exactTotalPaddings: [Int] {
        guard operation != .transposedConvolution else { return [] }
        let base = input - effectiveKernel
        let upper = Swift.max(effectiveKernel, totalPadding)
        // Smallest p ≥ 0 with base + p ≥ 0 and (base + p) divisible by the stride.
        let low = Swift.max(0, -base)
        let first = low + ((-(base + low)) % stride + stride) % stride
        guard first <= upper else { return [] }
        let count = (upper - first) / stride + 1
        let nearest = Swift.min(Swift.max(0, (totalPadding - first) / stride), count - 1)
        let from = Swift.max(0, Swift.min(nearest - Self.maxCandidates / 2, count - 1 - Self.maxCandidates))
        let to = Swift.min(count - 1, from + Self.maxCandidates)
        return (from...to).map { first + $0 * stride }.filter { $0 != totalPadding }.prefix(Self.maxCandidates).map { $0 }
    }

    /// Strides (1…max(d·(F−1)+1, current)) that would make the division exact with the current padding,
    /// current one excluded; at most `maxCandidates`, the smallest.
    ///
    /// - Complexity: O(√span): the divisors of `span`, found in pairs.
    public var exactStrides: [Int] {
        guard operation != .transposedConvolution else { return [] }
        let upper = Swift.max(effectiveKernel, stride)
        guard span > 0 else { return (1...Swift.min(upper, Self.maxCandidates + 1)).filter { $0 != stride }.prefix(Self.maxCandidates).map { $0 } }
        var small: [Int] = [], large: [Int] = []
        var d = 1
        while d <= span / d {
            if span % d == 0 {
                small.append(d)
                if d != span / d { large.append(span / d) }
            }
            d += 1
        }
        let divisors = small + large.reversed()
        return divisors.filter { $0 <= upper && $0 != stride }.prefix(Self.maxCandidates).map { $0 }
    }

    /// How many paddings or strides the exactness advice lists at most.
    public static let maxCandidates = 8

    /// Why the division is not exact and what would make it exact; `nil` when it is exact.
    ///
    /// For `convtrace shape --strict`-style callers: PyTorch itself floors and computes anyway.
    public func exactnessError(axis: String = "size") -> EngineError? {
        guard !isExact else { return nil }
        let text = "\(Self.numerator(input, kernel, dilation, paddingBefore, paddingAfter))/\(stride)"
        let rounding: String
        if case .pooling(ceilMode: true) = operation {
            rounding = "ceil_mode rounds it up to \(value)"
        } else {
            rounding = "PyTorch floors it to \(value), so the last \(unreadCells) cell(s) of the padded input "
                + "\(axis) are never read"
        }
        var fixes: [String] = []
        let pads = exactTotalPaddings
        if !pads.isEmpty {
            let listed = pads.map { p in
                p == 0 ? "0" : "\(p) (\(p / 2) before + \(p - p / 2) after\(p % 2 == 0 ? ", i.e. padding \(p / 2)" : ""))"
            }
            fixes.append("total padding \(Self.orList(listed))")
        }
        let strides = exactStrides
        if !strides.isEmpty { fixes.append("stride \(Self.orList(strides.map(String.init)))") }
        let advice = fixes.isEmpty ? "" : "; it is exact with \(fixes.joined(separator: ", or with "))"
        return EngineError(
            "output \(axis) is not exact: \(text) + 1 is not a whole number (\(span) is not divisible by the stride "
                + "\(stride)); \(rounding)\(advice)")
    }

    /// Throws `exactnessError` when the division is not exact.
    public func requireExact(axis: String = "size") throws {
        if let error = exactnessError(axis: axis) { throw error }
    }

    // MARK: - Helpers

    /// `5 − 3 + 2·1` (symmetric), `5 − 3 + 0 + 1` (asymmetric), `7 − (2·(3 − 1) + 1) + 2·1` (dilated), in parentheses.
    static func numerator(_ input: Int, _ kernel: Int, _ dilation: Int, _ before: Int, _ after: Int) -> String {
        let k = dilation == 1 ? "\(kernel)" : "(\(dilation)·(\(kernel) − 1) + 1)"
        let p = before == after ? "2·\(before)" : "\(before) + \(after)"
        return "(\(input) − \(k) + \(p))"
    }

    static func orList(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " or " + items.last!
    }

    /// Largest input extent, kernel extent, stride, dilation or padding the size arithmetic accepts (2^20).
    ///
    /// With every operand at most 2^20, d·(F−1)+1, H + pads and (H − 1)·s stay below 2^41, so no size
    /// computation can overflow; a larger value is refused with the key and this range.
    public static let maxExtent = 1 << 20

    static func validate(input: Int, kernel: Int, stride: Int, dilation: Int, paddings: [Int], axis: String,
                         op: String) throws {
        // The names are built only when a value is too large: this runs on every conv and pool call.
        if Swift.max(input, kernel, stride, dilation, paddings.max() ?? 0) > maxExtent {
            for (name, v) in [("the input \(axis)", input), ("the kernel \(axis)", kernel), ("stride (\(axis))", stride),
                              ("dilation (\(axis))", dilation)] + paddings.map({ ("padding (\(axis))", $0) })
            where v > maxExtent {
                throw EngineError("\(op): \(name) must be at most \(maxExtent) (2^20, the largest size convtrace "
                    + "computes with), got \(v)")
            }
        }
        guard input >= 1 else { throw EngineError("\(op): the input \(axis) must be at least 1, got \(input)") }
        guard kernel >= 1 else { throw EngineError("\(op): the kernel \(axis) must be at least 1, got \(kernel)") }
        guard stride >= 1 else {
            throw EngineError("\(op): stride must be at least 1, got \(stride) (\(axis)); stride 1 visits every position")
        }
        guard dilation >= 1 else {
            throw EngineError("\(op): dilation must be at least 1, got \(dilation) (\(axis)); dilation 1 is an ordinary kernel")
        }
        for p in paddings where p < 0 {
            throw EngineError("\(op): padding must not be negative, got \(p) (\(axis)); use 0 or more cells")
        }
    }

    static func checkedEffectiveKernel(_ kernel: Int, _ dilation: Int, axis: String, op: String) throws -> Int {
        let (m, o) = dilation.multipliedReportingOverflow(by: kernel - 1)
        guard !o, m < Int.max / 4 else {
            throw EngineError("\(op): dilation \(dilation) × kernel \(kernel) overflows (\(axis))")
        }
        return m + 1
    }

    static func checkedSum(_ values: [Int], axis: String, op: String) throws -> Int {
        var total = 0
        for v in values {
            let (s, o) = total.addingReportingOverflow(v)
            guard !o, s < Int.max / 4 else {
                throw EngineError("\(op): the padded \(axis) overflows (\(values.map(String.init).joined(separator: " + ")))")
            }
            total = s
        }
        return total
    }
}
