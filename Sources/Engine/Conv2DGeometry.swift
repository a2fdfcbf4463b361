// Engine — conv2d shapes checked and resolved once: sizes, output shape, and where each padded cell reads.

/// Everything conv2d needs to know about its operands' shapes, validated with actionable messages.
///
/// Shapes: input N×C×H×W, kernel K×(C/G)×Fh×Fw (G = `params.groups`), bias K → output N×K×Ho×Wo.
/// Filter k belongs to group k / (K/G) and reads input channels group·(C/G) ..< (group+1)·(C/G);
/// its kernel channel c is input channel group·(C/G) + c. The padded grid is
/// (H + top + bottom)×(W + left + right); `rowSource[hp]` / `colSource[wp]` give the input row/column a
/// padded coordinate reads under the padding mode (−1 for a zero padding cell).
public struct Conv2DGeometry: Equatable, Sendable {
    public let batch: Int, channels: Int, height: Int, width: Int
    public let filters: Int, kernelHeight: Int, kernelWidth: Int
    /// G, the number of channel groups (1: every filter sees every channel).
    public let groups: Int
    /// C/G: input channels per group, the kernel's channel axis.
    public let groupChannels: Int
    /// K/G: filters per group.
    public let groupFilters: Int
    public let outHeight: Int, outWidth: Int
    public let params: Conv2DParams
    /// The output-size computations with their formulas.
    public let heightSize: OutputSize, widthSize: OutputSize
    /// Input row read by padded row `hp` (0 ..< H + top + bottom), or −1 for a zero padding row.
    public let rowSource: [Int]
    /// Input column read by padded column `wp`, or −1 for a zero padding column.
    public let colSource: [Int]

    /// Largest number of elements any tensor conv2d allocates may have (2^27 doubles = 1 GiB).
    public static let maxElements = 1 << 27
    /// Largest padded height or width (2^24), so every index fits the trace's 32-bit fields.
    public static let maxExtent = 1 << 24

    /// N×K×Ho×Wo.
    @inlinable public var outputShape: [Int] { [batch, filters, outHeight, outWidth] }
    /// Number of `mac` events of a forward pass: N·K·Ho·Wo·(C/G)·Fh·Fw.
    @inlinable public var macCount: Int { batch * filters * outHeight * outWidth * groupChannels * kernelHeight * kernelWidth }
    /// The first input channel filter k reads: (k / (K/G))·(C/G).
    @inlinable public func firstChannel(ofFilter k: Int) -> Int { (k / groupFilters) * groupChannels }

    /// Checks the shapes and parameters and resolves the output size.
    ///
    /// - Parameters:
    ///   - input: input shape, N×C×H×W.
    ///   - kernel: kernel shape, K×(C/G)×Fh×Fw.
    ///   - bias: bias shape (K), or nil.
    ///   - params: stride, padding, padding mode, dilation, flip, groups.
    ///   - op: op name for messages.
    /// - Throws: `EngineError` naming the problem and what would be valid: wrong rank, empty axis, channel
    ///   mismatch, groups that do not divide C and K, bias size, stride or dilation below 1, negative padding, a padding the mode cannot supply,
    ///   a kernel larger than the padded input, or an output too large to allocate.
    public init(input: [Int], kernel: [Int], bias: [Int]?, params: Conv2DParams, op: String = "conv2d") throws {
        let shape = ShapeCheck.shapeText
        guard input.count == 4, input.allSatisfy({ $0 >= 1 }) else {
            throw EngineError("\(op): the input must be N×C×H×W with every axis at least 1, got shape \(shape(input))")
        }
        guard kernel.count == 4, kernel.allSatisfy({ $0 >= 1 }) else {
            throw EngineError(
                "\(op): the kernel must be K×C×Fh×Fw with every axis at least 1, got shape \(shape(kernel))")
        }
        let groups = params.groups
        guard groups >= 1, input[1] % groups == 0, kernel[0] % groups == 0 else {
            throw EngineError(
                "\(op): groups = \(groups) must be at least 1 and divide both the input channels C = \(input[1]) and "
                    + "the filters K = \(kernel[0]) (kernel shape K×C/groups×Fh×Fw = \(shape(kernel))); valid groups: "
                    + Self.commonDivisors(input[1], kernel[0]).map(String.init).joined(separator: ", "))
        }
        guard input[1] == kernel[1] * groups else {
            if groups > 1 {
                throw EngineError(
                    "\(op): with groups = \(groups) each filter sees C/groups = \(input[1] / groups) channel"
                        + "\(input[1] / groups == 1 ? "" : "s") but the kernel has \(kernel[1]) (kernel shape "
                        + "K×C/groups×Fh×Fw = \(shape(kernel)), input shape N×C×H×W = \(shape(input))); give the "
                        + "kernel \(input[1] / groups) channel\(input[1] / groups == 1 ? "" : "s") per filter")
            }
            throw EngineError(
                "\(op): input has \(input[1]) channel\(input[1] == 1 ? "" : "s") but the kernel expects \(kernel[1]) "
                    + "(kernel shape K×C×Fh×Fw = \(shape(kernel)), input shape N×C×H×W = \(shape(input))); give "
                    + "each filter \(input[1]) channel\(input[1] == 1 ? "" : "s") or the input \(kernel[1])")
        }
        if let bias {
            guard bias.reduce(1, *) == kernel[0], bias.count <= 1 else {
                throw EngineError(
                    "\(op): the bias must have one value per filter, \(kernel[0]) (kernel shape K×C×Fh×Fw = "
                        + "\(shape(kernel))), got shape \(shape(bias))")
            }
        }
        let p = params.padding
        let hs = try OutputSize.convolution(input: input[2], kernel: kernel[2], stride: params.stride.y,
                                            padding: (p.top, p.bottom), dilation: params.dilation.y,
                                            axis: "height", op: op)
        let ws = try OutputSize.convolution(input: input[3], kernel: kernel[3], stride: params.stride.x,
                                            padding: (p.left, p.right), dilation: params.dilation.x,
                                            axis: "width", op: op)
        try params.paddingMode.validatePadding(before: p.top, after: p.bottom, size: input[2], axis: "height", op: op)
        try params.paddingMode.validatePadding(before: p.left, after: p.right, size: input[3], axis: "width", op: op)
        let outShape = [input[0], kernel[0], hs.value, ws.value]
        try Self.checkAllocatable(outShape, what: "output", op: op)
        try Self.checkAllocatable([hs.input + hs.totalPadding, ws.input + ws.totalPadding], what: "padded input plane", op: op)
        for (axis, size) in [("height", hs), ("width", ws)] where size.input + size.totalPadding > Self.maxExtent {
            throw EngineError(
                "\(op): the padded input \(axis) would be \(size.input) + \(size.paddingBefore) + \(size.paddingAfter) = "
                    + "\(size.input + size.totalPadding) cells, more than \(Self.maxExtent); refusing before allocating. "
                    + "Use less padding")
        }

        batch = input[0]; channels = input[1]; height = input[2]; width = input[3]
        filters = kernel[0]; kernelHeight = kernel[2]; kernelWidth = kernel[3]
        self.groups = groups; groupChannels = input[1] / groups; groupFilters = kernel[0] / groups
        outHeight = hs.value; outWidth = ws.value
        self.params = params
        heightSize = hs; widthSize = ws
        let mode = params.paddingMode
        rowSource = (0..<(hs.input + hs.totalPadding)).map { mode.sourceIndex($0 - p.top, size: input[2]) ?? -1 }
        colSource = (0..<(ws.input + ws.totalPadding)).map { mode.sourceIndex($0 - p.left, size: input[3]) ?? -1 }
    }

