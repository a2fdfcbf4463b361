// convtrace (CLI) — the options `render` and `replay` share: what to read and which frames to make of it.
import ArgumentParser
import Foundation
import Storyboard
import Tracing

/// `SPEC|TRACE`, `--steps` and `--phase`, used through `@OptionGroup` by `render` and `replay`.
struct FrameSelection: ParsableArguments {
    @Argument(help: "A problem spec (YAML/JSON, - for stdin) or a trace file (.jsonl or .ctb).")
    var input: String

    @Option(help: "Step granularity: cell (one frame per output cell) or mac (one per multiply-accumulate).")
    var steps: String = "cell"

    @Option(help: "Which pass to show: forward, backward or all.")
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
            throw ValidationError("--phase \(phase): expected forward, backward or all")
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

    /// Whether `input` is a trace: by its extension (TraceEncoding's), or a regular file that starts
    /// with the binary magic. Pipes are not peeked: the byte read would be lost to the spec parser.
    var inputIsTrace: Bool {
        if input == "-" { return false }
        if TraceEncoding.fromExtension(of: input) != nil { return true }
        guard (try? FileManager.default.attributesOfItem(atPath: input))?[.type] as? FileAttributeType == .typeRegular,
              let handle = FileHandle(forReadingAtPath: input) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: BinaryTraceLayout.magic.count)) == Data(BinaryTraceLayout.magic)
    }
}
