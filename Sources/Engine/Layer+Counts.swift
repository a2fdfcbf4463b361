// Engine — how many numbers a layer learns and how many multiply-accumulates its forward pass makes.

extension Layer {
    /// The number of values training learns in this layer on an input of shape `input` (engine rank): the
    /// element counts of the tensors its descriptor names `learnable` (a conv's kernel K×C/groups×Fh×Fw and
    /// bias K, a linear layer's weight F_out×F_in and bias F_out, a projection's kernel and bias), read from
    /// the tensors the layer holds, plus what it learns without holding it yet (batch norm's γ and β left at
    /// their defaults: C each, as PyTorch counts them).
    /// - Returns: 0 for layers without weights (pools, activations, flatten, dropout).
    public func parameterCount(input: [Int]) -> Int {
        let names = Set(descriptor.learnable)
        var count = descriptor.learnedDefaults(self, input)
        for (name, value) in descriptor.parameters(self) where names.contains(name) {
            if case .tensor(let t) = value { count += t.count }
        }
        return count
    }

    /// The multiply-accumulates of this layer's forward pass on an input of shape `input` (engine rank):
    /// the number of `mac` events it emits. conv2d: N·K·Ho·Wo·(C/groups)·Fh·Fw, window terms over
    /// padding included; conv_transpose2d: the scatter's kernel taps that land inside the output; linear:
    /// N·F_out·F_in. Bias adds are not counted.
    /// - Returns: nil for layers that multiply no weights.
    /// - Throws: `EngineError` when the input does not fit the layer or the count overflows `Int`.
    public func multiplyAccumulates(input: [Int]) throws -> Int? {
        try descriptor.multiplyAccumulates(self, input)
    }
}

/// Counting helpers for the descriptors' `multiplyAccumulates`.
public enum LayerCounts {
    /// The product of `factors`, checked.
    /// - Throws: `EngineError` when it overflows `Int`.
    public static func product(_ factors: [Int]) throws -> Int {
        var result = 1
        for f in factors {
            let (p, overflow) = result.multipliedReportingOverflow(by: f)
            guard !overflow else {
                throw EngineError("the multiply-accumulate count \(factors.map(String.init).joined(separator: "·")) is larger than \(Int.max)")
            }
            result = p
        }
        return result
    }

    /// Along one axis of a transposed convolution: the (input cell h, kernel tap i) pairs whose scatter
    /// target h·s − p + i·d falls inside the output 0 ..< `output`.
    public static func scatterTaps(size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, output: Int) -> Int {
        // For tap i the targets are h·s + (i·d − p); count the h in 0 ..< size that land in 0 ..< output.
        func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
        var count = 0
        for i in 0..<kernel {
            let shift = i * dilation - padding
            let first = max(0, -floorDiv(shift, stride))           // smallest h with h·s + shift ≥ 0
            let last = min(size - 1, floorDiv(output - 1 - shift, stride))
            if last >= first { count += last - first + 1 }
        }
        return count
    }
}
