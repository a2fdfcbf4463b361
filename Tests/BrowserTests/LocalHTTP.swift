// BrowserTests — a minimal HTTP/1.1 client for the local chromedriver, over a POSIX socket with a deadline.
//
// Why not URLSession: swift-corelibs-foundation's libcurl glue rejects chromedriver's answers
// ("Failed writing header": the server writes `Content-Length:252`, no space after the colon).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum LocalHTTP {
    /// Sends one request to 127.0.0.1:`port` and returns the status code and body.
    /// - Throws: `WebDriverError` when the connection fails or the answer does not come within `timeout` s.
    static func request(_ method: String, port: Int, path: String, body: Data?, timeout: Double) throws -> (Int, Data) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw WebDriverError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw WebDriverError("connect to port \(port): \(String(cString: strerror(errno)))") }
        let payload = body ?? Data()
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nAccept: application/json\r\n"
        if body != nil { head += "Content-Type: application/json; charset=utf-8\r\n" }
        head += "Content-Length: \(payload.count)\r\n\r\n"
        var out = Array(head.utf8) + Array(payload)
        let deadline = Date().addingTimeInterval(timeout)
        while !out.isEmpty {
            let n = out.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno != EINTR { throw WebDriverError("send: \(String(cString: strerror(errno)))") }
            if n > 0 { out.removeFirst(n) }
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw WebDriverError("\(method) \(path): no complete answer within \(timeout) s") }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(min(left, 1) * 1000) + 1)
            if ready < 0 && errno != EINTR { throw WebDriverError("poll: \(String(cString: strerror(errno)))") }
            guard ready > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            answer += buffer[0..<n]
            if let (status, body) = parse(answer) { return (status, body) }
        }
        guard let (status, body) = parse(answer, closed: true) else {
            throw WebDriverError("\(method) \(path): malformed answer \(String(decoding: answer.prefix(300), as: UTF8.self))")
        }
        return (status, body)
    }

    /// Status and body once the whole answer is there (by Content-Length, or at close).
    static func parse(_ bytes: [UInt8], closed: Bool = false) -> (Int, Data)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0...max(0, bytes.count - 4)).first(where: { bytes.count >= 4 && Array(bytes[$0..<$0 + 4]) == separator }) else {
            return nil
        }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = head.first?.split(separator: " ") ?? []
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        var length: Int?
        for line in head.dropFirst() {
            let kv = line.split(separator: ":", maxSplits: 1)
            if kv.count == 2, kv[0].lowercased() == "content-length" { length = Int(kv[1].trimmingCharacters(in: .whitespaces)) }
        }
        let body = bytes[(end + 4)...]
        if let length { return body.count >= length ? (status, Data(body.prefix(length))) : nil }
        return closed ? (status, Data(body)) : nil
    }
}
