// CLITests — `convtrace eval` end to end: JSON on stdout, stdin with -, bad specs → exit 2 and a located message.
import Foundation
import Testing

@Suite("convtrace eval (end to end)", .serialized)
struct EvalCommandTests {
    @Test("eval examples/conv-basic.yaml prints the folded result as indented JSON")
    func convBasic() throws {
        let r = try CLI.run(["eval", "examples/conv-basic.yaml"])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        // Hand-computed in SpecsTests: out = X[y][x] − X[y+1][x+1] + 0.5 = −3.5; dK = 2×2 block sums; db = 4.
        #expect(r.stdout == """
            {
              "output": [
                [-3.5, -3.5],
                [-3.5, -3.5]
              ],
              "output_shape": [2, 2],
              "grad_input": [
                [1, 1, 0],
                [1, 0, -1],
                [0, -1, -1]
              ],
              "grad_kernel": [
                [12, 16],
                [24, 28]
              ],
              "grad_bias": 4
            }

            """)
    }

    @Test("eval - (and /dev/stdin, a pipe) reads the spec from stdin; --compact prints one line")
    func stdin() throws {
        let r = try CLI.run(["eval", "--compact", "-"], stdin: "op: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\npadding: full\n")
        #expect(r.status == 0)
        // The seed example of cnn-basics-backprop.md: [1,2,3] * [1,1,1] with full padding.
        #expect(r.stdout == #"{"output":[1,3,6,5,3],"output_shape":[5]}"# + "\n")
        let json = try CLI.run(["eval", "-"], stdin: #"{"op": "relu", "input": [-1, 2], "grad_output": [1, 1]}"#)
        #expect(json.status == 0)
        #expect(flatNumbers(jsonObject(json.stdout)?["grad_input"]) == [0, 1])
        // A path that is a pipe (as `<(…)` and /dev/stdin are) reads like a file.
        let piped = try CLI.run(["eval", "--compact", "/dev/stdin"], stdin: "op: conv2d\ninput: [1, 2, 3]\nkernel: [1, 1, 1]\npadding: full\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout == #"{"output":[1,3,6,5,3],"output_shape":[5]}"# + "\n")
    }

    @Test("eval of the worked networks: loss, grad_input and per-layer gradients")
    func networks() throws {
        for (name, convLayers) in [("cnn-basics-backprop", [0, 3]), ("lenet5", [0, 3])] {
            let r = try CLI.run(["eval", "--compact", "examples/\(name).yaml"])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            let object = jsonObject(r.stdout)
            #expect(object != nil)
            let loss = (object?["loss"] as? NSNumber)?.doubleValue ?? .nan
            #expect(loss > 2.0 && loss < 2.6)  // near ln 10 for ten small logits
            #expect(flatNumbers(object?["grad_input"]).count == 32 * 32)
            let layers = object?["layers"] as? [[String: Any]] ?? []
            for i in convLayers { #expect(layers[i]["grad_kernel"] != nil && layers[i]["grad_bias"] != nil) }
            #expect(layers.last?["grad_weight"] != nil)
        }
        // Deterministic: byte-identical output twice.
        let a = try CLI.run(["eval", "examples/cnn-basics-backprop.yaml"]), b = try CLI.run(["eval", "examples/cnn-basics-backprop.yaml"])
        #expect(a.stdout == b.stdout)
    }

    @Test("bad specs: exit 2, one message on stderr naming file, key and line, nothing on stdout, no crash")
    func badSpecs() throws {
        let cases: [(String, String)] = [
            ("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\nstride: 0\n", ":4:9: stride: stride must be at least 1, got 0"),
            ("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\ndilation: 0\n", ":4:11: dilation: dilation must be at least 1, got 0"),
            ("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\npadding: -1\n", "padding: padding must not be negative"),
            ("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1, 1], [1, 1]]\npadding: same\nstride: 2\n", "padding: same is only defined for stride 1"),
            ("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]\n", "kernel: the kernel 3×3 is larger than the padded input 2×2"),
            ("op: conv2d\ninput: [[[1]], [[2]], [[3]]]\nkernel: [[[1]], [[1]]]\n", "kernel: channel mismatch"),
            ("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\npadding: 1000000\n", "which does not fit in memory"),
            ("op: relu\ninput:\n  - [1, 2, 3]\n  - [4, 5]\n", ":4:5: input[1]: ragged array: row 2 has 2 values, row 1 (input[0]) has 3"),
            ("op: relu\ninput: [1, two, 3]\n", "input[1]: \"two\" is not a number"),
            ("op: relu\ninput: [1, .nan, 3]\n", "input[1]: .nan is not allowed: NaN and infinities are refused"),
            ("op: conv2x\ninput: [1]\n", "op: unknown op 'conv2x'; did you mean 'conv2d'?"),
            ("op: conv2d\ninput: [1]\nkernal: [1]\n", "kernal: unknown key 'kernal' for conv2d; did you mean 'kernel'?"),
            ("", "is empty"),
            ("op: relu\ninput: [1, 2\n", "YAML syntax error"),
            ("op: conv2d\ninput: [1]\nkernel: [1]\npadding: sometimes\n", "'sometimes' is not a padding"),
            ("op: bce\ninput: [0.5, 1.5]\ntarget: [0, 1]\n", "must lie in [0, 1]"),
            ("op: conv2d\ninput: [[[1]], [[2]], [[3]], [[4]]]\nkernel: [[[[1]], [[1]]], [[[1]], [[1]]]]\ngroups: 3\n",
             ":4:9: groups: groups = 3 does not divide the input's 4 channels nor the kernel's 2 filters"),
            ("op: network\ninput: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nlayers:\n  - residual:\n      - {op: conv2d, kernel: [[1, 1], [1, 1]]}\n",
             ":4:5: layers[0]: the residual block (layers 0…0) changes the shape: its output is 1×1×2×2 but its input (the input of layer 0) is 1×1×3×3"),
        ]
        for (spec, expected) in cases {
            let path = try CLI.temporaryFile(spec)
            let r = try CLI.run(["eval", path])
            #expect(r.status == 2, "\(expected): status \(r.status)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.hasPrefix("convtrace: \(path)"), "\(r.stderr)")
            #expect(r.stderr.contains(expected), "expected \(expected) in \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"))
        }
    }

    @Test("a missing file, stdin garbage, a missing argument")
    func otherFailures() throws {
        let missing = try CLI.run(["eval", "no/such/spec.yaml"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "convtrace: no/such/spec.yaml: no such file (a path to a YAML or JSON spec, or - for stdin)\n")
        let garbage = try CLI.run(["eval", "-"], stdin: "{{{{")
        #expect(garbage.status == 2)
        #expect(garbage.stderr.hasPrefix("convtrace: <stdin>:"))
        // Command-line usage errors exit 2 as well (ArgumentParser alone would exit 64); --help exits 0.
        let usage = try CLI.run(["eval"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("Missing expected argument '<spec>'"))
        let unknown = try CLI.run(["eval", "--bogus", "examples/conv-basic.yaml"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Unknown option '--bogus'"))
        let help = try CLI.run(["eval", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: convtrace eval <spec>"))
    }
}

@Suite("examples/ (end to end)", .serialized)
struct ExampleSpecTests {
    @Test("every example spec evaluates, and matches its expect: block where it has one")
    func everyExample() throws {
        let dir = CLI.root.appendingPathComponent("examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(names.count >= 7)
        for name in names {
            let r = try CLI.run(["eval", "--compact", "examples/\(name)"])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(jsonObject(r.stdout)?["output"] != nil, "\(name)")
        }
        // Tutorial numbers: valid/same/full 1-D example, the 4×4 max pool, the 5×5×3 output volume.
        #expect(flatNumbers(jsonObject(try CLI.run(["eval", "examples/conv-1d-full.yaml"]).stdout)?["output"]) == [1, 3, 6, 5, 3])
        #expect(flatNumbers(jsonObject(try CLI.run(["eval", "examples/max-pool.yaml"]).stdout)?["output"]) == [6, 8, 9, 5])
        // convolutional-neural-networks.md prints D2 = K = 3; with K = 2 filters the output is 2×3×3.
        #expect(jsonObject(try CLI.run(["eval", "examples/conv-stride-padding.yaml"]).stdout)?["output_shape"] as? [Int] == [2, 3, 3])
        // Transposed conv, stride 2: (2 − 1)·2 + 3 = 5; centre = 1·1 + 2·1 + 3·1 + 4·1 = 10 (the four corners of the weight).
        let t = jsonObject(try CLI.run(["eval", "examples/conv-transpose.yaml"]).stdout)
        #expect(t?["output_shape"] as? [Int] == [5, 5])
        #expect(flatNumbers(t?["output"])[12] == 10)
    }
}
