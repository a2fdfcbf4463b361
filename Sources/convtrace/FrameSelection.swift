// convtrace (CLI) — the options `render` and `replay` share: what to read and which frames to make of it.
import ArgumentParser
import Foundation
import Specs
import Storyboard
import Tracing

/// `SPEC|TRACE`, `--steps` and `--phase`, used through `@OptionGroup` by `render` and `replay`.
struct FrameSelection: ParsableArguments {
    @Argument(help: "A problem spec (YAML/JSON, - for stdin) or a trace file (.jsonl or .ctb).")
    var input: String

    @Option(help: "Step granularity: cell (one frame per output cell) or mac (one per multiply-accumulate).")
    var steps: String = "cell"

    @Option(help: "Which pass to show: forward, backward, update (a training spec's optimizer steps) or all.")
    var phase: String = "all"

    @Option(help: "Only this layer (0-based index in the network).")
    var layer: Int?

    @Option(help: ArgumentHelp("Only the frames that write this cell: ROW,COL (0-based), e.g. 1,2.", valueName: "row,col"))
    var cell: String?

    @Option(help: ArgumentHelp(
        "Only the frames that write a cell in these rows and columns (inclusive, 0-based), e.g. 0-2,1-3.",
        valueName: "rows,cols"))
    var region: String?

    func validate() throws {
        guard StoryboardOptions.Granularity(rawValue: steps) != nil else {
            throw ValidationError("--steps \(steps): expected cell or mac")
        }
        guard StoryboardOptions.PhaseFilter(rawValue: phase) != nil else {
            throw ValidationError("--phase \(phase): expected forward, backward, update or all")
        }
        if let layer, layer < 0 { throw ValidationError("--layer \(layer): layers are numbered from 0") }
        if cell != nil && region != nil { throw ValidationError("--cell and --region: give one of them") }
        _ = try cellRegion()
    }

    /// The region `--cell` or `--region` names, if any.
    func cellRegion() throws -> CellRegion? {
        do {
            if let cell {
                let r = try CellRegion(parsing: cell)
                guard r.rows.count == 1, r.columns.count == 1 else {
                    throw StoryboardError("'\(cell)' is a region; --cell takes one ROW,COL (use --region for a range)")
                }
                return r
            }
            return try region.map { try CellRegion(parsing: $0) }
        } catch let e as StoryboardError {
            throw ValidationError("--\(cell != nil ? "cell" : "region") \(e.message)")
        }
    }

    /// Why nothing can be drawn: no step of the trace passes the --phase/--layer/--cell/--region filters.
    var noFramesMessage: String {
        "\(input): no frames for --steps \(steps) --phase \(phase)\(narrowing.isEmpty ? "" : " " + narrowing)"
            + " (no step of the trace matches\(cell != nil || region != nil ? "; a cell is counted in the grid each frame writes: the output, dK or dX" : ""))"
    }

    /// The storyboard options these flags choose, with the command's own drawing settings.
    func options(maxFrames: Int?, digits: Int = 2, compareFlip: Bool = false,
                 transposedView: StoryboardOptions.TransposedView = .scatter) -> StoryboardOptions {
        StoryboardOptions(granularity: granularity, phase: phaseFilter, digits: digits, maxFrames: maxFrames,
                          compareFlip: compareFlip, transposedView: transposedView, layers: layer.map { [$0] },
                          region: (try? cellRegion()) ?? nil)  // validated in validate()
    }

    /// The narrowing flags as typed (`--layer 0 --cell 1,2`), for messages; empty when none.
    var narrowing: String {
        var parts: [String] = []
        if let layer { parts.append("--layer \(layer)") }
        if let cell { parts.append("--cell \(cell)") }
        if let region { parts.append("--region \(region)") }
        return parts.joined(separator: " ")
    }

    /// The granularity `--steps` names (validated above).
    var granularity: StoryboardOptions.Granularity { StoryboardOptions.Granularity(rawValue: steps) ?? .cell }

    /// The pass `--phase` names (validated above).
    var phaseFilter: StoryboardOptions.PhaseFilter { StoryboardOptions.PhaseFilter(rawValue: phase) ?? .all }

    /// The input opened: a spec (run by the engine as it streams) or a trace file.
    func open() throws -> TraceSource { try TraceSource.open(path: input) }

    /// The exit status and message for an error opening or streaming the input: 2 for bad input (the
    /// spec, the trace, the flags against this network), 1 for anything else. The library's facts
    /// are worded here with the flags that change them.
    func failure(_ error: any Error) -> ExitCode {
        switch error {
        case let e as StoryboardError:
            return CommandFailure.report(advice(e), code: CommandFailure.badInput)
        case let e as SpecError:
            return CommandFailure.report(e.description, code: CommandFailure.badInput)
        case let e as TraceError:
            return CommandFailure.report(e.description, code: CommandFailure.badInput)
        default:
            return CommandFailure.report("\(error)", code: CommandFailure.failure)
        }
    }

    /// A storyboard refusal with the flags that would change it.
    func advice(_ error: StoryboardError) -> String {
        switch error.reason {
        case .layerOutsideNetwork(let layer, let layers):
            return "--layer \(layer) is not in the network; its layers are \(layers.joined(separator: ", "))"
        case .frameBudget(let facts):
            var hints: [String] = []
            if granularity == .mac { hints.append("--steps cell (one frame per output cell)") }
            if phaseFilter == .all { hints.append("--phase forward or --phase backward") }
            if facts.framesPerLayer.count > 1 || facts.layerCount > 1 { hints.append("--layer N (one layer)") }
            if cell == nil && region == nil {
                hints.append("--cell ROW,COL or --region R0-R1,C0-C1 (only the frames that write those cells)")
            }
            hints.append("a smaller input in the spec")
            hints.append("--max-frames \(facts.count) if you really want them all")
            var message = "this trace would make \(facts.count) frames, more than the frame budget of \(facts.limit). Narrow it with "
                + hints.joined(separator: "; ")
            if facts.framesPerLayer.count > 1 {
                message += ". Frames per layer: "
                    + facts.framesPerLayer.map { "layer \($0.layer) \($0.op): \($0.frames)" }.joined(separator: ", ")
            }
            return message
        case .other:
            return error.message
        }
    }
}
