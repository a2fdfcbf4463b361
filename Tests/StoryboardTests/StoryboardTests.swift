// StoryboardTests — frames drawn from real engine traces: counts, equations against the engine's numbers and
// hand computations, padding fills, gradients, pooling, the frame budget, and committed reference dumps.
import Engine
import SceneExamples
import Foundation
import Storyboard
import Testing

/// Exact arithmetic on small integers: every value compared here is an integer or a short binary fraction,
/// so the tolerance is 1e-12 (it only absorbs nothing; a wrong term is off by ≥ 0.5).
let tolerance = 1e-12

@Suite struct ConvFrames {
    @Test func fiveByFivePaddingOneMakesTwentyFiveCellFrames() throws {
        let (source, events) = try Scenes.conv5x5pad1()
        let board = try Storyboard(source: source)
        let frames = try board.frames(events: events)
        #expect(frames.count == 25)
        #expect(board.countFrames(events: events) == 25)
        #expect(frames.map(\.index) == Array(0..<25))
        #expect(frames.allSatisfy { $0.count == 25 })
    }

    @Test func everyCellEquationAddsUpToTheEngineOutput() throws {
        let (source, events) = try Scenes.conv5x5pad1()
        var tracer = Tracer.untraced
        let y = try source.network.run(input: source.input, tracer: &tracer).output
        let frames = try Storyboard(source: source).frames(events: events)
        for (i, f) in frames.enumerated() {
            let e = try #require(f.equation)
            #expect(e.terms.count == 9)
            let sum = e.terms.reduce(0) { $0 + $1.operands[0].value * $1.operands[1].value }
            #expect(abs(sum - y.data[i]) <= tolerance)
            #expect(e.result == y.data[i])
        }
        // Hand computation, y[1,2]: window rows 0…2, cols 1…3 of x = 1…25 with [[1,0,-1],[2,0,-2],[1,0,-1]]:
        // (2 − 4) + 2·(7 − 9) + (12 − 14) = −2 − 4 − 2 = −8.
        #expect(frames[7].equation?.result == -8)
        #expect(frames[7].written == CellRef(grid: "output.k0", row: 1, column: 2))
    }

    @Test func firstFrameMarksThePaddingTheWindowReads() throws {
        let (source, events) = try Scenes.conv5x5pad1()
        let f = try Storyboard(source: source).frames(events: events)[0]
        let input = try #require(f.grid("input.c0"))
        #expect(input.rows == 7 && input.columns == 7 && input.role == .paddedInput)
        #expect(input.origin == GridOrigin(row: -1, column: -1))
        // The 3×3 window at the top-left corner: 5 padding cells (row 0 and column 0), 4 real ones.
        let windowCells = input.cells.filter { $0.marks.contains(.window) }
        #expect(windowCells.count == 9)
        #expect(windowCells.filter { $0.role.isPadding }.count == 5)
        #expect(f.equation?.terms.filter(\.isPadding).count == 5)
        // y[0,0] = 1·0 + 2·(−2) + 6·0 + 7·(−1) = −11 (only x[0,0], x[0,1], x[1,0], x[1,1] are real).
        #expect(f.equation?.result == -11)
        // The output: the written cell, 24 pending.
        let out = try #require(f.grid("output.k0"))
        #expect(out.cells.filter { $0.marks.contains(.pending) }.count == 24)
        #expect(out[0, 0].marks.contains(.written) && out[0, 0].text == "-11")
    }

    @Test func macFramesFollowTheCountingRuleAndTheRunningSum() throws {
        let (source, events) = try Scenes.conv5x5pad1()
        let frames = try Storyboard(source: source, options: StoryboardOptions(granularity: .mac)).frames(events: events)
        // N·K·Ho·Wo·C·Fh·Fw = 1·1·5·5·1·3·3 = 225 macs, no bias.
        #expect(frames.count == 225)
        let macs = events.filter { $0.kind == .mac }
        for (f, e) in zip(frames, macs) {
            let r = try #require(f.runningSum)
            #expect(r.after == e.acc)
            #expect(abs(r.before + r.term - r.after) <= tolerance)
            #expect(f.traceSteps == e.step...e.step)
        }
        // Frame 14 is term 5 of y[0,1]: terms 1…4 done, 5 current, 6…9 pending.
        let e = try #require(frames[13].equation)
        #expect(e.terms.map(\.state) == [.done, .done, .done, .done, .current, .pending, .pending, .pending, .pending])
        #expect(e.result == nil)
        #expect(frames[13].runningSum?.termsDone == 5)
    }

