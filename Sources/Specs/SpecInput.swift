// Specs — SpecInput: the bytes of a spec from a file, a pipe, a device or standard input, bounded.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a spec's bytes with `read(2)` and a size limit, so that a closed standard input, `/dev/zero`
/// or an endless pipe gives a message instead of a crash or unbounded memory.
public enum SpecInput {
    /// The largest spec read: 16 MiB (a worked example is kilobytes; this bounds `/dev/zero` and endless pipes).
    public static let byteLimit = 16 << 20

    /// The bytes of `path` (`-` = standard input) and the name messages use for it (`<stdin>` for `-`).
    /// - Throws: `SpecError` naming the file: no such file, a folder, unreadable, closed, or larger
    ///   than `limit` bytes.
    public static func read(path: String, limit: Int = byteLimit) throws(SpecError) -> (bytes: [UInt8], file: String) {
        let name = path == "-" ? "<stdin>" : path
        let valid = "a path to a YAML or JSON spec, or - for stdin"
        let fd: Int32
        if path == "-" {
            var info = stat()
            guard fstat(STDIN_FILENO, &info) == 0 else {
                throw SpecError(file: name, path: "", problem: "standard input is closed (\(String(cString: strerror(errno))))",
                                valid: "a spec on standard input (`convtrace eval - < spec.yaml`) or a file path")
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                throw SpecError(file: name, path: "", problem: "standard input is a directory", valid: valid)
            }
            fd = STDIN_FILENO
        } else {
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { throw SpecError(file: name, path: "", problem: "no such file", valid: valid) }
                throw SpecError(file: name, path: "", problem: "cannot be opened: \(String(cString: strerror(errno)))", valid: valid)
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                throw SpecError(file: name, path: "", problem: "is a directory", valid: valid)
            }
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw SpecError(file: name, path: "", problem: "cannot be opened for reading: \(String(cString: strerror(errno))) (check its permissions)")
            }
        }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc_read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpecError(file: name, path: "", problem: "cannot be read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            guard bytes.count + n <= limit else {
                throw SpecError(file: name, path: "", problem: "is larger than the \(limit >> 20) MiB a spec may have (is it a spec?)",
                                valid: "a YAML or JSON spec of at most \(limit >> 20) MiB")
            }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return (bytes, name)
    }
}

@inline(__always)
private func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, p, n)
    #else
    return Darwin.read(fd, p, n)
    #endif
}
