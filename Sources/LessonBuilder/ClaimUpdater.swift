// LessonBuilder — `verify --update`: write the engine's values into `expect:` lines that are missing or wrong.
import Foundation
import Tracing

/// Rewrites the `expect:` entries of wrong or missing claims with the engine's values, the snapshot
/// convention for authors writing new material. Only the lines of those entries change; every other
/// byte of the file (line endings included) stays as it was, and the file is replaced atomically.
public enum ClaimUpdater {
    /// What an update did to one file.
    public struct Outcome: Sendable {
        public var file: String
        /// Claims whose lines were rewritten.
        public var updated: [ClaimCheck] = []
        /// Claims that could not be rewritten, with the reason (`FILE:LINE: …`).
        public var skipped: [String] = []
    }

    /// Rewrites the wrong claims among `checks` (all from `file`) in `file`.
    /// - Throws: `LessonError` (`.io`) when the file cannot be read or written.
    public static func update(file: String, checks: [ClaimCheck]) throws -> Outcome {
        var outcome = Outcome(file: file)
        let wrong = checks.filter { $0.file == file && !$0.holds }
        guard !wrong.isEmpty else { return outcome }
        if file.hasSuffix(".ipynb") {
            outcome.skipped = wrong.map { "\($0.block.place(in: file)): \($0.claim.key): notebooks are not rewritten; edit the cell" }
            return outcome
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw LessonError(.io, file: file, line: 0, "cannot read the file: \(error.localizedDescription)")
        }
        var lines = splitKeepingEnds(Array(data))
        // Bottom-up, so earlier line numbers stay valid.
        for check in wrong.sorted(by: { $0.claim.line > $1.claim.line }) {
            guard check.computed != nil else {
                outcome.skipped.append("\(file):\(check.claim.line): \(check.claim.key): the engine computes no such value")
                continue
            }
            let index = check.claim.line - 1
            guard lines.indices.contains(index) else { continue }
            let (content, end) = splitEnd(lines[index])
            let indent = content.prefix(while: { $0 == UInt8(ascii: " ") }).count
            let prefix = Array(check.claim.key.utf8) + [UInt8(ascii: ":")]
            guard Array(content.dropFirst(indent).prefix(prefix.count)) == prefix else {
                outcome.skipped.append("\(file):\(check.claim.line): \(check.claim.key): not on a line of its own; write it as `\(check.claim.key): …` under `expect:`")
                continue
            }
            // The value's continuation lines: indented deeper than the key.
            var last = index
            while last + 1 < lines.count {
                let (next, _) = splitEnd(lines[last + 1])
                let nextIndent = next.prefix(while: { $0 == UInt8(ascii: " ") }).count
                guard nextIndent < next.count, nextIndent > indent else { break }
                last += 1
            }
            let text = String(repeating: " ", count: indent) + check.claim.key + ": " + check.computedText
            lines.replaceSubrange(index...last, with: [Array(text.utf8) + end])
            outcome.updated.append(check)
        }
        if !outcome.updated.isEmpty {
            do {
                try OutputFile.write(lines.flatMap { $0 }, to: file)
            } catch {
                throw LessonError(.io, file: file, line: 0, "cannot write: \(error.message)")
            }
        }
        return outcome
    }

    /// The lines of `bytes`, each with its own ending (`\n`, `\r\n`, or none for the last).
    static func splitKeepingEnds(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
            lines.append(Array(bytes[start...i]))
            start = i + 1
        }
        if start < bytes.count { lines.append(Array(bytes[start...])) }
        return lines
    }

    /// A line's content and its ending.
    static func splitEnd(_ line: [UInt8]) -> ([UInt8], [UInt8]) {
        if line.last == UInt8(ascii: "\n") {
            if line.count >= 2, line[line.count - 2] == UInt8(ascii: "\r") {
                return (Array(line.dropLast(2)), [13, 10])
            }
            return (Array(line.dropLast()), [10])
        }
        return (line, [])
    }
}
