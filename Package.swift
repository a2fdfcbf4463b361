// swift-tools-version:6.0
// convtrace — the arithmetic of convolutional networks, traced, drawn and checked.
// Data flows one way: Specs → Engine → Tracing → Storyboard → (CairoRender | TerminalReplay) → LessonBuilder.
import PackageDescription

let package = Package(
    name: "convtrace",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "convtrace", targets: ["convtrace"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Tracing", targets: ["Tracing"]),
        .library(name: "Specs", targets: ["Specs"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev"])]),
        // libpng's simplified write API (png_image_write_to_memory): faster PNG frames than Cairo's writer.
        .systemLibrary(
            name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CGif", path: "Sources/CGif",
            providers: [.apt(["libgif-dev"])]),
        .target(name: "Engine"),
        .target(name: "Tracing", dependencies: ["Engine"]),
        .target(name: "Specs", dependencies: ["Engine", "Tracing", "Yams"]),
        .target(name: "Storyboard", dependencies: ["Engine", "Tracing", "Specs"]),
        .target(name: "CairoRender", dependencies: ["Storyboard", "CCairo", "CPNG", "CGif"]),
        .target(name: "TerminalReplay", dependencies: ["Storyboard", "Tracing"]),
        .target(
            name: "LessonBuilder",
            dependencies: ["Engine", "Tracing", "Specs", "Storyboard", "CairoRender", "Yams"]),
        // The `convtrace bench` workloads: each times the path a user's command runs.
        .target(
            name: "Benchmarks",
            dependencies: ["Engine", "Tracing", "Specs", "Storyboard", "CairoRender", "TerminalReplay", "LessonBuilder"]),
        .executableTarget(
            name: "convtrace",
            dependencies: [
                "Engine", "Tracing", "Specs", "Storyboard", "CairoRender", "TerminalReplay",
                "LessonBuilder", "Benchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TracingTests", dependencies: ["Engine", "Tracing"]),
        .testTarget(name: "SpecsTests", dependencies: ["Engine", "Tracing", "Specs"]),
        // Test support shared by the Storyboard and CairoRender tests: the example computations.
        .target(name: "SceneExamples", dependencies: ["Engine", "Storyboard"], path: "Tests/SceneExamples"),
        .target(name: "CChildProcess", path: "Tests/CChildProcess"),
        .target(name: "ChildProcess", dependencies: ["CChildProcess"], path: "Tests/ChildProcess"),
        .testTarget(
            name: "StoryboardTests", dependencies: ["Engine", "Tracing", "Specs", "Storyboard", "SceneExamples"],
            resources: [.copy("References")]),
        .testTarget(
            name: "CairoRenderTests",
            dependencies: ["Engine", "Tracing", "Specs", "Storyboard", "CairoRender", "SceneExamples"],
            resources: [.copy("References")]),
        .testTarget(
            name: "TerminalReplayTests",
            dependencies: ["Engine", "Tracing", "Specs", "Storyboard", "TerminalReplay", "ChildProcess"],
            resources: [.copy("References")]),
        .testTarget(name: "LessonBuilderTests", dependencies: ["LessonBuilder", "Specs", "Engine"]),
        .testTarget(name: "CLITests", dependencies: ["convtrace", "ChildProcess"]),
    ]
)
