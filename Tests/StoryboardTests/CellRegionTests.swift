// StoryboardTests — `--cell` / `--region`: a region keeps exactly the frames that write its cells, unchanged.
import Engine
import SceneExamples
import Storyboard
import Testing

@Suite struct CellRegionFrames {
    /// Frames compared without their numbering (a filtered storyboard renumbers them).
    static func unnumbered(_ f: Frame) -> Frame {
        var f = f
        f.index = 0
        f.count = 0
        return f
    }

    @Test("a region keeps the forward, dK and dX frames writing its cells, drops db, and draws them as before")
    func regionKeepsExactlyItsFrames() throws {
        // 4×4 input, 3×3 kernel, bias: y 2×2 (4 frames), dK 3×3 (9), dX 4×4 (16), db (1) = 30 cell frames.
        let (source, events) = try Scenes.backward()
        let all = try Storyboard(source: source).frames(events: events)
        #expect(all.count == 30)
        let region = CellRegion(rows: 1...2, columns: 0...1)
        let board = try Storyboard(source: source, options: StoryboardOptions(region: region))
        let some = try board.frames(events: events)
        // y[1,0], y[1,1]; dK rows 1–2 × columns 0–1 (4); dX rows 1–2 × columns 0–1 (4); no db.
        #expect(some.count == 10)
        #expect(board.countFrames(events: events) == some.count)
        #expect(some.map(\.index) == Array(0..<10))
        #expect(some.allSatisfy { $0.count == 10 })
        for f in some {
            let w = try #require(f.written)
            #expect(region.contains(row: w.row, column: w.column), "\(f.title) writes \(w)")
        }
        let expected = all.filter { f in f.written.map { region.contains(row: $0.row, column: $0.column) } ?? false }
        #expect(some.map(Self.unnumbered) == expected.map(Self.unnumbered))
        #expect(some.map(\.phase).filter { $0 == .forward }.count == 2)
        #expect(!some.contains { $0.title.contains("db") })
    }

    @Test("one cell at mac granularity: its nine products (no bias), each with the running sum")
    func singleCellAtMacGranularity() throws {
        let (source, events) = try Scenes.conv5x5pad1()
        let board = try Storyboard(
            source: source,
            options: StoryboardOptions(granularity: .mac, region: CellRegion(row: 2, column: 3)))
        let frames = try board.frames(events: events)
        #expect(frames.count == 9)
        #expect(board.countFrames(events: events) == 9)
        #expect(frames.allSatisfy { $0.written == frames[0].written && $0.written?.row == 2 && $0.written?.column == 3 })
        // y[2,3] over the 5×5 input 1…25 with the kernel [[1,0,-1],[2,0,-2],[1,0,-1]]:
        // (8 − 10) + 2·(13 − 15) + (18 − 20) = −8.
        #expect(frames.last?.runningSum?.after == -8)
    }

    @Test("a region outside every grid gives no frames; the budget refusal says the frames and the budget")
    func emptyRegionAndBudgetHint() throws {
        let (source, events) = try Scenes.conv5x5pad1()
        let none = try Storyboard(source: source, options: StoryboardOptions(region: CellRegion(row: 7, column: 0)))
        #expect(try none.frames(events: events).isEmpty)
        let board = try Storyboard(source: source, options: StoryboardOptions(granularity: .mac, maxFrames: 100))
        #expect(throws: StoryboardError.self) { try board.frames(events: events) }
        do { _ = try board.frames(events: events) } catch let e as StoryboardError {
            #expect(e.message == "this trace would make 225 frames, more than the frame budget of 100")
        }
    }

