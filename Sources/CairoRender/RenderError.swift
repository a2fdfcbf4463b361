// CairoRender — errors as values: which Cairo / giflib call failed, on what, and why.

/// A drawing or encoding step failed.
/// Messages name no command-line flag; `reason` carries the facts for a command to word its advice.
public struct RenderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, as facts.
    public enum Reason: Equatable, Sendable {
        case other
        /// A picture would be larger than Cairo's 32767 pixels per side.
        case imageTooLarge(width: Int, height: Int)
    }
    public var message: String
    public var reason: Reason
    public init(_ message: String, reason: Reason = .other) { self.message = message; self.reason = reason }
    public var description: String { message }
}
