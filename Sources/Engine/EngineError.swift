// Engine — errors as values: what was wrong, where, and what would be valid.

/// A problem the engine refuses to compute, with a message a person can act on.
public struct EngineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full human-readable message: what was wrong and what would be valid.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
