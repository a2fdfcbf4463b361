// Storyboard — the one way to open what a view draws from: a spec (run by the engine) or a trace file, streamed.
import JSONText
import Engine
import Foundation
import Specs
import Tracing

/// A spec or a trace file, opened: its header (what `StoryboardSource` needs) and its events as a
/// stream that can be started again from any position it reported.
///
/// ```swift
/// let source = try TraceSource.open(path: "examples/lenet5.yaml")   // or "t.jsonl", "t.ctb"
/// try source.forEach { event in stats.add(event) }
/// ```
/// A spec is parsed when opened and run by the engine each time it is streamed (the engine is
/// deterministic, so every run yields the same events); a trace file is read with `TraceReader`,
/// kept open and seeked. Nothing is written to disk, and no event is kept: memory does not grow with
/// the length of the trace.
public final class TraceSource: ReplayableEvents {
    /// Where the events come from.
    public enum Origin {
        /// A spec, run by the engine.
        case spec(Problem)
        /// A trace file in this encoding.
        case trace(TraceEncoding)
        /// Events already in memory (tests, callers that recorded a run).
        case events([TraceEvent])
    }

    /// The path as given (for messages).
    public let path: String
    public let origin: Origin
    /// The trace header: spec, network, input, gradient seed.
    public let header: TraceHeader
    /// The header as JSON, exactly as a trace file stores it (copied unchanged by conversions).
    public let headerJSON: JSONValue
    /// What the storyboard draws from; built here and nowhere else.
    public let storyboardSource: StoryboardSource
    /// The position before the first event.
    public let start: TracePosition
    /// The open reader of a trace file, reused by every stream (seeked to where each starts).
    private let reader: TraceReader?
    /// Checks each event read from a file against the header, so views can trust its indices.
    private let validator: TraceEventValidator

    /// Opens `path`: a trace file (JSON Lines or binary, by extension or by the binary magic) or a spec
    /// (YAML/JSON, `-` for standard input). Pipes and devices are read as specs: peeking at them
    /// would lose the bytes read.
    /// - Throws: `SpecError` for a bad spec, `TraceError` for an unreadable trace.
    public static func open(path: String) throws -> TraceSource {
        if isTraceFile(path) { return try openTrace(path: path) }
        return TraceSource(problem: try SpecDocument.load(path: path))
    }

    /// Opens `path` as a trace file whatever its name (for commands that take only traces).
    /// - Throws: `TraceError` when it is not a readable trace.
    public static func openTrace(path: String) throws -> TraceSource {
        let reader = try TraceReader(path: path)
        try checkSizes(reader.header, path: path)
        return TraceSource(path: path, origin: .trace(reader.encoding), header: reader.header,
                           headerJSON: reader.headerJSON, inputRank: nil, reader: reader)
    }

    /// Refuses a trace whose header declares a tensor larger than `ResourceLimits.current.elements`
    /// (a corrupted or hand-edited header), before any view allocates grids for it.
    /// Also refuses a header whose stored layer shapes are not the ones its layers' parameters give (the
    /// views size grids from both), and a padded input above the limit.
    static func checkSizes(_ header: TraceHeader, path: String) throws {
        let limit = ResourceLimits.current.elements
        func count(_ shape: [Int]) -> Int? {
            var total = 1
            for d in shape {
                guard d >= 0 else { return nil }
                let (p, o) = total.multipliedReportingOverflow(by: d)
                if o { return nil }
                total = p
            }
            return total
        }
        let rebuilt = TraceHeader(spec: header.spec, network: header.network, input: header.input, gradOutput: header.gradOutput)
        for (i, (stored, derived)) in zip(header.layerShapes, rebuilt.layerShapes).enumerated() where stored != derived {
            func text(_ s: LayerShape?) -> String {
                s.map { "input \($0.input.map(String.init).joined(separator: "×")), output \($0.output.map(String.init).joined(separator: "×"))" } ?? "no shape"
            }
            throw TraceError(file: path, message: "corrupted header: layer \(i) (\(header.opName(ofLayer: i))) stores \(text(stored)) "
                + "but its parameters give \(text(derived))")
        }
        for (i, layer) in header.network.layers.enumerated() {
            guard let shape = header.layerShapes[i]?.input, shape.count == 4,
                  let sizes = try? layer.descriptor.sizes(layer, shape) else { continue }
            let padded = [shape[0], shape[1], sizes.height.input + sizes.height.totalPadding, sizes.width.input + sizes.width.totalPadding]
            if let n = count(padded), n <= limit { continue }
            throw TraceError(file: path, message: "the header's layer \(i) (\(header.opName(ofLayer: i))) pads its input to "
                + "\(padded.map(String.init).joined(separator: "×")), more than the \(limit) elements allowed "
                + "(raise the limit with --max-elements)")
        }
        for (i, shapes) in header.layerShapes.enumerated() {
            for shape in [shapes?.input, shapes?.output].compactMap({ $0 }) {
                if let n = count(shape), n <= limit { continue }
                throw TraceError(file: path, message: "the header's layer \(i) (\(header.opName(ofLayer: i))) has a tensor of "
                    + "shape \(shape.map(String.init).joined(separator: "×")), more than the \(limit) elements allowed "
                    + "(raise the limit with --max-elements)")
            }
        }
    }

