// TracingTests — OutputTarget / OutputFile: FIFOs are written through, symlinks followed, folders refused.
import Foundation
import Testing
@testable import Tracing

private func scratchFolder() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tr-out-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

private func fileType(_ path: String) -> mode_t {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
}

@Suite("Output targets")
struct OutputTargetTests {
    @Test("a FIFO is written through and stays a FIFO")
    func fifo() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pipe = dir + "/pipe"
        #expect(mkfifo(pipe, 0o600) == 0)
        #expect(try OutputTarget.resolve(pipe) == .writeThrough(pipe))
        // A reader first (non-blocking), so opening for writing does not wait.
        let reader = open(pipe, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        try OutputFile.write(text: "through the pipe\n", to: pipe)
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(reader, &buffer, buffer.count)
        #expect(String(decoding: buffer[0..<max(0, n)], as: UTF8.self) == "through the pipe\n")
        #expect(fileType(pipe) == S_IFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["pipe"])
    }

    @Test("a symlink (relative, through a chain) keeps being a link; its target is replaced")
    func symlinks() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: true)
        try "old\n".write(toFile: dir + "/real/file.txt", atomically: false, encoding: .utf8)
        #expect(symlink("real/file.txt", dir + "/first") == 0)
        #expect(symlink(dir + "/first", dir + "/second") == 0)
        #expect(try OutputTarget.resolve(dir + "/second") == .replace(dir + "/real/file.txt"))
        try OutputFile.write(text: "new\n", to: dir + "/second")
        #expect(fileType(dir + "/first") == S_IFLNK)
        #expect(fileType(dir + "/second") == S_IFLNK)
        #expect(try String(contentsOfFile: dir + "/real/file.txt", encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/real") == ["file.txt"])
        // A loop is refused.
        #expect(symlink("loop-b", dir + "/loop-a") == 0)
        #expect(symlink("loop-a", dir + "/loop-b") == 0)
        #expect(throws: TraceError.self) { try OutputTarget.resolve(dir + "/loop-a") }
    }

    @Test("a folder is refused with a message; - is standard output; a device is written through")
    func others() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: TraceError(file: dir, message: "is a folder; give a file name inside it (e.g. \(dir)/out)")) {
            try OutputTarget.resolve(dir)
        }
        #expect(try OutputTarget.resolve("-") == .standardOutput)
        #expect(try OutputTarget.resolve("/dev/null") == .writeThrough("/dev/null"))
        #expect(try OutputTarget.resolve(dir + "/new.txt") == .replace(dir + "/new.txt"))
    }

    @Test("the output may not be the input, also through a symlink")
    func sameFile() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "x\n".write(toFile: dir + "/in.yaml", atomically: false, encoding: .utf8)
        #expect(symlink("in.yaml", dir + "/alias.yaml") == 0)
        #expect(throws: TraceError.self) { try OutputTarget.refuseSameFile(dir + "/alias.yaml", as: [dir + "/in.yaml"]) }
        try OutputTarget.refuseSameFile(dir + "/other.yaml", as: [dir + "/in.yaml"])
        try OutputTarget.refuseSameFile(dir + "/in.yaml", as: ["-"])
    }
}
