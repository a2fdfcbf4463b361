// TerminalReplay — non-interactive output: every frame (or one) as plain text, separated by blank lines.
import Storyboard

/// Prints frames as text for pipes, files and `--plain`: no escape sequences (unless `mode` is
/// `.ansi`, which only `--plain` on a colour terminal asks for), frames separated by one blank line.
public struct PlainPrinter {
    public var mode: ColorMode
    /// Width limit (nil: none — grids are never clipped in files).
    public var columns: Int?

    public init(mode: ColorMode = .plain, columns: Int? = nil) { self.mode = mode; self.columns = columns }

    /// The text of one frame, ending in a newline.
    public func text(of frame: Frame) -> String {
        FrameView(columns: columns).screen(for: frame).render(mode) + "\n"
    }

    /// Writes the frames `range` (default: all) of `source` through `write`, one at a time; an error
    /// thrown by `write` stops the printing and is rethrown.
    /// - Complexity: O(one frame) memory beyond what the source keeps.
    public func print(_ source: FrameSource, range: Range<Int>? = nil, write: (String) throws -> Void) throws {
        let r = range ?? 0..<source.count
        for i in r {
            if i > r.lowerBound { try write("\n") }
            try write(text(of: try source.frame(at: i)))
        }
    }
}
