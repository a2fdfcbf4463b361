// Storyboard — a stable plain-text dump of a frame, for reference tests and debugging.

extension Frame {
    /// Every field of the frame as stable plain text (one grid row per line).
    ///
    /// Cell tokens: the cell text ("." when empty), prefixed `p:` for padding (with `<mode>` and
    /// the source cell when not zeros), `z:` for inserted zeros, `_` for empty cells, and
    /// suffixed `/` + mark letters: w window, c current, s source, W written, P pending, d done,
    /// S selected, k contributor; `{annotation}` last.
    public func dump() -> String {
        var out: [String] = []
        var head = "frame \(index + 1)/\(count) · \(scene) · \(phase.name) · layer \(layer)"
        if let r = traceSteps { head += " · steps \(r.lowerBound)…\(r.upperBound)" }
        out.append(head)
        out.append("title: \(title)")
        if !caption.isEmpty { out.append("caption: \(caption)") }
        for g in grids {
            var line = "grid \(g.id) [\(g.role)] \"\(g.title)\""
            if let s = g.subtitle { line += " (\(s))" }
            line += " \(g.rows)×\(g.columns) origin (\(g.origin.row),\(g.origin.column))"
            line += " n\(g.slice.n) c\(g.slice.c) at (\(g.position.row),\(g.position.column))"
            if let j = g.joiner { line += " joiner \(j)" }
            out.append(line)
            let tokens = g.cells.map(Frame.token)
            let width = tokens.map(\.count).max() ?? 1
            for r in 0..<g.rows {
                let row = (0..<g.columns).map { c -> String in
                    let t = tokens[r * g.columns + c]
                    return t + String(repeating: " ", count: width - t.count)
                }
                out.append("  " + row.joined(separator: " ").trimmingTrailingSpaces())
            }
        }
        if let w = window {
            let cells = w.cells.map { "\($0.grid)(\($0.row),\($0.column))" }.joined(separator: " ")
            let bounds = w.bounds.map { "\($0.grid)(\($0.row),\($0.column) \($0.rows)×\($0.columns))" }
                .joined(separator: " ")
            out.append("window: step \(w.step.rows)×\(w.step.columns) bounds \(bounds)")
            out.append("  cells \(cells)")
        }
        if let w = written { out.append("written: \(w.grid)(\(w.row),\(w.column))") }
        if let e = equation {
            out.append("equation: \(e.text())")
            for g in e.groups {
                out.append("  group \(g.label): terms \(g.terms.lowerBound)..<\(g.terms.upperBound) = \(g.subtotalText)")
            }
            for (i, t) in e.terms.enumerated() {
                var line = "  term \(i) [\(t.state.rawValue)] "
                line += t.operands.map { o in
                    "\(o.label)=\(o.text)" + (o.ref.map { "@\($0.grid)(\($0.row),\($0.column))" } ?? "")
                        + (o.isPadding ? " pad" : "")
                }.joined(separator: " · ")
                line += " → \(t.productText) #\(t.traceStep)"
                if t.isPadding { line += " padding" }
                if t.isSelected { line += " selected" }
                out.append(line)
            }
            if let b = e.bias { out.append("  bias \(b.label)=\(b.text)") }
        }
        for e in extraEquations { out.append("also: \(e.text())") }
        if let s = runningSum { out.append(s.text) }
        for n in notes { out.append("note: \(n)") }
        for l in legend { out.append("legend: \(l.swatch) = \(l.label)") }
        return out.joined(separator: "\n") + "\n"
    }

    static func token(_ cell: Cell) -> String {
        var t = ""
        switch cell.role {
        case .normal: break
        case .padding(let fill):
            t += "p:"
            if fill.mode != .zeros {
                t += "<\(fill.mode.rawValue)"
                if let s = fill.source { t += " \(s.row),\(s.column)" }
                t += ">"
            }
        case .insertedZero: t += "z:"
        case .empty: t += "_"
        }
        t += cell.text.isEmpty ? "." : cell.text
        let letters: [(CellMarks, Character)] = [
            (.window, "w"), (.current, "c"), (.source, "s"), (.written, "W"), (.pending, "P"),
            (.done, "d"), (.selected, "S"), (.contributor, "k"),
        ]
        let m = String(letters.filter { cell.marks.contains($0.0) }.map(\.1))
        if !m.isEmpty { t += "/" + m }
        if let a = cell.annotation { t += "{\(a)}" }
        return t
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
