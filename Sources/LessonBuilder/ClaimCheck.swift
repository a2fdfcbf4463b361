// LessonBuilder — one claim compared with what the engine computes.

/// The verdict on one claim.
public struct ClaimCheck: Sendable {
    public var file: String
    /// The block the claim sits in.
    public var block: LessonBlock
    public var claim: Claim
    /// What the engine computes for the claimed entry (nil when the quantity does not exist).
    public var computed: NumberTree?
    /// The computed value written the way the claim is written (`29x29x2` for a `15x15x2` claim).
    public var computedText: String
    /// Empty when the claim holds; else one line per difference (`output[1][2]: claimed 17, engine computes 16`).
    public var differences: [String]

    public var holds: Bool { differences.isEmpty }

    /// `FILE:LINE: …` lines, one per difference (LINE = the block's opening fence; in a notebook
    /// `FILE: cell N, line L: …`).
    public var messages: [String] {
        differences.map { "\(block.place(in: file)): \($0)" }
    }
}
