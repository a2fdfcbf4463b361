// convtrace (CLI) — `convtrace eval SPEC`: run a spec and print the output and gradients as one JSON object.
import ArgumentParser
import Specs
import Tracing

extension Convtrace {
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eval",
            abstract: "Evaluate a spec and print the output and gradients as JSON.",
            discussion: """
                Prints one JSON object: output, output_shape, and when the spec has grad_output or ends in a \
                loss, grad_input, grad_kernel / grad_weight, grad_bias (single op), loss, and layers (per-layer \
                parameter gradients of a network). Results have the ranks the spec used (docs/spec-format.md). \
                A network with train: prints optimizer, steps, losses (one per step), final_loss and the final \
                parameters per layer instead.
                Exit status: 0 done, 1 failed (e.g. standard output not writable), 2 bad spec or a result that overflowed float64 (message on stderr).
                """)

        @Argument(help: "A YAML or JSON spec file, or - for standard input.")
        var spec: String

        @Flag(help: "One line of JSON instead of indented JSON.")
        var compact = false

        /// `--max-elements`, `--max-events` (docs/spec-format.md, "Limits").
        @OptionGroup var limits: LimitOptions

        func run() throws {
            do {
                let problem = try SpecDocument.load(path: spec)
                let json = problem.training != nil ? problem.trainingJSON(try problem.train()) : problem.evalJSON(try problem.run())
                try NonFiniteResult.check(json, file: spec == "-" ? "<stdin>" : spec)
                print(json.serialized(pretty: !compact))
            } catch {
                throw CommandFailure.report(error.description, code: CommandFailure.badInput)
            }
        }
    }
}
