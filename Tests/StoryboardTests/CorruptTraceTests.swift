// StoryboardTests — mutated trace files (JSON Lines, binary v1 and v2) give an error value or frames, never a trap.
import Engine
import Foundation
import Specs
import Storyboard
import Testing
import Tracing

@Suite("corrupted traces: systematic mutations through reader and storyboard")
struct CorruptTraceTests {
    /// Small runs covering conv with padding and backward, max pooling, and a network with a loss.
    static let specs = [
        "op: conv2d\ninput: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nkernel: [[1, 0], [0, -1]]\npadding: 1\ngrad_output: [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]\n",
        "op: max_pool2d\ninput: [[1, 3, 2, 4], [5, 6, 7, 8], [9, 2, 3, 1], [4, 0, 1, 5]]\nkernel_size: 2\ngrad_output: [[1, 2], [3, 4]]\n",
        "op: network\ninput: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nlayers:\n  - {op: conv2d, kernel: [[1, 1], [0, 1]]}\n  - {op: relu}\n  - {op: flatten}\n  - {op: linear, weight: [[1, 0, 0, 1], [0, 1, 1, 0]]}\n  - {op: mse, target: [[1, 2]]}\n",
    ]

    /// Writes `spec`'s trace in the three encodings; returns the paths.
    static func writeTraces(_ spec: String, index: Int, in dir: String) throws -> [String] {
        let problem = try SpecDocument.parse(spec, file: "t\(index).yaml")
        var tracer = Tracer(sink: RecordingSink())
        _ = try problem.run(tracer: &tracer)
        let json = problem.traceHeader().toJSON()
        let paths = ["\(dir)/t\(index).jsonl", "\(dir)/t\(index)-v1.ctb", "\(dir)/t\(index)-v2.ctb"]
        let jsonl = try JSONLWriter(path: paths[0], headerJSON: json)
        let v1 = try BinaryWriter(path: paths[1], headerJSON: json)
        let v2 = try CompactBinaryWriter(path: paths[2], headerJSON: json)
        for e in tracer.sink.events { jsonl.record(e); v1.record(e); v2.record(e) }
        try jsonl.finish(); try v1.finish(); try v2.finish()
        return paths
    }

