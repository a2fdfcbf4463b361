// Engine — one op parameter as a neutral value, so specs and trace headers can carry it without Engine knowing their format.

/// The value of one op parameter (a stride, a flag, a slope, a weight tensor…), independent of any file
/// format. Descriptors write a layer's parameters as a list of these (`OpDescriptor.parameters`) and
/// rebuild the layer from them (`OpDescriptor.make`); Tracing turns them into JSON, Specs reads them
/// from spec keys.
public enum ParameterValue: Equatable, Sendable {
    case int(Int)
    /// A (y, x) pair, written `[y, x]`.
    case pair(Pair)
    /// A list of integers, e.g. padding `[top, bottom, left, right]` or class indices.
    case ints([Int])
    case bool(Bool)
    case double(Double)
    /// A name, e.g. a padding mode.
    case string(String)
    case tensor(Tensor)
    /// An absent optional parameter (no bias), written `null`.
    case none

    /// `.tensor(t)`, or `.none` when there is no tensor.
    public static func optional(_ t: Tensor?) -> ParameterValue { t.map(ParameterValue.tensor) ?? .none }
}

/// The kind of value an op asks a `ParameterReader` for; the format checks and converts its own value.
public enum ParameterKind: Equatable, Sendable {
    case int
    case pair
    /// Integers, exactly `count` of them when `count` is given.
    case ints(count: Int?)
    case bool
    case double
    /// One of the given names.
    case name(oneOf: [String])
    case tensor
    /// A tensor or nothing (`.none`).
    case optionalTensor
}
