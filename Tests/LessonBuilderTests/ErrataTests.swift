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
        "cnn-basics-backprop:122:output_shape",
        // padding 2 with a 3×3 kernel grows 15×15 to 17×17; keeping 15 needs padding 1.
        "cnn-basics-backprop:138:output_shape",
        // the pooling after the second conv is skipped: 15 → 17 → 8, so 8·8·4 = 256 values, not 900.
        "cnn-basics-backprop:167:output_shape",
        // dx13's last term must use dy13: 3 + 20 + 100 = 123, not 33.
        "cnn-basics-backprop:189:grad_input[0][2]",
        // db[k] sums dY over its own channel only: [10, 100], not [110, 110].
        "cnn-basics-backprop:222:grad_bias",
        // output depth is K = 2, not 3.
        "convolutional-neural-networks:25:output_shape",
        // (W1 − K)/S + 1 drops the padding term: 5, not 3.
        "theory-conv-nets:28:output_shape",
        // BCE's second term is log(1 − σ(s)): log 2 = 0.6931472, not −log σ(1) = 0.3132617.
        "understanding-cnn:73:loss",
        // d/ds of the logistic loss is σ(s) − t = −0.5, not 1.5.
        "understanding-cnn:100:grad_input",
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

    @Test("every wrong claim has a one-line why, and no claim that holds has one")
    func whyMatchesVerdict() throws {
        let run = ErrataTests.errataRun
        var blocksWithWrong: [String: Bool] = [:]
        for check in run.checks {
            let id = "\(check.file):\(check.block.line)"
            blocksWithWrong[id] = (blocksWithWrong[id] ?? false) || !check.holds
            if !check.holds { #expect(check.block.why?.isEmpty == false, "\(id) is wrong but has no why:") }
        }
        for check in run.checks where blocksWithWrong["\(check.file):\(check.block.line)"] == false {
            #expect(check.block.why == nil, "\(check.file):\(check.block.line) holds but carries a why:")
        }
    }

    @Test("the wrong claims print what is claimed and what the engine computes")
    func messages() throws {
        let run = VerifyRun(files: [lessonsPath("errata/cnn-basics-backprop.md")])
        #expect(run.messages.contains("\(lessonsPath("errata/cnn-basics-backprop.md")):122: output_shape: claimed 15x15x2, engine computes 29x29x2"))
        #expect(run.messages.contains("\(lessonsPath("errata/cnn-basics-backprop.md")):189: grad_input[0][2]: claimed 33, engine computes 123"))
        #expect(run.summary.hasSuffix("5 wrong"))
    }
}
