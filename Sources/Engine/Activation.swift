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
    public enum Function: Equatable, Hashable, Sendable, Codable {
        case relu
        case leakyRelu(slope: Double)
        case sigmoid
        case tanh

        /// The op name as written in specs.
        public var opName: String {
            switch self {
            case .relu: "relu"
            case .leakyRelu: "leaky_relu"
            case .sigmoid: "sigmoid"
            case .tanh: "tanh"
            }
        }

        /// f(x).
        @inlinable
        public func value(_ x: Double) -> Double {
            switch self {
            case .relu: x > 0 ? x : 0
            case .leakyRelu(let slope): x > 0 ? x : x * slope
            case .sigmoid: 1 / (1 + restExp(-x))
            case .tanh: restTanh(x)
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
    @inlinable
    public static func backward<S: TraceSink>(
        _ function: Function, input: Tensor, gradOutput: Tensor, tracer: inout Tracer<S>
    ) throws -> LayerGradients {
        try ShapeCheck.sameShape(gradOutput, as: input, op: "\(function.opName) backward", name: "grad_output", reference: "output")
        var dX = input
        for i in 0..<input.count {
            let g = gradOutput.data[i]
            let d = function.derivative(input.data[i])
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
@inlinable @inline(__always) func restTanh(_ x: Double) -> Double { tanh(x) }
@inlinable @inline(__always) func restLog(_ x: Double) -> Double { log(x) }
@inlinable @inline(__always) func restLog1p(_ x: Double) -> Double { log1p(x) }
