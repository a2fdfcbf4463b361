// SpecsTests — every refusal names the file, the key path, the line:column, what was wrong and what is valid.
import Engine
import Specs
import Testing

@Suite("Spec errors")
struct SpecErrorTests {
    /// The full message of the SpecError for `text` ("" when it parsed).
    func message(_ text: String) -> String { specError(text)?.description ?? "" }

    @Test("unknown op suggests the nearest name")
    func unknownOp() {
        let e = specError("op: conv2x\ninput: [1, 2]\n")
        #expect(e?.path == "op")
        #expect(e?.line == 1 && e?.column == 5)
        #expect(e?.description.hasPrefix("t.yaml:1:5: op: unknown op 'conv2x'; did you mean 'conv2d'?") == true)
        #expect(message("op: max_pool\ninput: [1]\n").contains("did you mean 'max_pool2d'?"))
        #expect(message("op: network\ninput: [1]\nlayers: [{op: rleu}]\n").contains("layers[0].op: unknown op 'rleu'; did you mean 'relu'?"))
        #expect(message("op: network\ninput: [1]\nlayers: [{op: network}]\n").contains("networks do not nest"))
    }

    @Test("unknown key suggests the nearest valid key, or says which op it belongs to")
    func unknownKey() {
        let e = specError("op: conv2d\ninput: [1, 2, 3]\nkernal: [1, 1]\n")
        #expect(e?.description.hasPrefix("t.yaml:3:1: kernal: unknown key 'kernal' for conv2d; did you mean 'kernel'?") == true)
        #expect(e?.valid.contains("kernel, bias, stride, padding, padding_mode, dilation, flip") == true)
        #expect(message("op: conv2d\ninput: [1, 2, 3]\nkernel: [1]\nkernel_size: 2\n")
            .contains("'kernel_size' is not a key of conv2d (it belongs to avg_pool2d, max_pool2d)"))
        #expect(message("op: network\ninput: [1]\nlayers:\n  - op: relu\n    sloap: 2\n")
            .contains("t.yaml:5:5: layers[0].sloap: unknown key 'sloap' for relu"))
        #expect(message("op: network\ninput: [1]\nlayers:\n  - op: relu\n    title: x\n")
            .contains("'title' belongs at the top of the document, not in a layer"))
    }

    @Test("ragged nested arrays name the row and both lengths")
    func ragged() {
        let e = specError("op: relu\ninput:\n  - [1, 2, 3]\n  - [4, 5]\n")
        #expect(e?.description == "t.yaml:4:5: input[1]: ragged array: row 2 has 2 values, row 1 (input[0]) has 3 (every row must have the same length)")
        #expect(message("op: relu\ninput: [[1, 2], 3]\n").contains("input[1]: is a number but the rows before it are lists of 2 values (ragged array)"))
        #expect(message("op: relu\ninput: [1, [2, 3]]\n").contains("input[1]: is a list but the rows before it hold numbers"))
        #expect(message("op: relu\ninput: [[[1, 2], [3, 4]], [[1, 2], [3]]]\n").contains("input[1][1]: ragged array: row 2 has 1 value, row 1 (input[1][0]) has 2"))
    }

    @Test("non-numeric values, quoted numbers and empty cells are refused")
    func nonNumeric() {
        #expect(message("op: relu\ninput: [1, x, 3]\n") == "t.yaml:2:12: input[1]: \"x\" is not a number (a number)")
        #expect(message("op: relu\ninput: [1, \"2\", 3]\n").contains("input[1]: \"2\" is not a number"))
        #expect(message("op: relu\ninput: [1, null, 3]\n").contains("t.yaml:2:12: input[1]: is empty, not a number"))
        #expect(message("op: relu\ninput: [1, , 3]\n").contains("t.yaml:2:12: YAML syntax error"))
        #expect(message("op: conv2d\ninput: [[1]]\nkernel: [[true]]\n").contains("kernel[0][0]: \"true\" is not a number"))
        #expect(message("op: conv2d\ninput: [[1]]\nkernel: [[1]]\nbias: {a: 1}\n").contains("bias: expected a nested list of numbers"))
    }

    @Test("NaN and infinities are refused (decision: refuse, never propagate), naming key and index")
    func nonFinite() {
        #expect(message("op: relu\ninput: [1, .nan, 3]\n") == "t.yaml:2:12: input[1]: .nan is not allowed: NaN and infinities are refused in specs (a finite number)")
        #expect(message("op: relu\ninput: [[1, 2], [3, -.inf]]\n").contains("t.yaml:2:21: input[1][1]: -.inf is not allowed"))
        #expect(message(#"{"op": "conv2d", "input": [[1]], "kernel": [[1]], "bias": [Infinity]}"#).contains("bias[0]: Infinity is not allowed"))
        #expect(message("op: leaky_relu\ninput: [1]\nslope: .nan\n").contains("slope: .nan is not allowed"))
        #expect(message("op: mse\ninput: [1]\ntarget: [.inf]\n").contains("target[0]: .inf is not allowed"))
    }

    @Test("stride 0, dilation 0, negative padding")
    func badParameters() {
        let base = "op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\n"
        #expect(message(base + "stride: 0\n") == "t.yaml:4:9: stride: stride must be at least 1, got 0 (an int ≥ 1 or a pair [y, x] of them, each at most 1048576)")
        #expect(message(base + "dilation: [1, 0]\n").contains("t.yaml:4:15: dilation[1]: dilation must be at least 1, got 0"))
        #expect(message(base + "padding: -1\n").contains("t.yaml:4:10: padding: padding must not be negative, got -1"))
        #expect(message(base + "padding: [0, 0, -2, 0]\n").contains("padding[2]: padding must not be negative, got -2"))
        #expect(message(base + "stride: 1.5\n").contains("stride: \"1.5\" is not an integer"))
        #expect(message(base + "stride: [1, 2, 3]\n").contains("stride: has 3 values"))
        #expect(message("op: max_pool2d\ninput: [[1, 2], [3, 4]]\nkernel_size: 2\nstride: 0\n").contains("stride: stride must be at least 1, got 0"))
        #expect(message("op: max_pool2d\ninput: [[1, 2], [3, 4]]\nkernel_size: 2\npadding: 2\n").contains("padding: padding [2, 2] is more than half the kernel_size [2, 2]"))
        #expect(message("op: conv_transpose2d\ninput: [[1]]\nweight: [[1]]\ndilation: 0\n").contains("dilation: dilation must be at least 1, got 0"))
        #expect(message("op: conv_transpose2d\ninput: [[1]]\nweight: [[1]]\noutput_padding: 1\n").contains("output_padding [1, 1] must be smaller than the stride or the dilation"))
    }

    @Test("same with stride 2 is refused with the explicit padding to use instead")
    func sameStride() {
        let m = message("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1, 1], [1, 1]]\npadding: same\nstride: 2\n")
        #expect(m.hasPrefix("t.yaml:4:10: padding: same is only defined for stride 1"))
        #expect(m.contains("[0, 1, 0, 1] as [top, bottom, left, right]"))
    }

    @Test("kernel larger than the padded input")
    func kernelTooLarge() {
        #expect(message("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]\n")
            == "t.yaml:3:9: kernel: the kernel 3×3 is larger than the padded input 2×2 (input 2×2, padding top 0, bottom 0, left 0, right 0) (a kernel of at most 2×2 cells (after dilation), or more padding)")
        // Dilation 2 makes a 2×2 kernel cover 3×3 cells.
        #expect(message("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1, 1], [1, 1]]\ndilation: 2\n").contains("the kernel 2×2 (dilated to 3×3) is larger than the padded input 2×2"))
        #expect(message("op: max_pool2d\ninput: [1, 2]\nkernel_size: 3\n").contains("kernel_size:"))
        // With padding 1 the same 3×3 kernel fits: no error.
        #expect((try? parse("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]\npadding: 1\n")) != nil)
    }

    @Test("channel mismatch between input and kernel, weight and features")
    func channelMismatch() {
        #expect(message("op: conv2d\ninput: [[[1, 2], [3, 4]], [[1, 2], [3, 4]], [[1, 2], [3, 4]]]\nkernel: [[[1]], [[1]]]\n")
            == "t.yaml:3:9: kernel: channel mismatch: the kernel (C×Fh×Fw = 2×1×1) has 2 channels but its input has 3 (input 1×3×2×2) (a kernel of shape 3×1×1 or K×3×1×1)")
        #expect(message("op: conv2d\ninput: [[[1, 2]], [[3, 4]]]\nkernel: [[1]]\n").contains("channel mismatch: a 2-D kernel has 1 channel but its input has 2"))
        #expect(message("op: network\ninput: [[[1, 2], [3, 4]]]\nlayers:\n  - {op: flatten}\n  - {op: linear, weight: [[1, 2, 3]]}\n")
            .contains("t.yaml:5:26: layers[1].weight: the weight is out×in = 1×3 but the input has 4 features (a weight of shape out×4)"))
        #expect(message("op: network\ninput: [[[1, 2], [3, 4]]]\nlayers:\n  - {op: relu}\n  - {op: linear, weight: [[1, 2, 3, 4]]}\n")
            .contains("layers[1]: linear needs N×F features but its input is N×C×H×W = 1×1×2×2 (add {op: flatten} before it)"))
        #expect(message("op: conv_transpose2d\ninput: [[1]]\nweight: [[[[1]]], [[[1]]]]\n").contains("channel mismatch: the weight"))
    }

    @Test("tensors too large for memory are refused before allocating, with the element count")
    func tooLarge() {
        let base = "op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\n"
        #expect(message(base + "padding: 100000\n")
            == "t.yaml:4:10: padding: the padded input would be 1×1×200002×200002 = 40000800004 elements, which does not fit in memory (at most 67108864 elements (512 MiB of Double) per tensor; use a smaller size, padding or stride, or raise the limit with --max-elements)")
        #expect(message(base + "padding: 9223372036854775807\n").contains("t.yaml:4:10: padding: padding must be at most 1048576 (2^20, the largest size convtrace computes with), got 9223372036854775807"))
        #expect(message("op: conv_transpose2d\ninput: [[1, 2], [3, 4]]\nweight: [[1]]\nstride: 100000\n")
            .contains("stride: the output of conv_transpose2d would be 1×1×100001×100001 = 10000200001 elements"))
        #expect(message("op: max_pool2d\ninput: [1, 2]\nkernel_size: 99999999999999999999999\n").contains("kernel_size: \"99999999999999999999999\" is not an integer"))
    }

    @Test("empty file, a mapping-less document, missing keys")
    func emptyAndMissing() {
        #expect(message("") == "t.yaml: is empty (a YAML or JSON mapping with at least 'op' and 'input'; see docs/spec-format.md)")
        #expect(message("# only a comment\n").contains("t.yaml: is empty"))
        #expect(message("- 1\n- 2\n").contains("t.yaml:1:1: expected a mapping"))
        #expect(message("input: [1, 2, 3]\n").hasPrefix("t.yaml:1:1: missing required key 'op'"))
        #expect(message("op: conv2d\ninput: [1, 2, 3]\n") == "t.yaml:1:1: missing required key 'kernel' for conv2d (the kernel: F, Fh×Fw, C×Fh×Fw or K×C×Fh×Fw)")
        #expect(message("op: relu\n").contains("missing required key 'input' for relu"))
        #expect(message("op: network\ninput: [1]\nlayers:\n  - {op: max_pool2d}\n").contains("t.yaml:4:5: layers[0]: missing required key 'kernel_size' for max_pool2d"))
        #expect(message("op: network\ninput: [1]\nlayers: []\n").contains("layers: is empty (at least one layer)"))
        #expect(message("op: relu\ninput: []\n").contains("input: is an empty list"))
    }

    @Test("YAML syntax errors carry Yams' line and column")
    func yamlSyntax() {
        let e = specError("op: conv2d\ninput: [1, 2\nkernel: [1]\n")
        #expect(e?.line == 3 && e?.column == 7)
        #expect(e?.description.contains("YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 8)") == true)
        #expect(message("op: relu\n  input: [1]\n").contains("t.yaml:2:8: YAML syntax error: mapping values are not allowed in this context"))
        #expect(message("op: relu\ninput: [1]\ninput: [2]\n").contains("duplicate key 'input'"))
    }

    @Test("wrong types list the valid values")
    func wrongTypes() {
        #expect(message("op: conv2d\ninput: [[1]]\nkernel: [[1]]\npadding: sometimes\n")
            == "t.yaml:4:10: padding: 'sometimes' is not a padding (an int ≥ 0, [ph, pw], [top, bottom, left, right], or one of valid, same, full (at most 1048576 cells))")
        #expect(message("op: conv2d\ninput: [[1]]\nkernel: [[1]]\npadding: sane\n").contains("did you mean 'same'?"))
        #expect(message("op: conv2d\ninput: [[1]]\nkernel: [[1]]\npadding_mode: reflekt\n").contains("unknown padding_mode 'reflekt'; did you mean 'reflect'? (zeros, reflect, replicate, circular)"))
        #expect(message("op: conv2d\ninput: [[1]]\nkernel: [[1]]\nflip: maybe\n").contains("flip: \"maybe\" is not a boolean (true or false)"))
        #expect(message("op: relu\ninput: 3\n").contains("input: got the single number 3, expected a nested list (W, H×W, C×H×W or N×C×H×W)"))
        #expect(message("op: relu\ninput: [[[[[1]]]]]\n").contains("nests deeper than 4 levels"))
        #expect(message("op: network\ninput: [1]\nlayers: {op: relu}\n").contains("layers: expected a list of layers"))
        #expect(message("op: [conv2d]\ninput: [1]\n").contains("op: expected an op name, got a list"))
    }

    @Test("biases, targets and grad_output must match the shapes they belong to")
    func shapeMatches() {
        #expect(message("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\nbias: [1, 2]\n").contains("bias: has 2 values but there is 1 filter"))
        #expect(message("op: softmax_cross_entropy\ninput: [1, 2, 3]\ntarget: 3\n").contains("target: 3 is not a class index for 3 classes (an integer from 0 to 2)"))
        #expect(message("op: softmax_cross_entropy\ninput: [[1, 2], [3, 4]]\ntarget: [0, 1.5]\n").contains("target[1]: 1.5 is not a class index"))
        #expect(message("op: softmax_cross_entropy\ninput: [[1, 2], [3, 4]]\ntarget: 1\n").contains("has 1 class index but the batch has N = 2"))
        #expect(message("op: mse\ninput: [1, 2]\ntarget: [1, 2, 3]\n").contains("target: has shape 3 but the prediction has shape 2"))
        #expect(message("op: bce\ninput: [0.5]\ntarget: [2]\n").contains("bce targets are probabilities"))
        #expect(message("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\ngrad_output: [1, 2]\n").contains("grad_output: has shape 2 but the output has shape 2×2 (a dY of shape 2×2)"))
        #expect(message("op: mse\ninput: [1]\ntarget: [1]\ngrad_output: [1]\n").contains("grad_output: is not used: a loss runs backward from the loss"))
        #expect(message("op: network\ninput: [1]\nlayers:\n  - {op: mse, target: [1]}\n  - {op: relu}\n").contains("layers[0]: the loss mse must be the last layer, but 1 layer follows it"))
        #expect(message("op: conv2d\ninput: [[1, 2], [3, 4]]\nkernel: [[1]]\npadding_mode: reflect\npadding: 2\n").contains("padding_mode: padding_mode reflect needs each padding to be smaller than the input height (2)"))
    }

    @Test("engine refusals surface with the file name prefixed")
    func engineErrors() throws {
        let p = try parse("op: bce\ninput: [0.5, 1.5]\ntarget: [0, 1]\n")
        #expect(throws: SpecError.self) { try p.run() }
        do {
            _ = try p.run()
        } catch {
            #expect(error.file == "t.yaml")
            #expect(error.description.hasPrefix("t.yaml: "))
            #expect(error.description.contains("[0, 1]"))
        }
    }

    @Test("files: a missing file, a directory, stdin's name")
    func files() {
        #expect(throws: SpecError(file: "/nonexistent/x.yaml", path: "", problem: "no such file", valid: "a path to a YAML or JSON spec, or - for stdin")) {
            try SpecDocument.load(path: "/nonexistent/x.yaml")
        }
        #expect(throws: SpecError.self) { try SpecDocument.load(path: "/tmp") }
    }

    @Test("edit distance and suggestions")
    func suggestions() {
        #expect(OpCatalog.editDistance("kernal", "kernel") == 1)
        #expect(OpCatalog.editDistance("", "abc") == 3)
        #expect(OpCatalog.editDistance("conv2d", "conv2d") == 0)
        #expect(OpCatalog.suggestions(for: "maxpool2d", among: OpCatalog.allOps) == ["max_pool2d"])
        #expect(OpCatalog.suggestions(for: "zzzzzz", among: OpCatalog.allOps).isEmpty)
    }
}
