// CairoRenderTests — renders every scene to PNG in $CONVTRACE_GALLERY (a developer aid; skipped otherwise).
import CairoRender
import Engine
import SceneExamples
import Foundation
import Storyboard
import Testing

@Suite struct Gallery {
    @Test func renderGallery() throws {
        guard let dir = ProcessInfo.processInfo.environment["CONVTRACE_GALLERY"] else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let cases: [(String, (StoryboardSource, [TraceEvent]), StoryboardOptions, [Int])] = [
            ("conv5", try Scenes.conv5x5pad1(), StoryboardOptions(), [0, 7]),
            ("conv5mac", try Scenes.conv5x5pad1(), StoryboardOptions(granularity: .mac), [13]),
            ("slope", try Scenes.slope(flip: false), StoryboardOptions(compareFlip: true), [0, 2]),
            ("full1d", try Scenes.full1D(), StoryboardOptions(), [0, 2]),
            ("reflect", try Scenes.paddingMode(.reflect), StoryboardOptions(), [0]),
            ("dilation", try Scenes.dilation(), StoryboardOptions(), [4]),
            ("stride2", try Scenes.stride2(), StoryboardOptions(), [4]),
            ("cs231n", try Scenes.cs231n(), StoryboardOptions(), [0, 10]),
            ("transposed", try Scenes.transposed(), StoryboardOptions(), [1]),
            ("transposed-direct", try Scenes.transposed(), StoryboardOptions(transposedView: .direct), [12]),
            ("transposed-direct-mac", try Scenes.transposed(), StoryboardOptions(granularity: .mac, transposedView: .direct), [20]),
            ("cs231n-dark", try Scenes.cs231n(), StoryboardOptions(), [4]),
            ("maxpool", try Scenes.maxPool(), StoryboardOptions(), [1, 5]),
            ("maxpoolmac", try Scenes.maxPool(), StoryboardOptions(granularity: .mac), [6]),
            ("avgpool", try Scenes.maxPool(average: true), StoryboardOptions(), [1, 5]),
            ("backward", try Scenes.backward(), StoryboardOptions(phase: .backward), [0, 9, 12, 25]),
        ]
        for (name, (source, events), options, picks) in cases {
            let frames = try Storyboard(source: source, options: options).frames(events: events)
            let r = try FrameRenderer(frames: frames, style: RenderStyle(scale: 1, theme: name.hasSuffix("dark") ? .dark : .light))
            for i in picks where i < frames.count {
                try Data(r.png(i)).write(to: URL(fileURLWithPath: "\(dir)/\(name)-\(i + 1).png"))
            }
        }
    }
}
