// LessonBuilderTests — the tutorial claims files report exactly the tutorials' wrong numbers.
import Foundation
import LessonBuilder
import Testing

/// The repository root, found from this file's path.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

func lessonsPath(_ relative: String) -> String { repositoryRoot + "/Lessons/" + relative }

@Suite("Tutorial errata")
struct ErrataTests {
    /// Every wrong claim, as `file-stem:fence-line:key`. Each is a tutorial mistake, explained by the
    /// block's `why:` (and in Output/ERRATA.md). Tolerance: exact for shapes, 1e-9 relative (or the
    /// block's `tolerance:`) for values.
    static let pinnedWrongClaims: [String] = [
        // 2×2 pool at stride 1 on 30×30×2 gives 29×29×2, not 15×15×2.
        "cnn-basics-backprop:157:output_shape",
        // padding 2 with a 3×3 kernel grows 15×15 to 17×17; keeping 15 needs padding 1.
        "cnn-basics-backprop:175:output_shape",
        // the pooling after the second conv is skipped: with the stated stride-1 pool 15 → 17 → 16, 1024 values.
        "cnn-basics-backprop:208:output_shape",
        // … and with a stride-2 pool (never stated) 15 → 17 → 8, so 8·8·4 = 256 values, not 900.
        "cnn-basics-backprop:229:output_shape",
        // dx13's last term must use dy13: 3 + 20 + 100 = 123, not 33 (33 is the printed formula at our values).
        "cnn-basics-backprop:254:grad_input[0][2]",
        // db[k] sums dY over its own channel only: [10, 100], not [110, 110] (the printed rule at our values).
        "cnn-basics-backprop:290:grad_bias",
        // output depth is K = 2, not 3.
        "convolutional-neural-networks:25:output_shape",
        // (W1 − K)/S + 1 drops the padding term: 5, not 3.
        "theory-conv-nets:28:output_shape",
        // BCE's second term is log(1 − σ(s)): log 2 = 0.6931472, not −log σ(1) = 0.3132617.
        "understanding-cnn:73:loss",
        // d/ds of the logistic loss is σ(s) − t = −0.5, not 1.5.
        "understanding-cnn:103:grad_input",
        // inverted dropout is the identity at evaluation (2, 4), not × p (0.5, 1).
        "understanding-cnn:142:output",
        // batch norm divides by √(var + eps): ±1.3416354, ±0.4472118, not by the variance (±1.2, ±0.4).
        "understanding-cnn:162:output",
    ]

    /// One verification of every claims file, shared by the tests below (LeNet-5 is slow in debug builds).
    static let errataRun: VerifyRun = {
        let site = LessonSite(lessonsDirectory: repositoryRoot + "/Lessons")
        return VerifyRun(files: (try? site.errataFiles()) ?? [])
    }()

    @Test("verify over Lessons/errata reports exactly the pinned wrong claims")
    func pinnedList() throws {
        let run = ErrataTests.errataRun
        #expect(run.checks.map(\.file).reduce(into: Set<String>()) { $0.insert($1) }.count == 5)
        #expect(run.problems.map(\.description) == [])
        let wrong = run.wrong.map { check in
            let stem = ((check.file as NSString).lastPathComponent as NSString).deletingPathExtension
            return "\(stem):\(check.block.line):\(check.claim.key)"
        }
        #expect(wrong == ErrataTests.pinnedWrongClaims)
        #expect(run.exitCode == 1)
        // Every claims file has claims; the claims that hold outnumber the mistakes.
        #expect(run.checks.count >= 30)
    }

