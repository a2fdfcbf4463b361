// FuzzSpec — libFuzzer entry: any bytes as a spec; a SpecError is fine, a trap or a leak is a finding.
import Specs

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    do {
        let problem = try SpecDocument.parse(text, file: "fuzz.yaml")
        _ = try? problem.shapeReport()
        try problem.checkWork(limits: ResourceLimits(elements: 1 << 16, events: 1 << 16))
        _ = try problem.run()
    } catch {
        _ = "\(error)"
    }
    return 0
}

/// The executable's entry (SwiftPM links `main` to `FuzzSpec_main`): hands the arguments to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzSpec_main")
public func FuzzSpecMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzSpec)
}
