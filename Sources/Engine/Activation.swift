// Engine — element-wise activations (relu, leaky_relu, sigmoid, tanh) forward and backward.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Element-wise activation functions, PyTorch's definitions and derivatives.
///
/// Works on any shape (N×C×H×W or N×F). Derivatives at the kink follow PyTorch:
/// relu′(0) = 0 (`threshold_backward`: x ≤ 0 → 0), leaky_relu′(0) = slope (x > 0 ? 1 : slope).
public enum Activation {
    /// Which function.
    public enum Function: Equatable, Hashable, Sendable {
        case relu
        case leakyRelu(slope: Double)
        case sigmoid
        case tanh

        /// The op name as written in specs.
        public var opName: String {
            switch self {
            case .relu: Ops.relu.name
            case .leakyRelu: Ops.leakyRelu.name
            case .sigmoid: Ops.sigmoid.name
            case .tanh: Ops.tanh.name
            }
        }

        /// f(x).
        @inlinable
        public func value(_ x: Double) -> Double {
            switch self {
            case .relu: x > 0 ? x : 0
            case .leakyRelu(let slope): x > 0 ? x : x * slope
            case .sigmoid: 1 / (1 + restExp(-x))
            case .tanh: TanhKernel.scalar(x)
            }
        }

        /// f′(x), written through y = f(x) where PyTorch does (sigmoid: y(1 − y), tanh: 1 − y²).
        @inlinable
        public func derivative(_ x: Double) -> Double {
            switch self {
            case .relu: return x > 0 ? 1 : 0
            case .leakyRelu(let slope): return x > 0 ? 1 : slope
            case .sigmoid:
                let y = value(x)
                return (1 - y) * y
            case .tanh:
                let y = value(x)
                return 1 - y * y
            }
        }

        /// f′ written through the output y = f(x): the same number as `derivative(x)`, without recomputing f.
        @inlinable
        public func derivative(_ x: Double, output y: Double) -> Double {
            switch self {
            case .relu, .leakyRelu: return derivative(x)
            case .sigmoid: return (1 - y) * y
            case .tanh: return 1 - y * y
            }
        }
    }

    /// y = f(x), element-wise. Events: one `activation` per element (a = x, acc = y), row-major.
    @inlinable
    public static func forward<S: TraceSink>(
        _ function: Function, input: Tensor, tracer: inout Tracer<S>
    ) throws -> Tensor {
        if case .leakyRelu(let slope) = function, !slope.isFinite {
            throw EngineError("leaky_relu: slope must be a finite number, got \(slope)")
        }
        var output = input
        if !tracer.isRecording, case .tanh = function {  // eight at a time, the same bits (see TanhKernel)
            input.data.withUnsafeBufferPointer { X in
                output.data.withUnsafeMutableBufferPointer { Y in
                    if let x = X.baseAddress, let y = Y.baseAddress { TanhKernel.apply(x, y, count: X.count) }
                }
            }
            return output
        }
        for i in 0..<input.count {
            let x = input.data[i]
            let y = function.value(x)
            output.data[i] = y
            if tracer.isRecording {
                let at = ShapeCheck.index4(ofFlat: i, in: input.shape)
                tracer.emit(TraceEvent(kind: .activation, output: at, input: at, padded: at, a: x, product: y, acc: y))
            }
        }
        return output
    }

    /// dX = dY · f′(x). Events: one `grad` per element, target input, a = dY, b = f′(x), product = acc = dY·f′(x).
    ///
    /// `output`, when given, must be `forward`'s output for this input (N×… like `input`); sigmoid and tanh
    /// then take f(x) from it instead of recomputing it (the same numbers, as PyTorch saves the output).
    @inlinable
    public static func backward<S: TraceSink>(
        _ function: Function, input: Tensor, output: Tensor? = nil, gradOutput: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        try ShapeCheck.sameShape(gradOutput, as: input, op: "\(function.opName) backward", name: "grad_output", reference: "output")
        let saved = output.flatMap { $0.count == input.count ? $0 : nil }
        var dX = input
        if !tracer.isRecording, let saved, case .tanh = function {  // dY·(1 − y²), element by element
            gradOutput.data.withUnsafeBufferPointer { G in
                saved.data.withUnsafeBufferPointer { Y in
                    dX.data.withUnsafeMutableBufferPointer { D in
                        for i in 0..<D.count {
                            let y = Y[i]
                            D[i] = G[i] * (1 - y * y)
                        }
                    }
                }
            }
            return LayerGradients(input: dX)
        }
        for i in 0..<input.count {
            let g = gradOutput.data[i]
            let d = saved.map { function.derivative(input.data[i], output: $0.data[i]) } ?? function.derivative(input.data[i])
            let product = g * d
            dX.data[i] = product
            if tracer.isRecording {
                let at = ShapeCheck.index4(ofFlat: i, in: input.shape)
                tracer.emit(TraceEvent(
                    kind: .grad, target: .input, output: at, input: at, padded: at,
                    a: g, b: d, product: product, acc: product))
            }
        }
        return LayerGradients(input: dX)
    }
}

// Foundation-free libm access (the Engine module does not import Foundation).

@inlinable @inline(__always) func restExp(_ x: Double) -> Double { exp(x) }
@inlinable @inline(__always) func restLog(_ x: Double) -> Double { log(x) }
@inlinable @inline(__always) func restLog1p(_ x: Double) -> Double { log1p(x) }

// MARK: - Descriptors

extension Ops {
    /// relu: max(0, x), element-wise, any shape.
    public static let relu = OpDescriptor<Layer>(name: "relu", summary: "max(0, x)", shapeRule: "any shape, kept",
                                                 receptiveField: { _ in .passes }, make: { _ in .relu })
    /// leaky_relu: x for x > 0, slope·x otherwise.
    public static let leakyRelu = OpDescriptor<Layer>(
        name: "leaky_relu", summary: "x for x > 0, slope·x otherwise",
        keys: [.optional("slope", .number(expected: "a number, e.g. 0.01"), default: .double(0.01), shown: "0.01",
                         meaning: "the factor for x ≤ 0")],
        shapeRule: "any shape, kept",
        describe: { layer in if case .leakyRelu(let slope) = layer { "slope \(slope)" } else { "" } },
        receptiveField: { _ in .passes },
        parameters: { layer in if case .leakyRelu(let slope) = layer { [("slope", .double(slope))] } else { [] } },
        make: { r in .leakyRelu(slope: try r.double("slope")) })
    /// sigmoid: 1 / (1 + e^−x).
    public static let sigmoid = OpDescriptor<Layer>(name: "sigmoid", summary: "1 / (1 + e^−x)",
                                                    shapeRule: "any shape, kept", receptiveField: { _ in .passes },
                                                    make: { _ in .sigmoid })
    /// tanh.
    public static let tanh = OpDescriptor<Layer>(name: "tanh", summary: "tanh(x)", shapeRule: "any shape, kept",
                                                 receptiveField: { _ in .passes }, make: { _ in .tanh })
}
