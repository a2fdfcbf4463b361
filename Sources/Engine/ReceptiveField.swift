// Engine — receptive field of a stack of layers along one axis, by the recurrence r_{l−1} = s_l·r_l + k_l − s_l.

/// How many input cells one output unit of a stack of conv/pool layers sees, along one axis, with the working.
///
/// With layer l's effective kernel k_l = d_l·(F_l − 1) + 1 and stride s_l, start from one unit at the top,
/// r_L = 1, and go down: r_{l−1} = s_l·r_l + k_l − s_l (`cnn-basics-backprop.md`). r_0 is the receptive
/// field on the stack's input. `jump` is the cumulative stride s_1⋯s_l: how far apart, in input cells,
/// neighbouring units of layer l's output are. Padding changes neither.
public struct ReceptiveField: Equatable, Sendable, CustomStringConvertible {
    /// One layer of the stack along this axis.
    public struct Layer: Equatable, Sendable {
        /// For display, e.g. `"conv2d"`, `"max_pool2d"`.
        public var name: String
        public var kernel: Int
        public var stride: Int
        public var dilation: Int
        /// d·(F − 1) + 1.
        @inlinable public var effectiveKernel: Int { dilation * (kernel - 1) + 1 }
        public init(name: String = "layer", kernel: Int, stride: Int = 1, dilation: Int = 1) {
            self.name = name; self.kernel = kernel; self.stride = stride; self.dilation = dilation
        }
    }

    /// r_l with its working: level l is the output of layer l (level 0 is the stack's input).
    public struct Level: Equatable, Sendable {
        /// l, 0…L.
        public var index: Int
        /// r_l: cells of level l seen by one unit of the top level.
        public var size: Int
        /// s_1⋯s_l (1 at level 0): input cells between neighbouring units of level l.
        public var jump: Int
        /// Receptive field on the stack's input of one unit of level l (1 at level 0).
        public var inputField: Int
        /// `r1 = 2·1 + 3 − 2 = 3` (the top level: `r2 = 1`).
        public var formula: String
    }

    public let layers: [Layer]
    /// Levels 0…L; `levels[L].size == 1`.
    public let levels: [Level]

    /// r_0: the receptive field of one top unit on the stack's input.
    @inlinable public var size: Int { levels[0].size }
    /// The recurrence from the top down, one step per line.
    public var formula: String { levels.reversed().map(\.formula).joined(separator: "\n") }
    public var description: String { formula }

    /// Computes the receptive field of `layers` (first layer first).
    ///
    /// - Throws: `EngineError` for a kernel, stride or dilation below 1.
    public init(layers: [Layer]) throws {
        for (l, layer) in layers.enumerated() {
            guard layer.kernel >= 1, layer.stride >= 1, layer.dilation >= 1 else {
                throw EngineError(
                    "receptive field: layer \(l) (\(layer.name)) needs kernel, stride and dilation of at least 1, "
                        + "got kernel \(layer.kernel), stride \(layer.stride), dilation \(layer.dilation)")
            }
        }
        self.layers = layers
        let L = layers.count
        /// a·b + c, or an error naming the layer when it does not fit in an Int (jumps multiply).
        func checked(_ a: Int, _ b: Int, plus c: Int, layer l: Int) throws -> Int {
            let (m, o1) = a.multipliedReportingOverflow(by: b)
            let (r, o2) = m.addingReportingOverflow(c)
            guard !o1, !o2 else {
                throw EngineError(
                    "receptive field: at layer \(l) (\(layers[l].name)) the product of the strides and kernels "
                        + "exceeds \(Int.max); use smaller strides, kernels or dilations, or fewer layers")
            }
            return r
        }
        var jumps = [1], fields = [1]
        for (l, layer) in layers.enumerated() {
            let k = try checked(layer.dilation, layer.kernel - 1, plus: 1, layer: l)
            fields.append(try checked(k - 1, jumps[jumps.count - 1], plus: fields[fields.count - 1], layer: l))
            jumps.append(try checked(jumps[jumps.count - 1], layer.stride, plus: 0, layer: l))
        }
        var sizes = [Int](repeating: 1, count: L + 1)
        var formulas = [String](repeating: "r\(L) = 1", count: L + 1)
        var l = L
        while l > 0 {
            let layer = layers[l - 1]
            let k = try checked(layer.dilation, layer.kernel - 1, plus: 1, layer: l - 1)
            let (s, r) = (layer.stride, sizes[l])
            // s·r + k − s = s·(r − 1) + k, which cannot overflow halfway when the result fits.
            sizes[l - 1] = try checked(s, r - 1, plus: k, layer: l - 1)
            formulas[l - 1] = "r\(l - 1) = \(s)·\(r) + \(k) − \(s) = \(sizes[l - 1])"
            l -= 1
        }
        levels = (0...L).map { Level(index: $0, size: sizes[$0], jump: jumps[$0], inputField: fields[$0], formula: formulas[$0]) }
    }
}

/// Receptive field of a network's spatial layers, per axis.
public struct NetworkReceptiveField: Equatable, Sendable {
    /// Height axis.
    public let y: ReceptiveField
    /// Width axis.
    public let x: ReceptiveField
    /// For each counted layer, its index in `network.layers`.
    public let layerIndices: [Int]
    /// The index of the layer where counting stopped (flatten, linear, a global pool, a transposed
    /// conv), or nil when the whole network was spatial.
    public let stoppedAt: Int?
}

extension ReceptiveField {
    /// Receptive field of a network: conv2d and max/avg pool layers count; activations and softmax do not
    /// change it; counting stops at the first flatten, linear, global pool or transposed conv.
    ///
    /// - Throws: `EngineError` for a conv kernel that is not K×C×Fh×Fw or a size below 1.
    public static func of(_ network: Network) throws -> NetworkReceptiveField {
        var ys: [Layer] = [], xs: [Layer] = [], indices: [Int] = []
        var stopped: Int? = nil
        scan: for (index, layer) in network.layers.enumerated() {
            let role: ReceptiveFieldRole
            do {
                role = try layer.descriptor.receptiveField(layer)
            } catch let error as EngineError {
                throw EngineError("receptive field: layer \(index) (\(layer.opName)) \(error.message)")
            }
            switch role {
            case .window(let y, let x):
                ys.append(y)
                xs.append(x)
                indices.append(index)
            case .passes:
                continue
            case .stops:
                stopped = index
                break scan
            }
        }
        return NetworkReceptiveField(y: try ReceptiveField(layers: ys), x: try ReceptiveField(layers: xs),
                                     layerIndices: indices, stoppedAt: stopped)
    }
}
