// SceneExamples (test support) — the example computations that StoryboardTests and CairoRenderTests
// test and render scenes with; one copy shared by both test targets.
import Engine
import Storyboard

/// Builds a storyboard source and its events by running the engine with a recording sink.
public enum Scenes {
    /// A tensor from nested rows (H×W → 1×1×H×W).
    public static func plane(_ rows: [[Double]]) -> Tensor {
        Tensor(shape: [1, 1, rows.count, rows.first?.count ?? 0], data: rows.flatMap { $0 })
    }

    /// A 1-D signal → 1×1×1×W.
    public static func signal(_ v: [Double]) -> Tensor { Tensor(shape: [1, 1, 1, v.count], data: v) }

    /// Runs `network` on `input` with tracing on.
    public static func run(_ network: Network, input: Tensor, gradOutput: Tensor? = nil, inputRank: Int? = nil)
        throws -> (StoryboardSource, [TraceEvent])
    {
        var tracer = Tracer(sink: RecordingSink())
        _ = try network.run(input: input, gradOutput: gradOutput, tracer: &tracer)
        return (StoryboardSource(network: network, input: input, gradOutput: gradOutput, inputRank: inputRank),
                tracer.sink.events)
    }

    public static func conv(_ x: Tensor, _ k: Tensor, bias: Tensor? = nil, _ p: Conv2DParams = Conv2DParams(),
                     gradOutput: Tensor? = nil, inputRank: Int? = nil) throws -> (StoryboardSource, [TraceEvent]) {
        try run(Network(layers: [.conv2d(p, kernel: k, bias: bias)]), input: x, gradOutput: gradOutput, inputRank: inputRank)
    }

    /// 5×5 input 1…25, 3×3 Sobel-like kernel, padding 1, stride 1: 25 output cells.
    public static func conv5x5pad1(gradOutput: Bool = false) throws -> (StoryboardSource, [TraceEvent]) {
        let x = plane((0..<5).map { r in (0..<5).map { Double(r * 5 + $0 + 1) } })
        let k = plane([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
        let dy = gradOutput ? plane((0..<5).map { r in (0..<5).map { Double((r + $0) % 3) - 1 } }) : nil
        return try conv(x, k, Conv2DParams(padding: Padding(1)), gradOutput: dy)
    }

    /// cnn-basics-backprop.md: detect the slope [1,0] in [3,2,1,0].
    public static func slope(flip: Bool) throws -> (StoryboardSource, [TraceEvent]) {
        try conv(signal([3, 2, 1, 0]), signal([1, 0]), Conv2DParams(flip: flip), inputRank: 1)
    }

    /// The tutorial's [1,2,3] with [1,1,1] under `full` padding: [1,3,6,5,3].
    public static func full1D() throws -> (StoryboardSource, [TraceEvent]) {
        try conv(signal([1, 2, 3]), signal([1, 1, 1]), Conv2DParams(padding: Padding(top: 0, bottom: 0, left: 2, right: 2)),
                 inputRank: 1)
    }

    /// 4×4 input, 3×3 kernel, padding 1 with a fill mode.
    public static func paddingMode(_ mode: PaddingMode) throws -> (StoryboardSource, [TraceEvent]) {
        let x = plane([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]])
        let k = plane([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
        return try conv(x, k, Conv2DParams(padding: Padding(1), paddingMode: mode))
    }

    /// conv_arithmetic "dilation": 7×7 input, 3×3 kernel, dilation 2 → 3×3.
    public static func dilation() throws -> (StoryboardSource, [TraceEvent]) {
        let x = plane((0..<7).map { r in (0..<7).map { Double((r * 7 + $0) % 10) } })
        let k = plane([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
        return try conv(x, k, Conv2DParams(dilation: Pair(2)))
    }

    /// conv_arithmetic "padding_strides": 5×5 input, 3×3 kernel, padding 1, stride 2 → 3×3.
    public static func stride2() throws -> (StoryboardSource, [TraceEvent]) {
        let x = plane((0..<5).map { r in (0..<5).map { Double(r * 5 + $0) } })
        let k = plane([[1, 1, 1], [0, 0, 0], [-1, -1, -1]])
        return try conv(x, k, Conv2DParams(stride: Pair(2), padding: Padding(1)))
    }

    /// CS231n demo: 5×5×3 input, pad 1, two 3×3×3 filters, stride 2, bias → 3×3×2.
    public static func cs231n() throws -> (StoryboardSource, [TraceEvent]) {
        let xs: [Double] = [
            2, 1, 0, 2, 1, 0, 0, 1, 2, 0, 1, 1, 0, 2, 2, 2, 2, 0, 1, 1, 0, 1, 1, 0, 2,
            0, 2, 1, 0, 0, 2, 1, 2, 1, 1, 1, 0, 2, 1, 0, 2, 2, 1, 0, 2, 1, 0, 0, 2, 1,
            1, 2, 0, 0, 2, 0, 1, 1, 2, 0, 2, 2, 1, 0, 1, 0, 0, 2, 1, 1, 1, 2, 0, 1, 0,
        ]
        let ws: [Double] = [
            1, -1, 0, 0, 1, -1, 1, 0, 0, -1, 1, 1, 0, 0, 1, 1, -1, 0, 0, 1, -1, -1, 0, 1, 1, 0, -1,
            0, 1, 1, -1, 0, -1, 1, 1, 0, 1, -1, 0, 0, 0, -1, -1, 1, 1, -1, 0, 0, 1, 1, -1, 0, -1, 1,
        ]
        return try conv(Tensor(shape: [1, 3, 5, 5], data: xs), Tensor(shape: [2, 3, 3, 3], data: ws),
                        bias: Tensor(shape: [2], data: [1, 0]), Conv2DParams(stride: Pair(2), padding: Padding(1)))
    }

    /// Transposed conv: 2×2 input, 3×3 kernel, stride 2 → 5×5.
    public static func transposed() throws -> (StoryboardSource, [TraceEvent]) {
        let x = plane([[1, 2], [3, 4]])
        let w = plane([[1, 0, 1], [0, 1, 0], [1, 0, -1]])
        return try run(Network(layers: [.convTranspose2d(ConvTranspose2DParams(stride: Pair(2)), weight: w, bias: nil)]),
                       input: x)
    }

    /// The 4×4 max-pooling example, 2×2 windows, with a gradient for the backward pass.
    public static func maxPool(average: Bool = false) throws -> (StoryboardSource, [TraceEvent]) {
        let x = plane([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
        let p = Pool2DParams(kernelSize: Pair(2))
        return try run(Network(layers: [average ? .avgPool2d(p) : .maxPool2d(p)]), input: x,
                       gradOutput: plane([[1, 2], [3, 4]]))
    }

    /// 4×4 input, 3×3 kernel, bias, dY of ones-ish: every backward scene.
    public static func backward() throws -> (StoryboardSource, [TraceEvent]) {
        let x = plane([[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 2], [1, 0, 1, 1]])
        let k = plane([[1, 0, -1], [0, 2, 0], [-1, 0, 1]])
        return try conv(x, k, bias: Tensor(shape: [1], data: [0.5]), gradOutput: plane([[1, -1], [2, 0.5]]))
    }
}
