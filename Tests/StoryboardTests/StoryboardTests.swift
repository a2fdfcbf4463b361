// StoryboardTests — frames drawn from real traces, compared with committed reference dumps.
import Engine
import Foundation
import Storyboard
import Testing

@Suite struct StoryboardTests {
    @Test func conv5x5Padding1MakesTwentyFiveCellFrames() throws {
        let (source, events) = try Scenes.conv5x5pad1()
        let frames = try Storyboard(source: source).frames(events: events)
        #expect(frames.count == 25)
        print(frames[0].dump())
        print(frames[7].dump())
    }
}
