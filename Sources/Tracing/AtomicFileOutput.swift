// Tracing — AtomicFileOutput: buffered writes to a temporary file that becomes the destination on commit.
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes bytes through a buffer to a temporary file in the destination folder, and renames it to
/// the destination on `commit()` (standard output, devices and FIFOs are written directly: `OutputTarget`). If it is never committed (an error, a crash of the caller's logic,
/// `abandon()`), the temporary file is removed and no destination file appears.
///
/// Two buffers: while the caller fills one, a background queue hands the other to `write(2)`, so
/// encoding and the kernel's copy into the page cache run on two cores (without it `write` was 40 %
/// of the JSON Lines writer's time and 78 % of the binary writer's, measured with writes disabled).
///
/// Thread safety: one caller at a time, as before. The background queue touches only the buffer it
/// was handed, the descriptor and `writeFailure`; `idle` orders those accesses (a write's effects are visible
/// after the next `idle.wait()`), hence `@unchecked Sendable`.
///
/// - Complexity: memory is two buffers, whatever the amount written.
final class AtomicFileOutput: @unchecked Sendable {
    /// The path as the user gave it (used in messages).
    let path: String
    /// The temporary file (nil when writing through to standard output, a device or a FIFO).
    let tempPath: String?
    /// Where the temporary file is renamed to: `path` with symlinks followed (nil when writing through).
    let finalPath: String?
    private var fd: Int32
    /// The buffer being filled (behind a pointer, like `used`); `buffer[0..<used]` is pending.
    var buffer: UnsafeMutablePointer<UInt8> {
        @inline(__always) get { bufferSlot.pointee }
    }
    private let bufferSlot: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
    /// The other buffer: being written in the background, or free.
    private var spare: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// Bytes pending in the buffer. Held behind a pointer (a `let`) so the per-event hot paths pay no
    /// dynamic exclusivity checks on class properties.
    let usedPointer: UnsafeMutablePointer<Int>
    var used: Int {
        @inline(__always) get { usedPointer.pointee }
        @inline(__always) set { usedPointer.pointee = newValue }
    }
    /// The first error, reported by `commit()` (a background write's error is moved here by `drain()`).
    private(set) var failure: TraceError?
    private var writeFailure: TraceError?
    private(set) var isClosed = false
    private let queue = DispatchQueue(label: "convtrace.trace-output")
    /// Signalled when no background write is in flight.
    private let idle = DispatchSemaphore(value: 1)

    /// Opens `path` for writing, by what it is (see `OutputTarget`): `-` writes standard output; a
    /// device, FIFO or socket is written directly; otherwise a temporary file is created in the folder
    /// of the (symlink-resolved) target and renamed over it on `commit()`.
    /// - Throws: `TraceError` when the path is a folder, the folder does not exist or is not writable.
    init(path: String, bufferSize: Int = 1 << 20) throws(TraceError) {
        self.path = path
        let descriptor: Int32
        switch try OutputTarget.resolve(path) {
        case .standardOutput:
            descriptor = STDOUT_FILENO
            tempPath = nil
            finalPath = nil
        case .writeThrough(let device):
            descriptor = open(device, O_WRONLY | O_CLOEXEC)
            if descriptor < 0 {
                throw TraceError(file: path, message: "cannot open for writing: \(String(cString: strerror(errno)))")
            }
            tempPath = nil
            finalPath = nil
        case .replace(let target):
            let slash = target.lastIndex(of: "/")
            let folder = OutputTarget.folder(of: target)
            let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
            if name.isEmpty { throw TraceError(file: path, message: "the output path names a folder, not a file") }
            var template = (folder + (folder.hasSuffix("/") ? "" : "/") + "." + name + ".tmp-XXXXXX").utf8CString
            let made = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            if made < 0 {
                let reason = String(cString: strerror(errno))
                throw TraceError(file: path, message: "cannot create the output file in \(folder): \(reason)")
            }
            // A replaced file keeps its permissions (a private 0600 file stays private); a new one is 0644.
            var existing = stat()
            _ = fchmod(made, stat(target, &existing) == 0 ? existing.st_mode & 0o7777 : 0o644)
            descriptor = made
            let temp = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            tempPath = temp
            finalPath = target
            TemporaryFiles.register(temp)
        }
        fd = descriptor
        capacity = bufferSize
        bufferSlot = .allocate(capacity: 1)
        bufferSlot.initialize(to: .allocate(capacity: bufferSize))
        spare = .allocate(capacity: bufferSize)
        usedPointer = .allocate(capacity: 1)
        usedPointer.initialize(to: 0)
    }

    deinit {
        abandon()  // waits for a write in flight
        bufferSlot.pointee.deallocate()
        bufferSlot.deallocate()
        spare.deallocate()
        usedPointer.deallocate()
    }

    /// Bytes free in the buffer.
    @inline(__always) var free: Int { capacity - usedPointer.pointee }

    /// Hands the pending bytes to the background writer and continues in the other buffer (waits
    /// only while the previous write is still in flight). Errors surface in `commit()`.
    func flush() {
        let count = used
        used = 0
        guard count > 0, failure == nil, !isClosed else { return }
        idle.wait()
        if let e = writeFailure { failure = e; idle.signal(); return }
        // Handed over to the queue; this side does not touch it until the next `idle.wait()`.
        nonisolated(unsafe) let full = bufferSlot.pointee
        bufferSlot.pointee = spare
        spare = full
        let fd = self.fd
        queue.async { [self] in
            var offset = 0
            while offset < count {
                let n = Glibc_write(fd, full + offset, count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    writeFailure = TraceError(file: path, message: "cannot write: \(String(cString: strerror(errno)))")
                    break
                }
                offset += n
            }
            idle.signal()
        }
    }

    /// Waits for the background write in flight, if any, and takes over its error.
    private func drain() {
        idle.wait()
        if failure == nil, let e = writeFailure { failure = e }
        idle.signal()
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
    func commit() throws(TraceError) {
        guard !isClosed else {
            if let failure { throw failure }
            return
        }
        flush()
        drain()
        if let failure { abandon(); throw failure }
        isClosed = true
        guard let tempPath, let finalPath else {
            // Written through: nothing to rename; standard output stays open for the rest of the program.
            if fd != STDOUT_FILENO, close(fd) != 0 {
                let e = TraceError(file: path, message: "cannot close: \(String(cString: strerror(errno)))")
                failure = e; throw e
            }
            return
        }
        defer { TemporaryFiles.unregister(tempPath) }
        if close(fd) != 0 {
            let e = TraceError(file: path, message: "cannot close: \(String(cString: strerror(errno)))")
            unlink(tempPath); failure = e; throw e
        }
        if rename(tempPath, finalPath) != 0 {
            let e = TraceError(file: path, message: "cannot move the finished file into place: \(String(cString: strerror(errno)))")
            unlink(tempPath); failure = e; throw e
        }
    }

    /// Closes and removes the temporary file; nothing appears at `path`.
    func abandon() {
        guard !isClosed else { return }
        drain()
        isClosed = true
        guard let tempPath else {
            if fd != STDOUT_FILENO { close(fd) }
            return
        }
        close(fd)
        unlink(tempPath)
        TemporaryFiles.unregister(tempPath)
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