    /// A parsed spec as a source: streaming runs the engine.
    public convenience init(problem: Problem) {
        let header = problem.traceHeader()
        self.init(path: problem.file, origin: .spec(problem), header: header, headerJSON: header.toJSON(),
                  inputRank: problem.givenInputRank, reader: nil)
    }

    /// A spec's run already recorded, as a source (streams the recorded events, not the engine).
    public convenience init(problem: Problem, events: [TraceEvent]) {
        let header = problem.traceHeader()
        self.init(path: problem.file, origin: .events(events), header: header, headerJSON: header.toJSON(),
                  inputRank: problem.givenInputRank, reader: nil)
    }

    /// Events in memory as a source (`header` describes them).
    public convenience init(header: TraceHeader, events: [TraceEvent], inputRank: Int? = nil, path: String = "<memory>") {
        self.init(path: path, origin: .events(events), header: header, headerJSON: header.toJSON(),
                  inputRank: inputRank, reader: nil)
    }

    private init(path: String, origin: Origin, header: TraceHeader, headerJSON: JSONValue, inputRank: Int?,
                 reader: TraceReader?) {
        self.path = path; self.origin = origin; self.header = header; self.headerJSON = headerJSON
        self.reader = reader
        validator = TraceEventValidator(header: header)
        start = reader?.position ?? TracePosition(offset: 0, events: 0, line: 0)
        storyboardSource = StoryboardSource(network: header.network, input: header.input, gradOutput: header.gradOutput,
                                            inputRank: inputRank)
    }

