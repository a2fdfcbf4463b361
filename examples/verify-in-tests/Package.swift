// swift-tools-version:6.0
// An example of using convtrace from another package's tests: the tutorial's numbers are checked by
// `swift test`. It depends on convtrace by path; `make test` in the convtrace folder builds and runs it.
import PackageDescription

let package = Package(
    name: "verify-in-tests",
    dependencies: [
        .package(name: "convtrace", path: "../.."),
    ],
    targets: [
        .testTarget(
            name: "TutorialTests",
            dependencies: [.product(name: "ConvtraceVerify", package: "convtrace")],
            resources: [.copy("tutorial.md")]),
    ]
)
