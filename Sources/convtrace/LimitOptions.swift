// convtrace (CLI) — `--max-elements` / `--max-events`: the one shared override of the size limits.
import ArgumentParser
import Specs

/// The size limits every command that runs a spec checks before allocating (docs/spec-format.md, "Limits").
///
/// Used through `@OptionGroup` by every command that runs a spec; parsing sets `ResourceLimits.current`
/// for the process, so the library checks see the values without threading them through every call.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("max-elements"),
            help: "Largest tensor a spec may make, in elements (default \(ResourceLimits.defaultElements)).")
    var maxElements: Int = ResourceLimits.defaultElements

    @Option(name: .customLong("max-events"),
            help: "Largest run, in trace events (multiply-accumulates and gradient terms; default \(ResourceLimits.defaultEvents)).")
    var maxEvents: Int = ResourceLimits.defaultEvents

    mutating func validate() throws {
        guard maxElements >= 1 else { throw ValidationError("--max-elements must be at least 1, got \(maxElements)") }
        guard maxEvents >= 1 else { throw ValidationError("--max-events must be at least 1, got \(maxEvents)") }
        ResourceLimits.current = ResourceLimits(elements: maxElements, events: maxEvents)
    }
}