    @Test func multiChannelFramesShowEachChannelsPartialSum() throws {
        // CS231n: 5×5×3 input, pad 1, two 3×3×3 filters, stride 2, bias [1, 0] → 2×3×3 = 18 cell frames.
        let (source, events) = try Scenes.cs231n()
        var tracer = Tracer.untraced
        let y = try source.network.run(input: source.input, tracer: &tracer).output
        let frames = try Storyboard(source: source).frames(events: events)
        #expect(frames.count == 18)
        for (i, f) in frames.enumerated() {
            let e = try #require(f.equation)
            #expect(e.groups.count == 3 && e.terms.count == 27)
            let parts = e.groups.compactMap(\.subtotal)
            #expect(parts.count == 3)
            #expect(abs(parts.reduce(0, +) + (e.bias?.value ?? .nan) - y.data[i]) <= tolerance)
            #expect(f.grids.filter { $0.role == .paddedInput }.count == 3)
            #expect(f.grids.filter { $0.role == .output }.count == 2)
        }
        // y[1,0,1] (frame 11), window = padded rows 0…2, columns 2…4; row 0 is padding. By hand:
        // c0: rows (1,0,2)·(−1,0,−1) + (0,1,2)·(1,1,0) = −3 + 1 = −2
        // c1: rows (2,1,0)·(0,0,−1) + (1,2,1)·(−1,1,1) = 0 + 2 = 2
        // c2: rows (2,0,0)·(1,1,−1) + (1,1,2)·(0,−1,1) = 2 + 1 = 3;  bias b[1] = 0 → 3.
        #expect(frames[10].equation?.groups.map(\.subtotal) == [-2, 2, 3])
        #expect(frames[10].equation?.result == 3)
    }

    @Test func budgetRefusalSaysHowManyFramesAndHowToNarrow() throws {
        let (source, events) = try Scenes.conv5x5pad1()
        let board = try Storyboard(source: source, options: StoryboardOptions(granularity: .mac, maxFrames: 100))
        do {
            _ = try board.frames(events: events)
            Issue.record("expected the frame budget to refuse 225 frames")
        } catch let e as StoryboardError {
            #expect(e.message.contains("225 frames"))
            #expect(!e.message.contains("Frames per layer"))  // one layer: nothing to choose
            #expect(e.message.contains("budget of 100"))
            #expect(!e.message.contains("--"))  // the facts; the CLI words the flags (RenderCommandTests)
            #expect(e.reason == .frameBudget(FrameBudgetExceeded(
                count: 225, limit: 100, framesPerLayer: [.init(layer: 0, op: "conv2d", frames: 225)], layerCount: 1)))
        }
    }

    @Test func budgetRefusalForANetworkListsFramesPerLayer() throws {
        // conv (25 output cells) → relu (25 elements): 50 cell frames, refused at 30.
        let (s0, _) = try Scenes.conv5x5pad1()
        guard case .conv2d(let p, let k, let b) = s0.network.layers[0] else { return }
        let (source, events) = try Scenes.run(Network(layers: [.conv2d(p, kernel: k, bias: b), .relu]), input: s0.input)
        let board = try Storyboard(source: source, options: StoryboardOptions(maxFrames: 30))
        #expect(board.countFrames(events: events) == 50)
        do {
            _ = try board.frames(events: events)
            Issue.record("expected a refusal")
        } catch let e as StoryboardError {
            #expect(e.message.contains("50 frames"))
            #expect(e.message.contains("Frames per layer: layer 0 conv2d: 25, layer 1 relu: 25"))
            #expect(e.reason == .frameBudget(FrameBudgetExceeded(
                count: 50, limit: 30,
                framesPerLayer: [.init(layer: 0, op: "conv2d", frames: 25), .init(layer: 1, op: "relu", frames: 25)],
                layerCount: 2)))
        }
    }

    @Test func referenceDumps() throws {
        let (source, events) = try Scenes.conv5x5pad1()
        let cells = try Storyboard(source: source).frames(events: events)
        try Snapshot.check(cells[7].dump(), "conv5x5-pad1-cell-0008.txt")
        let macs = try Storyboard(source: source, options: StoryboardOptions(granularity: .mac)).frames(events: events)
        try Snapshot.check(macs[13].dump(), "conv5x5-pad1-mac-0014.txt")
        let (s2, e2) = try Scenes.cs231n()
        try Snapshot.check(try Storyboard(source: s2).frames(events: e2)[10].dump(), "cs231n-cell-0011.txt")
        // Correlation beside convolution (compareFlip): frame 3 of the slope kernel. Its SVG bytes were
        // CairoRenderTests' reference until they proved to depend on the Cairo and font versions.
        let (s3, e3) = try Scenes.slope(flip: false)
        let slope = try Storyboard(source: s3, options: StoryboardOptions(compareFlip: true)).frames(events: e3)
        try Snapshot.check(slope[2].dump(), "slope-compare-0003.txt")
    }
}

