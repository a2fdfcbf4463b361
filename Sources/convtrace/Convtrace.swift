// convtrace (CLI) — the entry point. Each subcommand lives in its own file and only wires library calls.
import ArgumentParser

@main
struct Convtrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convtrace",
        abstract: "Trace, draw and check the arithmetic of convolutional networks.",
        discussion: """
            Every number comes from an instrumented engine that agrees with PyTorch (float64) to 1e-9.
            SPEC is a YAML or JSON problem spec (see docs/spec-format.md), or - for stdin.
            """,
        version: "0.1.0",
        subcommands: [
            Eval.self, Trace.self, Stats.self, Shape.self, Render.self, Replay.self,
            Lessons.self, Verify.self, Bench.self,
        ]
    )
}
