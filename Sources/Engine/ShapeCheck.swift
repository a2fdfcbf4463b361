// Engine — shape checks shared by the non-convolution ops, with messages that say what would be valid.

/// Shape preconditions as thrown `EngineError`s (never traps on user input).
public enum ShapeCheck {
    /// Requires an N×C×H×W tensor with no empty axis.
    @inlinable
    public static func rank4(_ t: Tensor, op: String, name: String = "input") throws {
        guard t.rank == 4 else {
            throw EngineError(
                "\(op): \(name) must be N×C×H×W (rank 4), got shape \(shapeText(t.shape)) (rank \(t.rank))")
        }
        guard t.shape.allSatisfy({ $0 > 0 }) else {
            throw EngineError("\(op): \(name) has an empty axis, shape \(shapeText(t.shape))")
        }
    }

    /// Requires two tensors of the same shape.
    @inlinable
    public static func sameShape(_ t: Tensor, as reference: Tensor, op: String, name: String, reference refName: String) throws {
        guard t.shape == reference.shape else {
            throw EngineError(
                "\(op): \(name) has shape \(shapeText(t.shape)) but must have the shape of the \(refName), "
                    + "\(shapeText(reference.shape))")
        }
    }

    /// `[2, 3, 4]` → `2×3×4`.
    @inlinable
    public static func shapeText(_ shape: [Int]) -> String {
        shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "×")
    }

    /// The event index of flat element `i` of a rank-2 (n, f → n, f, 0, 0) or rank-4 tensor.
    @inlinable
    public static func index4(ofFlat i: Int, in shape: [Int]) -> Index4 {
        switch shape.count {
        case 4:
            let w = i % shape[3], r1 = i / shape[3]
            let h = r1 % shape[2], r2 = r1 / shape[2]
            return Index4(r2 / shape[1], r2 % shape[1], h, w)
        case 2:
            return Index4(i / shape[1], i % shape[1], 0, 0)
        case 3:
            let w = i % shape[2], r1 = i / shape[2]
            return Index4(r1 / shape[1], r1 % shape[1], w, 0)
        case 1:
            return Index4(0, i, 0, 0)
        default:
            return Index4(0, 0, 0, i)
        }
    }
}
