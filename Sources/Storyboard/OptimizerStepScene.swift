// Storyboard — an optimizer step: one parameter element's gradient, decay, buffers, step and new value.
import Engine

/// Frames for the `update` events of one parameter element at one training step: a row of single-value
/// boxes, one per term the optimizer computed (gradient g, the weight-decay term, the momentum buffer or
/// first moment m, the second moment v, the denominator, the step Δθ, the new value), and the equation
/// θ_new = θ + Δθ with Δθ = direction · (−lr). Reads only the events.
enum OptimizerStepScene {
    static let optimizerStep = SceneKind(rawValue: "optimizer_step")

    static func frame(_ ctx: SceneContext, group: [TraceEvent], current: Int?, state: TraceState) -> Frame? {
        guard let e0 = group.first else { return nil }
        let l = e0.layer
        let curIndex = current ?? group.count - 1
        let step = Int(e0.output.n)
        let name = parameterLabel(ctx, layer: l, target: e0.target, cell: e0.kernel)
        var grids: [Grid] = []
        for (gi, e) in group.enumerated() {
            guard let part = UpdatePart(rawValue: e.output.c) else { continue }
            let known = current == nil || gi <= curIndex
            var marks: CellMarks = known ? .done : .pending
            if current != nil && gi == curIndex { marks = [.written, .current] }
            let cell = Cell(value: known ? e.acc : nil, text: known ? ctx.text(e.acc) : "", marks: marks)
            let (title, symbol) = words(part, e)
            grids.append(Grid(id: GridID(rawValue: "update_\(part.name)"), role: GridRole(rawValue: "update_\(part.name)"),
                              title: title, subtitle: subtitle(ctx, part, e), symbol: symbol, rows: 1, columns: 1,
                              cells: [cell], position: GridPosition(row: 0, column: grids.count),
                              joiner: grids.isEmpty ? nil : "→"))
        }
        guard let last = group.last, UpdatePart(rawValue: last.output.c) == .value,
              let stepEvent = group.last(where: { $0.output.c == UpdatePart.step.rawValue }) else {
            return Frame(scene: optimizerStep, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                         title: "optimizer step \(step) · \(name)", caption: "The update of \(name).", grids: grids,
                         written: nil, equation: nil, runningSum: nil, legend: [])
        }
        let finished = current == nil || curIndex == group.count - 1
        let terms = [
            Term(operands: [Operand(label: "θ", value: last.a, text: ctx.text(last.a))], product: last.a,
                 productText: ctx.text(last.a), state: finished ? .done : .pending, traceStep: last.step),
            Term(operands: [Operand(label: "direction", value: stepEvent.a, text: ctx.text(stepEvent.a)),
                            Operand(label: "−lr", value: stepEvent.b, text: ctx.text(stepEvent.b))],
                 product: stepEvent.product, productText: ctx.text(stepEvent.product),
                 state: finished ? .done : .pending, traceStep: stepEvent.step),
        ]
        let equation = Equation(target: Operand(label: name + " new", value: last.acc, text: finished ? ctx.text(last.acc) : ""),
                                combine: .sum, terms: terms, result: finished ? last.acc : nil,
                                resultText: finished ? ctx.text(last.acc) : "")
        let parts = Set(group.compactMap { UpdatePart(rawValue: $0.output.c) })
        var caption = "Step \(step) moves \(name) against its gradient"
        if parts.contains(.secondMoment) && parts.contains(.momentum) && !parts.contains(.gradAverage) {
            caption += ": m and v are running averages of g and g², the step is m̂/(√v̂ + eps) times −lr (bias-corrected)."
        } else if parts.contains(.secondMoment) {
            caption += ": g is divided by the root of a running average of g² (RMSProp)."
        } else if parts.contains(.momentum) {
            caption += ": the momentum buffer adds up past gradients, and the step follows the buffer."
        } else {
            caption += ": θ ← θ − lr·g."
        }
        if parts.contains(.decay) { caption += " Weight decay adds its term first." }
        return Frame(scene: optimizerStep, phase: e0.phase, layer: l, traceSteps: stepsRange(group, current),
                     title: "optimizer step \(step) · \(name)", caption: caption, grids: grids, written: nil,
                     equation: equation, runningSum: nil, legend: [])
    }

    /// The box title and symbol of one term.
    static func words(_ part: UpdatePart, _ e: TraceEvent) -> (String, String) {
        switch part {
        case .gradient: ("gradient g", "g")
        case .decay: (e.a - e.product == e.acc ? "decayed θ" : "g + wd·θ", "wd")
        case .momentum: ("buffer / m", "m")
        case .secondMoment: ("second moment v", "v")
        case .gradAverage: ("mean gradient ḡ", "ḡ")
        case .denominator: ("denominator", "√v + eps")
        case .step: ("step Δθ", "Δθ")
        case .value: ("new value θ", "θ")
        }
    }

    /// What went into a term, e.g. "old 0.1, + 0.02".
    static func subtitle(_ ctx: SceneContext, _ part: UpdatePart, _ e: TraceEvent) -> String? {
        switch part {
        case .gradient: nil
        case .decay: "θ \(ctx.text(e.a)) · \(ctx.text(e.b))"
        case .momentum, .secondMoment, .gradAverage: "old \(ctx.text(e.a))"
        case .denominator: "√ \(ctx.text(e.a)) + \(ctx.text(e.b))"
        case .step: "\(ctx.text(e.a)) · \(ctx.text(e.b))"
        case .value: "θ was \(ctx.text(e.a))"
        }
    }

    /// `W[1,3]`, `K[0,0,1,2]`, `b[2]`, `γ[1]`, `β[1]`: the parameter element an update names.
    static func parameterLabel(_ ctx: SceneContext, layer l: Int, target: GradTarget, cell: Index4) -> String {
        let layer = l < ctx.geometry.count ? ctx.geometry[l].layer : nil
        switch (layer, target) {
        case (.batchNorm2d?, .bias): return "β[\(cell.n)]"
        case (.batchNorm2d?, _): return "γ[\(cell.n)]"
        case (_, .bias): return "b[\(cell.n)]"
        case (.linear?, _): return "W[\(cell.n),\(cell.c)]"
        case (.convTranspose2d?, _): return "W[\(cell.n),\(cell.c),\(cell.h),\(cell.w)]"
        default: return "K[\(cell.n),\(cell.c),\(cell.h),\(cell.w)]"
        }
    }
}