@Suite struct PaddingAndGeometryFrames {
    @Test func fullPaddingReproducesTheTutorialSignal() throws {
        // [1,2,3] with [1,1,1], `full` padding: [1, 3, 6, 5, 3] (convolutional-neural-networks tutorial).
        let (source, events) = try Scenes.full1D()
        let frames = try Storyboard(source: source).frames(events: events)
        #expect(frames.compactMap { $0.equation?.result } == [1, 3, 6, 5, 3])
        // 1-D labels: x[i], y[i].
        #expect(frames[2].equation?.target.label == "y[2]")
        #expect(frames[0].equation?.terms.map { $0.operands[0].label } == ["pad", "pad", "x[0]"])
    }

    @Test func reflectPaddingCellsCarryTheirSource() throws {
        let (source, events) = try Scenes.paddingMode(.reflect)
        let f = try Storyboard(source: source).frames(events: events)[0]
        let g = try #require(f.grid("input.c0"))
        // Padded (0,0) is x[−1,−1], which reflect reads from x[1,1] = 6; (0,1) is x[−1,0] ← x[1,0] = 5.
        #expect(g[0, 0].role == .padding(PaddingFill(mode: .reflect, source: GridOrigin(row: 1, column: 1))))
        #expect(g[0, 0].value == 6 && g[0, 1].value == 5)
        // The real cells the window's padding copied from are marked.
        #expect(g[2, 2].marks.contains(.source))
        // y[0,0] = 0·6 + 1·5 + 0·6 + 1·2 − 4·1 + 1·2 + 0·6 + 1·5 + 0·6 = 10.
        #expect(f.equation?.result == 10)
    }

    @Test func replicateAndCircularFillDifferently() throws {
        let rep = try Storyboard(source: Scenes.paddingMode(.replicate).0).frames(events: Scenes.paddingMode(.replicate).1)[0]
        let circ = try Storyboard(source: Scenes.paddingMode(.circular).0).frames(events: Scenes.paddingMode(.circular).1)[0]
        // Corner x[−1,−1]: replicate → x[0,0] = 1; circular → x[3,3] = 16.
        #expect(rep.grid("input.c0")?[0, 0].value == 1)
        #expect(circ.grid("input.c0")?[0, 0].value == 16)
    }

    @Test func dilatedWindowHasHoles() throws {
        let (source, events) = try Scenes.dilation()
        let frames = try Storyboard(source: source).frames(events: events)
        #expect(frames.count == 9)  // (7 − 2·2 − 1)/1 + 1 = 3 per side
        let w = try #require(frames[4].window)
        #expect(w.step == GridStep(rows: 2, columns: 2))
        #expect(w.bounds.first == CellRect(grid: "input.c0", row: 1, column: 1, rows: 5, columns: 5))
        #expect(Set(w.cells.map { $0.row }) == [1, 3, 5])
    }

    @Test func strideTwoWindowsJumpTwoCells() throws {
        let (source, events) = try Scenes.stride2()
        let frames = try Storyboard(source: source).frames(events: events)
        #expect(frames.count == 9)
        // Output (0,1) starts at padded column 2, output (1,0) at padded row 2.
        #expect(frames[1].window?.bounds.first?.column == 2)
        #expect(frames[3].window?.bounds.first?.row == 2)
    }

