// TerminalReplay — what a key asks the player to do (the key help line is generated from this table).

/// A request to the player.
public enum PlayerCommand: Equatable, Hashable, Sendable {
    case togglePlay, next, previous, first, last, faster, slower, quit

    /// The command bound to `key`, or nil when the key does nothing.
    ///
    /// space plays/pauses; → `l` `n` next; ← `h` `p` previous; `g` / Home first; `G` / End last;
    /// `+` (or `=`) faster; `-` slower; `q`, Esc and Ctrl-C quit.
    public init?(key: Key) {
        switch key {
        case .character(" "): self = .togglePlay
        case .right, .character("l"), .character("n"): self = .next
        case .left, .character("h"), .character("p"): self = .previous
        case .home, .character("g"): self = .first
        case .end, .character("G"): self = .last
        case .character("+"), .character("="): self = .faster
        case .character("-"), .character("_"): self = .slower
        case .character("q"), .character("Q"), .interrupt, .escape: self = .quit
        default: return nil
        }
    }

    /// The one-line key help shown at the bottom of the screen.
    public static let helpLine = "space play/pause  →/l/n next  ←/h/p prev  g/G first/last  +/- speed  q quit"
}
