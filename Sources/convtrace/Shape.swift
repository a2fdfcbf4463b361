// convtrace (CLI) — `convtrace shape`: output sizes with the formula shown, and a network's receptive field.
import ArgumentParser
import Foundation
import Engine
import JSONText
import Specs
import Tracing

extension Convtrace {
    struct Shape: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shape",
            abstract: "Output size and receptive field, with the formula shown.",
            discussion: """
                From flags:  convtrace shape --input 5 --kernel 3 --padding 1 --stride 2
                             (sizes are N or HxW; --padding also takes valid, same, full, or TxBxLxR)
                From a spec: convtrace shape SPEC   (every layer's output shape and the receptive field)
                Exit status: 0 done, 2 bad input (message on stderr).
                """)

        @Argument(help: "A network or op spec (YAML/JSON, - for stdin). Omit to use the flags.")
        var spec: String?

        @Option(help: "Input size: N or HxW.") var input: String?
        @Option(help: "Kernel (window) size: N or HxW.") var kernel: String?
        @Option(help: "Padding: N, HxW, TxBxLxR, or valid / same / full (convolution only).") var padding: String = "0"
        @Option(help: "Stride: N or HxW (default 1; for --pool the kernel size).") var stride: String?
        @Option(help: "Dilation: N or HxW.") var dilation: String = "1"
        @Option(name: .customLong("output-padding"), help: "Transposed convolution only: N or HxW.") var outputPadding: String = "0"
        @Flag(help: "Transposed convolution: (H − 1)·s − 2p + d·(F − 1) + output_padding + 1.") var transposed = false
        @Flag(help: "Pooling (max or avg): stride defaults to the kernel size.") var pool = false
        @Flag(name: .customLong("ceil-mode"), help: "Pooling with ceil_mode.") var ceilMode = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            do {
                if let spec {
                    guard input == nil, kernel == nil else {
                        throw ShapeInputError("give either a SPEC or --input/--kernel flags, not both")
                    }
                    let report = try SpecDocument.load(path: spec).shapeReport()
                    print(json ? report.json.serialized(pretty: true) : report.text)
                } else {
                    try runFlags()
                }
            } catch let error as ShapeInputError {
                throw CommandFailure.report("shape: " + error.message, code: CommandFailure.badInput)
            } catch let error as EngineError {
                throw CommandFailure.report("shape: " + error.message, code: CommandFailure.badInput)
            } catch let error as SpecError {
                throw CommandFailure.report(error.description, code: CommandFailure.badInput)
            }
        }

        /// `--input/--kernel/...`: one OutputSize per axis.
        func runFlags() throws {
            guard let input else { throw ShapeInputError("missing --input (or a SPEC); e.g. convtrace shape --input 5 --kernel 3 --padding 1 --stride 2") }
            guard let kernel else { throw ShapeInputError("missing --kernel; e.g. --kernel 3 or --kernel 3x5") }
            guard !(transposed && pool) else { throw ShapeInputError("--transposed and --pool cannot be combined") }
            let size = try Self.pair(input, "input", min: 1)
            let k = try Self.pair(kernel, "kernel", min: 1)
            let s = try stride.map { try Self.pair($0, "stride", min: 1) } ?? (pool ? k : Pair(1))
            let d = try Self.pair(dilation, "dilation", min: 1)
            let op = try Self.pair(outputPadding, "output-padding", min: 0)
            let h: OutputSize, w: OutputSize
            if transposed {
                let p = try Self.pair(padding, "padding", min: 0)
                h = try OutputSize.transposedConvolution(input: size.y, kernel: k.y, stride: s.y, padding: p.y, outputPadding: op.y, dilation: d.y, axis: "height")
                w = try OutputSize.transposedConvolution(input: size.x, kernel: k.x, stride: s.x, padding: p.x, outputPadding: op.x, dilation: d.x, axis: "width")
            } else if pool {
                let p = try Self.pair(padding, "padding", min: 0)
                h = try OutputSize.pooling(input: size.y, kernel: k.y, stride: s.y, padding: p.y, dilation: d.y, ceilMode: ceilMode, axis: "height")
                w = try OutputSize.pooling(input: size.x, kernel: k.x, stride: s.x, padding: p.x, dilation: d.x, ceilMode: ceilMode, axis: "width")
            } else {
                let p = try Self.convPadding(padding).resolve(kernel: k, dilation: d, stride: s)
                h = try OutputSize.convolution(input: size.y, kernel: k.y, stride: s.y, padding: (p.top, p.bottom), dilation: d.y, axis: "height")
                w = try OutputSize.convolution(input: size.x, kernel: k.x, stride: s.x, padding: (p.left, p.right), dilation: d.x, axis: "width")
            }
            if json {
                func axis(_ o: OutputSize, _ name: String) -> JSONValue {
                    var pairs: [(String, JSONValue)] = [("value", .int(o.value)), ("formula", .string(o.formula)), ("exact", .bool(o.isExact))]
                    if let note = o.note { pairs.append(("note", .string(note))) }
                    if let e = o.exactnessError(axis: name) {
                        pairs.append(("inexact", .string(e.message)))
                        pairs.append(("exact_total_paddings", .array(o.exactTotalPaddings.map { .int($0) })))
                        pairs.append(("exact_strides", .array(o.exactStrides.map { .int($0) })))
                    }
                    return .object(pairs)
                }
                let value: JSONValue = .object([("height", axis(h, "height")), ("width", axis(w, "width")),
                                                ("output", .array([.int(h.value), .int(w.value)]))])
                print(value.serialized(pretty: true))
                return
            }
            var lines = ["Ho = \(h.description)", "Wo = \(w.description)"]
            for (o, name) in [(h, "height"), (w, "width")] {
                if let e = o.exactnessError(axis: name) {
                    if name == "width" && h.formula == w.formula { continue }
                    lines.append("note: " + e.message)
                }
            }
            lines.append("output: \(h.value)×\(w.value)")
            print(lines.joined(separator: "\n"))
        }

        /// `5` → (5, 5); `5x7` (or `5×7`, `5,7`) → (5, 7).
        static func pair(_ text: String, _ name: String, min: Int) throws -> Pair {
            let parts = text.split(whereSeparator: { $0 == "x" || $0 == "×" || $0 == "," || $0 == "X" })
            let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == parts.count, values.count == 1 || values.count == 2 else {
                throw ShapeInputError("--\(name) \(text) is not a size: give N or HxW, e.g. 3 or 3x5")
            }
            for v in values where v < min {
                throw ShapeInputError(min == 0 ? "--\(name) must not be negative, got \(v)" : "--\(name) must be at least \(min), got \(v)")
            }
            for v in values where v > OutputSize.maxExtent {
                throw ShapeInputError("--\(name) must be at most \(OutputSize.maxExtent) (2^20, the largest size convtrace computes with), got \(v)")
            }
            return values.count == 1 ? Pair(values[0]) : Pair(values[0], values[1])
        }

        /// Conv padding flag: N, HxW, TxBxLxR or a name.
        static func convPadding(_ text: String) throws -> PaddingSpec {
            switch text {
            case "valid": return .valid
            case "same": return .same
            case "full": return .full
            default: break
            }
            let parts = text.split(whereSeparator: { $0 == "x" || $0 == "×" || $0 == "," || $0 == "X" })
            let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == parts.count, [1, 2, 4].contains(values.count) else {
                throw ShapeInputError("--padding \(text) is not a padding: give N, HxW, TxBxLxR, or valid, same, full")
            }
            for v in values where v < 0 { throw ShapeInputError("--padding must not be negative, got \(v)") }
            for v in values where v > OutputSize.maxExtent {
                throw ShapeInputError("--padding must be at most \(OutputSize.maxExtent) (2^20, the largest size convtrace computes with), got \(v)")
            }
            switch values.count {
            case 1: return .explicit(Padding(values[0]))
            case 2: return .explicit(Padding(values[0], values[1]))
            default: return .explicit(Padding(top: values[0], bottom: values[1], left: values[2], right: values[3]))
            }
        }
    }
}

/// A bad flag value for `convtrace shape`.
struct ShapeInputError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
