// TracingTests — trace files: both encodings round-trip losslessly; every broken file gets a clear message.
import Engine
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Tracing

@Suite("Trace files")
struct TraceFileTests {
    @Test("JSON Lines: events and header read back bit-identical")
    func jsonlRoundTrip() throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeJSONL(dir + "/t.jsonl")
        let (header, events) = try Fixtures.readAll(dir + "/t.jsonl")
        #expect(header == Fixtures.convHeader)
        #expect(sameBits(events, Fixtures.events))
        #expect(Fixtures.list(dir) == ["t.jsonl"])  // no temporary file left
    }

    @Test("binary: events and header read back bit-identical")
    func binaryRoundTrip() throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeBinary(dir + "/t.ctb")
        let (header, events) = try Fixtures.readAll(dir + "/t.ctb")
        #expect(header == Fixtures.convHeader)
        #expect(sameBits(events, Fixtures.events))
        // Size: 24-byte preamble + header JSON + 112 bytes per event + the end record.
        let headerLength = Fixtures.convHeader.toJSON().serializedBytes().count
        #expect(Fixtures.readBytes(dir + "/t.ctb").count == 24 + headerLength + 112 * (Fixtures.events.count + 1))
    }

    @Test("position and seek: a second reader resumes mid-file with the same events, counts and line numbers",
          arguments: ["t.jsonl", "t.ctb"])
    func seekResumes(name: String) throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        let path = dir + "/" + name
        if name.hasSuffix(".jsonl") { try Fixtures.writeJSONL(path) } else { try Fixtures.writeBinary(path) }
        for k in [0, 1, 4, Fixtures.events.count - 1, Fixtures.events.count] {
            let first = try TraceReader(path: path)
            for _ in 0..<k { _ = try first.next() }
            let mark = first.position
            #expect(mark.events == k)
            var rest: [TraceEvent] = []
            while let e = try first.next() { rest.append(e) }
            let second = try TraceReader(path: path)
            try second.seek(to: mark)
            var resumed: [TraceEvent] = []
            while let e = try second.next() { resumed.append(e) }  // the end marker's count still checks out
            #expect(sameBits(resumed, rest))
            #expect(sameBits(resumed, Array(Fixtures.events[k...])))
            #expect(second.eventsRead == Fixtures.events.count)
            // Going back on the same reader works too.
            try second.seek(to: mark)
            #expect(try second.next().map { sameBits([$0], [Fixtures.events[k]]) } ?? (k == Fixtures.events.count))
        }
        // A truncated JSON Lines file reports the same line after a seek as when read straight through.
        if name.hasSuffix(".jsonl") {
            let lines = Self.jsonlLines()
            let cut = dir + "/cut.jsonl"
            Fixtures.writeBytes(Self.joined(Array(lines[0..<6])), to: cut)
            let reader = try TraceReader(path: cut)
            _ = try reader.next(); _ = try reader.next()
            let mark = reader.position
            let again = try TraceReader(path: cut)
            try again.seek(to: mark)
            let message = Fixtures.errorMessage { while try again.next() != nil {} }
            #expect(message == "\(cut): truncated: the file ends after 5 events (line 6) without the end line {\"end\":true,\"events\":N}")
        }
    }

    @Test("JSONL → binary → JSONL and binary → JSONL → binary are byte-identical")
    func conversionIsLossless() throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeJSONL(dir + "/a.jsonl")
        #expect(try TraceConversion.convert(dir + "/a.jsonl", to: dir + "/b.ctb", encoding: .binary) == Fixtures.events.count)
        try TraceConversion.convert(dir + "/b.ctb", to: dir + "/c.jsonl", encoding: .jsonl)
        try TraceConversion.convert(dir + "/c.jsonl", to: dir + "/d.ctb", encoding: .binary)
        #expect(Fixtures.readBytes(dir + "/a.jsonl") == Fixtures.readBytes(dir + "/c.jsonl"))
        #expect(Fixtures.readBytes(dir + "/b.ctb") == Fixtures.readBytes(dir + "/d.ctb"))
        // Binary output is version 2; version 1 on request, and both convert to the same bytes.
        let direct = try CompactBinaryWriter(path: dir + "/direct.ctb", header: Fixtures.convHeader)
        for e in Fixtures.events { direct.record(e) }
        try direct.finish()
        #expect(Fixtures.readBytes(dir + "/direct.ctb") == Fixtures.readBytes(dir + "/b.ctb"))
        #expect(sameBits(try Fixtures.readAll(dir + "/b.ctb").1, Fixtures.events))
        try Fixtures.writeBinary(dir + "/direct-v1.ctb")
        try TraceConversion.convert(dir + "/c.jsonl", to: dir + "/e.ctb", encoding: .binary, binaryVersion: 1)
        #expect(Fixtures.readBytes(dir + "/direct-v1.ctb") == Fixtures.readBytes(dir + "/e.ctb"))
        try TraceConversion.convert(dir + "/e.ctb", to: dir + "/f.ctb", encoding: .binary)
        #expect(Fixtures.readBytes(dir + "/f.ctb") == Fixtures.readBytes(dir + "/b.ctb"))
    }

    @Test("the JSON Lines text of hand-made events")
    func jsonlText() throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try Fixtures.writeJSONL(dir + "/t.jsonl", events: Array(Fixtures.events[1...2]) + [Fixtures.events[9]])
        let lines = String(decoding: Fixtures.readBytes(dir + "/t.jsonl"), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 6)  // header, 3 events, end line, "" after the last newline
        #expect(lines[1] == #"{"step":1,"phase":"forward","layer":0,"kind":"mac","out":[0,0,0,0],"in":[0,0,0,0],"padded":[0,0,1,1],"k":[0,0,1,1],"a":0.1,"b":1e-300,"product":1e-301,"acc":-0}"#)
        #expect(lines[2] == #"{"step":2,"phase":"forward","layer":0,"kind":"bias","out":[0,0,0,0],"in":[0,0,0,0],"padded":[0,0,0,0],"k":[0,0,0,0],"a":123456789.123,"b":0.5,"product":0.5,"acc":123456789.623}"#)
        #expect(lines[3] == #"{"step":9,"phase":"backward","layer":0,"kind":"grad","target":"bias","padding":true,"selected":true,"out":[0,0,1,1],"in":[0,0,0,0],"padded":[0,0,0,0],"k":[0,0,0,0],"a":"NaN","b":"Infinity","product":"-Infinity","acc":5e-324}"#)
        #expect(lines[4] == #"{"end":true,"events":3}"#)
    }

    @Test("a writer that is not finished leaves no file; a cancelled one neither")
    func atomicWrites() throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        do {
            let w = try JSONLWriter(path: dir + "/never.jsonl", header: Fixtures.convHeader)
            for e in Fixtures.events { w.record(e) }
            #expect(Fixtures.list(dir).count == 1 && Fixtures.list(dir)[0].hasPrefix(".never.jsonl.tmp-"))
        }
        let b = try BinaryWriter(path: dir + "/cancelled.ctb", header: Fixtures.convHeader)
        b.record(Fixtures.events[0])
        b.cancel()
        #expect(Fixtures.list(dir) == [])
        #expect(Fixtures.errorMessage { _ = try JSONLWriter(path: dir + "/missing/t.jsonl", header: Fixtures.convHeader) }
                == "\(dir)/missing/t.jsonl: cannot create the output file in \(dir)/missing: No such file or directory")
    }

    // MARK: broken files

    /// Writes `bytes` to a file named `name` in a fresh folder and returns the reader's error message
    /// (after reading every event).
    static func readError(_ name: String, _ bytes: [UInt8]) -> String {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        let path = dir + "/" + name
        Fixtures.writeBytes(bytes, to: path)
        let message = Fixtures.errorMessage { _ = try Fixtures.readAll(path) }
        return message.replacingOccurrences(dir + "/", "")
    }

    static var jsonlBytes: [UInt8] {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try? Fixtures.writeJSONL(dir + "/t.jsonl")
        return Fixtures.readBytes(dir + "/t.jsonl")
    }

    static var binaryBytes: [UInt8] {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        try? Fixtures.writeBinary(dir + "/t.ctb")
        return Fixtures.readBytes(dir + "/t.ctb")
    }

    static func jsonlLines() -> [String] {
        String(decoding: jsonlBytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func joined(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }

    @Test("empty file, missing file, not a trace")
    func notATrace() {
        #expect(Self.readError("trace.jsonl", []) == "trace.jsonl: the file is empty; expected a convtrace trace (JSON Lines or binary)")
        #expect(Fixtures.errorMessage { _ = try TraceReader(path: "/nonexistent/trace.jsonl") }
                == "/nonexistent/trace.jsonl: cannot open: No such file or directory")
        #expect(Self.readError("notes.txt", Array("hello\n".utf8))
                == "notes.txt: not a convtrace trace: it starts with bytes 68 65 6c 6c 6f a; expected a JSON Lines trace (a header object on line 1) or a binary trace (magic 89 43 54 42 0d 0a 1a 0a)")
        #expect(Self.readError("spec.json", Array("{\"op\": \"conv2d\"}\n".utf8))
                == "spec.json: not a convtrace trace: the header's \"format\" is missing, expected \"convtrace-trace\"")
        #expect(Self.readError("image.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
                == "image.png: not a convtrace trace: byte 1 is 0x50, the binary magic needs 0x43")
    }

    @Test("unknown schema version, in both encodings")
    func unknownVersion() {
        var lines = Self.jsonlLines()
        lines[0] = lines[0].replacingOccurrences("\"schema_version\":1", "\"schema_version\":7")
        #expect(Self.readError("trace.jsonl", Self.joined(lines)) == "trace.jsonl: schema version 7 is not supported; this convtrace reads version 1")
        var binary = Self.binaryBytes
        binary[8] = 7
        #expect(Self.readError("trace.ctb", binary) == "trace.ctb: schema version 7 is not supported; this convtrace reads version 1")
    }

    @Test("truncated JSON Lines: in the middle of a line, at a line boundary, inside the header")
    func truncatedJSONL() {
        let bytes = Self.jsonlBytes
        let lines = Self.jsonlLines()
        // Cut 10 bytes into the 4th event line (line 5): `{"step":3,` is 10 bytes, so the decoder has read
        // step and a comma and needs the next key string.
        let cut = lines[0..<4].reduce(0) { $0 + $1.utf8.count + 1 } + 10
        #expect(Self.readError("t.jsonl", Array(bytes[0..<cut]))
                == "t.jsonl:5: the line ends early; expected a string (the file ends in the middle of this line: truncated?)")
        // Cut after the 3rd event line: every line is whole but the end line is missing.
        #expect(Self.readError("t.jsonl", Self.joined(Array(lines[0..<4])))
                == "t.jsonl: truncated: the file ends after 3 events (line 4) without the end line {\"end\":true,\"events\":N}")
        #expect(Self.readError("t.jsonl", Array(bytes[0..<40])) == "t.jsonl:1: the header line is not valid JSON (unterminated string at column 41)")
    }

    @Test("JSON Lines: unknown kind, bad field values, miscounted end line")
    func corruptedJSONL() {
        var lines = Self.jsonlLines()
        lines[3] = lines[3].replacingOccurrences("\"kind\":\"bias\"", "\"kind\":\"fma\"")
        #expect(Self.readError("trace.jsonl", Self.joined(lines))
                == "trace.jsonl:4: unknown kind \"fma\"; valid kinds: mac, bias, output, pool, activation, grad, loss, norm, add, update")
        lines = Self.jsonlLines()
        lines[2] = lines[2].replacingOccurrences("\"a\":0.1", "\"a\":true")
        #expect(Self.readError("trace.jsonl", Self.joined(lines)) == "trace.jsonl:3: \"a\" must be a number")
        lines = Self.jsonlLines()
        lines[2] = lines[2].replacingOccurrences(",\"acc\":-0", "")
        #expect(Self.readError("trace.jsonl", Self.joined(lines)) == "trace.jsonl:3: missing field acc")
        lines = Self.jsonlLines()
        lines[2] = lines[2].replacingOccurrences("\"k\":[0,0,1,1]", "\"k\":[0,0,1]")
        #expect(Self.readError("trace.jsonl", Self.joined(lines)) == "trace.jsonl:3: unexpected ']' at column 112; expected ',' in \"k\" (4 indices)")
        lines = Self.jsonlLines()
        lines[lines.count - 1] = "{\"end\":true,\"events\":99}"
        #expect(Self.readError("trace.jsonl", Self.joined(lines)) == "trace.jsonl:\(lines.count): the end line says 99 events but \(Fixtures.events.count) were read")
        lines = Self.jsonlLines()
        lines.insert("", at: 2)
        #expect(Self.readError("trace.jsonl", Self.joined(lines)) == "trace.jsonl:3: empty line; expected an event object")
    }

    @Test("binary: truncated inside a record, at a record boundary, inside the header; corrupted record")
    func brokenBinary() {
        let bytes = Self.binaryBytes
        let headerLength = Fixtures.convHeader.toJSON().serializedBytes().count
        let firstRecord = 24 + headerLength
        // Record 2 starts at firstRecord + 224; keep 50 of its bytes.
        #expect(Self.readError("t.ctb", Array(bytes[0..<(firstRecord + 224 + 50)]))
                == "t.ctb: record 2 (byte \(firstRecord + 224)): truncated: only 50 of the record's 112 bytes are there")
        #expect(Self.readError("t.ctb", Array(bytes[0..<(firstRecord + 336)]))
                == "t.ctb: truncated: the file ends after 3 records without the end record")
        #expect(Self.readError("t.ctb", Array(bytes[0..<100]))
                == "t.ctb: truncated: the header needs \(headerLength) bytes after byte 24 but the file has only 76")
        #expect(Self.readError("t.ctb", Array(bytes[0..<20])) == "t.ctb: truncated: the file ends after 20 bytes, inside the 24-byte preamble")
        var corrupted = bytes
        corrupted[firstRecord + 112 * 4 + 13] = 15  // kind byte of record 4 (no kind has raw value 15)
        let kinds = EventKind.allCases.map { String($0.rawValue) }.joined(separator: ", ")
        #expect(kinds.hasPrefix("0, 1, 2, 3, 4, 5, 6, 7") && kinds.hasSuffix("9"))  // 9: update
        #expect(Self.readError("t.ctb", corrupted)
                == "t.ctb: record 4 (byte \(firstRecord + 448)): corrupted record: unknown kind byte 15 (valid \(kinds); 255 ends the trace)")
        corrupted = bytes
        corrupted[firstRecord + 12] = 3  // phase byte of record 0
        #expect(Self.readError("t.ctb", corrupted)
                == "t.ctb: record 0 (byte \(firstRecord)): corrupted record: unknown phase byte 3 (valid 0 forward, 1 backward, 2 update)")
        #expect(Self.readError("t.ctb", bytes + [0])  == "t.ctb: byte \(bytes.count): data after the end record")
    }

    @Test("a failed conversion leaves no output file")
    func failedConversion() throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        let bytes = Self.binaryBytes
        Fixtures.writeBytes(Array(bytes[0..<(bytes.count - 30)]), to: dir + "/cut.ctb")
        let message = Fixtures.errorMessage { try TraceConversion.convert(dir + "/cut.ctb", to: dir + "/out.jsonl", encoding: .jsonl) }
        #expect(message.hasSuffix("truncated: only 82 of the record's 112 bytes are there"))
        #expect(Fixtures.list(dir) == ["cut.ctb"])
    }

    @Test("reading a long trace holds one buffer: 120 000 events, reader memory stays at 1 MiB")
    func constantMemory() throws {
        let dir = Fixtures.folder(); defer { Fixtures.remove(dir) }
        let count = 120_000
        let header = Fixtures.convHeader
        let jw = try JSONLWriter(path: dir + "/long.jsonl", header: header)
        let bw = try BinaryWriter(path: dir + "/long.ctb", header: header)
        for i in 0..<count {
            let e = TraceEvent(step: i, kind: .mac, output: Index4(0, 0, i / 4, i % 4), a: Double(i) * 0.1, b: 0.5, product: Double(i) * 0.05, acc: Double(i) / 3)
            jw.record(e); bw.record(e)
        }
        try jw.finish(); try bw.finish()
        for path in [dir + "/long.jsonl", dir + "/long.ctb"] {
            let reader = try TraceReader(path: path)
            var n = 0
            var lastAcc = 0.0
            var wrong = 0  // events that did not come back as written (the writers flip between two buffers)
            while let e = try reader.next() {
                #expect(e.step == n, "event \(n) of \(path)")
                if e.acc != Double(n) / 3 || e.a != Double(n) * 0.1 || e.output != Index4(0, 0, n / 4, n % 4) { wrong += 1 }
                n += 1; lastAcc = e.acc
                if n % 40_000 == 0 { #expect(reader.bufferCapacity == 1 << 20) }
            }
            #expect(n == count)
            #expect(wrong == 0)
            #expect(lastAcc == Double(count - 1) / 3)
            #expect(reader.bufferCapacity == 1 << 20)
            #expect(try reader.next() == nil)
        }
    }
}
