// Engine — one spec key of an op: its type and range, default, whether it is required, and its help text.

/// A key an op accepts in a spec (`stride: 2`, `kernel: [[1, 0], [0, -1]]`), declared once in the op's
/// descriptor. Specs reads and checks the key from it; the docs' key tables are written from it.
public struct OpKey: Sendable {
    /// What a key holds, with its range; Specs checks the value against it.
    public enum ValueType: Equatable, Sendable {
        /// A nested list of numbers, in one of the shapes `layout` names.
        case tensor(layout: String)
        /// An int ≥ `min`, or a pair `[y, x]` of them.
        case intOrPair(min: Int)
        /// A conv padding: an int, `[ph, pw]`, `[top, bottom, left, right]`, or valid / same / full.
        case convPadding
        case bool
        /// Any finite number; `expected` is shown when the value is not one.
        case number(expected: String)
        /// One of the names.
        case name(oneOf: [String])
    }

    /// The key as written in specs.
    public var name: String
    public var type: ValueType
    /// The value when the key is absent, for keys that are neither required nor default to "nothing".
    public var defaultValue: ParameterValue?
    /// True when a spec must give the key.
    public var isRequired: Bool
    /// What to give, shown when a required key is missing (e.g. "the kernel: F, Fh×Fw, C×Fh×Fw or K×C×Fh×Fw").
    public var missingHint: String
    /// The default as the docs show it: "1", "`false`", "`kernel_size`", "none" or "required".
    public var defaultText: String
    /// One line for the docs' key table.
    public var meaning: String

    /// A key the spec must give.
    public static func required(_ name: String, _ type: ValueType, hint: String, meaning: String) -> OpKey {
        OpKey(name: name, type: type, defaultValue: nil, isRequired: true, missingHint: hint,
              defaultText: "required", meaning: meaning)
    }

    /// A key with a default (`defaultValue` nil: absent means "nothing", e.g. no bias).
    public static func optional(_ name: String, _ type: ValueType, default value: ParameterValue?, shown: String,
                                meaning: String) -> OpKey {
        OpKey(name: name, type: type, defaultValue: value, isRequired: false, missingHint: name,
              defaultText: shown, meaning: meaning)
    }

    // MARK: Keys several ops share

    /// `stride`: an int ≥ 1 or a pair, default 1 (convolutions; pools default to the kernel size instead).
    public static let stride = optional("stride", .intOrPair(min: 1), default: .pair(Pair(1)), shown: "1",
                                        meaning: "int ≥ 1 or pair")
    /// `dilation`: an int ≥ 1 or a pair, default 1.
    public static let dilation = optional("dilation", .intOrPair(min: 1), default: .pair(Pair(1)), shown: "1",
                                          meaning: "int ≥ 1 or pair")

    /// `bias`: optional, one value per output (`per` names them, e.g. "filter"); `meaning` is the docs' line.
    public static func bias(per: String, meaning: String) -> OpKey {
        optional("bias", .tensor(layout: "one value per \(per)"), default: nil, shown: "none", meaning: meaning)
    }
}
