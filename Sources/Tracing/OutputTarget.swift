// Tracing — OutputTarget: what an output path really is (stdout, a device or FIFO, a file), decided before writing.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the bytes of an output path go.
///
/// Only a regular file (or a path that does not exist yet) is written to a temporary file and renamed
/// into place; renaming over a device, a FIFO or a symlink would replace *them* (as root, `-o /dev/null`
/// once replaced the device with a regular file). So:
/// - `-` is standard output, written directly;
/// - a character or block device, a FIFO or a socket is opened and written directly (no temporary file);
/// - a symlink is followed to its final target, and the target is replaced atomically in the target's
///   own folder (the link stays a link);
/// - a folder is refused.
public enum OutputTarget: Equatable, Sendable {
    /// `-`: file descriptor 1.
    case standardOutput
    /// A device, FIFO or socket at this path: opened for writing, never renamed over.
    case writeThrough(String)
    /// A regular file or a new file at this path (symlinks already followed): temporary file + rename.
    case replace(String)

    /// How many symlinks are followed before giving up (as the kernel's ELOOP limit).
    static let maxLinks = 40

    /// Resolves `path` (as the user gave it) to where its bytes should go.
    /// - Throws: `TraceError` naming `path` for a folder, a symlink loop, or a path that cannot be examined.
    public static func resolve(_ path: String) throws(TraceError) -> OutputTarget {
        if path == "-" { return .standardOutput }
        if path.isEmpty { throw TraceError(file: path, message: "the output path is empty; give a file name, or - for standard output") }
        var current = path
        for _ in 0..<maxLinks {
            var info = stat()
            if lstat(current, &info) != 0 {
                if errno == ENOENT { return .replace(current) }
                throw TraceError(file: path, message: "cannot examine the output path: \(String(cString: strerror(errno)))")
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                guard let target = readLink(current) else {
                    throw TraceError(file: path, message: "cannot read the symlink \(current): \(String(cString: strerror(errno)))")
                }
                current = target.hasPrefix("/") ? target : folder(of: current) + "/" + target
            case S_IFDIR:
                throw TraceError(file: path, message: "is a folder; give a file name inside it (e.g. \(path.hasSuffix("/") ? path : path + "/")out)")
            case S_IFREG:
                return .replace(current)
            default:
                return .writeThrough(current)  // character/block device, FIFO, socket
            }
        }
        throw TraceError(file: path, message: "too many levels of symlinks (more than \(maxLinks))")
    }

    /// The folder part of `path` (`.` when it has none, `/` for a file at the root).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let f = String(path[..<slash])
        return f.isEmpty ? "/" : f
    }

    /// The folder part of `path` with a trailing slash (`""` when it has none): a prefix for a sibling name.
    public static func folderPath(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    /// The target text of the symlink at `path`, or nil (errno set).
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buffer.withUnsafeMutableBufferPointer { readlink(path, $0.baseAddress!, $0.count - 1) }
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Refuses an output path that is the same file as one of `inputs` (after symlinks, by device and
    /// inode): `trace SPEC -o SPEC` would otherwise replace its own input. Inputs `-` and paths that do
    /// not exist are skipped; so is an output that does not exist yet or is not a regular file.
    /// - Throws: `TraceError` naming both paths.
    public static func refuseSameFile(_ output: String, as inputs: [String]) throws(TraceError) {
        guard output != "-" else { return }
        var out = stat()
        guard stat(output, &out) == 0, (out.st_mode & S_IFMT) == S_IFREG else { return }
        for input in inputs where input != "-" {
            var inp = stat()
            guard stat(input, &inp) == 0 else { continue }
            if inp.st_dev == out.st_dev && inp.st_ino == out.st_ino {
                throw TraceError(file: output, message: "is the same file as the input \(input); writing it would destroy the input — choose another output path")
            }
        }
    }
}
