// convtrace (CLI) — `convtrace lessons`: build Lessons/ into Output/, or check that Output/ is up to date.
import ArgumentParser
import Foundation
import LessonBuilder
import LessonWeb

extension Convtrace {
    struct Lessons: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lessons",
            abstract: "Build the lessons in Lessons/ into Output/.",
            discussion: """
                Each lesson becomes OUT/<lesson>/README.md with its pictures; OUT/README.md indexes them and \
                OUT/ERRATA.md lists the tutorial claims in IN/errata/ that are wrong. Every claim in a lesson \
                must hold. OUT/site/ is the same as web pages (open OUT/site/index.html, or publish the folder), each \
                animation an interactive player. Each lesson folder also gets frames.txt, what every picture shows frame by frame. \
                With --check nothing is written: the lessons are rebuilt in a temporary folder and the command \
                fails, naming the files, when OUT differs: Markdown and frames.txt byte for byte, pictures by \
                decoding with the same format and frame count (their bytes follow the installed Cairo and \
                fonts, so a correct OUT drawn on another machine passes). --check --strict compares every \
                byte of every file.
                """)

        @Option(name: .customLong("in"), help: "The lessons folder.")
        var input = "Lessons"

        @Option(name: .customLong("out"), help: "The output folder.")
        var output = "Output"

        @Flag(help: "Rebuild in a temporary folder and compare with the output folder instead of writing.")
        var check = false

        @Flag(help: "With --check: compare the pictures byte for byte too (needs the same Cairo and fonts).")
        var strict = false

        /// `--max-elements`, `--max-events` (docs/spec-format.md, "Limits").
        @OptionGroup var limits: LimitOptions

        func validate() throws {
            if strict && !check { throw ValidationError("--strict applies only with --check") }
        }

        func run() throws {
            let site = LessonSite(lessonsDirectory: input, pictures: StoryboardPictures())
            do {
                if check {
                    let differing = try site.check(against: output, strict: strict)
                    guard differing.isEmpty else {
                        FileHandle.standardError.write(Data(("\(output) is not what \(input) produces; rebuild with `convtrace lessons`:\n"
                            + differing.map { "  \($0)\n" }.joined()).utf8))
                        throw ExitCode.failure
                    }
                    print("\(output) is up to date with \(input)")
                } else {
                    let report = try site.build(into: output)
                    print("built \(report.lessons.count) lessons into \(output) (\(report.lessonClaims) claims hold); "
                        + "\(report.errataChecks.count) tutorial claims checked, \(report.errataWrong.count) wrong (see \(output)/ERRATA.md)")
                    if !report.unbackedProse.isEmpty {
                        FileHandle.standardError.write(Data(("warning: \(report.unbackedProse.count) numbers typed in the prose are not "
                            + "checked (docs/lesson-prose.md):\n" + report.unbackedProse.map { "  \($0)\n" }.joined()).utf8))
                    }
                    let web = try LessonWebSite(lessonsDirectory: input, evaluator: site.evaluator)
                        .build(from: output, into: (output as NSString).appendingPathComponent("site"))
                    print("wrote the site: \(output)/site/index.html (\(web.pages.count) pages, \(web.players.count) players)")
                }
            } catch let error as LessonWebError {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode.failure
            } catch let error as LessonError {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(error.kind == .malformed ? 2 : 1)
            }
        }
    }
}
