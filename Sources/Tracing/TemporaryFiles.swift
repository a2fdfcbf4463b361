// Tracing — TemporaryFiles: unfinished output files are removed when SIGINT, SIGTERM or SIGHUP stops the program.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The temporary files being written right now, so that an interrupt (Ctrl-C, `kill`) does not leave
/// `.NAME.tmp-XXXXXX` files — possibly gigabytes of an unfinished trace — behind.
///
/// `register` installs handlers for SIGINT, SIGTERM and SIGHUP (once); a handler unlinks every registered path
/// (`unlink` is async-signal-safe), restores the default action and re-raises the signal, so the exit
/// status still says which signal stopped the program. Paths live in a fixed table of C strings that
/// the handler only reads.
public enum TemporaryFiles {
    /// At most this many temporary files are tracked at once (more are written but not tracked).
    static let capacity = 64
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    nonisolated(unsafe) static var lock = pthread_mutex_t()
    nonisolated(unsafe) static var installed = false

    /// Starts tracking `path`; call `unregister` once it is renamed into place or removed.
    public static func register(_ path: String) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if !installed {
            installed = true
            for sig in [SIGINT, SIGTERM, SIGHUP] { _ = signal(sig, removeAndReraise) }
        }
        for i in 0..<capacity where slots[i] == nil {
            slots[i] = strdup(path)
            return
        }
    }

    /// Stops tracking `path`.
    public static func unregister(_ path: String) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        for i in 0..<capacity {
            if let p = slots[i], String(cString: p) == path {
                slots[i] = nil
                free(p)
                return
            }
        }
    }
}

/// The signal handler: only async-signal-safe calls (unlink, signal, raise).
private func removeAndReraise(_ sig: Int32) {
    for i in 0..<TemporaryFiles.capacity {
        if let p = TemporaryFiles.slots[i] { unlink(p) }
    }
    _ = signal(sig, SIG_DFL)
    raise(sig)
}