    @Test func correlationAndConvolutionSideBySide() throws {
        // cnn-basics-backprop.md: [3,2,1,0] with the slope detector [1,0]. Cross-correlation gives [3,2,1];
        // true convolution (kernel rotated to [0,1]) gives [2,1,0].
        let (source, events) = try Scenes.slope(flip: false)
        let frames = try Storyboard(source: source, options: StoryboardOptions(compareFlip: true)).frames(events: events)
        #expect(frames.map(\.scene) == [.correlationVsConvolution, .correlationVsConvolution, .correlationVsConvolution])
        #expect(frames.compactMap { $0.equation?.result } == [3, 2, 1])
        #expect(frames.compactMap { $0.extraEquations.first?.result } == [2, 1, 0])
        #expect(frames[0].grid("compare.rotated")?.cells.map(\.value) == [0, 1])
    }
}

@Suite struct GradientAndPoolingFrames {
    @Test func backwardFramesCoverKernelInputAndBiasGradients() throws {
        let (source, events) = try Scenes.backward()
        var tracer = Tracer.untraced
        let grads = try #require(try source.network.run(input: source.input, gradOutput: source.gradOutput, tracer: &tracer).gradients?.first)
        let frames = try Storyboard(source: source, options: StoryboardOptions(phase: .backward)).frames(events: events)
        // 9 dK cells + 16 dX cells + 1 db cell.
        #expect(frames.filter { $0.scene == .kernelGradient }.count == 9)
        #expect(frames.filter { $0.scene == .inputGradient }.count == 16)
        #expect(frames.filter { $0.scene == .biasGradient }.count == 1)
        #expect(frames.filter { $0.scene == .kernelGradient }.compactMap { $0.equation?.result } == grads.kernel?.data)
        #expect(frames.filter { $0.scene == .inputGradient }.compactMap { $0.equation?.result } == grads.input.data)
        // dK[0,0] = Σ dY[y,x]·X[y,x] = 1·1 + (−1)·2 + 2·0 + 0.5·1 = −0.5.
        #expect(frames[0].equation?.result == -0.5)
        // db = 1 − 1 + 2 + 0.5 = 2.5.
        #expect(frames.last?.equation?.result == 2.5)
        // dX[0,3] = dY[0,1]·K[0,2] = (−1)·(−1) = 1: one real dY cell under the window of the padded dY.
        let dx03 = frames[9 + 3]
        #expect(dx03.equation?.terms.count == 1 && dx03.equation?.result == 1)
        #expect(dx03.grids.first?.role == .paddedGradOutput)
    }

    @Test("a batch's dK and db frames draw every sample: one input and one dY grid per sample, terms pointing at them")
    func batchGradientsDrawEverySample() throws {
        // Lesson 14: images 1 … 9 and 9 … 1, kernel 1 0 / 0 −1, dY 1 2 / 3 4 and 1 0 / 0 1.
        let x = Tensor(shape: [2, 1, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1])
        let dy = Tensor(shape: [2, 1, 2, 2], data: [1, 2, 3, 4, 1, 0, 0, 1])
        let (source, events) = try Scenes.conv(x, Scenes.plane([[1, 0], [0, -1]]), bias: Tensor(shape: [1], data: [0]),
                                               gradOutput: dy)
        let frames = try Storyboard(source: source, options: StoryboardOptions(phase: .backward)).frames(events: events)
        let dk00 = try #require(frames.first { $0.scene == .kernelGradient })
        // dK[0,0] = 1·1 + 2·2 + 3·4 + 4·5 (sample 0) + 1·9 + 0·8 + 0·6 + 1·5 (sample 1) = 37 + 14 = 51.
        #expect(dk00.equation?.result == 51)
        #expect(dk00.grids.map(\.id) == ["input", "input.n1", "grad_output", "grad_output.n1", "grad_kernel"])
        #expect(dk00.grid("input.n1")?.subtitle == "sample 1")
        #expect(dk00.equation?.terms.suffix(4).allSatisfy { $0.operands.map { $0.ref?.grid } == ["grad_output.n1", "input.n1"] } == true)
        // Each sample's window annotations are its own dY values (sample 1: 1, 0, 0, 1), not overwritten by the other's.
        let annotations = try #require(dk00.grid("input")).cells.prefix(5).map(\.annotation)
        #expect(annotations == ["×1", "×2", nil, "×3", "×4"])
        let db = try #require(frames.last)
        #expect(db.scene == .biasGradient && db.equation?.result == 12)
        #expect(db.grids.map(\.id) == ["grad_output", "grad_output.n1", "grad_bias"])
        #expect(db.caption.contains("in every sample of the batch"))
    }

