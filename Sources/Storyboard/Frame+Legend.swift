// Storyboard — a frame's legend lists only what the frame shows.

extension Frame {
    /// Whether some cell of the frame carries `swatch` (a mark, a padding or inserted-zero role), or the
    /// frame draws it otherwise (the window outline). Unknown swatches and `normal` count as shown.
    public func shows(_ swatch: Swatch) -> Bool {
        func anyCell(_ test: (Cell) -> Bool) -> Bool { grids.contains { $0.cells.contains(where: test) } }
        switch swatch {
        case .window: return window != nil || anyCell { $0.marks.contains(.window) }
        case .current: return anyCell { $0.marks.contains(.current) }
        case .source: return anyCell { $0.marks.contains(.source) }
        case .written: return written != nil || anyCell { $0.marks.contains(.written) }
        case .pending: return anyCell { $0.marks.contains(.pending) }
        case .done: return anyCell { $0.marks.contains(.done) }
        case .selected: return anyCell { $0.marks.contains(.selected) }
        case .contributor: return anyCell { $0.marks.contains(.contributor) }
        case .padding: return anyCell { $0.role.isPadding }
        case .insertedZero: return anyCell { $0.role == .insertedZero }
        default: return true
        }
    }

    /// The legend without entries for colours the frame does not show (a scene lists what its kind of
    /// frame can show; the last frame of a pass, e.g., has no cells still to compute).
    public var shownLegend: [LegendEntry] { legend.filter { shows($0.swatch) } }
}
