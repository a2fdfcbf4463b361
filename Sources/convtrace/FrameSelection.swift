// convtrace (CLI) — the options `render` and `replay` share: what to read and which frames to make of it.
import ArgumentParser
import Foundation
import Storyboard

/// `SPEC|TRACE`, `--steps` and `--phase`, used through `@OptionGroup` by `render` and `replay`.
struct FrameSelection: ParsableArguments {
    @Argument(help: "A problem spec (YAML/JSON, - for stdin) or a trace file (.jsonl or .ctb).")
    var input: String

    @Option(help: "Step granularity: cell (one frame per output cell) or mac (one per multiply-accumulate).")
    var steps: String = "cell"

    @Option(help: "Which pass to show: forward, backward or all.")
    var phase: String = "all"

    func validate() throws {
        guard StoryboardOptions.Granularity(rawValue: steps) != nil else {
            throw ValidationError("--steps \(steps): expected cell or mac")
        }
        guard StoryboardOptions.PhaseFilter(rawValue: phase) != nil else {
            throw ValidationError("--phase \(phase): expected forward, backward or all")
        }
    }

    /// The granularity `--steps` names (validated above).
    var granularity: StoryboardOptions.Granularity { StoryboardOptions.Granularity(rawValue: steps) ?? .cell }

    /// The pass `--phase` names (validated above).
    var phaseFilter: StoryboardOptions.PhaseFilter { StoryboardOptions.PhaseFilter(rawValue: phase) ?? .all }

    /// Whether `input` is a trace: by extension (.jsonl, .ctb), or by its first byte (the binary magic 0x89).
    var inputIsTrace: Bool {
        if input == "-" { return false }
        if input.hasSuffix(".jsonl") || input.hasSuffix(".ctb") { return true }
        guard let handle = FileHandle(forReadingAtPath: input) else { return false }
        defer { try? handle.close() }
        let first = (try? handle.read(upToCount: 1)) ?? Data()
        return first.first == 0x89
    }
}
