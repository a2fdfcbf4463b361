// TerminalReplay — frames of a training trace with the loss of every step so far as a note.
import Storyboard

/// Wraps a frame source of a training trace: each frame gets one more note, "training step t of T ·
/// loss by step 1: … · t: …" (the losses up to the step the frame belongs to), so the player and
/// `--plain` show the loss going down as the replay advances.
public final class LossNotedFrames: FrameSource {
    public let base: FrameSource
    public let curve: LossCurve
    public let format: ValueFormat

    public init(_ base: FrameSource, curve: LossCurve, format: ValueFormat = ValueFormat(digits: 4)) {
        self.base = base; self.curve = curve; self.format = format
    }

    public var count: Int { base.count }

    public func frame(at index: Int) throws -> Frame {
        var frame = try base.frame(at: index)
        let t = curve.trainingStep(ofEvent: frame.traceSteps?.lowerBound ?? 0)
        frame.notes.append("training step \(t) of \(curve.losses.count) · " + curve.summary(format: format, through: t))
        return frame
    }
}
