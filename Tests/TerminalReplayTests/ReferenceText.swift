// TerminalReplayTests — compares text with a committed reference file; re-records only when CONVTRACE_RECORD=1.
import Foundation
import Testing

/// The References/ folder next to this file.
let referencesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("References")

/// Expects `text` to equal References/`name`; with CONVTRACE_RECORD=1 writes it instead (never in CI).
func expectReference(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = referencesFolder.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["CONVTRACE_RECORD"] == "1" {
        try FileManager.default.createDirectory(at: referencesFolder, withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("missing reference \(name); run the tests once with CONVTRACE_RECORD=1 and review the file",
                     sourceLocation: sourceLocation)
        return
    }
    if text != expected {
        let got = text.split(separator: "\n", omittingEmptySubsequences: false)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
        let g = line < got.count ? String(got[line]) : "<end>"
        let w = line < want.count ? String(want[line]) : "<end>"
        Issue.record("\(name) differs at line \(line + 1):\n  got:      \(g)\n  expected: \(w)", sourceLocation: sourceLocation)
    }
}
