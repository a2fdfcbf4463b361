// LessonWeb — the page around a rendered lesson: head, navigation, the themes' colours, readable type.
import WebPlayer

/// One page of the site: a title, navigation links and an HTML body, with the player's palette (light,
/// dark, or following the reader's system) and no external resource.
enum SitePage {
    static func html(title: String, nav: [String], body: String) -> String {
        let light = WebPalette.light.colours.filter { ["bg", "ink", "ink2", "pending", "grid-line", "window-edge"].contains($0.name) }
            .map { "--\($0.name):\($0.hex);" }.joined()
        let dark = WebPalette.dark.colours.filter { ["bg", "ink", "ink2", "pending", "grid-line", "window-edge"].contains($0.name) }
            .map { "--\($0.name):\($0.hex);" }.joined()
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1">
        <meta name="generator" content="convtrace lessons">
        <title>\(escape(title))</title>
        <style>
        :root{\(light)color-scheme:light dark}
        @media (prefers-color-scheme:dark){:root{\(dark)}}
        body{margin:0;background:var(--bg);color:var(--ink);font:1rem/1.55 "DejaVu Sans",system-ui,sans-serif}
        nav,main{max-width:60rem;margin:0 auto;padding:.5rem 1.25rem}
        nav{display:flex;gap:1.2rem;border-bottom:1px solid var(--grid-line)}
        a{color:var(--window-edge)}
        a:focus-visible{outline:3px solid var(--window-edge);outline-offset:2px}
        pre,code{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:.92em}
        pre{background:var(--pending);padding:.6rem .8rem;overflow:auto;border-radius:.3rem}
        table{border-collapse:collapse;margin:.6rem 0;display:block;overflow:auto}
        th,td{border:1px solid var(--grid-line);padding:.2rem .5rem}
        img{max-width:100%;height:auto;background:#fff}
        .math{overflow-x:auto;overflow-y:hidden;margin:.8rem 0}
        math{font-size:1.1em}
        iframe.player{width:100%;height:56rem;border:1px solid var(--grid-line);border-radius:.3rem}
        </style>
        </head>
        <body>
        <nav aria-label="lessons">\(nav.joined(separator: " "))</nav>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// `&`, `<`, `>` and `"` as entities.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
