// FuzzLesson — libFuzzer entry: any bytes as a lesson or tutorial Markdown file checked by `verify`.
import ConvtraceVerify

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLesson(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = verifyClaims(inMarkdown: text, file: "fuzz.md")
    return 0
}