    @Test("a layer outside the network is refused with the layers there are")
    func layerOutsideTheNetwork() throws {
        let (source, _) = try VectorLayerFrames.linearRelu()
        #expect(throws: StoryboardError("layer 2 is not in the network; its layers are 0 linear, 1 relu",
                                        reason: .layerOutsideNetwork(layer: 2, layers: ["0 linear", "1 relu"]))) {
            try Storyboard(source: source, options: StoryboardOptions(layers: [2]))
        }
        #expect(try Storyboard(source: source, options: StoryboardOptions(layers: [1])).source.network.layers.count == 2)
    }

    @Test("parsing ROW,COL and ranges, and the messages for what is not one",
          arguments: [("1,2", "1,2"), ("0-2,1-3", "0-2,1-3"), (" 3 , 4-4 ", "3,4"), ("2-2,0-1", "2,0-1")])
    func parsing(text: String, canonical: String) throws {
        #expect(try CellRegion(parsing: text).description == canonical)
    }

    @Test("bad regions name the text and what would be valid",
          arguments: [("1", "expected ROW,COL"), ("a,2", "rows 'a' is not a number"), ("3-1,0", "runs backwards; write 1-3"),
                      ("1,2,3", "expected ROW,COL"), ("-1,2", "rows '-1' is not a number")])
    func badRegions(text: String, message: String) {
        do {
            _ = try CellRegion(parsing: text)
            Issue.record("'\(text)' was accepted")
        } catch let e as StoryboardError {
            #expect(e.message.contains(message), "\(e.message)")
        } catch { Issue.record("\(error)") }
    }
}

@Suite struct VectorLayerFrames {
    /// x = [1, 2, 3] → linear W = [[1, 0, −1], [2, 1, 0]], b = [0.5, −1] → y = [−1.5, 3] → relu → [0, 3];
    /// dY = [1, 2] through relu: dZ = [0, 2]; dW = dZ ⊗ x; dX = Wᵀ dZ = [4, 2, 0].
    static func linearRelu() throws -> (StoryboardSource, [TraceEvent]) {
        let w = Tensor(shape: [2, 3], data: [1, 0, -1, 2, 1, 0])
        let b = Tensor(shape: [2], data: [0.5, -1])
        return try Scenes.run(Network(layers: [.linear(weight: w, bias: b), .relu]),
                              input: Tensor(shape: [1, 3], data: [1, 2, 3]), gradOutput: Tensor(shape: [1, 2], data: [1, 2]))
    }

    @Test("linear and activation frames name their cells by feature: y[1], dW[1,2], dX[0], relu(x)")
    func labels() throws {
        let (source, events) = try Self.linearRelu()
        let frames = try Storyboard(source: source).frames(events: events)
        let lines = frames.compactMap { $0.equation?.text() }
        #expect(lines.contains("y[1] = 1·2 + 2·1 + 3·0 + (-1) = 3"))
        #expect(lines.contains("db[1] = 2 = 2"))
        #expect(lines.contains("y[0] = relu(-1.5) = 0"))
        #expect(lines.contains("y[1] = relu(3) = 3"))
        // dW[1,2] = dZ[1] · x[2] = 2 · 3; dX[0] = dZ[0]·w[0,0] + dZ[1]·w[1,0] = 0·1 + 2·2.
        #expect(lines.contains("dW[1,2] = 2·3 = 6"))
        #expect(lines.contains("dX[0] = 0·1 + 2·2 = 4"))
        #expect(frames.first { $0.equation?.text().hasPrefix("dW[1,2]") ?? false }?.equation?.terms.first?.operands.map(\.label) == ["dY[1]", "x[2]"])
        #expect(frames.last { $0.equation?.text().hasPrefix("dX[0]") ?? false }?.equation?.terms.last?.operands.map(\.label) == ["dY[1]", "w[1,0]"])
    }

    @Test("a region on a vector picks features: --cell 0,1 keeps y[1], relu's y[1] and dZ[1], dW[0,1], dX[1]")
    func regionOnVectors() throws {
        let (source, events) = try Self.linearRelu()
        let board = try Storyboard(source: source, options: StoryboardOptions(region: CellRegion(row: 0, column: 1)))
        let lines = try board.frames(events: events).compactMap { $0.equation?.text() }
        #expect(lines.count == board.countFrames(events: events))
        #expect(lines.map { String($0.prefix { $0 != " " }) } == ["y[1]", "y[1]", "dX[1]", "dW[0,1]", "dX[1]"])
    }
}
