// convtrace (CLI) — `convtrace replay SPEC|TRACE`: step through a trace in the terminal, or print its frames.
import ArgumentParser
import Engine
import Foundation
import Specs
import Storyboard
import TerminalReplay
import Tracing

extension Convtrace {
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Step through a trace in the terminal.",
            discussion: """
                Interactive when standard output is a terminal: space plays and pauses, → / l / n next step, \
                ← / h / p previous step, g / G first and last step, + / - speed, q quits (so do Esc and Ctrl-C). \
                Otherwise, or with --plain, every frame is printed in order as plain text, frames separated by \
                a blank line; --frame N prints only frame N. Colours are off with --no-color, NO_COLOR or TERM=dumb.

                A SPEC is run first (its trace goes to a temporary file); a TRACE (.jsonl or .ctb) is streamed \
                in constant memory. --layer, --cell and --region keep only some frames, as in convtrace render.

                Exit status: 0 done, 2 bad input (message on stderr).
                """)

        @OptionGroup var selection: FrameSelection

        @Option(help: "Playback speed in steps per second.")
        var speed: Double = 4

        @Option(help: "Frame to start on (1-based).")
        var start: Int = 1

        @Flag(help: "Print the frames as plain text instead of playing them.")
        var plain = false

        @Option(help: "Print only frame N (1-based) as plain text.")
        var frame: Int?

        @Flag(help: "No colours (also NO_COLOR=1 or TERM=dumb).")
        var noColor = false

        func validate() throws {
            guard speed.isFinite, speed > 0 else { throw ValidationError("--speed \(speed): expected a positive number of steps per second") }
            guard start >= 1 else { throw ValidationError("--start \(start): frames are numbered from 1") }
            if let frame, frame < 1 { throw ValidationError("--frame \(frame): frames are numbered from 1") }
        }

        func run() throws {
            let options = selection.options(maxFrames: nil)
            var temporary: String?
            defer {
                if let temporary {
                    Terminal.removeOnSignal(nil)
                    try? FileManager.default.removeItem(atPath: temporary)
                }
            }
            let session: ReplaySession
            do {
                var tracePath = selection.input
                var inputRank: Int?
                if !selection.inputIsTrace {
                    let problem = try SpecDocument.load(path: selection.input)
                    let path = NSTemporaryDirectory() + "convtrace-replay-\(ProcessInfo.processInfo.processIdentifier).ctb"
                    temporary = path
                    Terminal.removeOnSignal(path)  // Ctrl-C or kill must not leave it behind
                    let writer = try BinaryWriter(path: path, header: problem.traceHeader())
                    var tracer = Tracer(sink: writer)
                    do { _ = try problem.run(tracer: &tracer) } catch { writer.cancel(); throw error }
                    try writer.finish()
                    tracePath = path
                    inputRank = problem.givenInputRank
                }
                session = try ReplaySession(path: tracePath, options: options, inputRank: inputRank)
            } catch {
                throw CommandFailure.report("\(error)", code: CommandFailure.badInput)
            }
            guard session.frames.count > 0 else {
                throw CommandFailure.report(selection.noFramesMessage, code: CommandFailure.badInput)
            }

            let stdoutIsTerminal = Terminal.isTerminal(STDOUT_FILENO)
            do {
                if plain || frame != nil || !stdoutIsTerminal {
                    try session.printPlain(frame: frame.map { $0 - 1 })
                } else {
                    let mode = ColorMode.detect(environment: ProcessInfo.processInfo.environment,
                                                noColorFlag: noColor, isTerminal: true)
                    try session.play(start: start - 1, speed: speed, mode: mode)
                }
            } catch let error as ReplayError {
                throw CommandFailure.report(error.message, code: CommandFailure.badInput)
            } catch {
                throw CommandFailure.report("\(error)", code: CommandFailure.failure)
            }
        }
    }
}
