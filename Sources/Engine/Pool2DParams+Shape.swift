// Engine — pooling window geometry: PyTorch's output-size rule (with ceil_mode) and parameter checks.

extension Pool2DParams {
    /// Output height and width of a 2-D pool over an H×W input, checked as PyTorch checks them.
    ///
    /// Per axis: `out = ⌊(in + 2p − k + (ceil ? s − 1 : 0)) / s⌋ + 1`, and with `ceilMode` the last
    /// window must start inside the input or the left/top padding (`(out − 1)·s < in + p`), else `out − 1`.
    /// - Parameters:
    ///   - height: input height H.
    ///   - width: input width W.
    ///   - op: the op name used in error messages.
    /// - Returns: (Ho, Wo).
    /// - Throws: `EngineError` for a kernel or stride below 1, negative padding, padding above half the
    ///   kernel, or an output smaller than 1×1.
    @inlinable
    public func outputSize(height: Int, width: Int, op: String = "pool") throws -> (height: Int, width: Int) {
        try validate(op: op)
        let ho = Self.axisOutput(height, kernelSize.y, stride.y, padding.y, ceilMode)
        let wo = Self.axisOutput(width, kernelSize.x, stride.x, padding.x, ceilMode)
        guard ho >= 1, wo >= 1 else {
            throw EngineError(
                "\(op): input \(height)×\(width) with kernel_size \(kernelSize.y)×\(kernelSize.x), padding "
                    + "\(padding.y)×\(padding.x) gives output \(ho)×\(wo), which is too small; the padded input "
                    + "must be at least as large as the kernel (use a smaller kernel_size or more padding)")
        }
        return (ho, wo)
    }

    /// Refuses kernel or stride below 1, negative padding and padding above half the kernel (PyTorch's rule).
    @inlinable
    public func validate(op: String = "pool") throws {
        guard kernelSize.y >= 1, kernelSize.x >= 1 else {
            throw EngineError("\(op): kernel_size must be at least 1, got \(kernelSize.y)×\(kernelSize.x)")
        }
        guard stride.y >= 1, stride.x >= 1 else {
            throw EngineError("\(op): stride must be at least 1, got \(stride.y)×\(stride.x)")
        }
        guard padding.y >= 0, padding.x >= 0 else {
            throw EngineError("\(op): padding must not be negative, got \(padding.y)×\(padding.x)")
        }
        guard padding.y <= kernelSize.y / 2, padding.x <= kernelSize.x / 2 else {
            throw EngineError(
                "\(op): padding \(padding.y)×\(padding.x) is more than half the kernel_size "
                    + "\(kernelSize.y)×\(kernelSize.x); PyTorch allows at most "
                    + "\(kernelSize.y / 2)×\(kernelSize.x / 2)")
        }
    }

    /// One axis of PyTorch's `pooling_output_shape` (dilation 1).
    @inlinable
    static func axisOutput(_ n: Int, _ k: Int, _ s: Int, _ p: Int, _ ceil: Bool) -> Int {
        let numerator = n + 2 * p - k + (ceil ? s - 1 : 0)
        // Floor division (numerator may be negative for a too-small input).
        var out = (numerator >= 0 ? numerator / s : -((-numerator + s - 1) / s)) + 1
        if ceil, (out - 1) * s >= n + p { out -= 1 }
        return out
    }
}

// MARK: - Descriptor

extension Pool2DParams {
    /// The descriptor of `max_pool2d` or `avg_pool2d` (they differ in name, `count_include_pad` and the layer case).
    static func descriptor(
        name: String, summary: String, countIncludePadKey: Bool,
        layer: @escaping @Sendable (Pool2DParams) -> Layer, params: @escaping @Sendable (Layer) -> Pool2DParams?
    ) -> OpDescriptor<Layer> {
        var keys: [OpKey] = [
            .required("kernel_size", .intOrPair(min: 1), hint: "the window: an int or [kh, kw]", meaning: "int ≥ 1 or pair"),
            .optional("stride", .intOrPair(min: 1), default: nil, shown: "`kernel_size`", meaning: "int ≥ 1 or pair"),
            .optional("padding", .intOrPair(min: 0), default: .pair(Pair(0)), shown: "0",
                      meaning: "int or pair, at most half the kernel size"),
            .optional("ceil_mode", .bool, default: .bool(false), shown: "`false`",
                      meaning: "round the output size up (a last window that would start in the bottom/right padding is dropped)"),
        ]
        if countIncludePadKey {
            keys.append(.optional("count_include_pad", .bool, default: .bool(true), shown: "`true`",
                                  meaning: "divide by the whole window, padding cells included"))
        }
        return OpDescriptor<Layer>(
            name: name, summary: summary, keys: keys, input: .image,
            shapeRule: "N×C×H×W → N×C×Ho×Wo",
            formula: "Ho = ⌊(H + 2p − k)/s⌋ + 1 (⌈…⌉ with ceil_mode)",
            outputShape: { l, input in
                guard let p = params(l) else { return input }
                guard input.count == 4 else { throw ParameterText.rankError(name, input, expected: "N×C×H×W") }
                let size = try p.outputSize(height: input[2], width: input[3], op: name)
                return [input[0], input[1], size.height, size.width]
            },
            describe: { l in
                guard let p = params(l) else { return "" }
                return String(ParameterText.pair("", p.kernelSize, hideIf: -1).dropFirst())
                    + ParameterText.pair(", stride", p.stride, hideIf: -1) + ParameterText.pair(", padding", p.padding, hideIf: 0)
            },
            sizes: { l, input in
                guard let p = params(l) else { return nil }
                let (h, w) = input.count == 4 ? (input[2], input[3]) : (0, 0)
                return (try OutputSize.pooling(input: h, kernel: p.kernelSize.y, stride: p.stride.y, padding: p.padding.y,
                                               ceilMode: p.ceilMode, axis: "height", op: name),
                        try OutputSize.pooling(input: w, kernel: p.kernelSize.x, stride: p.stride.x, padding: p.padding.x,
                                               ceilMode: p.ceilMode, axis: "width", op: name))
            },
            receptiveField: { l in
                guard let p = params(l) else { return .stops }
                return .window(y: .init(name: name, kernel: p.kernelSize.y, stride: p.stride.y),
                               x: .init(name: name, kernel: p.kernelSize.x, stride: p.stride.x))
            },
            parameters: { l in
                guard let p = params(l) else { return [] }
                return [("kernel_size", .pair(p.kernelSize)), ("stride", .pair(p.stride)), ("padding", .pair(p.padding)),
                        ("ceil_mode", .bool(p.ceilMode)), ("count_include_pad", .bool(p.countIncludePad))]
            },
            make: { r in
                layer(Pool2DParams(kernelSize: try r.pair("kernel_size"), stride: try r.pair("stride"),
                                   padding: try r.pair("padding"), ceilMode: try r.bool("ceil_mode"),
                                   countIncludePad: try r.bool("count_include_pad")))
            })
    }
}
