// LessonBuilderTests — building lessons: deterministic bytes, the frame manifest, `check` comparing text and
// what pictures show (strict: bytes) and naming drifted files, atomic failure.
import Foundation
import LessonBuilder
import Testing

/// A throw-away lessons folder with two small lessons and one claims file.
struct ScratchSite {
    let root: String
    var lessons: String { root + "/Lessons" }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lb-site-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/Lessons/errata", withIntermediateDirectories: true)
        // [1, 2, 3] ⋆ [1, 1, 1], same padding: 0+1+2 = 3, 1+2+3 = 6, 2+3+0 = 5.
        try write("Lessons/01-one.md", """
            # One

            Padding keeps the length.

            ```convtrace
            op: conv2d
            input: [1, 2, 3]
            kernel: [1, 1, 1]
            padding: same
            show: [final, table, equation, shape, trace, spec, result]
            cell: output[1]
            expect:
              output: [3, 6, 5]
            ```
            """)
        // 2×2 max pool of the 4×4 example: quarters' maxima 6, 8, 9, 5.
        try write("Lessons/02-two.md", """
            # Two

            Pooling keeps the maxima.

            ```convtrace
            op: max_pool2d
            input: [[1, 3, 2, 4], [5, 6, 7, 8], [9, 2, 3, 1], [4, 0, 1, 5]]
            kernel_size: 2
            show: [animation, frames, table]
            expect:
              output: [[6, 8], [9, 5]]
            ```
            """)
        // A claims file with one wrong claim: valid [1, 2, 3] ⋆ [1, 1, 1] is 6, claimed 7.
        try write("Lessons/errata/some-tutorial.md", """
            # Claims in "Some tutorial"

            ```convtrace
            title: valid padding gives 7
            cite: Some tutorial, section "Padding"
            why: 1 + 2 + 3 = 6
            op: conv2d
            input: [1, 2, 3]
            kernel: [1, 1, 1]
            expect:
              output: [7]
            ```
            """)
    }

    func write(_ relative: String, _ text: String) throws {
        try (text + "\n").write(toFile: root + "/" + relative, atomically: true, encoding: .utf8)
    }

    func site() -> LessonSite { LessonSite(lessonsDirectory: lessons, pictures: StoryboardPictures()) }

    /// Builds the lessons into `root/Output` and returns that path.
    func buildOutput() throws -> String {
        let out = root + "/Output"
        try site().build(into: out)
        return out
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

func contents(of dir: String) -> [String: Data] {
    var out: [String: Data] = [:]
    let walker = FileManager.default.enumerator(atPath: dir)
    while let path = walker?.nextObject() as? String {
        var isDir: ObjCBool = false
        FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDir)
        if !isDir.boolValue { out[path] = FileManager.default.contents(atPath: dir + "/" + path) }
    }
    return out
}

