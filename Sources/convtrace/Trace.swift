// convtrace (CLI) — `convtrace trace`: write the trace of a spec, or convert a trace between encodings.
import ArgumentParser
import Specs
import Storyboard
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

        /// `--max-elements`, `--max-events` (docs/spec-format.md, "Limits").
        @OptionGroup var limits: LimitOptions

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
            do {
                let source = try convert.map { try TraceSource.openTrace(path: $0) } ?? TraceSource.open(path: spec ?? "-")
                // --convert without a format writes the other encoding than the input's.
                let encoding = chosen ?? (convert != nil && source.originName == TraceEncoding.jsonl.rawValue ? .binary : .jsonl)
                let count = try source.write(to: output, encoding: encoding)
                OutputSafety.summary("\(output): \(count) events (\(encoding.rawValue))" + (convert.map { ", converted from \($0)" } ?? ""), output: output)
            } catch let error as OutputFailure {
                throw CommandFailure.report(error.description, code: CommandFailure.failure)
            } catch let error as SpecError {
                throw CommandFailure.report(error.description, code: CommandFailure.badInput)
            } catch let error as TraceError {
                throw CommandFailure.report(error.description, code: CommandFailure.badInput)
            } catch {
                throw CommandFailure.report("\(error)", code: CommandFailure.failure)
            }
        }
    }
}
