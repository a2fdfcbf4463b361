// Tracing — ByteInput: a file read through one reusable buffer (lines or fixed-size chunks).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file sequentially through a buffer that only grows to hold the longest line asked for.
final class ByteInput {
    let path: String
    private let fd: Int32
    private(set) var buffer: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Unconsumed bytes are `buffer[start..<end]`.
    private(set) var start = 0
    private(set) var end = 0
    /// File offset of `buffer[0]`.
    private var base = 0
    private(set) var atEOF = false

    /// Opens `path` for reading.
    init(path: String, bufferSize: Int = 1 << 20) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        if descriptor < 0 {
            throw TraceError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw TraceError(file: path, message: "is a folder, not a trace file")
        }
        fd = descriptor
        capacity = bufferSize
        buffer = .allocate(capacity: bufferSize)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// File offset of the next unconsumed byte.
    var offset: Int { base + start }
    /// Unconsumed bytes in the buffer.
    var available: Int { end - start }

    /// Moves the unconsumed bytes to the front, grows the buffer if it is full, and reads more.
    /// - Returns: false at end of file.
    private func refill() throws -> Bool {
        if atEOF { return false }
        if start > 0 {
            let count = end - start
            if count > 0 { buffer.update(from: buffer + start, count: count) }
            base += start; start = 0; end = count
        }
        if end == capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        while true {
            let n = read(fd, buffer + end, capacity - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw TraceError(file: path, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { atEOF = true; return false }
            end += n
            return true
        }
    }

    /// Makes at least `count` bytes available at `buffer + start` unless the file ends first.
    /// - Returns: the number available (less than `count` only at end of file).
    func ensure(_ count: Int) throws -> Int {
        while end - start < count {
            if try !refill() { break }
        }
        return end - start
    }

    /// Moves the unconsumed bytes to the front and reads until the buffer is full or the file ends; never
    /// grows the buffer. Pointers into the buffer taken before are invalid after.
    func topUp() throws {
        while end - start < capacity, try refill() {}
    }

    /// Continues reading at file offset `offset` (drops what is buffered).
    func seek(to offset: Int) throws {
        if lseek(fd, off_t(offset), SEEK_SET) < 0 {
            throw TraceError(file: path, message: "cannot seek to byte \(offset): \(String(cString: strerror(errno)))")
        }
        base = offset; start = 0; end = 0; atEOF = false
    }

    /// The file's size in bytes.
    func fileSize() throws -> Int {
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw TraceError(file: path, message: "cannot read the file size: \(String(cString: strerror(errno)))")
        }
        return Int(info.st_size)
    }

    /// Pointer to the next unconsumed byte.
    var current: UnsafeMutablePointer<UInt8> { buffer + start }

    /// Consumes `count` bytes.
    func skip(_ count: Int) { start += count }

    /// The next line without its newline, or nil at end of file. `endedWithNewline` tells whether the
    /// line was terminated (false only for a last line cut short).
    func nextLine() throws -> (bytes: UnsafeBufferPointer<UInt8>, endedWithNewline: Bool)? {
        var searchFrom = start
        while true {
            if searchFrom < end, let hit = memchr(buffer + searchFrom, 10, end - searchFrom) {
                let newline = hit.assumingMemoryBound(to: UInt8.self) - buffer
                let line = UnsafeBufferPointer(start: buffer + start, count: newline - start)
                start = newline + 1
                return (line, true)
            }
            let scanned = end - start
            if try !refill() {
                if start == end { return nil }
                let line = UnsafeBufferPointer(start: buffer + start, count: end - start)
                start = end
                return (line, false)
            }
            searchFrom = start + scanned
        }
    }
}