@Suite("Lesson site build")
struct LessonSiteTests {
    @Test("building twice gives byte-identical files, with the index, the errata page and the pictures")
    func deterministic() throws {
        let scratch = try ScratchSite()
        defer { scratch.remove() }
        let report = try scratch.site().build(into: scratch.root + "/A")
        try scratch.site().build(into: scratch.root + "/B")
        let a = contents(of: scratch.root + "/A"), b = contents(of: scratch.root + "/B")
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, data) in a { #expect(b[path] == data, "\(path) differs between two builds") }
        #expect(report.lessons == ["01-one", "02-two"])
        #expect(report.lessonClaims == 2)
        #expect(report.errataWrong.count == 1)
        let names = Set(a.keys)
        #expect(names.contains("README.md") && names.contains("ERRATA.md"))
        #expect(names.contains("01-one/README.md") && names.contains("01-one/block-005-final.svg"))
        #expect(names.contains("02-two/block-005-animation.gif"))
        // The 4 cell frames of the 2×2 pool: first, middle (frame 2 of 4) and last.
        #expect(names.contains("02-two/block-005-frames-0001.svg") && names.contains("02-two/block-005-frames-0002.svg")
                && names.contains("02-two/block-005-frames-0004.svg"))
        let two = String(decoding: a["02-two/README.md"] ?? Data(), as: UTF8.self)
        // Alt texts say what the pictures show, from their frames.
        #expect(two.contains("![max pool 2×2, 4 steps; step 1 computes y\\[0,0\\] = 6, step 4 computes y\\[1,1\\] = 5](block-005-animation.gif)"), "\(two)")
        let page = String(decoding: a["01-one/README.md"]!, as: UTF8.self)
        #expect(!page.contains("-animation.gif"))  // lesson 01 asks for final, not animation
        // Its still is the step that computes `cell: output[1]`, not the last step.
        #expect(page.contains("step 2 of 3: y\\[1\\] = 6. ") && page.contains("](block-005-final.svg)"), "\(page)")
        #expect(page.contains("$$\ny_{1} = 1 \\cdot 1 + 2 \\cdot 1 + 3 \\cdot 1 = 6\n$$"))
        #expect(page.contains("- conv2d, width: (3 − 3 + 2·1)/1 + 1 = 3"))
        #expect(!page.contains("```convtrace"))
        let errata = String(decoding: a["ERRATA.md"]!, as: UTF8.self)
        #expect(errata.contains("- The tutorial's number: `output` = [7]\n- What is right: `output` = [6]\n- Why: 1 + 2 + 3 = 6"))
        let index = String(decoding: a["README.md"]!, as: UTF8.self)
        #expect(index.contains("| <img src=\"01-one/block-005-final.svg\" width=\"120\" alt=\"\"> | [One](01-one/README.md) — Padding keeps the length. |"))
        // A lesson with no final picture gets an SVG frame as its thumbnail, not the GIF.
        #expect(index.contains("| <img src=\"02-two/block-005-frames-0001.svg\" width=\"120\" alt=\"\"> | [Two](02-two/README.md) — Pooling keeps the maxima. |"))
    }

    @Test("frames.txt lists every picture of a lesson with what each of its frames shows")
    func manifest() throws {
        let scratch = try ScratchSite()
        defer { scratch.remove() }
        let out = try scratch.buildOutput()
        let two = try String(contentsOfFile: out + "/02-two/frames.txt", encoding: .utf8)
        #expect(two.hasPrefix("# What every picture of Lessons/02-two.md shows, frame by frame"))
        // The GIF has the 4 cell frames of the 2×2 pool; the frames view shows frames 1, 2 and 4 as SVGs.
        let sections = two.components(separatedBy: "\n== ").dropFirst().map { $0.prefix { $0 != "\n" } }
        #expect(sections == ["block-005-animation.gif · 4 frames", "block-005-frames-0001.svg · 1 frame",
                             "block-005-frames-0002.svg · 1 frame", "block-005-frames-0004.svg · 1 frame"])
        #expect(two.contains("-- block-005-animation.gif 4/4\nframe 4/4 · "))
        #expect(two.contains("-- block-005-frames-0002.svg 1/1\nframe 2/4 · "))
        // Frame 4 writes y[1,1] = max(3, 1, 1, 5) = 5: the window on the bottom-right quarter, x[3,3]
        // selected, the three other maxima done.
        let last = try #require(two.components(separatedBy: "-- block-005-animation.gif 4/4\n").last)
        #expect(last.contains("written: output(1,1)\nequation: y[1,1] = max(3, 1, 1, 5) = 5\n"), "\(last)")
        #expect(last.contains("\n  6/d  8/d\n  9/d  5/Wd\n"), "\(last)")
        #expect(last.contains("\n  4    0    1/w  5/wS\n"), "\(last)")
        // Lesson 01's one picture is the frame of its `cell: output[1]`, the second of 3: y[1] = 1 + 2 + 3 = 6.
        let one = try String(contentsOfFile: out + "/01-one/frames.txt", encoding: .utf8)
        #expect(one.contains("\n== block-005-final.svg · 1 frame\n-- block-005-final.svg 1/1\nframe 2/3 · "))
        #expect(one.contains("equation: y[1] = 1·1 + 2·1 + 3·1 = 6\n"), "\(one)")
        #expect(one.components(separatedBy: "\n== ").count == 2)
    }

    @Test("check passes on a fresh build and names files that changed, vanished or appeared")
    func check() throws {
        let scratch = try ScratchSite()
        defer { scratch.remove() }
        let out = try scratch.buildOutput()
        #expect(try scratch.site().check(against: out) == [])
        try "edited by hand\n".write(toFile: out + "/01-one/README.md", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: out + "/ERRATA.md")
        try "stray\n".write(toFile: out + "/02-two/notes.txt", atomically: true, encoding: .utf8)
        // A frame that shows another number is a change in frames.txt, whatever the picture's bytes.
        let manifest = out + "/02-two/frames.txt"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: " 5/W", with: " 4/W").write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect(try scratch.site().check(against: out) == [
            "01-one/README.md (differs)", "02-two/frames.txt (differs)", "02-two/notes.txt (not produced by the sources)",
            "ERRATA.md (missing)",
        ])
        #expect(try scratch.site().check(against: out, strict: true).count == 4)
    }

    @Test("check compares pictures by what they show: other bytes pass, strict fails them; a picture that does not decode or has another frame count fails")
    func checkPictures() throws {
        let scratch = try ScratchSite()
        defer { scratch.remove() }
        let out = try scratch.buildOutput()
        let gif = out + "/02-two/block-005-animation.gif", svg = out + "/01-one/block-005-final.svg"
        let original = try Data(contentsOf: URL(fileURLWithPath: gif))
        // Drawn by another Cairo: other bytes, the same frames. A GIF comment before the trailer (0x3B) and
        // an SVG comment change the bytes, not the pictures.
        #expect(original.last == 0x3B)
        try (original.dropLast() + Data([0x21, 0xFE, 5] + Array("other".utf8) + [0, 0x3B])).write(to: URL(fileURLWithPath: gif))
        let svgText = try String(contentsOfFile: svg, encoding: .utf8)
        try svgText.replacingOccurrences(of: "</svg>", with: "<!-- drawn elsewhere -->\n</svg>")
            .write(toFile: svg, atomically: true, encoding: .utf8)
        #expect(try scratch.site().check(against: out) == [])
        #expect(try scratch.site().check(against: out, strict: true)
                == ["01-one/block-005-final.svg (differs)", "02-two/block-005-animation.gif (differs)"])

        // Cut short: it does not decode.
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: gif))
        try svgText.prefix(svgText.count / 2).write(toFile: svg, atomically: true, encoding: .utf8)
        let broken = try scratch.site().check(against: out)
        #expect(broken.count == 2)
        #expect(broken.first?.hasPrefix("01-one/block-005-final.svg (the SVG document is cut short") == true, "\(broken)")
        #expect(broken.last?.hasPrefix("02-two/block-005-animation.gif (the GIF does not decode") == true, "\(broken)")

        // A GIF of 6 frames where the sources draw 4 (a 2×2 pool over 4×6 instead of 4×4).
        let other = try ScratchSite()
        defer { other.remove() }
        try other.write("Lessons/02-two.md", "# Two\n\nPooling keeps the maxima.\n\n```convtrace\nop: max_pool2d\ninput: [[1, 3, 2, 4, 0, 1], [5, 6, 7, 8, 1, 2], [9, 2, 3, 1, 4, 4], [4, 0, 1, 5, 3, 3]]\nkernel_size: 2\nshow: [animation]\n```")
        let otherOut = try other.buildOutput()
        try FileManager.default.removeItem(atPath: gif)
        try FileManager.default.copyItem(atPath: otherOut + "/02-two/block-005-animation.gif", toPath: gif)
        try svgText.write(toFile: svg, atomically: true, encoding: .utf8)
        #expect(try scratch.site().check(against: out)
                == ["02-two/block-005-animation.gif (gif, 6 frames; the sources give gif, 4 frames)"])
    }

    @Test("a lesson whose claim is wrong fails the build and leaves its previous output intact")
    func atomic() throws {
        let scratch = try ScratchSite()
        defer { scratch.remove() }
        let out = try scratch.buildOutput()
        let before = contents(of: out + "/01-one")
        try scratch.write("Lessons/01-one.md", "# One\n\n```convtrace\nop: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\nexpect:\n  output: [7]\n```")
        #expect(throws: LessonError.self) { try scratch.site().build(into: out) }
        #expect(contents(of: out + "/01-one") == before)
        #expect(contents(of: out + "/02-two").isEmpty == false)
        #expect(FileManager.default.fileExists(atPath: out + "/.building-01-one") == false)
    }

    @Test("a picture that cannot be drawn names the lesson file and the block's line")
    func pictureErrorsNameTheLesson() throws {
        let scratch = try ScratchSite()
        defer { scratch.remove() }
        // 21×21 input, 1×1 kernel: 441 cell frames, over the lessons' budget of 400 per block.
        let row = "[" + Array(repeating: "1", count: 21).joined(separator: ", ") + "]"
        let input = "[" + Array(repeating: row, count: 21).joined(separator: ", ") + "]"
        try scratch.write("Lessons/03-big.md", "# Big\n\n```convtrace\nop: conv2d\ninput: \(input)\nkernel: [[1]]\nshow: [animation]\n```")
        do {
            try scratch.site().build(into: scratch.root + "/Output")
            Issue.record("the build drew 441 frames")
        } catch let e as LessonError {
            #expect(e.file.hasSuffix("/Lessons/03-big.md"), "\(e)")
            #expect(e.line == 3)
            #expect(e.message.contains("cannot draw the animation view") && e.message.contains("441 frames"), "\(e)")
        }
    }
}
