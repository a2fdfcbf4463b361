// StoryboardTests — compares text with a committed reference file; re-records only when CONVTRACE_RECORD=1.
import Foundation
import Testing

enum Snapshot {
    /// The References folder next to this file.
    static func url(_ name: String, file: String = #filePath) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("References").appendingPathComponent(name)
    }

    /// Expects `text` to equal the reference `name`; with CONVTRACE_RECORD=1 writes it instead.
    static func check(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let u = url(name)
        if ProcessInfo.processInfo.environment["CONVTRACE_RECORD"] == "1" {
            try text.write(to: u, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: u, encoding: .utf8) else {
            Issue.record("missing reference \(name); run with CONVTRACE_RECORD=1 to record it", sourceLocation: sourceLocation)
            return
        }
        #expect(text == expected, "frame differs from References/\(name) (CONVTRACE_RECORD=1 re-records)",
                sourceLocation: sourceLocation)
    }
}
