// Tracing — CompactBatchDecoder: decodes whole version 2 blocks straight into the caller's events, on two cores.
import Dispatch
import Engine

/// A whole block of a version 2 file in the reader's buffer, and where its events go.
struct CompactPendingBlock {
    let header: CompactBlockHeader
    let phase: Phase
    /// The block's events (`header.payload` bytes, after the block header).
    let payload: UnsafePointer<UInt8>
    /// The file offset of the block header (for messages).
    let fileOffset: Int
    /// Where the block's first event goes, counted from the batch's first.
    let firstEvent: Int
}

/// Decodes a batch of whole blocks into one array of events. Every block starts from a fresh prediction
/// state, so blocks decode independently: the caller takes blocks from the front and a worker from the
/// back (`TwoEndedClaims`), each with a decoder of its own, each writing its blocks' events where they
/// belong. The result is the same events, in the same places, as decoding one block after another.
///
/// Why two cores here and not in `TraceReader.next(into:)`: handing single decoded events from one core
/// to another cost as much as decoding them (measured: a read-ahead worker and an index-fed worker were
/// both slower than one core). Here nothing is handed over: each core writes its events where the caller
/// wants them.
/// - Complexity: two block decoders (each 0.5 MB of value cache; the worker's made on first use).
final class CompactBatchDecoder {
    /// Fewer events than this are decoded by the caller alone (waking the worker costs more).
    static let splitMinimum = 2 * CompactTraceLayout.blockEvents

    private let caller: CompactBlockDecoder
    private lazy var helper = CompactBlockDecoder()
    private lazy var worker = DispatchQueue(label: "convtrace.v2-decoder")

    /// - Parameter caller: the decoder the caller's thread uses (the reader's own).
    init(caller: CompactBlockDecoder) { self.caller = caller }

    /// Decodes `blocks` (`events` events in all) into `out[0..<events]`.
    /// - Returns: nil, or the first block in file order that does not decode and why.
    func decode(_ blocks: [CompactPendingBlock], events: Int,
                into out: UnsafeMutablePointer<TraceEvent>) -> (block: Int, failure: CompactBlockFailure)? {
        guard blocks.count >= 2, events >= Self.splitMinimum else {
            var next = 0
            return Self.decode(blocks, claim: { next < blocks.count ? { next += 1; return next - 1 }() : nil },
                               with: caller, into: out)
        }
        let claims = TwoEndedClaims(0..<blocks.count)
        let done = DispatchSemaphore(value: 0)
        let job = CompactBatchDecodeJob(blocks: blocks, claims: claims, decoder: helper, out: out)
        worker.async { job.run(); done.signal() }
        let mine = Self.decode(blocks, claim: claims.claimFront, with: caller, into: out)
        done.wait()
        switch (mine, job.failure) {
        case let (m?, w?): return m.block < w.block ? m : w
        case let (m, w): return m ?? w
        }
    }

    /// Decodes the blocks `claim` hands out with `decoder`: the first failure in file order among them, or nil.
    fileprivate static func decode(_ blocks: [CompactPendingBlock], claim: () -> Int?,
                                   with decoder: CompactBlockDecoder,
                                   into out: UnsafeMutablePointer<TraceEvent>) -> (block: Int, failure: CompactBlockFailure)? {
        var first: (block: Int, failure: CompactBlockFailure)?
        while let k = claim() {
            let b = blocks[k]
            do {
                try decoder.decodeBlock(UnsafeBufferPointer(start: b.payload, count: b.header.payload), count: b.header.count,
                                        firstStep: b.header.firstStep, layer: b.header.layer, phase: b.phase,
                                        into: out + b.firstEvent)
            } catch {
                if first.map({ k < $0.block }) ?? true { first = (k, error) }
            }
        }
        return first
    }
}

/// The worker's half of a batch: blocks from the back. It touches `failure` until its semaphore is
/// signalled; then the caller reads it.
private final class CompactBatchDecodeJob: @unchecked Sendable {
    let blocks: [CompactPendingBlock]
    let claims: TwoEndedClaims
    let decoder: CompactBlockDecoder
    let out: UnsafeMutablePointer<TraceEvent>
    var failure: (block: Int, failure: CompactBlockFailure)?

    init(blocks: [CompactPendingBlock], claims: TwoEndedClaims, decoder: CompactBlockDecoder, out: UnsafeMutablePointer<TraceEvent>) {
        self.blocks = blocks; self.claims = claims; self.decoder = decoder; self.out = out
    }

    func run() {
        failure = CompactBatchDecoder.decode(blocks, claim: claims.claimBack,
                                             with: decoder, into: out)
    }
}
