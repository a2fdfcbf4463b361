// Benchmarks — the trace file workloads: LeNet-5 written in both encodings, and read back streaming.
import Engine
import Foundation
import Storyboard
import Tracing

extension BenchWorkload {
    /// LeNet-5 forward + backward written to disk in both encodings.
    static let traceWrite = BenchWorkload(name: "trace_write") { context in
        let events = context.lenetEvents
        let header = context.lenet.header
        let jsonlPath = context.folder + "/lenet.jsonl", binaryPath = context.folder + "/lenet.ctb"
        let jsonl = try context.medianSeconds(max(3, context.runs / 2)) {
            let w = try JSONLWriter(path: jsonlPath, header: header)
            for e in events { w.record(e) }
            try w.finish()
        }
        let binary = try context.medianSeconds {
            let w = try BinaryWriter(path: binaryPath, header: header)
            for e in events { w.record(e) }
            try w.finish()
        }
        // `convtrace trace examples/lenet5.yaml -o FILE`: the open function, then the writer.
        let whole = try context.medianSeconds(max(3, context.runs / 2)) {
            try context.lenetSource().write(to: jsonlPath, encoding: .jsonl)
        }
        let wholeBinary = try context.medianSeconds(max(3, context.runs / 2)) {
            try context.lenetSource().write(to: binaryPath, encoding: .binary)
        }
        let size = { (p: String) -> Int in ((try? FileManager.default.attributesOfItem(atPath: p)[.size]) as? Int) ?? -1 }
        return .object([
            ("events", .int(events.count)),
            ("jsonl_events_per_s", rounded(Double(events.count) / jsonl, 0)),
            ("binary_events_per_s", rounded(Double(events.count) / binary, 0)),
            ("lenet_trace_s", rounded(whole, 3)),
            ("lenet_binary_trace_s", rounded(wholeBinary, 3)),
            ("jsonl_bytes", .int(size(jsonlPath))),
            ("binary_bytes", .int(size(binaryPath))),
            ("network", .string(context.lenet.source)),
        ])
    }

    /// Streaming read of the LeNet binary trace through the open function; peak RSS of a reader process at 1× and 10× length.
    static let traceRead = BenchWorkload(name: "trace_read") { context in
        let events = context.lenetEvents
        let header = context.lenet.header
        func write(_ path: String, repeats: Int) throws {
            let w = try BinaryWriter(path: path, header: header)
            for r in 0..<repeats {
                for var e in events { e.step += r * events.count; w.record(e) }
            }
            try w.finish()
        }
        let one = context.folder + "/read-1x.ctb", ten = context.folder + "/read-10x.ctb"
        try write(one, repeats: 1)
        var count = 0
        let read = try context.medianSeconds {
            count = 0
            try TraceSource.open(path: one).forEach { _ in count += 1 }
        }
        let rss1 = try context.childRead(one)
        try FileManager.default.removeItem(atPath: one)
        try write(ten, repeats: 10)
        let rss10 = try context.childRead(ten)
        try FileManager.default.removeItem(atPath: ten)
        return .object([
            ("events", .int(count)),
            ("read_events_per_s", rounded(Double(count) / read, 0)),
            ("peak_rss_mb", .object([("1x", rss1["peak_rss_mb"] ?? .null), ("10x", rss10["peak_rss_mb"] ?? .null)])),
            ("events_10x", rss10["events"] ?? .null),
        ])
    }
}

