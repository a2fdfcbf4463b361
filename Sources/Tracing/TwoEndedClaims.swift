// Tracing — TwoEndedClaims: work items shared by two threads, one taking from the front, one from the back.
import Dispatch

/// Items `first..<end` of a batch (chunks of events to encode, blocks to decode), claimed one at a time
/// by the caller from the front and a worker from the back until they meet. Whichever core is less busy
/// does more, and each item is done once. Used by the version 2 writer and reader.
final class TwoEndedClaims: @unchecked Sendable {
    /// Items `front..<back` are unclaimed.
    private var front: Int, back: Int
    private let lock = DispatchQueue(label: "convtrace.two-ended-claims")

    init(_ items: Range<Int>) { front = items.lowerBound; back = items.upperBound }

    /// The first unclaimed item, or nil when none is left.
    func claimFront() -> Int? { lock.sync { front < back ? { front += 1; return front - 1 }() : nil } }
    /// The last unclaimed item, or nil when none is left.
    func claimBack() -> Int? { lock.sync { front < back ? { back -= 1; return back }() : nil } }
}
