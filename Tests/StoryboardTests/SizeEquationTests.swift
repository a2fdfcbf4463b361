// StoryboardTests — every output-size equation a frame (or `shape`) prints evaluates, as a reader reads it,
// to the value it prints and to the size the engine computed; over many seeded random specs.
import Engine
import Foundation
import SceneExamples
import Storyboard
import Testing

/// Reads a printed size equation the way a reader does: `/` is true division, `⌊…⌋` floor, `⌈…⌉` ceiling,
/// `·` multiplication, `−` or `-` subtraction, `+` addition, parentheses group. Nothing else is accepted.
struct PrintedArithmetic {
    enum Failure: Error, CustomStringConvertible {
        case unexpected(String, at: Int)
        var description: String {
            switch self { case .unexpected(let text, let at): "cannot read \"\(text)\" at character \(at)" }
        }
    }

    private let chars: [Character]
    private var i = 0

    /// The value of `text`, or a failure naming the character it could not read.
    static func evaluate(_ text: String) throws -> Double {
        var p = PrintedArithmetic(chars: Array(text.filter { $0 != " " }))
        let v = try p.sum()
        guard p.i == p.chars.count else { throw Failure.unexpected(text, at: p.i) }
        return v
    }

    private init(chars: [Character]) { self.chars = chars }

    private var next: Character? { i < chars.count ? chars[i] : nil }

    private mutating func sum() throws -> Double {
        var v = try product()
        while let c = next, c == "+" || c == "−" || c == "-" {
            i += 1
            let r = try product()
            v = c == "+" ? v + r : v - r
        }
        return v
    }

    private mutating func product() throws -> Double {
        var v = try atom()
        while let c = next, c == "·" || c == "/" {
            i += 1
            let r = try atom()
            v = c == "·" ? v * r : v / r
        }
        return v
    }

    private mutating func atom() throws -> Double {
        guard let c = next else { throw Failure.unexpected(String(chars), at: i) }
        let closers: [Character: Character] = ["(": ")", "⌊": "⌋", "⌈": "⌉"]
        if let close = closers[c] {
            i += 1
            let v = try sum()
            guard next == close else { throw Failure.unexpected(String(chars), at: i) }
            i += 1
            switch c {
            case "⌊": return v.rounded(.down)
            case "⌈": return v.rounded(.up)
            default: return v
            }
        }
        var digits = ""
        while let d = next, d.isNumber { digits.append(d); i += 1 }
        guard let v = Double(digits) else { throw Failure.unexpected(String(chars), at: i) }
        return v
    }
}

/// Splits `name = expression = value` (the last `=` gives the printed value) and checks it reads true.
/// Returns the printed value.
@discardableResult
func expectReadsTrue(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
    let parts = line.components(separatedBy: " = ")
    let printed = try #require(parts.count >= 2 ? Int(parts[parts.count - 1]) : nil,
                               "no printed value in \"\(line)\"", sourceLocation: sourceLocation)
    let expression = parts[parts.count - 2]
    let value = try PrintedArithmetic.evaluate(expression)
    #expect(value == Double(printed), "\"\(line)\" reads as \(value), not \(printed)", sourceLocation: sourceLocation)
    return printed
}

@Suite struct PrintedSizeEquations {
    @Test func theReaderReadsAsATeacherWould() throws {
        #expect(try PrintedArithmetic.evaluate("(7 + 2·0 − 2·(3 − 1) + 1) / 1 + 1") == 5)  // the old, wrong text
        #expect(try PrintedArithmetic.evaluate("(6 + 2·1 − 3) / 2 + 1") == 3.5)
        #expect(try PrintedArithmetic.evaluate("⌊(6 + 2·1 − 3) / 2⌋ + 1") == 3)
        #expect(try PrintedArithmetic.evaluate("⌈(5 − 2 + 2·0)/2⌉ + 1") == 3)
        #expect(throws: PrintedArithmetic.Failure.self) { try PrintedArithmetic.evaluate("(5 − 3") }
        #expect(throws: PrintedArithmetic.Failure.self) { try PrintedArithmetic.evaluate("5 × 3") }
    }