    @Test func maxPoolingSelectsAndRoutes() throws {
        // 4×4 example, 2×2 windows: maxima 6, 8, 3, 4; the gradient goes to those cells only.
        let (source, events) = try Scenes.maxPool()
        let frames = try Storyboard(source: source).frames(events: events)
        #expect(frames.count == 8)
        #expect(frames.prefix(4).compactMap { $0.equation?.result } == [6, 8, 3, 4])
        let sel = try #require(frames[1].grid("input"))
        #expect(sel.cells.indices.filter { sel.cells[$0].marks.contains(.selected) } == [7])  // x[1,3] = 8
        let back = frames[5]
        #expect(back.scene == .poolingBackward)
        #expect(back.written == CellRef(grid: "grad_input", row: 1, column: 3))
        #expect(back.equation?.result == 2)
    }

    @Test func averagePoolingDividesAndSpreads() throws {
        let (source, events) = try Scenes.maxPool(average: true)
        let frames = try Storyboard(source: source).frames(events: events)
        // (1 + 1 + 5 + 6)/4 = 3.25; (2 + 4 + 7 + 8)/4 = 5.25.
        #expect(frames.prefix(2).compactMap { $0.equation?.result } == [3.25, 5.25])
        #expect(frames[0].equation?.divisor == 4)
        // Backward: dY[0,1] = 2 spreads 0.5 to each of 4 cells.
        #expect(frames[5].equation?.terms.map(\.product) == [0.5, 0.5, 0.5, 0.5])
    }

    @Test func transposedScatterShowsEveryLandingProduct() throws {
        let (source, events) = try Scenes.transposed()
        let frames = try Storyboard(source: source).frames(events: events)
        // 2×2 input → 4 scatter frames of 9 products each (stride 2, 3×3 kernel: all land in the 5×5 output).
        #expect(frames.count == 4)
        #expect(frames.allSatisfy { $0.scene == .transposedScatter && $0.equation?.terms.count == 9 })
        // x[0,1] = 2 lands at columns 2…4 of rows 0…2.
        let out = try #require(frames[1].grid("output.k0"))
        #expect(out.cells.indices.filter { out.cells[$0].marks.contains(.window) } == [2, 3, 4, 7, 8, 9, 12, 13, 14])
    }

    @Test func transposedDirectViewIsAConvolutionOverTheZeroInsertedInput() throws {
        let (source, events) = try Scenes.transposed()
        var tracer = Tracer.untraced
        let y = try source.network.run(input: source.input, tracer: &tracer).output
        let board = try Storyboard(source: source, options: StoryboardOptions(transposedView: .direct))
        let frames = try board.frames(events: events)
        // One frame per output cell of the 5×5 output, in row-major order, each adding up to the engine's value.
        #expect(frames.count == 25)
        #expect(board.countFrames(events: events) == 25)
        #expect(frames.compactMap { $0.equation?.result } == y.data)
        // 2×2 input, stride 2, 3×3 kernel, padding 0: one zero between cells, d·(F−1) − p = 2 cells of padding → 7×7.
        let g = try #require(frames[0].grid("input.c0"))
        #expect(g.rows == 7 && g.columns == 7 && g.role == .zeroInsertedInput)
        #expect(g[2, 2].value == 1 && g[2, 4].value == 2 && g[4, 2].value == 3 && g[4, 4].value == 4)
        #expect(g[2, 3].role == .insertedZero && g[0, 0].role == .padding(PaddingFill(mode: .zeros)))
        // y[2,2] collects all four inputs: 1·w[2,2] + 2·w[2,0] + 3·w[0,2] + 4·w[0,0] = −1 + 2 + 3 + 4 = 8.
        #expect(frames[12].equation?.terms.count == 4 && frames[12].equation?.result == 8)
        // At mac granularity: one frame per scatter mac (9 per input cell).
        let macs = try Storyboard(source: source, options: StoryboardOptions(granularity: .mac, transposedView: .direct))
        #expect(macs.countFrames(events: events) == 36)
        #expect(try macs.frames(events: events).count == 36)
    }

    @Test func dumpsAreStable() throws {
        let (source, events) = try Scenes.backward()
        let a = try Storyboard(source: source).frames(events: events).map { $0.dump() }
        let b = try Storyboard(source: source).frames(events: events).map { $0.dump() }
        #expect(a == b)
        try Snapshot.check(a[4 + 12], "backward-input-gradient-0017.txt")
    }
}
