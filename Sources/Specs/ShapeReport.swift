// Specs — every layer's output shape with the size formula, and the receptive field, for `convtrace shape SPEC`.
import Engine
import Foundation
import JSONText
import Tracing

/// The shapes of a spec's network, layer by layer, with the arithmetic shown.
public struct ShapeReport: Sendable {
    /// One layer's shapes and, for conv / transposed conv / pool layers, the size formulas.
    public struct Row: Sendable {
        public var index: Int
        public var op: String
        /// Short parameter summary, e.g. `6@5×5, stride 1, padding 0`.
        public var summary: String
        public var inputShape: [Int]
        public var outputShape: [Int]
        public var height: OutputSize?
        public var width: OutputSize?
        /// Values training learns in this layer (`Layer.parameterCount`): 0 for layers without weights.
        public var parameters: Int = 0
        /// Multiply-accumulates of the forward pass on this batch (`Layer.multiplyAccumulates`); nil for
        /// layers that multiply no weights.
        public var multiplyAccumulates: Int?
    }

    public var file: String
    public var inputShape: [Int]
    public var rows: [Row]
    /// The loss op, when the network ends in one.
    public var loss: String?
    /// The output shape as `eval` reports it (folded to the input's ranks).
    public var outputShape: [Int]
    public var receptiveField: NetworkReceptiveField?

