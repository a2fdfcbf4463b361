// swift-tools-version:6.0
// libFuzzer targets for convtrace's parsers and size arithmetic. Built and run by `make fuzz`
// (tools/fuzz/run.sh), never by `make test`; the corpus they find is replayed by the CLI corpus test.
import PackageDescription

let library: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "convtrace-fuzz",
    dependencies: [.package(name: "convtrace", path: "../..")],
    targets: [
        // Spec text (YAML or JSON) → parse, shape report, work estimate.
        .executableTarget(name: "FuzzSpec", dependencies: [.product(name: "Specs", package: "convtrace")],
                          swiftSettings: library),
        // Trace bytes (JSON Lines, binary v1/v2) → reader, every event checked against the header.
        .executableTarget(name: "FuzzTrace", dependencies: [.product(name: "Tracing", package: "convtrace")],
                          swiftSettings: library),
        // Markdown with ```convtrace blocks and claims → verify.
        .executableTarget(name: "FuzzLesson", dependencies: [.product(name: "ConvtraceVerify", package: "convtrace")],
                          swiftSettings: library),
        // Bytes → the numbers of `convtrace shape` → OutputSize and the receptive field.
        .executableTarget(name: "FuzzShape", dependencies: [.product(name: "Engine", package: "convtrace")],
                          swiftSettings: library),
    ]
)
