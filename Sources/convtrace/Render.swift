// convtrace (CLI) — `convtrace render SPEC|TRACE -o DIR`: draw the frames of a trace as SVG, PNG, PDF and GIF.
import ArgumentParser
import CairoRender
import Foundation
import Storyboard

extension Convtrace {
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Draw the frames of a trace as SVG, PNG, PDF or GIF, or as an HTML player.",
            discussion: """
                Files in DIR: frame-0001.svg …, frame-0001.png … (1-based, at least 4 digits), frames.pdf (one \
                page per frame), animation.gif (looping) and player.html (one offline page: play, step, hover a cell to \
                see where its value comes from). Frames are drawn from the trace: a SPEC is run by the engine as the \
                frames are made; a TRACE (.jsonl or .ctb) is streamed as written. Same input and options, same bytes.

                --steps cell draws one frame per output (or gradient) cell with its whole equation; --steps mac one \
                frame per multiply-accumulate with the running sum. --layer, --cell and --region keep only some \
                frames: --cell 1,2 the frames that write row 1, column 2 of the grid they fill (the output y, \
                or dK or dX in the backward pass). Above --max-frames (default 2000) nothing is drawn and the \
                message says how to narrow the trace. The filters apply while the events stream: memory holds the \
                frames kept, not the trace.

                Exit status: 0 done, 1 failed (I/O, drawing), 2 bad input (message on stderr).
                """)

        @OptionGroup var selection: FrameSelection

        @Option(name: [.short, .customLong("output")], help: "The folder to write the pictures into (created if missing).")
        var output: String

        @Option(help: "Comma-separated formats: svg, png, pdf, gif, html.")
        var format: String = "svg,png,pdf,gif"

        @Option(help: "Size factor (pixels per point for PNG and GIF), 0.25…8.")
        var scale: Double = 1

        @Option(help: "light or dark (default light); html also auto, its default: follow the reader's system.")
        var theme: String?

        @Option(help: "Decimal places for values that are not integers.")
        var digits: Int = 2

        @Option(help: "Refuse to draw more frames than this.")
        var maxFrames: Int = 2000

        @Flag(help: "conv2d: draw cross-correlation and true convolution side by side.")
        var compareFlip = false

        @Option(help: "Transposed convolution view: scatter or direct.")
        var transposed: String = "scatter"

        @Flag(help: "A training spec or trace: draw only the loss per step (loss-curve.svg, .png, .pdf), not the frames.")
        var lossCurve = false

        @Option(help: "GIF frame delay in hundredths of a second for a frame that adds one term; frames that add more stay longer, the last at least 3 s.")
        var delay: Int = 80

        @Option(help: ArgumentHelp(
            "Cut grids larger than N×N cells down to the N rows and columns around the window (big inputs).",
            valueName: "N"))
        var crop: Int?

        /// `--max-elements`, `--max-events` (docs/spec-format.md, "Limits").
        @OptionGroup var limits: LimitOptions

        func validate() throws {
            _ = try formats()
            let split = try Self.splitFormats(format)
            if let theme, ThemeName(rawValue: theme) == nil, theme != "auto" || !split.pictures.isEmpty {
                throw ValidationError("--theme \(theme): expected light or dark\(split.html ? " (auto for html alone)" : "")")
            }
            guard StoryboardOptions.TransposedView(rawValue: transposed) != nil else {
                throw ValidationError("--transposed \(transposed): expected scatter or direct")
            }
            guard scale.isFinite, scale >= 0.25, scale <= 8 else { throw ValidationError("--scale \(scale): expected 0.25…8") }
            guard (0...12).contains(digits) else { throw ValidationError("--digits \(digits): expected 0…12") }
            guard maxFrames >= 1 else { throw ValidationError("--max-frames \(maxFrames): expected at least 1") }
            guard (2...6000).contains(delay) else { throw ValidationError("--delay \(delay): expected 2…6000 (hundredths of a second)") }
            if let crop, crop < 3 { throw ValidationError("--crop \(crop): expected at least 3 (rows and columns kept around the window)") }
        }

        func formats() throws -> [PictureFormat] {
            try Self.splitFormats(format).pictures
        }

        var options: StoryboardOptions {
            selection.options(maxFrames: maxFrames, digits: digits, compareFlip: compareFlip,
                              transposedView: StoryboardOptions.TransposedView(rawValue: transposed) ?? .scatter)
        }

        func run() throws {
            if lossCurve { return try writeLossCurve(required: true) }
            let started = Date()
            var frames: [Frame]
            let source: TraceSource
            do {
                source = try selection.open()
                frames = try Storyboard(source: source.storyboardSource, options: options).frames(streaming: source)
                if let crop { frames = frames.map { $0.cropped(to: crop) } }
            } catch {
                throw selection.failure(error)
            }
            guard !frames.isEmpty else {
                throw CommandFailure.report(selection.noFramesMessage, code: CommandFailure.badInput)
            }
            if try Self.splitFormats(format).html {
                do {
                    let path = try Self.writePlayer(frames: frames, input: selection.input, theme: theme, to: output)
                    print("\(path): \(frames.count) frame(s), HTML player")
                } catch {
                    throw CommandFailure.report("\(error)", code: CommandFailure.failure)
                }
            }
            guard !(try formats()).isEmpty else { return }
            do {
                let renderer = try FrameRenderer(
                    frames: frames,
                    style: RenderStyle(scale: scale, theme: ThemeName(rawValue: theme ?? "light") ?? .light, gifDelay: delay))
                let bar = ProgressBar(started: started)
                let names = try FrameFiles.write(renderer, formats: try formats(), to: output) { done, total in
                    bar.update(done, total)
                }
                bar.finish()
                let kinds = try formats().map(\.rawValue).joined(separator: ", ")
                print("\(output): \(frames.count) frame(s), \(names.count) file(s) (\(kinds)), \(renderer.pixelWidth)×\(renderer.pixelHeight) px")
                try writeLossCurve(required: false, source: source)
                if crop == nil && max(renderer.pixelWidth, renderer.pixelHeight) > 4000 {
                    FileHandle.standardError.write(Data(
                        "note: the frames are \(renderer.pixelWidth)×\(renderer.pixelHeight) px; --crop 16 keeps 16×16 cells of each big grid around the window\n".utf8))
                }
            } catch let e as RenderError {
                if case .imageTooLarge = e.reason {
                    throw CommandFailure.report(e.message + "; use a smaller --scale or --crop", code: CommandFailure.failure)
                }
                throw CommandFailure.report(e.message, code: CommandFailure.failure)
            } catch {
                throw CommandFailure.report("\(error)", code: CommandFailure.failure)
            }
        }
    }
}

