// The README's example: a tutorial's numbers checked in a Swift Testing suite through ConvtraceVerify.
import ConvtraceVerify
import Foundation
import Testing

@Test func tutorialNumbersHold() throws {
    let url = try #require(Bundle.module.url(forResource: "tutorial", withExtension: "md"))
    let run = verifyClaims(inFile: url.path)
    #expect(run.problems.isEmpty, "\(run.problems)")
    #expect(run.checks.count == 3)
    #expect(run.wrong.isEmpty, "\(run.messages)")
}

@Test func aWrongNumberIsNamed() {
    let run = verifyClaims(inMarkdown: "```convtrace\nop: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\npadding: same\nexpect:\n  output: [3, 6, 4]\n```\n")
    #expect(run.messages == ["<string>:1: output[2]: claimed 4, engine computes 5"])
    #expect(run.exitCode == 1)
}
