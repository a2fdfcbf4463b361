// Specs — NonFiniteResult: finite inputs whose result overflowed are reported, not printed as "Infinity".
import JSONText

/// Finds the first result entry that is not finite (finite spec numbers can still overflow float64,
/// e.g. `1e200 · 1e200`). Specs refuse NaN and infinities on the way in (docs/spec-format.md); this
/// keeps that promise on the way out.
public enum NonFiniteResult {
    /// Throws for the first non-finite number in `result` (an `evalJSON` object), naming its key and index.
    /// - Throws: `SpecError` for `file`, e.g. `output[0][1]: overflowed to +infinity …`.
    public static func check(_ result: JSONValue, file: String) throws(SpecError) {
        guard let (place, value) = first(in: result, at: "") else { return }
        let what = value.isNaN ? "is not a number (NaN, e.g. infinity − infinity)" : "overflowed to \(value > 0 ? "+" : "−")infinity"
        throw SpecError(file: file, path: place,
                        problem: "the result \(what): the spec's finite numbers give a value beyond float64's range (±1.8e308)",
                        valid: "smaller input, kernel or weight values")
    }

    /// The path (`output[0][1]`, `layers[0].grad_bias`) and value of the first non-finite number.
    static func first(in value: JSONValue, at place: String) -> (String, Double)? {
        switch value {
        case .number(let x):
            return x.isFinite ? nil : (place, x)
        case .array(let items):
            for (i, item) in items.enumerated() {
                if let hit = first(in: item, at: place + "[\(i)]") { return hit }
            }
            return nil
        case .object(let pairs):
            for (key, item) in pairs {
                if let hit = first(in: item, at: place.isEmpty ? key : place + "." + key) { return hit }
            }
            return nil
        default:
            return nil
        }
    }
}