    /// conv2d frames print one note per axis; each reads true and equals the traced output's extent.
    @Test func convFramesPrintTrueSizeEquations() throws {
        var rng = SeededGenerator(state: 9)
        var checked = 0
        for _ in 0..<200 {
            let h = Int.random(in: 1...9, using: &rng), w = Int.random(in: 1...9, using: &rng)
            let fh = Int.random(in: 1...4, using: &rng), fw = Int.random(in: 1...4, using: &rng)
            let s = Pair(Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng))
            let d = Pair(Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng))
            let pad = Padding(top: Int.random(in: 0...2, using: &rng), bottom: Int.random(in: 0...2, using: &rng),
                              left: Int.random(in: 0...2, using: &rng), right: Int.random(in: 0...2, using: &rng))
            guard h + pad.top + pad.bottom >= d.y * (fh - 1) + 1, w + pad.left + pad.right >= d.x * (fw - 1) + 1
            else { continue }
            let x = Tensor(shape: [1, 1, h, w], data: (0..<(h * w)).map { Double($0 % 7) })
            let k = Tensor(shape: [1, 1, fh, fw], data: (0..<(fh * fw)).map { Double($0 % 3) - 1 })
            let (source, events) = try Scenes.conv(x, k, Conv2DParams(stride: s, padding: pad, dilation: d))
            let frame = try #require(try Storyboard(source: source).frames(events: events).first)
            let out = events.filter { $0.kind == .output }
            let outH = Int(out.map(\.output.h).max() ?? 0) + 1, outW = Int(out.map(\.output.w).max() ?? 0) + 1
            let heights = frame.notes.filter { $0.hasPrefix("output height = ") }
            let widths = frame.notes.filter { $0.hasPrefix("output width = ") }
            // A one-row input may be drawn as a 1-D signal: then only the width is printed.
            #expect((heights.count == 1 || h == 1 && heights.isEmpty) && widths.count == 1, "notes: \(frame.notes)")
            for line in heights { #expect(try expectReadsTrue(line) == outH) }
            for line in widths { #expect(try expectReadsTrue(line) == outW) }
            checked += 1
        }
        #expect(checked >= 100)
    }

    /// The formulas `shape` prints (and lessons' `show: shape`): convolution, pooling with and without
    /// `ceil_mode`, transposed convolution; each reads true and equals the engine's size.
    @Test func shapeFormulasReadTrue() throws {
        var rng = SeededGenerator(state: 2026)
        var counts = (conv: 0, pool: 0, ceil: 0, transposed: 0)
        for _ in 0..<400 {
            let input = Int.random(in: 1...12, using: &rng), kernel = Int.random(in: 1...5, using: &rng)
            let stride = Int.random(in: 1...4, using: &rng), dilation = Int.random(in: 1...3, using: &rng)
            let before = Int.random(in: 0...3, using: &rng), after = Int.random(in: 0...3, using: &rng)
            if let c = try? OutputSize.convolution(input: input, kernel: kernel, stride: stride,
                                                   padding: (before, after), dilation: dilation) {
                #expect(try expectReadsTrue(c.formula) == c.value)
                counts.conv += 1
            }
            let ceilMode = Bool.random(using: &rng)
            if let p = try? OutputSize.pooling(input: input, kernel: kernel, stride: stride, padding: min(before, kernel / 2),
                                               dilation: dilation, ceilMode: ceilMode) {
                #expect(try expectReadsTrue(p.formula) == p.value)
                // PyTorch's rule, computed independently: ⌈ or ⌊ of span/stride, + 1, minus a last window
                // that would start in the right padding.
                let pad = min(before, kernel / 2)
                let span = input + 2 * pad - dilation * (kernel - 1) - 1
                var expected = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
                if ceilMode && (expected - 1) * stride >= input + pad { expected -= 1 }
                #expect(p.value == expected)
                if ceilMode && !p.isExact { counts.ceil += 1 } else { counts.pool += 1 }
            }
            let outputPadding = Int.random(in: 0...max(0, max(stride, dilation) - 1), using: &rng)
            if let t = try? OutputSize.transposedConvolution(input: input, kernel: kernel, stride: stride, padding: before,
                                                             outputPadding: outputPadding, dilation: dilation) {
                #expect(try expectReadsTrue(t.formula) == t.value)
                #expect(t.value == (input - 1) * stride - 2 * before + dilation * (kernel - 1) + outputPadding + 1)
                counts.transposed += 1
            }
        }
        #expect(counts.conv >= 200 && counts.pool >= 100 && counts.ceil >= 30 && counts.transposed >= 200,
                "too few cases of some kind: \(counts)")
    }
}