    /// Every layer's parameters, added up.
    public var totalParameters: Int { rows.reduce(0) { $0 + $1.parameters } }
    /// Every layer's multiply-accumulates, added up (nil when the sum overflows `Int`).
    public var totalMultiplyAccumulates: Int? {
        var total = 0
        for r in rows {
            let (sum, overflow) = total.addingReportingOverflow(r.multiplyAccumulates ?? 0)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// `61706` → `61,706`.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Human-readable report: a table of layers, then the receptive-field recurrence.
    public var text: String {
        var lines: [String] = []
        lines.append("\(file): input \(ShapeText.join(inputShape)) (N×C×H×W)")
        let opWidth = max(5, rows.map { $0.op.count + ($0.summary.isEmpty ? 0 : $0.summary.count + 1) }.max() ?? 0)
        let shapeWidth = max(6, rows.map { ShapeText.join($0.outputShape).count }.max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        func padLeft(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        func params(_ r: Row) -> String { r.parameters == 0 ? "–" : Self.grouped(r.parameters) }
        func macs(_ r: Row) -> String { r.multiplyAccumulates.map(Self.grouped) ?? "–" }
        let paramWidth = max(6, rows.map { params($0).count }.max() ?? 0)
        let macWidth = max(4, rows.map { macs($0).count }.max() ?? 0)
        lines.append("  #  " + pad("layer", opWidth) + "  " + pad("output", shapeWidth) + "  " + padLeft("params", paramWidth)
                     + "  " + padLeft("MACs", macWidth) + "  size")
        for r in rows {
            let name = r.summary.isEmpty ? r.op : "\(r.op) \(r.summary)"
            var size = ""
            if let h = r.height, let w = r.width {
                size = h.formula == w.formula ? "Ho = Wo = \(h.description)" : "Ho = \(h.description); Wo = \(w.description)"
            }
            let line = "  " + pad("\(r.index)", 2) + " " + pad(name, opWidth) + "  " + pad(ShapeText.join(r.outputShape), shapeWidth)
                + "  " + padLeft(params(r), paramWidth) + "  " + padLeft(macs(r), macWidth) + "  " + size
            lines.append(line.trimmingTrailingSpaces())
            for (axis, s) in [("height", r.height), ("width", r.width)] {
                if let s, let e = s.exactnessError(axis: axis), !(axis == "width" && r.height?.formula == s.formula) {
                    lines.append("       note: " + e.message)
                }
            }
        }
        if let loss { lines.append("  loss \(loss) → a scalar") }
        let batch = inputShape.first ?? 1
        lines.append("parameters: \(Self.grouped(totalParameters)); multiply-accumulates per forward pass: "
                     + (totalMultiplyAccumulates.map(Self.grouped) ?? "more than \(Self.grouped(Int.max))")
                     + (batch == 1 ? " (one input)" : " (a batch of \(batch), \(batch) × the per-input count)"))
        lines.append("output (as eval reports it): \(outputShape.isEmpty ? "a scalar" : ShapeText.join(outputShape))")
        if let rf = receptiveField, !rf.layerIndices.isEmpty {
            let top = rf.layerIndices.last!
            lines.append("")
            lines.append("receptive field of one output unit of layer \(top) (\(rows[top].op)) on the input, by r_{l−1} = s_l·r_l + k_l − s_l")
            lines.append("(level l is the output of the l-th spatial layer: " + rf.layerIndices.enumerated().map { "\($0.offset + 1) = layer \($0.element) \(rows[$0.element].op)" }.joined(separator: ", ") + "):")
            if rf.y.formula == rf.x.formula {
                lines.append(contentsOf: rf.y.formula.split(separator: "\n").map { "  " + $0 })
                lines.append("  receptive field: \(rf.y.size)×\(rf.x.size) input cells")
            } else {
                lines.append("  height:")
                lines.append(contentsOf: rf.y.formula.split(separator: "\n").map { "    " + $0 })
                lines.append("  width:")
                lines.append(contentsOf: rf.x.formula.split(separator: "\n").map { "    " + $0 })
                lines.append("  receptive field: \(rf.y.size)×\(rf.x.size) input cells")
            }
            if let stop = rf.stoppedAt {
                lines.append("  (counting stops at layer \(stop), \(rows[stop].op): it mixes all positions)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The same as one JSON object.
    public var json: JSONValue {
        func shape(_ s: [Int]) -> JSONValue { .array(s.map { .int($0) }) }
        func size(_ s: OutputSize?) -> JSONValue {
            guard let s else { return .null }
            var pairs: [(String, JSONValue)] = [("value", .int(s.value)), ("formula", .string(s.formula)), ("exact", .bool(s.isExact))]
            if let note = s.note { pairs.append(("note", .string(note))) }
            if let e = s.exactnessError() { pairs.append(("inexact", .string(e.message))) }
            return .object(pairs)
        }
        var pairs: [(String, JSONValue)] = [("file", .string(file)), ("input_shape", shape(inputShape))]
        pairs.append(("layers", .array(rows.map { r in
            var o: [(String, JSONValue)] = [("index", .int(r.index)), ("op", .string(r.op)),
                                            ("input_shape", shape(r.inputShape)), ("output_shape", shape(r.outputShape))]
            if r.height != nil { o.append(("height", size(r.height))); o.append(("width", size(r.width))) }
            o.append(("parameters", .int(r.parameters)))
            o.append(("multiply_accumulates", r.multiplyAccumulates.map { .int($0) } ?? .null))
            return .object(o)
        })))
        pairs.append(("parameters", .int(totalParameters)))
        pairs.append(("multiply_accumulates", totalMultiplyAccumulates.map { .int($0) } ?? .null))
        if let loss { pairs.append(("loss", .string(loss))) }
        pairs.append(("output_shape", shape(outputShape)))
        if let rf = receptiveField {
            pairs.append(("receptive_field", .object([
                ("height", .int(rf.y.size)), ("width", .int(rf.x.size)),
                ("layers", .array(rf.layerIndices.map { .int($0) })),
                ("recurrence_height", .array(rf.y.formula.split(separator: "\n").map { .string(String($0)) })),
                ("recurrence_width", .array(rf.x.formula.split(separator: "\n").map { .string(String($0)) })),
                ("stopped_at", rf.stoppedAt.map { .int($0) } ?? .null),
            ])))
        }
        return .object(pairs)
    }
}

extension Problem {
    /// Every layer's shapes with the size formulas, and the receptive field of the spatial layers.
    public func shapeReport() throws(SpecError) -> ShapeReport {
        var rows: [ShapeReport.Row] = []
        for (i, layer) in network.layers.enumerated() {
            let info = layerInfos[i]
            var row = ShapeReport.Row(index: i, op: info.op, summary: "", inputShape: info.inputShape,
                                      outputShape: info.outputShape)
            do {
                row.summary = layer.descriptor.describe(layer)
                row.parameters = layer.parameterCount(input: info.inputShape)
                row.multiplyAccumulates = try layer.multiplyAccumulates(input: info.inputShape)
                if let sizes = try layer.descriptor.sizes(layer, info.inputShape) {
                    (row.height, row.width) = (sizes.height, sizes.width)
                }
            } catch {
                throw SpecError(file: file, path: info.path, line: info.line, problem: "\(error)")
            }
            rows.append(row)
        }
        let rf: NetworkReceptiveField? = try? ReceptiveField.of(network)
        return ShapeReport(file: file, inputShape: input.shape, rows: rows,
                           loss: network.loss.map { _ in layerInfos.last!.op },
                           outputShape: outputShape, receptiveField: rf)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
