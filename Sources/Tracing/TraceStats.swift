// Tracing — TraceStats: event counts of a trace by kind, phase, gradient target and layer.
import Engine
import JSONText

/// Counts of a trace's events, gathered in one streaming pass.
public struct TraceStats: Equatable, Sendable {
    /// `counts[kind][phase]`, indexed by raw values (kind raw values may skip a number).
    public private(set) var byKindPhase: [[Int]] = TraceStats.emptyRows
    /// One row of zeros per kind raw value, one column per phase.
    static let emptyRows: [[Int]] = Array(
        repeating: Array(repeating: 0, count: Phase.allCases.count),
        count: Int(EventKind.allCases.map(\.rawValue).max() ?? 0) + 1)
    /// Gradient terms by target (`input`, `kernel`, `bias`; index = raw value).
    public private(set) var byTarget: [Int] = Array(repeating: 0, count: GradTarget.allCases.count)
    /// Per layer index: `[kind][phase]` counts.
    public private(set) var byLayer: [Int: [[Int]]] = [:]
    /// Events with the padding flag.
    public private(set) var paddingEvents = 0
    public private(set) var total = 0

    public init() {}

    /// Counts one event.
    public mutating func add(_ e: TraceEvent) {
        let k = Int(e.kind.rawValue), p = Int(e.phase.rawValue)
        byKindPhase[k][p] += 1
        if e.kind == .grad { byTarget[Int(e.target.rawValue)] += 1 }
        byLayer[e.layer, default: TraceStats.emptyRows][k][p] += 1
        if e.flags.contains(.padding) { paddingEvents += 1 }
        total += 1
    }

    /// Reads every event of `reader` and counts it (constant memory).
    public init(reading reader: TraceReader) throws {
        while let e = try reader.next() { add(e) }
    }

    public func count(_ kind: EventKind, _ phase: Phase) -> Int { byKindPhase[Int(kind.rawValue)][Int(phase.rawValue)] }
    public func count(_ kind: EventKind) -> Int { byKindPhase[Int(kind.rawValue)].reduce(0, +) }
    public func count(_ phase: Phase) -> Int { byKindPhase.reduce(0) { $0 + $1[Int(phase.rawValue)] } }
    public func count(target: GradTarget) -> Int { byTarget[Int(target.rawValue)] }

    /// The counts as JSON (keys in a fixed order); `header` names the layers' ops. The `update` phase
    /// (a training spec's optimizer steps) is listed only where it has events.
    public func toJSON(header: TraceHeader?) -> JSONValue {
        func phases(_ row: [Int]) -> JSONValue {
            .object([("forward", .int(row[0])), ("backward", .int(row[1]))]
                    + (row[2] > 0 ? [("update", .int(row[2]))] : []) + [("total", .int(row.reduce(0, +)))])
        }
        let kinds = EventKind.allCases.map { ($0.name, phases(byKindPhase[Int($0.rawValue)])) }
        let layers: [JSONValue] = byLayer.keys.sorted().map { index in
            let rows = byLayer[index]!
            let used = EventKind.allCases.filter { rows[Int($0.rawValue)].reduce(0, +) > 0 }
            return .object([
                ("layer", .int(index)),
                ("op", .string(header?.opName(ofLayer: index) ?? "layer \(index)")),
                ("forward", .int(rows.reduce(0) { $0 + $1[0] })),
                ("backward", .int(rows.reduce(0) { $0 + $1[1] })),
            ] + (rows.contains { $0[2] > 0 } ? [("update", .int(rows.reduce(0) { $0 + $1[2] }))] : []) + [
                ("by_kind", .object(used.map { ($0.name, phases(rows[Int($0.rawValue)])) })),
            ])
        }
        return .object([
            ("events", .int(total)),
            ("forward", .int(count(.forward))),
            ("backward", .int(count(.backward))),
        ] + (count(Phase.update) > 0 ? [("update", .int(count(Phase.update)))] : []) + [
            ("by_kind", .object(kinds)),
            ("grad_by_target", .object([("input", .int(count(target: .input))), ("kernel", .int(count(target: .kernel))),
                                        ("bias", .int(count(target: .bias)))])),
            ("padding_events", .int(paddingEvents)),
            ("layers", .array(layers)),
        ])
    }

    /// A readable table: counts by kind and phase, gradient targets, then one row per layer.
    public func table(header: TraceHeader?) -> String {
        func pad(_ s: String, _ w: Int, right: Bool = true) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return right ? fill + s : s + fill
        }
        var lines: [String] = []
        let updates = count(Phase.update) > 0  // a training trace: one more column
        func updateColumn(_ n: Int) -> String { updates ? pad("\(n)", 12) : "" }
        lines.append(pad("kind", 12, right: false) + pad("forward", 12) + pad("backward", 12)
                     + (updates ? pad("update", 12) : "") + pad("total", 12))
        for kind in EventKind.allCases where count(kind) > 0 {
            lines.append(pad(kind.name, 12, right: false) + pad("\(count(kind, .forward))", 12)
                         + pad("\(count(kind, .backward))", 12) + updateColumn(count(kind, Phase.update)) + pad("\(count(kind))", 12))
        }
        lines.append(pad("all", 12, right: false) + pad("\(count(.forward))", 12) + pad("\(count(.backward))", 12)
                     + updateColumn(count(Phase.update)) + pad("\(total)", 12))
        if count(.grad) > 0 {
            lines.append("")
            lines.append("grad terms by target: input \(count(target: .input)), kernel \(count(target: .kernel)), bias \(count(target: .bias))")
        }
        if paddingEvents > 0 { lines.append("events that read padding: \(paddingEvents)") }
        lines.append("")
        lines.append(pad("layer", 6) + "  " + pad("op", 22, right: false) + pad("forward", 12) + pad("backward", 12) + "  kinds")
        for index in byLayer.keys.sorted() {
            let rows = byLayer[index]!
            let kinds = EventKind.allCases.filter { rows[Int($0.rawValue)].reduce(0, +) > 0 }
                .map { "\($0.name) \(rows[Int($0.rawValue)].reduce(0, +))" }.joined(separator: ", ")
            lines.append(pad("\(index)", 6) + "  " + pad(header?.opName(ofLayer: index) ?? "?", 22, right: false)
                         + pad("\(rows.reduce(0) { $0 + $1[0] })", 12) + pad("\(rows.reduce(0) { $0 + $1[1] })", 12) + "  " + kinds)
        }
        return lines.joined(separator: "\n")
    }
}
