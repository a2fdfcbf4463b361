// convtrace (CLI) — `convtrace trace`: write the trace of a spec, or convert a trace between encodings.
import ArgumentParser
import Engine
import Specs
import Tracing

extension Convtrace {
    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trace",
            abstract: "Write the trace of a spec, or convert a trace between encodings.",
            discussion: """
                convtrace trace SPEC -o FILE [--format jsonl|binary]
                convtrace trace --convert IN -o OUT [--format jsonl|binary]
                The encoding comes from --format, else from the extension of FILE (.jsonl, .ctb), else JSON Lines
                (for --convert: the other encoding than IN's). The file is written to a temporary name and moved
                into place only when complete. Format: docs/trace-format.md.
                Exit status: 0 done, 1 failed (I/O), 2 bad spec or bad trace (message on stderr).
                """)

        @Argument(help: "A YAML or JSON spec file, or - for standard input.")
        var spec: String?

        @Option(name: [.short, .customLong("output")], help: "The trace file to write.")
        var output: String

        @Option(help: "jsonl or binary (default: from the output's extension, else jsonl).")
        var format: String?

        @Option(help: "Convert this trace file (either encoding) instead of running a spec.")
        var convert: String?

        func validate() throws {
            if convert != nil && spec != nil { throw ValidationError("give either SPEC or --convert IN, not both") }
            if convert == nil && spec == nil { throw ValidationError("missing SPEC (or --convert IN)") }
            if let format, TraceEncoding(rawValue: format) == nil {
                throw ValidationError("--format must be jsonl or binary, not \"\(format)\"")
            }
        }

        func run() throws {
            try OutputSafety.refuseOverwritingInput(output, inputs: [spec, convert].compactMap { $0 })
            let chosen = format.flatMap(TraceEncoding.init(rawValue:)) ?? TraceEncoding.fromExtension(of: output)
            if let source = convert {
                do {
                    let encoding = try chosen ?? (TraceReader(path: source).encoding == .jsonl ? .binary : .jsonl)
                    let count = try TraceConversion.convert(source, to: output, encoding: encoding)
                    OutputSafety.summary("\(output): \(count) events (\(encoding.rawValue)), converted from \(source)", output: output)
                } catch {
                    throw CommandFailure.report("\(error)", code: CommandFailure.badInput)
                }
                return
            }
            let encoding = chosen ?? .jsonl
            let problem: Problem
            do {
                problem = try SpecDocument.load(path: spec ?? "-")
            } catch {
                throw CommandFailure.report(error.description, code: CommandFailure.badInput)
            }
            do {
                let count: Int
                switch encoding {
                case .jsonl: count = try Self.record(problem, into: JSONLWriter(path: output, header: problem.traceHeader()))
                case .binary: count = try Self.record(problem, into: CompactBinaryWriter(path: output, header: problem.traceHeader()))
                }
                OutputSafety.summary("\(output): \(count) events (\(encoding.rawValue))", output: output)
            } catch let error as SpecError {
                throw CommandFailure.report(error.description, code: CommandFailure.badInput)
            } catch {
                throw CommandFailure.report("\(error)", code: CommandFailure.failure)
            }
        }

        /// Runs `problem` into `writer` and finishes the file; on any error the partial file is removed.
        static func record<W: TraceWriting>(_ problem: Problem, into writer: W) throws -> Int {
            var tracer = Tracer(sink: writer)
            do {
                _ = try problem.run(tracer: &tracer)
                try writer.finish()
            } catch {
                writer.cancel()
                throw error
            }
            return writer.eventCount
        }
    }
}
