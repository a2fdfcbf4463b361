// Storyboard — how long each frame of an animation stays on screen: in proportion to what it adds.

/// Display times for a sequence of frames, shared by every view that plays them (GIF, HTML player).
///
/// A frame that writes a whole cell adds every term of its equation at once; a step frame adds one term.
/// Each term beyond the first adds an eighth of the base time, up to three times the base (a 3×3 window:
/// twice the base), and the last frame (the finished picture) stays at least `lastHold`.
public enum FramePacing {
    /// The last frame stays on screen at least this long, in hundredths of a second.
    public static let lastHold = 300

    /// How many terms `frame` adds: the current term at step granularity, else every term (1 without an equation).
    public static func changedTerms(_ frame: Frame) -> Int {
        guard let eq = frame.equation, !eq.terms.isEmpty else { return 1 }
        let current = eq.terms.filter { $0.state == .current }.count
        return current > 0 ? current : eq.terms.count
    }

    /// The delay of every frame, in hundredths of a second.
    /// - Parameters:
    ///   - frames: the frames in display order.
    ///   - base: the delay of a frame that adds one term (≥ 2).
    /// - Returns: one delay per frame: `base + base·(terms − 1)/8`, at most `3·base`; the last at least `lastHold`.
    public static func delays(_ frames: [Frame], base: Int) -> [Int] {
        let base = max(2, base)
        var out = frames.map { f in min(3 * base, base + base * (changedTerms(f) - 1) / 8) }
        if let last = out.indices.last { out[last] = max(out[last], lastHold) }
        return out
    }
}
