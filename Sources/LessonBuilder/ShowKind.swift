// LessonBuilder — what a built lesson shows in place of a ```convtrace block.

/// One view a block can ask for with `show:`.
public enum ShowKind: String, CaseIterable, Sendable {
    /// An animated GIF, one frame per output cell.
    case animation
    /// A strip of chosen SVG frames.
    case frames
    /// One SVG of the finished result.
    case final
    /// A Markdown table of every term of one output cell or gradient entry (`cell:` chooses it).
    case table
    /// The LaTeX sum of that cell with the numbers in.
    case equation
    /// The output-size formula with the numbers substituted, per layer.
    case shape
    /// A short excerpt of the JSON Lines trace.
    case trace
    /// The spec itself, as a reader would type it (without the lesson keys).
    case spec
    /// The computed tensors (output and gradients) as Markdown grids.
    case result
    /// What the block computed with: input, kernel or weights, bias, dY as grids, and the flags that matter.
    case operands
    /// A training block (`train:`): the loss of each step as a plot (SVG, labelled axes).
    case lossCurve = "loss_curve"
}
