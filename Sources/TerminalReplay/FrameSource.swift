// TerminalReplay — where the player gets frames from: random access by index, however they are produced.
import Storyboard

/// Frames by index. The player asks for the frame it shows and nothing else, so a source may
/// rebuild frames on demand instead of keeping them.
public protocol FrameSource: AnyObject {
    /// Number of frames.
    var count: Int { get }
    /// Frame `index` (0-based, `0..<count`).
    /// - Throws: when the frame cannot be rebuilt (e.g. the trace file changed or is corrupted).
    func frame(at index: Int) throws -> Frame
}

/// Frames already in memory (small storyboards and tests).
public final class FrameArraySource: FrameSource {
    public let frames: [Frame]
    public init(_ frames: [Frame]) { self.frames = frames }
    public var count: Int { frames.count }
    public func frame(at index: Int) throws -> Frame { frames[index] }
}
