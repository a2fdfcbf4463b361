// LessonBuilder — the picture views of lessons: the block's traced run → Storyboard frames → CairoRender files.
import CairoRender
import Engine
import Foundation
import Storyboard

/// Draws `animation` (GIF, one frame per output cell), `frames` (chosen SVG frames) and `final` (the
/// last frame as SVG) through Storyboard and CairoRender.
public struct StoryboardPictures: PictureMaker {
    /// Frame budget per block; lessons use small examples.
    public var maxFrames: Int

    public init(maxFrames: Int = 400) { self.maxFrames = maxFrames }

    public func draw(_ kind: ShowKind, outcome: BlockOutcome, block: LessonBlock, directory: String, stem: String) throws -> [DrawnPicture] {
        guard let problem = outcome.problem else { return [] }
        let options = StoryboardOptions(granularity: .cell, phase: problem.hasBackward ? .all : .forward,
                                        digits: 2, maxFrames: maxFrames)
        // The block's run is already recorded (`outcome.events`); the source describes it.
        let source = TraceSource(problem: problem, events: outcome.events)
        let renderer: FrameRenderer
        do {
            let frames = try Storyboard(source: source.storyboardSource, options: options).frames(streaming: source)
            renderer = try FrameRenderer(frames: frames, style: RenderStyle())
        } catch {
            throw LessonError(.evaluation, file: "", line: block.line, "cannot draw the \(kind.rawValue) view: \(error)")
        }
        let count = renderer.frames.count
        do {
            switch kind {
            case .animation:
                let name = stem + ".gif"
                try renderer.writeGIF(to: (directory as NSString).appendingPathComponent(name))
                return [DrawnPicture(file: name, frames: renderer.frames.map { $0.dump() })]
            case .final:
                let name = stem + ".svg"
                try FrameFiles.writeAtomically(renderer.svg(count - 1), to: (directory as NSString).appendingPathComponent(name))
                return [DrawnPicture(file: name, frames: [renderer.frames[count - 1].dump()])]
            case .frames:
                let chosen = block.frameNumbers ?? Array(Set([1, (count + 1) / 2, count])).sorted()
                var names: [DrawnPicture] = []
                for n in chosen where n >= 1 && n <= count {
                    let name = FrameFiles.frameName(n - 1, count: count, stem: stem) + ".svg"
                    try FrameFiles.writeAtomically(renderer.svg(n - 1), to: (directory as NSString).appendingPathComponent(name))
                    names.append(DrawnPicture(file: name, frames: [renderer.frames[n - 1].dump()]))
                }
                return names
            default:
                return []
            }
        } catch {
            throw LessonError(.io, file: "", line: block.line, "cannot write the \(kind.rawValue) view: \(error)")
        }
    }
}
