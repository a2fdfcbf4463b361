// BrowserTests — a small W3C WebDriver client: chromedriver started with a deadline, one headless Chromium session.
import ChildProcess
import Foundation

/// What went wrong talking to the browser; the message carries the driver's answer.
struct WebDriverError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One headless Chromium session behind its own chromedriver, both killed by `close()` (and by the
/// child's deadline if a test never gets there). Every HTTP request has a timeout.
final class WebDriver: @unchecked Sendable {
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    let driver: BackgroundChild
    let base: URL
    let session: String
    let profile: URL

    /// chromium and chromedriver on PATH (Debian's `chromium`, `chromium-driver`), or nil.
    static var tools: (browser: String, driver: String)? {
        guard let b = ChildProcess.which("chromium") ?? ChildProcess.which("chromium-browser"),
              let d = ChildProcess.which("chromedriver") else { return nil }
        return (b, d)
    }

    /// Starts chromedriver and a headless browser session of `width`×`height` CSS pixels.
    /// - Parameter deadline: seconds after which the driver and browser are killed regardless.
    init(width: Int = 1200, height: Int = 900, deadline: Double = 240, darkSystem: Bool = false) async throws {
        guard let tools = WebDriver.tools else {
            throw WebDriverError("chromium or chromedriver not on PATH; `make deps` installs Debian's chromium and chromium-driver")
        }
        let tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("convtrace-browser-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        profile = tmp
        var started: BackgroundChild?
        var url: URL?
        // A port from the pid and a counter; a port in use makes chromedriver exit, then the next is tried.
        for attempt in 0..<8 {
            let port = 20000 + Int(getpid() % 20000) + Int.random(in: 0..<10000) + attempt
            let child = try BackgroundChild(tools.driver, ["--port=\(port)", "--allowed-ips=127.0.0.1"],
                                            logPath: tmp.appendingPathComponent("chromedriver.log").path, timeout: deadline)
            let u = URL(string: "http://127.0.0.1:\(port)")!
            if await WebDriver.waitReady(u, child: child) { started = child; url = u; break }
            child.stop()
        }
        guard let started, let url else {
            throw WebDriverError("chromedriver did not start; log: \(tmp.path)/chromedriver.log")
        }
        driver = started
        base = url
        var args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=\(width),\(height)", "--user-data-dir=\(tmp.appendingPathComponent("profile").path)",
                    "--no-first-run", "--disable-extensions", "--disable-background-networking", "--lang=en-US"]
        if darkSystem { args.append("--force-dark-mode") }
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": tools.browser, "args": args],
            "goog:loggingPrefs": ["browser": "ALL"],
            "timeouts": ["pageLoad": 60000, "script": 30000, "implicit": 0],
        ]]]
        do {
            let answer = try await WebDriver.send("POST", url.appendingPathComponent("session"), caps, timeout: 90)
            guard let value = answer as? [String: Any], let id = value["sessionId"] as? String else {
                throw WebDriverError("no session id in \(answer)")
            }
            session = id
        } catch {
            started.stop()
            throw WebDriverError("Chromium would not start a session: \(error)\nchromedriver log: \(started.log.suffix(2000))")
        }
    }

    /// Polls `GET /status` until the driver is ready (at most 20 s).
    static func waitReady(_ url: URL, child: BackgroundChild) async -> Bool {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if !child.isRunning { return false }
            // HTTP 200 from /status: the server listens (its "ready" flag only says whether it takes more sessions).
            if (try? await send("GET", url.appendingPathComponent("status"), nil, timeout: 2)) != nil { return true }
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
        return false
    }

    /// One WebDriver command; returns the answer's `value`.
    static func send(_ method: String, _ url: URL, _ body: Any?, timeout: Double = 60) async throws -> Any {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let (status, answer) = try LocalHTTP.request(method, port: url.port ?? 80, path: url.path, body: data, timeout: timeout)
        let json = (try? JSONSerialization.jsonObject(with: answer, options: [.fragmentsAllowed])) as? [String: Any]
        guard status == 200 else {
            throw WebDriverError("\(method) \(url.path) → HTTP \(status): \(String(decoding: answer.prefix(1500), as: UTF8.self))")
        }
        return json?["value"] ?? NSNull()
    }

    func command(_ method: String, _ path: String, _ body: Any? = nil) async throws -> Any {
        try await WebDriver.send(method, base.appendingPathComponent("session/\(session)/" + path), body ?? (method == "POST" ? [String: Any]() : nil))
    }

    /// Opens `url` and waits for the load event.
    func open(_ url: URL) async throws { _ = try await command("POST", "url", ["url": url.absoluteString]) }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns its result.
    func run(_ script: String, _ args: [Any] = []) async throws -> Any {
        try await command("POST", "execute/sync", ["script": script, "args": args])
    }

    /// The string `script` returns.
    func string(_ script: String, _ args: [Any] = []) async throws -> String {
        let v = try await run(script, args)
        guard let s = v as? String else { throw WebDriverError("script returned \(v), not a string: \(script)") }
        return s
    }

    /// The element matching `css`, as a WebDriver element reference.
    func element(_ css: String) async throws -> [String: Any] {
        let v = try await command("POST", "element", ["using": "css selector", "value": css])
        guard let e = v as? [String: Any], let id = e[WebDriver.elementKey] as? String else {
            throw WebDriverError("no element for \(css): \(v)")
        }
        return [WebDriver.elementKey: id]
    }

    func click(_ css: String) async throws {
        let e = try await element(css)
        _ = try await command("POST", "element/\(e[WebDriver.elementKey] as? String ?? "")/click")
    }

    /// Presses and releases `key` (a WebDriver key code such as "\u{E014}" for →) `times` times.
    func press(_ key: String, times: Int = 1) async throws {
        var actions: [[String: Any]] = []
        for _ in 0..<times { actions += [["type": "keyDown", "value": key], ["type": "keyUp", "value": key]] }
        _ = try await command("POST", "actions", ["actions": [["type": "key", "id": "keyboard", "actions": actions]]])
    }

    /// Moves the mouse to the centre of the element matching `css`.
    func hover(_ css: String) async throws {
        let e = try await element(css)
        let move: [String: Any] = ["type": "pointerMove", "duration": 0, "origin": e, "x": 0, "y": 0]
        _ = try await command("POST", "actions", ["actions": [[
            "type": "pointer", "id": "mouse", "parameters": ["pointerType": "mouse"], "actions": [move],
        ]]])
    }

    /// Browser console entries of level SEVERE (errors) since the last call.
    func consoleErrors() async throws -> [String] {
        let v = try await command("POST", "se/log", ["type": "browser"])
        return (v as? [[String: Any]] ?? []).filter { ($0["level"] as? String) == "SEVERE" }
            .map { $0["message"] as? String ?? "\($0)" }
    }

    /// A PNG screenshot of the viewport.
    func screenshot() async throws -> Data {
        let v = try await command("GET", "screenshot")
        guard let s = v as? String, let d = Data(base64Encoded: s) else { throw WebDriverError("no screenshot data") }
        return d
    }

    /// Ends the session, stops chromedriver (and any browser left) and removes the profile.
    func close() async {
        _ = try? await WebDriver.send("DELETE", base.appendingPathComponent("session/\(session)"), nil, timeout: 20)
        driver.stop()
        try? FileManager.default.removeItem(at: profile)
    }

    deinit { driver.stop() }
}
