// FuzzTrace — libFuzzer entry: any bytes as a trace file; a TraceError is fine, a trap is a finding.
import Foundation
import Tracing

private let path = NSTemporaryDirectory() + "convtrace-fuzz-trace-\(getpid()).ctb"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrace(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size)) else { return 0 }
    do {
        let reader = try TraceReader(path: path)
        let validator = TraceEventValidator(header: reader.header)
        var index = 0
        while let event = try reader.next(), index < 100_000 {
            if validator.problem(with: event, index: index) != nil { break }
            index += 1
        }
        try reader.seek(toStep: index / 2)
        _ = try reader.next()
    } catch {
        _ = "\(error)"
    }
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzTrace_main`): hands the arguments to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzTrace_main")
public func FuzzTraceMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzTrace)
}
