// CairoRender — errors as values: which Cairo / giflib call failed, on what, and why.

/// A drawing or encoding step failed.
public struct RenderError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
