// WebPlayer — the page's style sheet: layout, themes (light, dark, following the system), marks, focus.

/// The CSS of the player page.
///
/// Sizes are in `em`/`rem` so text and frame scale with the reader's font size; the SVG is sized in
/// `em` by the script for the same reason. Marks differ in colour and in line width or dash.
enum PlayerStyle {
    static var css: String {
        let light = WebPalette.light.css, dark = WebPalette.dark.css
        return """
        :root,[data-theme=light]{\(light)color-scheme:light}
        [data-theme=dark]{\(dark)color-scheme:dark}
        @media (prefers-color-scheme:dark){[data-theme=auto]{\(dark)color-scheme:dark}}
        """ + rules
    }

    static let rules = #"""
    *{box-sizing:border-box}
    html{font-size:100%}
    body{margin:0;background:var(--bg);color:var(--ink);font:1rem/1.45 "DejaVu Sans",system-ui,sans-serif}
    main{max-width:72rem;margin:0 auto;padding:1rem 1.25rem 2rem}
    h1{font-size:1.2rem;margin:0 0 .2rem}
    #counter{margin:0 0 .6rem;color:var(--ink2)}
    #stage{overflow:auto;border:1px solid var(--grid-line);border-radius:.3rem;padding:.5rem;background:var(--bg)}
    #frame{display:block;max-width:none}
    #frame text{fill:var(--ink);font-family:"DejaVu Sans",system-ui,sans-serif;font-size:14px}
    #frame .gt{font-size:14px}
    #frame .gs{fill:var(--ink2)}
    #frame .jn{font-size:22px}
    #frame .an{font-size:10px;fill:var(--annotation)}
    #frame .pt{fill:var(--padding-ink)}
    #frame .zt{fill:var(--faint)}
    #frame .b{font-weight:bold}
    .gl{stroke:var(--grid-line);stroke-width:1;fill:none}
    .wb{stroke:var(--window-edge);stroke-width:2.5;fill:none}
    .pb{stroke:var(--faint);stroke-width:1;fill:none;stroke-dasharray:3 3}
    .zb{stroke:var(--faint);stroke-width:1;fill:none;stroke-dasharray:1 2}
    .f-bg{fill:var(--bg)}.f-cell{fill:var(--cell)}.f-padding{fill:var(--padding)}.f-inserted{fill:var(--inserted)}
    .f-pending{fill:var(--pending)}.f-contributor{fill:var(--contributor)}.f-window{fill:var(--window)}
    .f-selected{fill:var(--selected)}.f-written{fill:var(--written)}.f-current{fill:var(--current)}
    .e-current{stroke:var(--current-edge);stroke-width:3;fill:none}
    .e-written{stroke:var(--written-edge);stroke-width:3;fill:none}
    .e-selected{stroke:var(--selected-edge);stroke-width:2.5;fill:none}
    .e-source{stroke:var(--source-edge);stroke-width:2.5;fill:none;stroke-dasharray:4 2}
    .e-window{stroke:var(--window-edge);stroke-width:2;fill:none}
    .c{cursor:help;outline:none}
    .c .hl,.c .fo{fill:none;stroke:none}
    .c.pv-win .hl{stroke:var(--window-edge);stroke-width:4}
    .c.pv-ker .hl{stroke:var(--current-edge);stroke-width:4;stroke-dasharray:6 3}
    .c.pv-tgt .hl{stroke:var(--written-edge);stroke-width:4;stroke-dasharray:2 2}
    .c.pv-win,.c.pv-ker,.c.pv-tgt{filter:none}
    .c:focus-visible .fo,.c:hover .fo{stroke:var(--ink);stroke-width:2}
    #text{margin-top:.75rem}
    #caption{margin:.2rem 0 .5rem}
    .eq{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:.95rem;margin:.25rem 0;overflow-wrap:anywhere}
    .eq .lhs,.eq .res{font-weight:bold}
    .term{border-radius:.2rem;padding:0 .05rem}
    .term.s-c{background:var(--current);font-weight:bold}
    .term.s-p{color:var(--faint)}
    .term.pad{color:var(--padding-ink)}
    .term.sel{color:var(--selected-edge);font-weight:bold}
    .term:hover,.term:focus-visible{outline:2px solid var(--current-edge)}
    .grp{color:var(--ink2)}
    #running{color:var(--ink2);margin:.25rem 0}
    #notes{margin:.25rem 0;padding-left:1.2rem;color:var(--ink2)}
    #prov{margin-top:.75rem;border-left:.3rem solid var(--written-edge);padding:.4rem .8rem;background:var(--pending)}
    #prov h2{font-size:1rem;margin:0 0 .25rem}
    #prov p{margin:.2rem 0}
    #prov ul{margin:.2rem 0;padding-left:1.2rem;max-height:12rem;overflow:auto}
    #controls{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.75rem 0}
    button,select{font:inherit;color:var(--ink);background:var(--cell);border:1px solid var(--grid-line);
      border-radius:.3rem;padding:.3rem .6rem;min-width:2.6rem}
    button:hover{background:var(--pending)}
    #scrubber{flex:1 1 14rem;min-width:10rem;accent-color:var(--window-edge)}
    :focus-visible{outline:3px solid var(--current-edge);outline-offset:2px}
    label{color:var(--ink2)}
    #legend{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;color:var(--ink2)}
    #legend svg{vertical-align:middle;margin-right:.35rem}
    .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    """#
}
