// Tracing — AtomicFileOutput: buffered writes to a temporary file that becomes the destination on commit.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes bytes through a fixed-size buffer to a temporary file in the destination folder, and renames
/// it to the destination on `commit()`. If it is never committed (an error, a crash of the caller's
/// logic, `abandon()`), the temporary file is removed and no destination file appears.
///
/// - Complexity: memory is the buffer size, whatever the amount written.
final class AtomicFileOutput {
    let path: String
    let tempPath: String
    private var fd: Int32
    /// The buffer; `buffer[0..<used]` is pending.
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// Bytes pending in the buffer. Held behind a pointer (a `let`) so the per-event hot paths pay no
    /// dynamic exclusivity checks on class properties.
    let usedPointer: UnsafeMutablePointer<Int>
    var used: Int {
        @inline(__always) get { usedPointer.pointee }
        @inline(__always) set { usedPointer.pointee = newValue }
    }
    /// The first write error, reported by `commit()`.
    private(set) var failure: TraceError?
    private(set) var isClosed = false
    /// Bytes handed to the kernel so far.
    private(set) var bytesFlushed = 0

    /// Creates the temporary file next to `path`.
    /// - Throws: `TraceError` when the folder does not exist or is not writable.
    init(path: String, bufferSize: Int = 1 << 20) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        if name.isEmpty { throw TraceError(file: path, message: "the output path names a folder, not a file") }
        var template = ((folder.isEmpty ? "/" : folder + "/") + "." + name + ".tmp-XXXXXX").utf8CString
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if descriptor < 0 {
            let reason = String(cString: strerror(errno))
            throw TraceError(file: path, message: "cannot create the output file in \(folder): \(reason)")
        }
        _ = fchmod(descriptor, 0o644)
        fd = descriptor
        tempPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        capacity = bufferSize
        buffer = .allocate(capacity: bufferSize)
        usedPointer = .allocate(capacity: 1)
        usedPointer.initialize(to: 0)
    }

    deinit {
        abandon()
        buffer.deallocate()
        usedPointer.deallocate()
    }

    /// Bytes free in the buffer.
    @inline(__always) var free: Int { capacity - usedPointer.pointee }

    /// Writes the pending bytes to the file (records the first error; later calls do nothing after one).
    func flush() {
        guard failure == nil, !isClosed else { used = 0; return }
        var offset = 0
        while offset < used {
            let n = Glibc_write(fd, buffer + offset, used - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = TraceError(file: path, message: "cannot write: \(String(cString: strerror(errno)))")
                break
            }
            offset += n
        }
        bytesFlushed += offset
        used = 0
    }

    /// Appends bytes of any length.
    func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            if free == 0 { flush() }
            let n = min(free, bytes.count - offset)
            (buffer + used).update(from: base + offset, count: n)
            used += n
            offset += n
        }
    }

    func write(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { write($0) } }

    /// Records a failure found by the caller (e.g. while encoding); `commit()` will throw it.
    func fail(_ error: TraceError) { if failure == nil { failure = error } }

    /// Flushes, closes and renames the temporary file to `path`.
    /// - Throws: the first write error (the temporary file is then removed).
    func commit() throws {
        guard !isClosed else {
            if let failure { throw failure }
            return
        }
        flush()
        if let failure { abandon(); throw failure }
        isClosed = true
        if close(fd) != 0 {
            let e = TraceError(file: path, message: "cannot close: \(String(cString: strerror(errno)))")
            unlink(tempPath); failure = e; throw e
        }
        if rename(tempPath, path) != 0 {
            let e = TraceError(file: path, message: "cannot move the finished file into place: \(String(cString: strerror(errno)))")
            unlink(tempPath); failure = e; throw e
        }
    }

    /// Closes and removes the temporary file; nothing appears at `path`.
    func abandon() {
        guard !isClosed else { return }
        isClosed = true
        close(fd)
        unlink(tempPath)
    }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}
