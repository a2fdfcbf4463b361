// LessonBuilder — the picture views of lessons: the block's traced run → Storyboard frames → CairoRender files.
import CairoRender
import Engine
import Foundation
import Storyboard

/// Draws `animation` (GIF, one frame per output cell), `frames` (chosen SVG frames) and `final` (one
/// still as SVG: the step that computes `cell:`, else the last) through Storyboard and CairoRender.
public struct StoryboardPictures: PictureMaker {
    /// Frame budget per block; lessons use small examples.
    public var maxFrames: Int

    public init(maxFrames: Int = 400) { self.maxFrames = maxFrames }

    /// The frames a block's pictures show (and the site's player of its animation): one per output cell
    /// or gradient entry, both passes when the block has a backward pass, narrowed by `frames_of:`.
    /// - Throws: `LessonError` with the block's line when the frames cannot be made or `frames_of:` selects none.
    /// - Parameter view: what the frames are for, in the message when they cannot be made (`animation`, `player`).
    public static func frames(block: LessonBlock, outcome: BlockOutcome, maxFrames: Int, view: String) throws -> [Frame] {
        guard let problem = outcome.problem else { return [] }
        let options = StoryboardOptions(granularity: .cell, phase: problem.hasBackward ? .all : .forward,
                                        digits: 2, maxFrames: maxFrames,
                                        transposedView: block.transposedView == "direct" ? .direct : .scatter)
        // The block's run is already recorded (`outcome.events`); the source describes it.
        let source = TraceSource(problem: problem, events: outcome.events)
        let all: [Frame]
        do {
            all = try Storyboard(source: source.storyboardSource, options: options).frames(streaming: source)
        } catch {
            throw LessonError(.evaluation, file: "", line: block.line, "cannot draw the \(view) view: \(error)")
        }
        return try PictureSelection.select(all, block: block, events: outcome.events)
    }

    public func draw(_ kind: ShowKind, outcome: BlockOutcome, block: LessonBlock, directory: String, stem: String) throws -> [DrawnPicture] {
        guard outcome.problem != nil else { return [] }
        if kind == .lossCurve { return try Self.lossCurve(outcome: outcome, block: block, directory: directory, stem: stem) }
        var frames = try Self.frames(block: block, outcome: outcome, maxFrames: maxFrames, view: kind.rawValue)
        if let numbers = block.frameNumbers, let bad = numbers.first(where: { $0 > frames.count }) {
            throw LessonError(.malformed, file: "", line: block.line,
                              "frames: \(bad) is past the last frame; this block draws \(frames.count) (1…\(frames.count))")
        }
        if kind == .animation, let numbers = block.frameNumbers {
            // A GIF of the chosen steps only; each keeps its number (`step 25 / 49`), so the skips show.
            frames = numbers.map { frames[$0 - 1] }
        }
        let renderer: FrameRenderer
        do {
            renderer = try FrameRenderer(frames: frames, style: RenderStyle())
        } catch {
            throw LessonError(.evaluation, file: "", line: block.line, "cannot draw the \(kind.rawValue) view: \(error)")
        }
        let count = renderer.frames.count
        let still = PictureSelection.stillIndex(renderer.frames, block: block, outcome: outcome)
        do {
            switch kind {
            case .animation:
                let name = stem + ".gif"
                try renderer.writeGIF(to: (directory as NSString).appendingPathComponent(name))
                let focus = block.cell == nil ? nil : still
                return [DrawnPicture(file: name, frames: renderer.frames.map { $0.dump() },
                                     alt: PictureSelection.animationAlt(renderer.frames, focus: focus, block: block))]
            case .final:
                let name = stem + ".svg"
                try FrameFiles.writeAtomically(renderer.svg(still), to: (directory as NSString).appendingPathComponent(name))
                return [DrawnPicture(file: name, frames: [renderer.frames[still].dump()],
                                     alt: PictureSelection.stillAlt(renderer.frames[still], block: block))]
            case .frames:
                let chosen = block.frameNumbers ?? Array(Set([1, (count + 1) / 2, count])).sorted()
                var names: [DrawnPicture] = []
                for n in chosen {
                    let name = FrameFiles.frameName(n - 1, count: count, stem: stem) + ".svg"
                    try FrameFiles.writeAtomically(renderer.svg(n - 1), to: (directory as NSString).appendingPathComponent(name))
                    names.append(DrawnPicture(file: name, frames: [renderer.frames[n - 1].dump()],
                                              alt: PictureSelection.stillAlt(renderer.frames[n - 1], block: block)))
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

extension StoryboardPictures {
    /// The `loss_curve` view: the loss of each training step of the block's traced run, as one SVG plot.
    /// - Throws: `LessonError` when the block does not train or the file cannot be written.
    static func lossCurve(outcome: BlockOutcome, block: LessonBlock, directory: String, stem: String) throws -> [DrawnPicture] {
        // The losses the block's training run reported (no trace needed: a training trace can be long).
        let curve = LossCurve(losses: outcome.values["losses"]?.flattened ?? [], isTraining: outcome.problem?.training != nil)
        guard curve.isTraining, !curve.losses.isEmpty else {
            throw LessonError(.malformed, file: "", line: block.line, "show: loss_curve needs a network with train: (docs/spec-format.md)")
        }
        let name = stem + ".svg"
        do {
            try FrameFiles.writeAtomically(LossCurvePainter(curve: curve).svg(), to: (directory as NSString).appendingPathComponent(name))
        } catch {
            throw LessonError(.io, file: "", line: block.line, "cannot write the loss_curve view: \(error)")
        }
        let format = ValueFormat(digits: 4)
        let description = "loss curve: \(curve.losses.count) steps: " + curve.losses.map { format.text($0) }.joined(separator: ", ")
        let alt = "The training loss of each of the \(curve.losses.count) steps, from \(String(format: "%.4g", curve.losses[0])) at step 1 "
            + "to \(String(format: "%.4g", curve.losses[curve.losses.count - 1])) at step \(curve.losses.count)."
        return [DrawnPicture(file: name, frames: [description], alt: alt)]
    }
}
