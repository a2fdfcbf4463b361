// CLITests — `convtrace verify` and `convtrace lessons` end to end: exit codes, messages, --check.
import Foundation
import Testing

@Suite("convtrace verify / lessons (end to end)")
struct LessonsCLITests {
    @Test("verify on a tutorial claims file prints each wrong number and exits 1")
    func verifyWrong() throws {
        let r = try CLI.run(["verify", "Lessons/errata/convolutional-neural-networks.md"])
        #expect(r.status == 1)
        // 5×5×3, K = 2, F = 3, S = 2, P = 1: (5 − 3 + 2)/2 + 1 = 3 per side, depth K = 2 (the tutorial says 3).
        #expect(r.stdout.contains("Lessons/errata/convolutional-neural-networks.md:25: output_shape: claimed 3x3x3, engine computes 3x3x2"))
        #expect(r.stdout.hasSuffix("4 claims checked, 1 wrong\n"))
    }

    @Test("verify on the lessons exits 0")
    func verifyLessons() throws {
        let r = try CLI.run(["verify", "Lessons/01-correlation-vs-convolution.md", "Lessons/05-pooling.md"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasSuffix(" wrong\n") && r.stdout.contains("claims checked, 0 wrong"))
    }

    @Test("a malformed block exits 2 naming file and line")
    func verifyMalformed() throws {
        let path = try CLI.temporaryFile("# x\n\n```convtrace\nop: conv2d\ninput: [1, 2]\nkernel: [1]\nexpect:\n  outptu: [1, 2]\n```\n", name: "bad.md")
        let r = try CLI.run(["verify", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):8: expect: unknown key `outptu`"), "\(r.stderr)")
        #expect(r.stdout.contains("0 claims checked, 0 wrong, 1 malformed block"))
    }

    @Test("lessons --check passes on the committed Output/")
    func lessonsCheck() throws {
        let r = try CLI.run(["lessons", "--in", "Lessons", "--out", "Output", "--check"])
        #expect(r.status == 0, "\(r.stderr)")
    }
}
