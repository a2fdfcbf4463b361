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
/// Direct mode (`direct: true`, for the trace writers' large streams into a regular file): the file is
/// opened with `O_DIRECT`, so `write(2)` hands whole 4 KiB blocks to the device instead of copying them
/// into freshly allocated page-cache pages. On this 2-core VM that copy ran at 0.27–1.6 GB/s depending on
/// the state of the guest's memory, and held the JSON Lines writer to about 1 M events/s (the encoder
/// alone does about 4 M); direct writes of 1 MiB run at 1.2–1.9 GB/s with little CPU. Only whole blocks go
/// out directly: a flush keeps the unaligned tail (< 4 KiB) at the start of the next buffer, and
/// `commit()` writes the last tail after switching `O_DIRECT` off. A file system that refuses `O_DIRECT`
/// (`open`/`fcntl` or the first write fails with `EINVAL`) is written the buffered way; the bytes are the same.
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
    /// The block size direct writes are aligned to (offsets, lengths and buffer addresses).
    static let directAlignment = 4096
    /// Writing with `O_DIRECT` (caller side; changed only while no write is in flight).
    private var direct = false
    /// Set by a background write whose direct write was refused (`EINVAL`); read after `idle.wait()`.
    private var directRefused = false

    /// Opens `path` for writing, by what it is (see `OutputTarget`): `-` writes standard output; a
    /// device, FIFO or socket is written directly; otherwise a temporary file is created in the folder
    /// of the (symlink-resolved) target and renamed over it on `commit()`.
    /// - Throws: `TraceError` when the path is a folder, the folder does not exist or is not writable.
    /// `direct`: write whole blocks with `O_DIRECT` when the target is a regular file (see above);
    /// `bufferSize` is then rounded up to a multiple of 4 KiB.
    init(path: String, bufferSize: Int = 1 << 20, direct: Bool = false) throws(TraceError) {
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
        let align = AtomicFileOutput.directAlignment
        let size = direct ? (bufferSize + align - 1) / align * align : bufferSize
        capacity = size
        bufferSlot = .allocate(capacity: 1)
        bufferSlot.initialize(to: AtomicFileOutput.allocateBuffer(size))
        spare = AtomicFileOutput.allocateBuffer(size)
        usedPointer = .allocate(capacity: 1)
        usedPointer.initialize(to: 0)
        if direct, O_DIRECT != 0, tempPath != nil {
            let flags = fcntl(descriptor, F_GETFL)
            self.direct = flags >= 0 && fcntl(descriptor, F_SETFL, flags | O_DIRECT) == 0
        }
    }

    /// A buffer aligned for direct writes.
    private static func allocateBuffer(_ size: Int) -> UnsafeMutablePointer<UInt8> {
        UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: directAlignment)
            .bindMemory(to: UInt8.self, capacity: max(size, 1))
    }

    /// Turns `O_DIRECT` off on `fd` (for the unaligned tail, or when the file system refuses it).
    private static func stopDirect(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_DIRECT) }
    }

    deinit {
        abandon()  // waits for a write in flight
        UnsafeMutableRawPointer(bufferSlot.pointee).deallocate()
        bufferSlot.deallocate()
        UnsafeMutableRawPointer(spare).deallocate()
        usedPointer.deallocate()
    }

    /// Bytes free in the buffer.
    @inline(__always) var free: Int { capacity - usedPointer.pointee }

    /// Hands the pending bytes to the background writer and continues in the other buffer (waits
    /// only while the previous write is still in flight). Errors surface in `commit()`.
    /// In direct mode only whole blocks are handed over; the tail (< 4 KiB) starts the next buffer, so
    /// callers re-read `used` after a flush.
    func flush() {
        let total = used
        used = 0
        guard total > 0, failure == nil, !isClosed else { return }
        idle.wait()
        if let e = writeFailure { failure = e; idle.signal(); return }
        if directRefused { direct = false }
        let count = direct ? total / Self.directAlignment * Self.directAlignment : total
        // Handed over to the queue; this side does not touch it until the next `idle.wait()`.
        nonisolated(unsafe) let full = bufferSlot.pointee
        bufferSlot.pointee = spare
        spare = full
        if count < total {
            bufferSlot.pointee.update(from: full + count, count: total - count)
            used = total - count
        }
        guard count > 0 else { idle.signal(); return }
        let fd = self.fd, isDirect = direct
        queue.async { [self] in
            var offset = 0
            var directNow = isDirect
            while offset < count {
                let n = Glibc_write(fd, full + offset, count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EINVAL && directNow {
                        // The file system does not take direct writes: the buffered way, same bytes.
                        Self.stopDirect(fd); directNow = false; directRefused = true
                        continue
                    }
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
        if direct {
            // The tail is not a whole block: write it the buffered way.
            drain()
            direct = false
            Self.stopDirect(fd)
            flush()
        }
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

/// Linux's `O_DIRECT` (Glibc's module does not export it: it needs `_GNU_SOURCE`); 0 where it is unknown,
/// which leaves direct mode off.
#if os(Linux) && (arch(arm64) || arch(arm))
private let O_DIRECT: Int32 = 0o200000
#elseif os(Linux)
private let O_DIRECT: Int32 = 0o40000
#else
private let O_DIRECT: Int32 = 0
#endif

@inline(__always)
private func Glibc_write(_ fd: Int32, _ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}
