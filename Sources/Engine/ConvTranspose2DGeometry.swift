// Engine — conv_transpose2d shapes checked and resolved once, with actionable messages.

/// Shapes and sizes of a transposed convolution.
///
/// Shapes: input N×C_in×H×W, weight C_in×C_out×Fh×Fw, bias C_out → output N×C_out×Ho×Wo, with
/// Ho = (H−1)·sy − 2·py + dy·(Fh−1) + output_padding_y + 1 (and likewise Wo).
/// Input cell (h, w) with weight cell (i, j) lands on output (h·sy − py + i·dy, w·sx − px + j·dx).
public struct ConvTranspose2DGeometry: Equatable, Sendable {
    public let batch: Int, inChannels: Int, height: Int, width: Int
    public let outChannels: Int, kernelHeight: Int, kernelWidth: Int
    public let outHeight: Int, outWidth: Int
    public let params: ConvTranspose2DParams
    /// The output-size computations with their formulas.
    public let heightSize: OutputSize, widthSize: OutputSize

    /// N×C_out×Ho×Wo.
    @inlinable public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }

    /// Checks the shapes and parameters and resolves the output size.
    ///
    /// - Throws: `EngineError` for a wrong rank or empty axis, a channel mismatch, a bias of the wrong size,
    ///   stride or dilation below 1, negative padding, output padding not below the stride or the dilation,
    ///   an output smaller than 1, or one too large to allocate.
    public init(input: [Int], weight: [Int], bias: [Int]?, params: ConvTranspose2DParams,
                op: String = "conv_transpose2d") throws {
        let shape = ShapeCheck.shapeText
        guard input.count == 4, input.allSatisfy({ $0 >= 1 }) else {
            throw EngineError("\(op): the input must be N×C_in×H×W with every axis at least 1, got shape \(shape(input))")
        }
        guard weight.count == 4, weight.allSatisfy({ $0 >= 1 }) else {
            throw EngineError(
                "\(op): the weight must be C_in×C_out×Fh×Fw with every axis at least 1, got shape \(shape(weight))")
        }
        guard input[1] == weight[0] else {
            throw EngineError(
                "\(op): input has \(input[1]) channel\(input[1] == 1 ? "" : "s") but the weight expects \(weight[0]) "
                    + "(weight shape C_in×C_out×Fh×Fw = \(shape(weight)), input shape N×C×H×W = \(shape(input))); "
                    + "the weight's first axis is the input channels in PyTorch's layout")
        }
        if let bias {
            guard bias.reduce(1, *) == weight[1], bias.count <= 1 else {
                throw EngineError(
                    "\(op): the bias must have one value per output channel, \(weight[1]) (weight shape "
                        + "C_in×C_out×Fh×Fw = \(shape(weight))), got shape \(shape(bias))")
            }
        }
        let hs = try OutputSize.transposedConvolution(
            input: input[2], kernel: weight[2], stride: params.stride.y, padding: params.padding.y,
            outputPadding: params.outputPadding.y, dilation: params.dilation.y, axis: "height", op: op)
        let ws = try OutputSize.transposedConvolution(
            input: input[3], kernel: weight[3], stride: params.stride.x, padding: params.padding.x,
            outputPadding: params.outputPadding.x, dilation: params.dilation.x, axis: "width", op: op)
        try Conv2DGeometry.checkAllocatable([input[0], weight[1], hs.value, ws.value], what: "output", op: op)
        batch = input[0]; inChannels = input[1]; height = input[2]; width = input[3]
        outChannels = weight[1]; kernelHeight = weight[2]; kernelWidth = weight[3]
        outHeight = hs.value; outWidth = ws.value
        self.params = params
        heightSize = hs; widthSize = ws
    }
}
