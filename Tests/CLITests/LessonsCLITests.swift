// CLITests — `convtrace verify` and `convtrace lessons` end to end: exit codes, messages, --check (also under
// another font configuration, which changes every picture's bytes but not what it shows).
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
        #expect(r.stdout == "Output is up to date with Lessons\n")
    }

    @Test("--strict needs --check")
    func strictNeedsCheck() throws {
        let r = try CLI.run(["lessons", "--in", "Lessons", "--out", "/nonexistent/out", "--strict"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--strict applies only with --check"), "\(r.stderr)")
    }

    #if os(Linux)
    /// The system's fontconfig setup, unchanged (named explicitly, so an outer FONTCONFIG_FILE does not leak in).
    static let systemFonts = """
        <?xml version="1.0"?>
        <!DOCTYPE fontconfig SYSTEM "fonts.dtd">
        <fontconfig>
          <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
        </fontconfig>
        """

    /// A fontconfig file that draws every label differently from the system's: DejaVu Serif for DejaVu
    /// Sans (other glyphs and advance widths), no antialiasing, full hinting, RGB subpixel order.
    static let otherFonts = """
        <?xml version="1.0"?>
        <!DOCTYPE fontconfig SYSTEM "fonts.dtd">
        <fontconfig>
          <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
          <match target="pattern">
            <test name="family" qual="any"><string>DejaVu Sans</string></test>
            <edit name="family" mode="assign" binding="strong"><string>DejaVu Serif</string></edit>
          </match>
          <match target="font">
            <edit name="antialias" mode="assign"><bool>false</bool></edit>
            <edit name="hinting" mode="assign"><bool>true</bool></edit>
            <edit name="hintstyle" mode="assign"><const>hintfull</const></edit>
            <edit name="rgba" mode="assign"><const>rgb</const></edit>
          </match>
        </fontconfig>
        """

    /// What another machine's Cairo and fonts do to the lessons: every picture is drawn with other bytes
    /// (checked on one frame), and `lessons --check` still passes, because it compares the Markdown, the
    /// frame manifests and what the pictures decode to, not picture bytes.
    @Test("lessons --check passes with other fonts and font rendering (FONTCONFIG_FILE), which change the picture bytes")
    func lessonsCheckUnderOtherFonts() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let systemConf = dir.appendingPathComponent("system.conf"), otherConf = dir.appendingPathComponent("other.conf")
        try Data(Self.systemFonts.utf8).write(to: systemConf)
        try Data(Self.otherFonts.utf8).write(to: otherConf)
        let other = ["FONTCONFIG_FILE": otherConf.path]
        // The setting takes effect: the first frame of a spec, drawn both ways, differs.
        for (name, env) in [("default", ["FONTCONFIG_FILE": systemConf.path]), ("other", other)] {
            let r = try CLI.run(["render", "examples/conv-basic.yaml", "-o", dir.path + "/" + name, "--format", "svg",
                                 "--cell", "0,0"], environment: env)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = FileManager.default.contents(atPath: dir.path + "/default/frame-0001.svg")
        let b = FileManager.default.contents(atPath: dir.path + "/other/frame-0001.svg")
        #expect(a != nil && b != nil && a != b, "FONTCONFIG_FILE did not change the drawing")
        let r = try CLI.run(["lessons", "--in", "Lessons", "--out", "Output", "--check"], environment: other)
        #expect(r.status == 0, "\(r.stderr)")
    }
    #endif
}
