// convtrace (CLI) — `convtrace bench`: binary encoding version 2 (size, write, read, seek) and render memory.
import JSONText
import Engine
import Foundation
import Tracing

extension BenchWorkload {
    /// LeNet-5 forward + backward in binary encoding version 2: bytes per event (the whole file), events
    /// written and read per second, and the time to open the file and jump to its last step.
    static let traceV2 = BenchWorkload(name: "trace_v2") { context in
        let path = context.folder + "/lenet-v2.ctb"
        let streamedRate = try BenchTraceV2.writeEventByEvent(context, to: path)
        let (bytesPerEvent, writeRate) = try BenchTraceV2.write(context, to: path)
        let readRate = try BenchTraceV2.read(context, path)
        let streamedReadRate = try BenchTraceV2.readEventByEvent(context, path)
        let seek = try BenchTraceV2.seekToLast(context, path, events: context.lenetEvents)
        let rss = try BenchTraceV2.renderPeakRSS(context)
        // The same render from the v2 file: only the blocks of layers 0 and 1 are decoded (the block index).
        let fromTrace = try BenchTraceV2.render(context, source: path)
        try? FileManager.default.removeItem(atPath: path)
        return .object([
            ("events", .int(context.lenetEvents.count)),
            ("binary_bytes_per_event", rounded(bytesPerEvent, 2)),
            ("binary_v2_events_per_s", rounded(writeRate, 0)),
            ("binary_v2_event_by_event_per_s", rounded(streamedRate, 0)),
            ("read_v2_events_per_s", rounded(readRate, 0)),
            ("read_v2_event_by_event_per_s", rounded(streamedReadRate, 0)),
            ("seek_to_last_ms", rounded(seek * 1000, 3)),
            ("render_from_spec_peak_rss_mb", rss),
            ("render_from_trace_peak_rss_mb", fromTrace?.rss ?? .null),
            ("render_from_trace_ms", fromTrace?.ms ?? .null),
        ])
    }
}

/// The measurements of `trace_v2`, one function each.
enum BenchTraceV2 {
    /// Writes the LeNet events (in memory) with `CompactBinaryWriter`, handed over at once as `trace
    /// --convert` hands them (`record(contentsOf:)`, two cores): (file bytes per event, events per second).
    static func write(_ context: BenchContext, to path: String) throws -> (Double, Double) {
        let rate = try writeRate(context, to: path) { w, events in events.withUnsafeBufferPointer { w.record(contentsOf: $0) } }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? -1
        return (Double(size) / Double(context.lenetEvents.count), rate)
    }

    /// The same events recorded one at a time, as the engine's tracer hands them over: events per second.
    static func writeEventByEvent(_ context: BenchContext, to path: String) throws -> Double {
        try writeRate(context, to: path) { w, events in for e in events { w.record(e) } }
    }

    /// Events per second writing the LeNet events to `path` as `feed` hands them over. Each run writes a
    /// new file: the previous run's is removed before the clock starts (replacing it made the kernel free
    /// its 8.6 MB inside the timed `rename`, 3 ms on this machine's disk).
    private static func writeRate(_ context: BenchContext, to path: String,
                                  feed: (CompactBinaryWriter, [TraceEvent]) -> Void) throws -> Double {
        let events = context.lenetEvents
        let header = context.lenet.header
        let seconds = try context.medianSeconds(setUp: { try? FileManager.default.removeItem(atPath: path) }) {
            let w = try CompactBinaryWriter(path: path, header: header)
            feed(w, events)
            try w.finish()
        }
        return Double(events.count) / seconds
    }

    /// Reads every event of `path` into memory 2¹⁷ at a time (`read(into:)`, two cores), as `trace
    /// --convert` reads: the counterpart of `write`. Events per second, opening the file included.
    static func read(_ context: BenchContext, _ path: String) throws -> Double {
        var batch = [TraceEvent](repeating: TraceEvent(kind: .mac), count: 1 << 17)
        return try readRate(context, path) { r in
            try batch.withUnsafeMutableBufferPointer { b in
                var count = 0
                while case let n = try r.read(into: b), n > 0 { count += n }
                return count
            }
        }
    }

    /// Streams every event of `path` into one reused event (`next(into:)`, as `TraceSource` does): the
    /// counterpart of `writeEventByEvent`. Events per second, opening the file included.
    static func readEventByEvent(_ context: BenchContext, _ path: String) throws -> Double {
        try readRate(context, path) { r in
            var count = 0
            var e = TraceEvent(kind: .mac)
            while try r.next(into: &e) { count += 1 }
            return count
        }
    }

    /// Events per second opening `path` and reading it through as `drain` does (which returns the count).
    private static func readRate(_ context: BenchContext, _ path: String, drain: (TraceReader) throws -> Int) throws -> Double {
        var count = 0
        let seconds = try context.medianSeconds { count = try drain(TraceReader(path: path)) }
        return Double(count) / seconds
    }

    /// Opens `path`, seeks to the last step through the block index and decodes that event: seconds.
    static func seekToLast(_ context: BenchContext, _ path: String, events: [TraceEvent]) throws -> Double {
        guard let last = events.last else { return 0 }
        return try context.medianSeconds {
            let r = try TraceReader(path: path)
            try r.seek(toStep: last.step)
            guard try r.next()?.step == last.step else { throw EngineError("seek(toStep:) missed the last step") }
        }
    }

    /// Peak RSS in MiB of `convtrace render examples/lenet5.yaml --layer 0` for one cell, in a fresh process
    /// (GNU time's maximum resident set); null when /usr/bin/time or the example is missing.
    static func renderPeakRSS(_ context: BenchContext) throws -> JSONValue {
        guard FileManager.default.fileExists(atPath: "examples/lenet5.yaml") else { return .null }
        return try render(context, source: "examples/lenet5.yaml")?.rss ?? .null
    }

    /// `convtrace render SOURCE --layer 0 --cell 0,0 --format svg` in a fresh process, the median of
    /// `context.runs` (at most 3) runs: peak RSS in MiB and wall time in ms (GNU time's %M and %e);
    /// nil when /usr/bin/time is missing.
    static func render(_ context: BenchContext, source: String) throws -> (rss: JSONValue, ms: JSONValue)? {
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else { return nil }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var kbs: [Double] = [], seconds: [Double] = []
        for _ in 0..<min(max(context.runs, 1), 3) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: time)
            process.arguments = ["-f", "%M %e", me, "render", source, "--layer", "0", "--cell", "0,0",
                                 "--format", "svg", "-o", context.folder + "/render-rss"]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
            let fields = lines.last.map { $0.split(separator: " ").compactMap { Double($0) } } ?? []
            guard process.terminationStatus == 0, fields.count == 2 else {
                throw EngineError("render of \(source) for the RSS figure failed (status \(process.terminationStatus)): \(lines.joined(separator: " | "))")
            }
            kbs.append(fields[0]); seconds.append(fields[1])
        }
        kbs.sort(); seconds.sort()
        return (rounded(kbs[kbs.count / 2] / 1024, 1), rounded(seconds[seconds.count / 2] * 1000, 0))
    }
}
