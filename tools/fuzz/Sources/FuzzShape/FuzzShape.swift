// FuzzShape — libFuzzer entry: bytes → the numbers `convtrace shape` takes → every size formula.
import Engine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShape(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Eight little-endian Int64s: input, kernel, stride, padding before/after, dilation, output padding, flags.
    var values = [Int](repeating: 1, count: 8)
    for i in 0..<min(8, size / 8) {
        var v: UInt64 = 0
        for b in 0..<8 { v |= UInt64(data[i * 8 + b]) << (8 * UInt64(b)) }
        values[i] = Int(truncatingIfNeeded: v)
    }
    let (input, kernel, stride, before, after, dilation, outputPadding, flags) =
        (values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7])
    if let s = try? OutputSize.convolution(input: input, kernel: kernel, stride: stride, padding: (before, after), dilation: dilation) {
        _ = s.exactnessError()
        _ = s.exactTotalPaddings
        _ = s.exactStrides
    }
    if let s = try? OutputSize.pooling(input: input, kernel: kernel, stride: stride, padding: before, dilation: dilation,
                                       ceilMode: flags & 1 == 1) {
        _ = s.exactnessError()
    }
    _ = try? OutputSize.transposedConvolution(input: input, kernel: kernel, stride: stride, padding: before,
                                              outputPadding: outputPadding, dilation: dilation)
    let layers = (0..<Swift.max(0, Swift.min(8, flags >> 1 & 7))).map {
        ReceptiveField.Layer(kernel: values[$0 % 3 + 1], stride: values[($0 + 1) % 3 + 1], dilation: dilation)
    }
    _ = try? ReceptiveField(layers: layers)
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzShape_main`): hands the arguments to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzShape_main")
public func FuzzShapeMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzShape)
}
