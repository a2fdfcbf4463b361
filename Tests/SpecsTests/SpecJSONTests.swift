// SpecsTests — YAML → JSON: one set of scalar rules, the ones Specs applies when it reads a value.
import JSONText
import Specs
import Testing
import Yams

@Suite("YAML to JSON")
struct SpecJSONTests {
    func json(_ yaml: String) throws -> JSONValue {
        SpecDocument.json(try #require(try Yams.compose(yaml: yaml)))
    }

    @Test("plain scalars: null, booleans (as SpecNode.bool reads them), numbers (as parseNumber reads them)")
    func plainScalars() throws {
        let v = try json("""
            a: ~
            b: null
            c: yes
            d: Off
            e: TRUE
            f: 0x1F
            g: 1_000
            h: -2.5e-3
            i: conv2d
            """)
        #expect(v == .object([("a", .null), ("b", .null), ("c", .bool(true)), ("d", .bool(false)), ("e", .bool(true)),
                              ("f", .number(31)), ("g", .number(1000)), ("h", .number(-2.5e-3)), ("i", .string("conv2d"))]))
    }

    @Test("quoted and block scalars are strings; what Specs does not read as a number stays a string")
    func strings() throws {
        // The old lesson-builder copy used Yams's YAML 1.1 resolution: 1:30 became 90 and 0b101 became 5,
        // numbers Specs itself refuses. Specs' rule wins: both are strings.
        let v = try json("a: 'yes'\nb: \"3\"\nc: |\n  4\nd: 1:30\ne: 0b101\n")
        #expect(v == .object([("a", .string("yes")), ("b", .string("3")), ("c", .string("4\n")),
                              ("d", .string("1:30")), ("e", .string("0b101"))]))
    }

    @Test("non-finite numbers stay numbers and are written as the JSON strings Specs refuses as numbers")
    func nonFinite() throws {
        let v = try json("a: .inf\nb: -.inf\n")
        #expect(v["a"]?.doubleValue == .infinity && v["b"]?.doubleValue == -.infinity)
        #expect(v.serialized() == #"{"a":"Infinity","b":"-Infinity"}"#)
    }

    @Test("the JSON text reads back as the same spec: a boolean written yes, compact JSON")
    func roundTrip() throws {
        let yaml = "op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1, 0.1]]\nflip: yes\n"
        let direct = try parse(yaml)
        let text = try json(yaml).serialized()
        #expect(text == #"{"op":"conv2d","input":[[1,2],[3,4]],"kernel":[[1,0.1]],"flip":true}"#)
        let back = try parse(text)
        #expect(back.document == direct.document)
        #expect(try back.run().output.data == direct.run().output.data)
    }

    @Test("a number Specs refuses is refused from the JSON too")
    func refusedBothWays() throws {
        let yaml = "op: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1]\nstride: 0b1\n"
        let direct = try #require(specError(yaml))
        let viaJSON = try #require(specError(try json(yaml).serialized()))
        #expect(direct.description.contains("stride") && direct.description.contains("not an integer"), "\(direct)")
        #expect(viaJSON.description.contains("stride") && viaJSON.description.contains("not an integer"), "\(viaJSON)")
    }
}
