// swift-tools-version:6.0
// convtrace — the arithmetic of convolutional networks, traced, drawn and checked.
// Data flows one way: Specs → Engine → Tracing → Storyboard → (CairoRender | TerminalReplay) → LessonBuilder.
// Every target's dependencies are exactly the modules its files import (checked by tools/check-imports.sh).
import PackageDescription

let package = Package(
    name: "convtrace",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "convtrace", targets: ["convtrace"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "JSONText", targets: ["JSONText"]),
        .library(name: "Tracing", targets: ["Tracing"]),
        .library(name: "Specs", targets: ["Specs"]),
        // For other packages' test suites: `verifyClaims(inFile:)` (docs/verify.md, examples/verify-in-tests).
        .library(name: "ConvtraceVerify", targets: ["ConvtraceVerify"]),
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
        // GitHub's CommonMark library with its extensions (tables…), for the lessons site.
        .systemLibrary(
            name: "CCmarkGFM", path: "Sources/CCmarkGFM",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        // The untraced conv2d inner loops in C, compiled for SSE2, AVX2 and AVX-512 and picked at run time
        // (target_clones); contraction off, so every width gives the same bits (Engine's Conv2DRowKernels).
        .target(name: "CEngineKernels"),
        .target(name: "Engine", dependencies: ["CEngineKernels"]),
        // JSON text: the ordered JSON value, its parser and serializer, and exact number text.
        .target(name: "JSONText"),
        // A prefetch hint for the version 2 writer's loop over events in memory (Swift has none).
        .target(name: "CTracePrefetch"),
        .target(name: "Tracing", dependencies: ["Engine", "JSONText", "CTracePrefetch"]),
        .target(name: "Specs", dependencies: ["Engine", "JSONText", "Tracing", "Yams"]),
        .target(name: "Storyboard", dependencies: ["Engine", "JSONText", "Tracing", "Specs"]),
        .target(name: "CairoRender", dependencies: ["Storyboard", "Tracing", "CCairo", "CPNG", "CGif"]),
        .target(name: "TerminalReplay", dependencies: ["Engine", "Storyboard", "Tracing"]),
        .target(
            name: "LessonBuilder",
            dependencies: ["Engine", "JSONText", "Tracing", "Specs", "Storyboard", "CairoRender", "Yams"]),
        .target(name: "ConvtraceVerify", dependencies: ["LessonBuilder"]),
        // Frames → one offline HTML player page (SVG drawn in the browser from the storyboard data).
        .target(name: "WebPlayer", dependencies: ["Storyboard"]),
        // The built lessons as a static site (cmark-gfm pages, a player for each animation).
        .target(name: "LessonWeb", dependencies: ["LessonBuilder", "Storyboard", "WebPlayer", "CCmarkGFM"]),
        // The `convtrace bench` workloads: each times the path a user's command runs.
        .target(
            name: "Benchmarks",
            dependencies: ["Engine", "JSONText", "Tracing", "Specs", "Storyboard", "CairoRender", "TerminalReplay", "LessonBuilder"]),
        .executableTarget(
            name: "convtrace",
            dependencies: [
                "Engine", "JSONText", "Tracing", "Specs", "Storyboard", "CairoRender", "TerminalReplay", "WebPlayer",
                "LessonBuilder", "LessonWeb", "Benchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"], resources: [.copy("Fixtures")]),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText"]),
        .testTarget(name: "TracingTests", dependencies: ["Engine", "JSONText", "Tracing"]),
        .testTarget(name: "SpecsTests", dependencies: ["Engine", "JSONText", "Tracing", "Specs", "Yams"]),
        // Test support shared by the Storyboard and CairoRender tests: the example computations.
        .target(name: "SceneExamples", dependencies: ["Engine", "Storyboard"], path: "Tests/SceneExamples"),
        .target(name: "CChildProcess", path: "Tests/CChildProcess"),
        .target(name: "ChildProcess", dependencies: ["CChildProcess"], path: "Tests/ChildProcess"),
        .testTarget(
            name: "StoryboardTests", dependencies: ["Engine", "Tracing", "Specs", "Storyboard", "SceneExamples"],
            resources: [.copy("References")]),
        .testTarget(
            name: "CairoRenderTests",
            dependencies: ["Engine", "Storyboard", "CairoRender", "CCairo", "CGif", "SceneExamples"]),
        .testTarget(
            name: "TerminalReplayTests",
            dependencies: ["Engine", "Tracing", "Storyboard", "TerminalReplay", "ChildProcess"],
            resources: [.copy("References")]),
        .testTarget(name: "LessonBuilderTests", dependencies: ["LessonBuilder", "Storyboard"]),
        .testTarget(
            name: "WebPlayerTests",
            dependencies: ["Engine", "Storyboard", "CairoRender", "WebPlayer", "SceneExamples"]),
        // The HTML player and the lessons site in headless Chromium, spoken to over W3C WebDriver.
        .testTarget(
            name: "BrowserTests",
            dependencies: ["Engine", "Storyboard", "WebPlayer", "SceneExamples", "ChildProcess", "LessonBuilder", "LessonWeb"]),
        .testTarget(name: "CLITests", dependencies: ["convtrace", "ChildProcess"]),
    ]
)
