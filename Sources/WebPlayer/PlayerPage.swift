// WebPlayer — storyboard frames → one self-contained HTML player page (inline CSS, script and frame data).
import Foundation
import Storyboard

/// Builds `player.html`: a page that draws the storyboard's frames as SVG in the browser, with
/// controls, keyboard, `#step=N` links and "where did this number come from" on every cell.
///
/// The page needs no network and no other file: styles, script and the frames (compact JSON, see
/// `PlayerData`) are inline, so it works from `file://` and from any static web host.
public enum PlayerPage {
    /// The theme the page starts with; the reader can switch it on the page.
    public enum StartTheme: String, Sendable, CaseIterable {
        case light, dark
        /// Follow the reader's system setting (`prefers-color-scheme`).
        case auto
    }

    /// Where the page finds its style sheet and script.
    public enum Assets: Sendable, Equatable {
        /// Inline in the page: one file that works anywhere (what `render --format html` writes).
        case inline
        /// In `player.css` and `player.js` at `prefix` (e.g. `"../"`), written once by `sharedFiles`:
        /// a site with many players loads them once instead of once per player.
        case shared(prefix: String)
    }

    /// The files a site with `.shared` players writes once, by name: the style sheet and the script.
    public static let sharedFiles: [(name: String, text: String)] = [
        ("player.css", PlayerStyle.css + "\n"),
        ("player.js", PlayerScript.js + "\n"),
    ]

    /// The HTML text of the player for `frames`.
    ///
    /// - Parameters:
    ///   - frames: the storyboard frames, in order (at least one).
    ///   - title: the page title (e.g. the spec's file name).
    ///   - theme: the theme the page starts with.
    ///   - assets: inline style and script, or links to the shared files.
    /// - Returns: the whole page, deterministic for the same frames.
    /// - Throws: `WebPlayerError` when there is nothing to show or the data cannot be encoded.
    /// - Complexity: O(total cells + total terms) in time and output size.
    public static func html(frames: [Frame], title: String, theme: StartTheme = .auto, assets: Assets = .inline) throws -> String {
        guard !frames.isEmpty else { throw WebPlayerError("no frames to put in the player") }
        let data: String
        do { data = try PlayerData(frames: frames).json() } catch {
            throw WebPlayerError("cannot encode the frames for the player: \(error)")
        }
        let t = escape(title)
        let style: String, script: String
        switch assets {
        case .inline:
            style = "<style>\n\(PlayerStyle.css)\n</style>"
            script = "<script>\n\(PlayerScript.js)\n</script>"
        case .shared(let prefix):
            let p = escape(prefix)
            style = "<link rel=\"stylesheet\" href=\"\(p)player.css\">"
            script = "<script src=\"\(p)player.js\"></script>"
        }
        return """
        <!DOCTYPE html>
        <html lang="en" data-theme="\(theme.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1">
        <meta name="generator" content="convtrace">
        <title>\(t) · convtrace player</title>
        \(style)
        </head>
        <body>
        <main id="player">
        <h1 id="title">\(t)</h1>
        <p id="counter" aria-live="polite"></p>
        <nav id="controls" aria-label="playback">
        <button id="first" type="button" aria-label="first step" title="first step (Home)">|◀</button>
        <button id="back" type="button" aria-label="step back" title="step back (←)">◀</button>
        <button id="play" type="button" aria-label="play" title="play / pause (space)">▶</button>
        <button id="forward" type="button" aria-label="step forward" title="step forward (→)">▶▶</button>
        <button id="last" type="button" aria-label="last step" title="last step (End)">▶|</button>
        <input id="scrubber" type="range" min="1" max="\(frames.count)" value="1" step="1" aria-label="step">
        <label>speed <select id="speed" aria-label="playback speed">
        <option value="2000">0.5×</option><option value="1000" selected>1×</option><option value="500">2×</option><option value="250">4×</option>
        </select></label>
        <label>theme <select id="theme" aria-label="colour theme">
        <option value="auto">system</option><option value="light">light</option><option value="dark">dark</option>
        </select></label>
        </nav>
        <div id="stage"><svg id="frame" xmlns="http://www.w3.org/2000/svg" role="group" aria-label="the frame's grids; every cell can be focused"></svg></div>
        <div id="text">
        <p id="caption"></p>
        <div id="equation" aria-live="polite"></div>
        <p id="running"></p>
        <ul id="notes"></ul>
        </div>
        <aside id="prov" aria-live="polite" aria-labelledby="prov-h">
        <h2 id="prov-h">Where did this number come from?</h2>
        <p id="prov-text">Hover over a cell, or focus it with Tab.</p>
        <div id="prov-eq"></div>
        </aside>
        <ul id="legend" aria-label="legend"></ul>
        <p class="sr">Keys: space plays or pauses, left and right arrows step, Home and End jump to the first and last step.</p>
        </main>
        <script type="application/json" id="frames">\(data)</script>
        \(script)
        </body>
        </html>

        """
    }

    /// `&`, `<`, `>` and `"` as entities.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}

/// Why a player page cannot be made; the message says what to change.
public struct WebPlayerError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
