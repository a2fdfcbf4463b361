// convtrace (CLI) — `convtrace replay SPEC|TRACE`: step through a trace in the terminal, or print its frames.
import ArgumentParser
import Foundation
import Storyboard
import TerminalReplay

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

                A SPEC is run by the engine as its frames are needed (nothing is written to disk); a TRACE (.jsonl \
                or .ctb) is streamed. Either way memory stays flat. --layer, --cell and --region keep only some \
                frames, as in convtrace render.

                Exit status: 0 done, 1 failed (terminal, I/O), 2 bad input (message on stderr).
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

        /// `--max-elements`, `--max-events` (docs/spec-format.md, "Limits").
        @OptionGroup var limits: LimitOptions

        func validate() throws {
            guard speed.isFinite, speed > 0 else { throw ValidationError("--speed \(speed): expected a positive number of steps per second") }
            guard start >= 1 else { throw ValidationError("--start \(start): frames are numbered from 1") }
            if let frame, frame < 1 { throw ValidationError("--frame \(frame): frames are numbered from 1") }
        }

        func run() throws {
            let session: ReplaySession
            do {
                session = try ReplaySession(source: try selection.open(), options: selection.options(maxFrames: nil))
            } catch {
                throw selection.failure(error)
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
                switch error.reason {
                case .frameOutside(let frame, let count):
                    throw CommandFailure.report(
                        "--frame \(frame) is outside the trace: it has \(count) frame\(count == 1 ? "" : "s") (1…\(count)) with these --steps/--phase options",
                        code: CommandFailure.badInput)
                case .noTerminal:
                    throw CommandFailure.report(error.message + "; use --plain", code: CommandFailure.badInput)
                case .other:
                    throw CommandFailure.report(error.message, code: CommandFailure.badInput)
                }
            } catch let error as TerminalError where error.reason == .notATerminal {
                throw CommandFailure.report(error.message + "; use --plain to print the frames", code: CommandFailure.failure)
            } catch {
                throw CommandFailure.report("\(error)", code: CommandFailure.failure)
            }
        }
    }
}