    /// The numbers that divide both a and b, ascending (the valid `groups` for C = a, K = b).
    public static func commonDivisors(_ a: Int, _ b: Int) -> [Int] {
        (1...max(1, min(a, b))).filter { a % $0 == 0 && b % $0 == 0 }
    }

    /// Refuses a shape whose element count overflows or exceeds `maxElements`, before anything is allocated.
    public static func checkAllocatable(_ shape: [Int], what: String, op: String) throws {
        var total = 1
        for d in shape {
            let (m, o) = total.multipliedReportingOverflow(by: d)
            guard !o, m <= maxElements else {
                throw EngineError(
                    "\(op): the \(what) would have shape \(ShapeCheck.shapeText(shape)), more than \(maxElements) "
                        + "elements (\(maxElements / (1 << 27)) GiB of doubles); refusing before allocating. Use "
                        + "smaller sizes or less padding")
            }
            total = m
        }
    }

    /// For each input row h, the windows that read it: groups by output row y (ascending), each with
    /// the tap rows i (ascending) with `rowSource[y·sy + i·dy] == h`. See `Taps`.
    @inlinable
    public func rowTaps() -> Taps {
        Taps(source: rowSource, size: height, outSize: outHeight, kernel: kernelHeight,
             stride: params.stride.y, dilation: params.dilation.y)
    }

    /// As `rowTaps`, for columns: per input column w, groups by output column x with tap columns j.
    @inlinable
    public func colTaps() -> Taps {
        Taps(source: colSource, size: width, outSize: outWidth, kernel: kernelWidth,
             stride: params.stride.x, dilation: params.dilation.x)
    }

    /// Which (output position, kernel tap) pairs read each input position along one axis, in compressed
    /// form: input position p owns groups `groupStart[p] ..< groupStart[p + 1]`; group g is output
    /// position `groupOut[g]` with taps `tap[tapStart[g] ..< tapStart[g + 1]]`. With zeros padding each
    /// group has one tap; reflect/replicate/circular can make one window read a cell twice.
    public struct Taps: Equatable, Sendable {
        public var groupStart: [Int], groupOut: [Int], tapStart: [Int], tap: [Int]

        public init(source: [Int], size: Int, outSize: Int, kernel: Int, stride: Int, dilation: Int) {
            var buckets = [[(out: Int, tap: Int)]](repeating: [], count: size)
            for y in 0..<outSize {
                for i in 0..<kernel {
                    let s = source[y * stride + i * dilation]
                    if s >= 0 { buckets[s].append((y, i)) }
                }
            }
            groupStart = [0]; groupOut = []; tapStart = [0]; tap = []
            for bucket in buckets {
                for (index, pair) in bucket.enumerated() {
                    if index > 0 && bucket[index - 1].out == pair.out {
                        tapStart[tapStart.count - 1] += 1
                    } else {
                        groupOut.append(pair.out)
                        tapStart.append(tapStart[tapStart.count - 1] + 1)
                    }
                    tap.append(pair.tap)
                }
                groupStart.append(groupOut.count)
            }
        }
    }
}
