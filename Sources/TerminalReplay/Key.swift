// TerminalReplay — keys: the bytes a terminal sends, decoded into the keys the player understands.

/// One key press, as far as the player cares.
public enum Key: Equatable, Hashable, Sendable {
    /// A printable character (`l`, `G`, `+`, space …).
    case character(Character)
    case left, right, up, down, home, end
    /// Ctrl-C (byte 3) — raw mode turns off the signal, so it arrives as a key.
    case interrupt
    /// A lone ESC.
    case escape
    case enter
    /// Anything else (other control bytes, unknown escape sequences).
    case unknown

    /// Decodes the keys in `bytes`, returning them and the bytes of an escape sequence cut short at
    /// the end (to be completed by the next read).
    ///
    /// Arrows arrive as `ESC [ C` / `ESC [ D` (normal cursor mode) or `ESC O C` / `ESC O D`
    /// (application cursor mode); `ESC [ 1 ; 5 C` style modifiers are accepted and ignored.
    /// A lone ESC at the very end is kept pending unless `final` is true (no more bytes are coming).
    /// - Parameters:
    ///   - bytes: what `read(2)` returned, possibly several keys at once.
    ///   - final: treat a trailing lone ESC as the Escape key instead of a sequence cut short.
    /// - Returns: the keys in order, and the unconsumed tail.
    /// - Complexity: O(bytes.count).
    public static func decode(_ bytes: [UInt8], final: Bool = false) -> (keys: [Key], pending: [UInt8]) {
        var keys: [Key] = []
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x1B {
                if i + 1 >= n {
                    if final { keys.append(.escape); i += 1; continue }
                    return (keys, Array(bytes[i...]))
                }
                let introducer = bytes[i + 1]
                guard introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O") else {
                    // ESC followed by something else: an Escape, then that byte on its own.
                    keys.append(.escape); i += 1; continue
                }
                // Parameters (digits and ';'), then one final byte in 0x40...0x7E.
                var j = i + 2
                while j < n, (bytes[j] >= 0x30 && bytes[j] <= 0x3F) { j += 1 }
                guard j < n else {
                    if final { keys.append(.escape); i += 1; continue }
                    return (keys, Array(bytes[i...]))
                }
                let params = String(decoding: bytes[(i + 2)..<j], as: UTF8.self)
                keys.append(escapeKey(final: bytes[j], params: params))
                i = j + 1
                continue
            }
            switch b {
            case 3: keys.append(.interrupt)
            case 10, 13: keys.append(.enter)
            case 0x20...0x7E: keys.append(.character(Character(Unicode.Scalar(b))))
            default: keys.append(.unknown)
            }
            i += 1
        }
        return (keys, [])
    }

    /// The key an escape sequence `ESC [ params final` names.
    static func escapeKey(final: UInt8, params: String) -> Key {
        switch final {
        case UInt8(ascii: "A"): .up
        case UInt8(ascii: "B"): .down
        case UInt8(ascii: "C"): .right
        case UInt8(ascii: "D"): .left
        case UInt8(ascii: "H"): .home
        case UInt8(ascii: "F"): .end
        case UInt8(ascii: "~"):
            switch params.split(separator: ";").first {
            case "1", "7": .home
            case "4", "8": .end
            default: .unknown
            }
        default: .unknown
        }
    }
}
