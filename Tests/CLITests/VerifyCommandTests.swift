// CLITests — `convtrace verify` end to end: formats, --update, exit statuses.
import Foundation
import Testing

@Suite("convtrace verify (end to end)")
struct VerifyCommandTests {
    /// [1, 2, 3] ⋆ [1, 1, 1] with `same` padding → 3, 6, 5; the text claims 4 for the last.
    static let wrongClaim = "# t\n\n```convtrace\nop: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\npadding: same\nexpect:\n  output: [3, 6, 4]\n```\n"

    @Test("junit and github formats exit 1 on a wrong claim; an unknown format is a usage error (2)")
    func formats() throws {
        let path = try CLI.temporaryFile(Self.wrongClaim, name: "t.md")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let junit = try CLI.run(["verify", "--format", "junit", path])
        #expect(junit.status == 1)
        #expect(junit.stdout.contains("<failure message=\"output[2]: claimed 4, engine computes 5\">"))
        let github = try CLI.run(["verify", "--format", "github", path])
        #expect(github.status == 1)
        #expect(github.stdout.hasPrefix("::error file=\(path),line=9,"))
        let bad = try CLI.run(["verify", "--format", "xml", path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--format must be one of text, json, github, junit"))
    }

    @Test("--update rewrites the wrong entry, reports it on stderr and exits 0; without it nothing is written")
    func update() throws {
        let path = try CLI.temporaryFile(Self.wrongClaim, name: "u.md")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect(try CLI.run(["verify", path]).status == 1)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.wrongClaim)
        let r = try CLI.run(["verify", "--update", path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("\(path):9: output: wrote [3, 6, 5]"))
        #expect(r.stdout == "1 claim checked, 0 wrong\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.wrongClaim.replacingOccurrences(of: "[3, 6, 4]", with: "[3, 6, 5]"))
    }
}