    @Test("every wrong claim has a one-line why; a claim that holds has one only for a mistake in words")
    func whyMatchesVerdict() throws {
        let run = ErrataTests.errataRun
        var blocksWithWrong: [String: Bool] = [:]
        for check in run.checks {
            let id = "\(check.file):\(check.block.line)"
            blocksWithWrong[id] = (blocksWithWrong[id] ?? false) || !check.holds
            if !check.holds { #expect(check.block.why?.isEmpty == false, "\(id) is wrong but has no why:") }
        }
        // A block that holds and carries a why: is a mistake the tutorial makes in words: it must quote them.
        for check in run.checks where blocksWithWrong["\(check.file):\(check.block.line)"] == false && check.block.why != nil {
            #expect(check.block.quote != nil && check.block.tutorialLine != nil,
                    "\(check.file):\(check.block.line) holds but carries a why: without a quote: and tutorial_line:")
        }
    }

    /// Mistakes the tutorials make in words (the right numbers hold): pinned like the wrong claims.
    static let pinnedWordedErrata: [String] = [
        // line 48: flipping [1, 0] gives 2, 1, 0 on 3, 2, 1, 0, not negative responses.
        "cnn-basics-backprop:47",
        // line 141: "3x3x2 filters" on a one-channel image; the filters are 3×3×1, two of them.
        "cnn-basics-backprop:125",
        // line 290: the weight gradient assigned (=) per sample inside the batch loop; a batch's dK is the sum.
        "cnn-basics-backprop:317",
        // line 212: momentum keeps a decaying sum of every past gradient, not the current and previous one only.
        "understanding-cnn:183",
    ]

    @Test("every erratum quotes the tutorial at its line and never passes our evaluation off as its number")
    func entriesQuoteTheTutorial() throws {
        let run = ErrataTests.errataRun
        let worded = run.checks.filter { c in
            c.block.why != nil && run.checks.filter { $0.file == c.file && $0.block.line == c.block.line }.allSatisfy(\.holds)
        }
        var wordedIDs: [String] = []
        for c in worded {
            let stem = ((c.file as NSString).lastPathComponent as NSString).deletingPathExtension
            let id = "\(stem):\(c.block.line)"
            if wordedIDs.last != id { wordedIDs.append(id) }
        }
        #expect(wordedIDs == ErrataTests.pinnedWordedErrata)
        for check in run.wrong + worded {
            let id = "\(check.file):\(check.block.line)"
            let quote = try #require(check.block.quote, "\(id) has no quote:")
            let line = try #require(check.block.tutorialLine, "\(id) has no tutorial_line:")
            // The tutorials sit beside the repository (read-only); where they are, the quote must be on its line.
            let name = (check.file as NSString).lastPathComponent
            let candidates = ["/../shared/tutorials/", "/../../shared/tutorials/"].map { repositoryRoot + $0 + name }
            if let text = candidates.lazy.compactMap({ try? String(contentsOfFile: $0, encoding: .utf8) }).first {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(line <= lines.count && lines[line - 1].contains(quote), "\(id): “\(quote)” is not on line \(line)")
            }
        }
        // The page: a formula the tutorial prints is never shown as the tutorial's number.
        let page = try String(contentsOfFile: repositoryRoot + "/Output/ERRATA.md", encoding: .utf8)
        #expect(!page.contains("The tutorial says"))
        #expect(page.contains("Evaluated here at k = 1, 2, 3 and dY = 1, 10, 100 (our values), its formula gives `grad_input[0][2]` = 33"))
        #expect(page.contains("“If we flip the kernel, we will get **negative responses**!”"))
    }

    @Test("the wrong claims print what is claimed and what the engine computes")
    func messages() throws {
        let run = VerifyRun(files: [lessonsPath("errata/cnn-basics-backprop.md")])
        #expect(run.messages.contains("\(lessonsPath("errata/cnn-basics-backprop.md")):157: output_shape: claimed 15x15x2, engine computes 29x29x2"))
        #expect(run.messages.contains("\(lessonsPath("errata/cnn-basics-backprop.md")):254: grad_input[0][2]: claimed 33, engine computes 123"))
        #expect(run.summary.hasSuffix("20 claims checked, 6 wrong"))
    }
}
