// LessonBuilder — which frames a block's pictures show, and the words that say what they show.
import Engine
import Storyboard

/// Chooses a block's frames (`frames_of:`), its still (`cell:`), and writes the alt text of its pictures
/// from the frames themselves.
public enum PictureSelection {
    /// Trace steps of the events that compute `quantity` (`output`, `grad_input`, `grad_kernel`,
    /// `grad_weight`, `grad_bias`, optionally `layerN.`; without a layer, every layer's).
    static func steps(of quantity: String, events: [TraceEvent]) -> Set<Int> {
        var name = Substring(quantity)
        var layer: Int?
        if name.hasPrefix("layer"), let dot = name.firstIndex(of: ".") {
            layer = Int(name[name.index(name.startIndex, offsetBy: 5)..<dot])
            name = name[name.index(after: dot)...]
        }
        let picked = events.filter { e in
            guard layer.map({ $0 == e.layer }) ?? true else { return false }
            switch name {
            case "output": return e.phase == .forward
            case "grad_input": return e.phase == .backward && e.kind == .grad && e.target == .input
            case "grad_kernel", "grad_weight": return e.phase == .backward && e.kind == .grad && e.target == .kernel
            case "grad_bias": return e.phase == .backward && e.kind == .grad && e.target == .bias
            default: return false
            }
        }
        return Set(picked.map { Int($0.step) })
    }

    /// Whether `frame` draws one of `steps`.
    static func draws(_ frame: Frame, _ steps: Set<Int>) -> Bool {
        guard let range = frame.traceSteps else { return false }
        return range.contains { steps.contains($0) }
    }

    /// The frames a block's pictures show: those of `frames_of:` (renumbered 1…n), else all.
    /// - Parameters:
    ///   - frames: the storyboard's frames of the block's run, in order.
    ///   - block: the block (`frames_of:`).
    ///   - events: the block's traced events.
    /// - Throws: `LessonError` when `frames_of:` selects no frame.
    public static func select(_ frames: [Frame], block: LessonBlock, events: [TraceEvent]) throws -> [Frame] {
        guard let quantity = block.framesOf else { return frames }
        let steps = steps(of: quantity, events: events)
        var kept = frames.filter { draws($0, steps) }
        guard !kept.isEmpty else {
            throw LessonError(.malformed, file: "", line: block.line,
                              "frames_of: `\(quantity)`: no frame of this block computes it")
        }
        for i in kept.indices { kept[i].index = i; kept[i].count = kept.count }
        return kept
    }

    /// The still a `final` view shows: the frame that computes `cell:` (of equals, the last), else the last frame.
    static func stillIndex(_ frames: [Frame], block: LessonBlock, outcome: BlockOutcome) -> Int {
        let last = frames.count - 1
        guard let cell = block.cell, let terms = LessonViews.terms(of: cell, outcome: outcome)?.events,
              !terms.isEmpty else { return last }
        // The frame whose steps hold most of the cell's terms; of those, the narrowest. A scene whose frames
        // interleave (the direct view of a transposed convolution spans each output cell from its first
        // scatter term to its final write) still lands on the cell's own frame, not a later one that merely
        // spans one of its steps.
        let steps = terms.map { Int($0.step) }
        var best: (index: Int, count: Int, width: Int)?
        for (i, frame) in frames.enumerated() {
            guard let range = frame.traceSteps else { continue }
            let count = steps.filter { range.contains($0) }.count
            guard count > 0 else { continue }
            let width = range.upperBound - range.lowerBound
            if let b = best, count < b.count || (count == b.count && width > b.width) { continue }
            best = (i, count, width)
        }
        return best?.index ?? last
    }

    /// What a frame computes, e.g. `y[0,4] = 24`; nil without an equation.
    static func computes(_ frame: Frame) -> String? {
        guard let eq = frame.equation, !eq.resultText.isEmpty else { return nil }
        return "\(eq.target.label) = \(eq.resultText)"
    }

    /// Alt text of an animation: what it is, how many steps, and what its first, chosen and last steps compute.
    static func animationAlt(_ frames: [Frame], focus: Int?, block: LessonBlock) -> String {
        guard let first = frames.first else { return "an empty animation" }
        let total = first.count
        var parts = [frames.count == total ? "\(first.title), \(total) step\(total == 1 ? "" : "s")"
                                           : "\(first.title), \(frames.count) of its \(total) steps"]
        var shown: [Int] = [0]
        if let focus, focus > 0, focus < frames.count - 1 { shown.append(focus) }
        if frames.count > 1 { shown.append(frames.count - 1) }
        let steps = shown.compactMap { i -> String? in
            if let c = computes(frames[i]) { return "step \(frames[i].index + 1) computes \(c)" }
            // A frame without an equation (a transposed convolution's scatter) says what it does in its caption.
            let said = frames[i].caption.components(separatedBy: ", ").first?.trimmingCharacters(in: .whitespaces) ?? ""
            return said.isEmpty ? nil : "step \(frames[i].index + 1): \(said)"
        }
        if !steps.isEmpty { parts.append(steps.joined(separator: ", ")) }
        return prefixed(parts.joined(separator: "; "), block: block)
    }

    /// Alt text of a still: what it is, which step, what it computes, and its caption.
    static func stillAlt(_ frame: Frame, block: LessonBlock) -> String {
        var text = "\(frame.title), step \(frame.index + 1) of \(frame.count)"
        if let c = computes(frame) { text += ": " + c }
        if !frame.caption.isEmpty { text += ". " + frame.caption }
        return prefixed(text, block: block)
    }

    static func prefixed(_ text: String, block: LessonBlock) -> String {
        block.title.map { "\($0): \(text)" } ?? text
    }

    /// `text` safe inside Markdown image brackets: brackets, emphasis marks and backslashes escaped.
    public static func escapedAlt(_ text: String) -> String {
        var out = ""
        for ch in text {
            if "\\[]*_`<>".contains(ch) { out.append("\\") }
            out.append(ch == "\n" ? " " : ch)
        }
        return out
    }
}
