// Engine — AdamW (torch.optim.AdamW): Adam with the weight decay taken out of the gradient.

extension Ops {
    /// adamw: torch.optim.AdamW — θ ← θ·(1 − lr·weight_decay), then Adam's step (`Adam.update`, decoupled).
    public static let adamw = OpDescriptor<Optimizer>(
        name: "adamw", summary: "θ ← θ·(1 − lr·wd), then Adam's step (decoupled weight decay)",
        keys: Adam.keys(weightDecay: 0.01, shown: "0.01", meaning: "decoupled: θ ← θ·(1 − lr·weight_decay) before the step"),
        shapeRule: "any parameter shape",
        describe: { o in
            guard case .adamw(let p) = o else { return "" }
            return "lr \(p.lr), betas [\(p.beta1), \(p.beta2)], weight_decay \(p.weightDecay)"
        },
        parameters: { o in
            guard case .adamw(let p) = o else { return [] }
            return Adam.parameters(p)
        },
        make: { r in .adamw(try Adam.make(r, name: "adamw")) })
}