extension Convtrace.Render {
    /// Writes `loss-curve.<format>` for a training spec or trace (a `train:` block in its spec); with
    /// `required` a spec without one is bad input, else nothing is written for it.
    /// `source` is the input already opened (a spec from standard input cannot be read twice).
    func writeLossCurve(required: Bool, source opened: TraceSource? = nil) throws {
        let curve: LossCurve
        do {
            let source = try opened ?? selection.open()
            guard source.header.spec["train"] != nil else {
                guard required else { return }
                throw CommandFailure.report(
                    "\(selection.input): --loss-curve needs a training spec or trace (a network with train:, docs/spec-format.md)",
                    code: CommandFailure.badInput)
            }
            curve = try LossCurve.of(source)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw selection.failure(error)
        }
        do {
            let painter = LossCurvePainter(curve: curve, theme: Theme.named(ThemeName(rawValue: theme ?? "light") ?? .light),
                                           scale: scale)
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let names = try painter.write(formats: try formats(), to: output)
            print("\(output): loss curve of \(curve.losses.count) step(s), \(names.joined(separator: ", "))")
        } catch {
            throw CommandFailure.report("\(error)", code: CommandFailure.failure)
        }
    }
}

/// A progress bar on standard error, shown only when standard error is a terminal and the work has
/// taken more than a second.
final class ProgressBar {
    let started: Date
    let enabled: Bool
    private var shown = false
    private var lastDraw = Date.distantPast

    init(started: Date) {
        self.started = started
        enabled = isatty(2) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let now = Date()
        guard now.timeIntervalSince(started) > 1, now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = now
        shown = true
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total) files".utf8))
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