    /// Reads `path` through `TraceSource` and the storyboard (both granularities): true when it produced
    /// frames, false when it threw. A trap ends the test process, which fails the suite.
    static func consume(_ path: String) -> Bool {
        do {
            let source = try TraceSource.openTrace(path: path)
            for granularity in StoryboardOptions.Granularity.allCases {
                let board = try Storyboard(source: source.storyboardSource,
                                           options: StoryboardOptions(granularity: granularity, maxFrames: 500))
                _ = try board.frames(streaming: source)
            }
            try source.forEach { _ in }
            return true
        } catch {
            // Refused with one of the project's located errors, never something unexpected.
            #expect(error is TraceError || error is StoryboardError || error is SpecError || error is EngineError,
                    "unexpected \(type(of: error)): \(error)")
            return false
        }
    }

    /// Field values that break an event's promises: negative, past the shapes, past Int32, unknown names.
    static let hostileNumbers = ["-1", "-2147483648", "2147483647", "4", "99", "9223372036854775807", "1e300", "0.5", "\"x\"", "null", "[]"]
    static let hostileNames = ["\"fma\"", "\"sideways\"", "\"\"", "7", "null"]

    @Test("JSON Lines: every field of every event replaced by hostile values")
    func jsonlFields() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convtrace-corrupt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var refused = 0, accepted = 0
        for (i, spec) in Self.specs.enumerated() {
            let path = try Self.writeTraces(spec, index: i, in: dir)[0]
            #expect(Self.consume(path))
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var rng = SeededGenerator(state: UInt64(i + 1))
            for _ in 0..<120 {
                var copy = lines
                let l = 1 + rng.below(lines.count - 2)  // an event line
                let fields = ["step", "phase", "layer", "kind", "target", "out", "in", "padded", "k", "a", "acc"]
                let field = fields[rng.below(fields.count)]
                let value: String
                switch field {
                case "phase", "kind", "target": value = Self.hostileNames[rng.below(Self.hostileNames.count)]
                case "out", "in", "padded", "k":
                    var parts = ["0", "0", "0", "0"]
                    parts[rng.below(4)] = Self.hostileNumbers[rng.below(6)]
                    value = "[" + parts.joined(separator: ",") + "]"
                default: value = Self.hostileNumbers[rng.below(Self.hostileNumbers.count)]
                }
                copy[l] = Self.replace(field: field, in: copy[l], with: value)
                let mutated = "\(dir)/m.jsonl"
                try Data(copy.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: mutated))
                if Self.consume(mutated) { accepted += 1 } else { refused += 1 }
            }
        }
        #expect(refused > 200)
    }

    @Test("binary v1 and v2: bytes flipped and replaced across the whole file")
    func binaryBytes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convtrace-corrupt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var refused = 0
        for (i, spec) in Self.specs.enumerated() {
            for path in try Self.writeTraces(spec, index: i, in: dir)[1...] {
                #expect(Self.consume(path))
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                var rng = SeededGenerator(state: UInt64(100 + i))
                for round in 0..<150 {
                    var copy = bytes
                    let at = rng.below(bytes.count)
                    switch round % 3 {
                    case 0: copy[at] ^= UInt8(1 << rng.below(8))
                    case 1: copy[at] = [0x00, 0xFF, 0x7F, 0x80][rng.below(4)]
                    default:  // four bytes of an Int32 field set to -1 or Int32.max
                        let value: [UInt8] = rng.below(2) == 0 ? [0xFF, 0xFF, 0xFF, 0xFF] : [0xFF, 0xFF, 0xFF, 0x7F]
                        for k in 0..<4 where at + k < copy.count { copy[at + k] = value[k] }
                    }
                    let mutated = "\(dir)/m.ctb"
                    try Data(copy).write(to: URL(fileURLWithPath: mutated))
                    if !Self.consume(mutated) { refused += 1 }
                }
            }
        }
        #expect(refused > 300)
    }

    @Test("the messages name the file and the place, and what is wrong")
    func messages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convtrace-corrupt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.writeTraces(Self.specs[0], index: 0, in: dir)[0]
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func message(_ edit: (inout [String]) -> Void) throws -> String {
            var copy = lines
            edit(&copy)
            try Data(copy.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: dir + "/m.jsonl"))
            do {
                let source = try TraceSource.openTrace(path: dir + "/m.jsonl")
                try source.forEach { _ in }
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(try message { $0[3] = Self.replace(field: "layer", in: $0[3], with: "5") }
                == "\(dir)/m.jsonl:4: corrupted event: layer 5 is not a layer of this trace (the header has 1: 0…0)")
        #expect(try message { $0[2] = Self.replace(field: "step", in: $0[2], with: "7") }
                == "\(dir)/m.jsonl:3: corrupted event: step 7 where step 1 should come (steps count up by one from 0)")
        #expect(try message { $0[1] = Self.replace(field: "out", in: $0[1], with: "[0,0,-1,0]") }
                .hasPrefix("\(dir)/m.jsonl:2: corrupted event: output index (0, 0, -1, 0) has a negative component"))
        #expect(try message { $0[1] = Self.replace(field: "out", in: $0[1], with: "[0,0,4,9]") }
                == "\(dir)/m.jsonl:2: corrupted event: output index (0, 0, 4, 9) lies outside layer 0's output 1×1×4×4")
    }

    /// `line` with the JSON value of `field` replaced by `value` (the line's own encoding: one object).
    static func replace(field: String, in line: String, with value: String) -> String {
        guard let keyRange = line.range(of: "\"\(field)\":") else { return line }
        var end = keyRange.upperBound
        var depth = 0, inString = false
        while end < line.endIndex {
            let c = line[end]
            if inString { if c == "\"" { inString = false } }
            else if c == "\"" { inString = true }
            else if c == "[" { depth += 1 }
            else if c == "]" { depth -= 1 }
            else if (c == "," || c == "}") && depth == 0 { break }
            end = line.index(after: end)
        }
        return String(line[..<keyRange.upperBound]) + value + String(line[end...])
    }
}