    /// Whether `path` names a trace file: by its extension, or a regular file starting with the binary magic.
    public static func isTraceFile(_ path: String) -> Bool {
        if path == "-" { return false }
        if TraceEncoding.fromExtension(of: path) != nil { return true }
        guard (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeRegular,
              let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: BinaryTraceLayout.magic.count)) == Data(BinaryTraceLayout.magic)
    }

    /// Streams the events from `position` (nil: the first) in order into `body`, with the position
    /// after each, until `body` returns false or the trace ends.
    ///
    /// A spec is run by the engine from its start each time (the events before `position` are
    /// dropped as they come, and those after a `false` too, so stopping early saves the views'
    /// work, not the engine's); a trace file is seeked to `position` and read only as far as needed.
    /// - Throws: `SpecError` when the engine refuses the spec, `TraceError` for a damaged trace file.
    /// - Complexity: O(events before the stop) for a file; O(all events) of engine work for a spec.
    public func stream(from position: TracePosition? = nil, _ body: (TraceEvent, TracePosition) -> Bool) throws {
        switch origin {
        case .trace:
            guard let reader else { return }
            let target = position ?? start
            if reader.position != target { try reader.seek(to: target) }
            var e = TraceEvent(kind: .mac)
            while try reader.next(into: &e) {
                if let problem = validator.problem(with: e, index: reader.eventsRead - 1) {
                    let place = reader.encoding == .jsonl
                        ? "\(reader.position.line)" : " event \(reader.eventsRead - 1) (before byte \(reader.position.offset))"
                    throw TraceError(file: path, location: place, message: "corrupted event: " + problem)
                }
                if !body(e, reader.position) { return }
            }
        case .spec(let problem):
            let skip = position?.events ?? 0
            try withoutActuallyEscaping(body) { body in
                var tracer = Tracer(sink: ForwardingSink(skip: skip, body: body))
                _ = try problem.run(tracer: &tracer)
            }
        case .events(let events):
            var i = position?.events ?? 0
            while i < events.count {
                let e = events[i]
                i += 1
                if !body(e, TracePosition(offset: i, events: i, line: 0)) { return }
            }
        }
    }

    /// The encoding's name for a trace file (`jsonl`, `binary`), `spec` for a spec, `memory` for events in memory.
    public var originName: String {
        switch origin {
        case .spec: "spec"
        case .trace(let encoding): encoding.rawValue
        case .events: "memory"
        }
    }

    /// True for a trace file (a stream can start anywhere at the cost of a seek); false for a spec
    /// (every stream runs the engine from the start).
    public var resumesCheaply: Bool {
        if case .spec = origin { return false }
        return true
    }

    /// Calls `body` for every event, in order.
    public func forEach(_ body: (TraceEvent) -> Void) throws {
        try stream { e, _ in body(e); return true }
    }

    /// Calls `body` for every event of a layer in `layers`, in order (nil: every event).
    ///
    /// A version 2 binary file is read through its block index: only the blocks of those layers are
    /// decoded (and checked); the others are never read. Other sources stream every event and drop the
    /// rest. Either way `body` sees the same events.
    /// - Throws: as `stream`; `TraceError` when the index disagrees with a block it points at.
    /// - Complexity: O(events of `layers`) for a version 2 file; O(all events) otherwise.
    public func forEach(layers: Set<Int>?, _ body: (TraceEvent) -> Void) throws {
        guard let layers else { return try forEach(body) }
        guard case .trace = origin, let reader, let blocks = try reader.blocks() else {
            return try forEach { e in if layers.contains(e.layer) { body(e) } }
        }
        for block in blocks where layers.contains(block.layer) {
            if reader.position != block.position { try reader.seek(to: block.position) }
            var e = TraceEvent(kind: .mac)
            for k in 0..<block.count {
                guard try reader.next(into: &e) else {
                    throw TraceError(file: path, message: "corrupted block index: the block at byte \(block.position.offset) "
                        + "ends after \(k) of the \(block.count) events the index lists")
                }
                if e.layer != block.layer || e.phase != block.phase || e.step != block.firstStep + k {
                    throw TraceError(file: path, message: "corrupted block index: event \(k) of the block at byte "
                        + "\(block.position.offset) is step \(e.step) of layer \(e.layer) (\(e.phase)), the index says step "
                        + "\(block.firstStep + k) of layer \(block.layer) (\(block.phase))")
                }
                if let problem = validator.problem(with: e, index: reader.eventsRead - 1) {
                    throw TraceError(file: path, location: " event \(reader.eventsRead - 1) (block at byte \(block.position.offset))",
                                     message: "corrupted event: " + problem)
                }
                body(e)
            }
        }
    }

    /// Writes the trace to `destination` in `encoding` (atomically: a temporary name renamed into
    /// place when complete) and returns the number of events. The header JSON is copied as stored, so
    /// JSON Lines → binary → JSON Lines gives back the same bytes.
    /// - Throws: the source's own errors as they are (bad input), and `OutputFailure` when the
    ///   destination cannot be written; no destination file is left behind either way.
    @discardableResult
    public func write(to destination: String, encoding: TraceEncoding) throws -> Int {
        switch encoding {
        case .jsonl: return try write(into: { try JSONLWriter(path: destination, headerJSON: headerJSON) })
        // Binary traces are written in the compact version 2 (docs/trace-format.md); readers read both.
        case .binary: return try write(into: { try CompactBinaryWriter(path: destination, headerJSON: headerJSON) })
        }
    }

    private func write<W: TraceWriting>(into make: () throws -> W) throws -> Int {
        var writer: W
        do { writer = try make() } catch { throw OutputFailure(error) }
        do {
            try forEach { writer.record($0) }
        } catch {
            writer.cancel()
            throw error
        }
        do { try writer.finish() } catch { writer.cancel(); throw OutputFailure(error) }
        return writer.eventCount
    }
}

/// Events that can be streamed again from any position they reported: what the terminal player
/// steps through (`TraceSource`; tests wrap one to count what is read).
public protocol ReplayableEvents: AnyObject {
    /// The position before the first event.
    var start: TracePosition { get }
    /// Whether starting mid-way is cheap (a seek) rather than a replay from the start.
    var resumesCheaply: Bool { get }
    /// Streams the events from `position` (nil: the first) into `body`, with the position after each,
    /// until `body` returns false or the events end.
    func stream(from position: TracePosition?, _ body: (TraceEvent, TracePosition) -> Bool) throws
}

/// Hands the engine's events to a closure, dropping the first `skip` and everything after the
/// closure returns false.
struct ForwardingSink: TraceSink {
    var skip: Int
    let body: (TraceEvent, TracePosition) -> Bool
    var seen = 0
    var stopped = false

    init(skip: Int, body: @escaping (TraceEvent, TracePosition) -> Bool) { self.skip = skip; self.body = body }

    static var isRecording: Bool { true }

    mutating func record(_ event: TraceEvent) {
        seen += 1
        guard !stopped, seen > skip else { return }
        if !body(event, TracePosition(offset: seen, events: seen, line: 0)) { stopped = true }
    }
}

/// An output file could not be written (as opposed to the input being bad): the CLI exits 1.
public struct OutputFailure: Error, CustomStringConvertible {
    /// The writer's own error (it names the file).
    public var underlying: any Error
    public init(_ underlying: any Error) { self.underlying = underlying }
    public var description: String { "\(underlying)" }
}
