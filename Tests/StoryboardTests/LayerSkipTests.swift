// StoryboardTests — frames of chosen layers read only the blocks they need, and are the frames of the whole trace.
import Engine
import Foundation
import Specs
import Storyboard
import Testing
import Tracing

@Suite("layer filter: a version 2 trace is read through its block index, the frames do not change")
struct LayerSkipTests {
    /// A network with a flatten and a loss (dY through both), and the tutorial CNN (two convs, pooling,
    /// several blocks per layer).
    static let specs: [(name: String, yaml: String)] = [
        ("flatten-mse", "op: network\ninput: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nlayers:\n  - {op: conv2d, kernel: [[1, 1], [0, 1]], bias: [0.5]}\n"
            + "  - {op: relu}\n  - {op: flatten}\n  - {op: linear, weight: [[1, 0, 0, 1], [0, 1, 1, 0]]}\n  - {op: mse, target: [[1, 2]]}\n"),
        ("cnn-basics-backprop", (try? String(contentsOfFile: "examples/cnn-basics-backprop.yaml", encoding: .utf8)) ?? ""),
    ]

    /// Runs `yaml`, writes its version 2 trace into `dir`; returns the problem, the events and the path.
    static func trace(_ name: String, _ yaml: String, in dir: String) throws -> (Problem, [TraceEvent], String) {
        let problem = try SpecDocument.parse(yaml, file: "\(name).yaml")
        var tracer = Tracer(sink: RecordingSink())
        _ = try problem.run(tracer: &tracer)
        let path = "\(dir)/\(name).ctb"
        let writer = try CompactBinaryWriter(path: path, headerJSON: problem.traceHeader().toJSON())
        for e in tracer.sink.events { writer.record(e) }
        try writer.finish()
        return (problem, tracer.sink.events, path)
    }

    static func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "layer-skip-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("every layer and the loss: the same frames from the events in memory, the spec and the v2 file")
    func sameFrames() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, yaml) in Self.specs {
            #expect(!yaml.isEmpty, "\(name): the spec is missing")
            let (problem, events, path) = try Self.trace(name, yaml, in: dir)
            let file = try TraceSource.openTrace(path: path)
            let spec = TraceSource(problem: problem)
            let layerCount = problem.network.layers.count + (problem.network.loss == nil ? 0 : 1)
            for layer in 0..<layerCount {
                // The whole layer at cell granularity on the small network; one cell (as --cell 0,0) on the big one.
                let region: CellRegion? = name == "flatten-mse" ? nil : CellRegion(row: 0, column: 0)
                for granularity in StoryboardOptions.Granularity.allCases where name == "flatten-mse" || granularity == .cell {
                    let options = StoryboardOptions(granularity: granularity, maxFrames: nil, layers: [layer], region: region)
                    let board = try Storyboard(source: file.storyboardSource, options: options)
                    let whole = try board.frames(events: events)
                    #expect(try board.frames(streaming: file) == whole, "\(name) layer \(layer) \(granularity): v2 file")
                    #expect(try board.frames(streaming: spec) == whole, "\(name) layer \(layer) \(granularity): spec")
                    if name == "flatten-mse" { #expect(!whole.isEmpty || layer == 2, "\(name) layer \(layer): no frames") }
                }
            }
        }
    }

    @Test("only the chosen layer, its input's producer and its dY's producer are read")
    func layersRead() throws {
        let problem = try SpecDocument.parse(Self.specs[0].yaml, file: "t.yaml")
        func read(_ layers: Set<Int>) throws -> Set<Int>? {
            try Storyboard(source: TraceSource(problem: problem).storyboardSource, options: StoryboardOptions(layers: layers)).layersRead
        }
        // conv 0, relu 1, flatten 2, linear 3, mse 4: relu's dY comes through the flatten from the linear layer.
        #expect(try read([0]) == [0, 1])
        #expect(try read([1]) == [0, 1, 2, 3])
        #expect(try read([3]) == [1, 2, 3, 4])
        #expect(try read([4]) == [3, 4])
        #expect(try Storyboard(source: TraceSource(problem: problem).storyboardSource).layersRead == nil)
    }

    @Test("blocks of other layers are not decoded: a damaged one does not stop the frames of layer 0")
    func skippedBlocksAreNotRead() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, events, path) = try Self.trace("small", Self.specs[0].yaml, in: dir)
        let reader = try TraceReader(path: path)
        let blocks = try #require(try reader.blocks())
        #expect(blocks.map(\.count).reduce(0, +) == events.count)
        for (block, next) in zip(blocks, blocks.dropFirst()) { #expect(block.firstStep + block.count == next.firstStep) }
        // The last block of layer 3 (linear, backward): its first op word gets the reserved bit.
        let victim = try #require(blocks.last { $0.layer == 3 })
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for k in 0..<2 { bytes[victim.position.offset + CompactTraceLayout.blockHeaderSize + k] = 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try TraceSource.openTrace(path: path)
        let options = StoryboardOptions(maxFrames: nil, layers: [0])
        let board = try Storyboard(source: file.storyboardSource, options: options)
        #expect(try board.frames(streaming: file) == (try board.frames(events: events)))
        #expect(throws: TraceError.self) { try file.forEach { _ in } }
        let layer3 = try Storyboard(source: file.storyboardSource, options: StoryboardOptions(maxFrames: 1, layers: [3]))
        #expect(throws: TraceError.self) { try layer3.frames(streaming: file) }
    }

    @Test("an index entry that disagrees with its block is a message naming the block")
    func corruptedIndexEntry() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, _, path) = try Self.trace("small", Self.specs[0].yaml, in: dir)
        let blocks = try #require(try TraceReader(path: path).blocks())
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // The trailer's index offset, then entry 1's layer field (bytes 16–23 of the entry): say layer 0.
        let trailer = bytes.count - CompactTraceLayout.trailerSize
        let indexOffset = bytes[trailer..<trailer + 8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let entry = indexOffset + CompactTraceLayout.indexEntrySize * 1
        #expect(blocks[1].layer != 0)
        for k in 16..<24 { bytes[entry + k] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try TraceSource.openTrace(path: path)
        let board = try Storyboard(source: file.storyboardSource, options: StoryboardOptions(maxFrames: nil, layers: [0]))
        let error = try #require(throws: TraceError.self) { try board.frames(streaming: file) }
        #expect("\(error)".contains("corrupted block index"), "\(error)")
        #expect("\(error)".contains("byte \(blocks[1].position.offset)"), "\(error)")
    }
}
