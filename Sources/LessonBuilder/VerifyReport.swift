// LessonBuilder — a VerifyRun written for people (text), scripts (JSON), GitHub Actions and JUnit dashboards.
import JSONText

/// The output formats of `convtrace verify --format`.
public enum VerifyFormat: String, Sendable, CaseIterable {
    /// `FILE:LINE: …` per wrong number, then `N claims checked, M wrong` (the default).
    case text
    /// One JSON object: every claim with its claimed and computed value, every malformed block, totals.
    case json
    /// GitHub Actions workflow commands: `::error file=…,line=…::…` on the claim's line.
    case github
    /// JUnit XML: one test case per claim, a failure per wrong claim, an error per malformed block.
    case junit
}

/// Renders a `VerifyRun` in a `VerifyFormat`.
public enum VerifyReport {
    /// What goes to standard output (ends with a newline). In `text`, malformed blocks are not included
    /// (the CLI prints them on stderr); every other format includes them.
    public static func render(_ run: VerifyRun, as format: VerifyFormat) -> String {
        switch format {
        case .text: return text(run)
        case .json: return json(run).serialized(pretty: true) + "\n"
        case .github: return github(run)
        case .junit: return junit(run)
        }
    }

    static func text(_ run: VerifyRun) -> String {
        (run.messages + [run.summary]).joined(separator: "\n") + "\n"
    }

    /// `{"checked", "wrong", "malformed", "exit_code", "claims": […], "problems": […]}`.
    public static func json(_ run: VerifyRun) -> JSONValue {
        let claims: [JSONValue] = run.checks.map { c in
            var pairs: [(String, JSONValue)] = [
                ("file", .string(c.file)), ("line", .int(c.claim.line)), ("block_line", .int(c.block.line)),
            ]
            if let cell = c.block.notebookCell { pairs.append(("cell", .int(cell))) }
            pairs += [
                ("key", .string(c.claim.key)), ("claimed", .string(c.claim.printed)),
                ("computed", .string(c.computedText)), ("holds", .bool(c.holds)),
                ("differences", .array(c.differences.map { .string($0) })),
            ]
            return .object(pairs)
        }
        let problems: [JSONValue] = run.problems.map { p in
            .object([("file", .string(p.file)), ("line", .int(p.line)), ("message", .string(p.message))])
        }
        return .object([
            ("checked", .int(run.checks.count)), ("wrong", .int(run.wrong.count)),
            ("malformed", .int(run.problems.count)), ("exit_code", .int(Int(run.exitCode))),
            ("claims", .array(claims)), ("problems", .array(problems)),
        ])
    }

    /// One `::error` line per difference (on the claim's own line) and per malformed block, then the
    /// summary as a `::notice`.
    static func github(_ run: VerifyRun) -> String {
        var out = ""
        for c in run.wrong {
            for d in c.differences {
                out += "::error file=\(property(c.file)),line=\(c.claim.line),title=\(property("convtrace verify: wrong claim"))::\(data(d))\n"
            }
        }
        for p in run.problems {
            let line = p.line > 0 ? ",line=\(p.line)" : ""
            out += "::error file=\(property(p.file))\(line),title=\(property("convtrace verify: malformed block"))::\(data(p.message))\n"
        }
        out += "::notice title=convtrace verify::\(data(run.summary))\n"
        return out
    }

    /// Workflow-command message text: `%`, CR and LF escaped.
    static func data(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Workflow-command property value: also `:` and `,` escaped.
    static func property(_ s: String) -> String {
        data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// `<testsuites>` with one `<testsuite>` per file (in the order first met).
    static func junit(_ run: VerifyRun) -> String {
        var files: [String] = []
        for f in run.checks.map(\.file) + run.problems.map(\.file) where !files.contains(f) { files.append(f) }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"convtrace verify\" tests=\"\(run.checks.count + run.problems.count)\" failures=\"\(run.wrong.count)\" errors=\"\(run.problems.count)\">\n"
        for file in files {
            let checks = run.checks.filter { $0.file == file }
            let problems = run.problems.filter { $0.file == file }
            out += "  <testsuite name=\"\(xml(file))\" tests=\"\(checks.count + problems.count)\" failures=\"\(checks.filter { !$0.holds }.count)\" errors=\"\(problems.count)\">\n"
            for c in checks {
                let name = "line \(c.claim.line): \(c.claim.key)"
                out += "    <testcase classname=\"\(xml(file))\" name=\"\(xml(name))\""
                if c.holds {
                    out += "/>\n"
                } else {
                    let text = c.messages.joined(separator: "\n")
                    out += ">\n      <failure message=\"\(xml(c.differences.first ?? ""))\">\(xml(text))</failure>\n    </testcase>\n"
                }
            }
            for p in problems {
                out += "    <testcase classname=\"\(xml(file))\" name=\"\(xml("line \(p.line): malformed block"))\">\n"
                out += "      <error message=\"\(xml(p.message))\">\(xml(p.description))</error>\n    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// Text safe in XML content and attribute values.
    static func xml(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            default:
                // Control characters other than tab are not allowed in XML 1.0.
                if ch.value < 0x20 && ch != "\t" { out += "?" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}
