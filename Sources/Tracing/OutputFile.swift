// Tracing — OutputFile: write a whole file safely in one call (pictures, lesson pages).

/// Writes a complete file through `OutputTarget`'s rules: a regular or new file (symlinks followed) is
/// replaced atomically, a device or FIFO is written directly, `-` is standard output, a folder is refused.
public enum OutputFile {
    /// Writes `bytes` to `path`.
    /// - Throws: `TraceError` naming `path` when it is a folder or cannot be written; no partial file
    ///   is left at `path` (a device or FIFO may have received part of the bytes).
    public static func write(_ bytes: [UInt8], to path: String) throws(TraceError) {
        let output = try AtomicFileOutput(path: path, bufferSize: max(1, min(bytes.count, 1 << 20)))
        output.write(bytes)
        try output.commit()
    }

    /// Writes `text` as UTF-8 to `path` (see `write(_:to:)`).
    public static func write(text: String, to path: String) throws(TraceError) {
        try write(Array(text.utf8), to: path)
    }
}
