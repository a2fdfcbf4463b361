// convtrace (CLI) — `render --format html`: the frames as one offline player page, `DIR/player.html`.
import ArgumentParser
import CairoRender
import Foundation
import Storyboard
import WebPlayer

extension Convtrace.Render {
    /// The `--format` list split into Cairo picture formats and whether `html` was asked for.
    /// - Throws: `ValidationError` naming the unknown format and the valid ones.
    static func splitFormats(_ text: String) throws -> (pictures: [PictureFormat], html: Bool) {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let html = parts.contains("html")
        let rest = parts.filter { $0 != "html" && !$0.isEmpty }
        if html && rest.isEmpty { return ([], true) }
        do { return (try PictureFormat.list(rest.joined(separator: ",")), html) } catch {
            throw ValidationError("--format: \("\(error)".replacingOccurrences(of: "svg, png, pdf, gif", with: "svg, png, pdf, gif, html"))")
        }
    }

    /// Writes `DIR/player.html` for `frames` (atomically) and returns its path.
    static func writePlayer(frames: [Frame], input: String, theme: String?, to dir: String) throws -> String {
        let start = PlayerPage.StartTheme(rawValue: theme ?? "auto") ?? .auto
        let title = input == "-" ? "standard input" : URL(fileURLWithPath: input).lastPathComponent
        let page = try PlayerPage.html(frames: frames, title: title, theme: start)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: dir).appendingPathComponent("player.html").path
        try FrameFiles.writeAtomically(Array(page.utf8), to: path)
        return path
    }
}
