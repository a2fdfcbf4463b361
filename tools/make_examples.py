#!/usr/bin/env python3
# tools — writes the worked network specs under examples/ with small deterministic weights (standard library only).
"""Regenerate examples/cnn-basics-backprop.yaml and examples/lenet5.yaml.

The numbers come from a fixed integer recurrence (no randomness, no floating-point maths before
the final rounding), so every run writes byte-identical files. PyTorch fixtures read these files:
do not change the formulas without re-recording the fixtures.

    python3 tools/make_examples.py          # writes into examples/
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "examples")


class Stream:
    """A deterministic stream of small integers in [-m, m] from a linear congruential recurrence."""

    def __init__(self, seed):
        self.state = seed

    def next(self, m):
        self.state = (self.state * 1103515245 + 12345) % (1 << 31)
        return (self.state >> 8) % (2 * m + 1) - m


def fmt(v):
    """Shortest exact decimal for a value that is an integer count of thousandths."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def values(stream, count, m, step):
    # integer in [-m, m] times step (step a decimal like 0.01): exact short decimals
    return [fmt(stream.next(m) * step) for _ in range(count)]


def dyadic(v):
    """Exact decimal of a dyadic rational (an integer over a power of two): Python's repr is exact for it."""
    s = repr(float(v))
    s = s[:-2] if s.endswith(".0") else s
    return "0" if s in ("-0", "") else s


def dyadic_values(stream, count, m, denominator):
    # integer in [-m, m] over a power of two: every product and sum of such values is exact in float64,
    # so the conv sums do not depend on the order of summation and a tie is a tie for every engine.
    return [dyadic(stream.next(m) / denominator) for _ in range(count)]


def nest(flat, shape):
    """Nested YAML flow list text for `flat` (strings) with `shape`."""
    if len(shape) == 1:
        return "[" + ", ".join(flat) + "]"
    size = len(flat) // shape[0]
    return "[" + ", ".join(nest(flat[i * size:(i + 1) * size], shape[1:]) for i in range(shape[0])) + "]"


def image(h, w, channels=1):
    """A smooth deterministic picture in [0, 1]: a bright diagonal bar and a dim ring, two decimals."""
    flat = []
    for c in range(channels):
        for y in range(h):
            for x in range(w):
                bar = max(0, 4 - abs((x - y) + c)) / 4
                ring = 1 if abs((x - w / 2) ** 2 + (y - h / 2) ** 2 - (h / 3) ** 2) < h else 0
                v = min(1.0, bar + 0.5 * ring)
                flat.append(fmt(round(v * 100) / 100))
    return flat


def conv_layer(stream, k, c, f, m, step, extra="", denominator=None):
    if denominator:
        kernel = nest(dyadic_values(stream, k * c * f * f, m, denominator), [k, c, f, f])
        bias = nest(dyadic_values(stream, k, 5, 64), [k])
        return f"  - op: conv2d{extra}\n    kernel: {kernel}\n    bias: {bias}\n"
    kernel = nest(values(stream, k * c * f * f, m, step), [k, c, f, f])
    bias = nest(values(stream, k, 5, 0.01), [k])
    return f"  - op: conv2d{extra}\n    kernel: {kernel}\n    bias: {bias}\n"


def linear_layer(stream, out, inp, m, step, denominator=None):
    if denominator:
        weight = nest(dyadic_values(stream, out * inp, m, denominator), [out, inp])
        bias = nest(dyadic_values(stream, out, 5, 64), [out])
        return f"  - op: linear\n    weight: {weight}\n    bias: {bias}\n"
    weight = nest(values(stream, out * inp, m, step), [out, inp])
    bias = nest(values(stream, out, 5, 0.01), [out])
    return f"  - op: linear\n    weight: {weight}\n    bias: {bias}\n"


def write(name, text):
    path = os.path.join(OUT, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    print(f"wrote {path} ({len(text)} bytes)")


def cnn_basics():
    s = Stream(2022)
    text = (
        "# The example network of tutorials/cnn-basics-backprop.md (\"Example CNN Network\"), at its sizes:\n"
        "# 32×32×1 grayscale image → conv 2@3×3, stride 1, no padding (30×30×2) → relu\n"
        "# → max pool 2×2 (15×15×2) → conv 4@3×3×2, stride 1, padding 1 (15×15×4) → relu → flatten (900)\n"
        "# → linear 900→10 → softmax cross-entropy loss.\n"
        "#\n"
        "# Where the tutorial contradicts itself we keep its stated SIZES:\n"
        "# - first pool: the tutorial says \"2x2 window size, stride = 1\" but 15×15 needs stride 2\n"
        "#   (stride 1 would give 29×29), so the pool uses stride 2 (the default, = kernel_size).\n"
        "# - second conv: the tutorial says \"padding of 2 (so input and output layer size are the same)\";\n"
        "#   with a 3×3 kernel the same size needs padding 1 (padding 2 would give 17×17), so padding: 1.\n"
        "# - the tutorial flattens 15×15×4 → 900, so no second pooling layer runs before flatten.\n"
        "# - the fully connected layer's size is not given; we use 10 classes and a softmax cross-entropy\n"
        "#   loss with target class 3, so that `convtrace eval` runs the whole backward pass.\n"
        "# Weights: small deterministic values from tools/make_examples.py (do not edit by hand:\n"
        "# the PyTorch fixtures are recorded from this file). The input is in quarters and every weight\n"
        "# and bias is an integer over a power of two, so every sum up to the loss is exact in float64:\n"
        "# a max-pool tie is a true tie for any summation order, and its gradient goes to the first\n"
        "# maximum in PyTorch and in convtrace alike.\n"
        "title: The example CNN of cnn-basics-backprop.md\n"
        "op: network\n"
        f"input: {nest(image(32, 32), [1, 1, 32, 32])}\n"
        "layers:\n"
    )
    text += conv_layer(s, 2, 1, 3, 9, None, denominator=16)
    text += "  - op: relu\n"
    text += "  - op: max_pool2d\n    kernel_size: 2\n"
    text += conv_layer(s, 4, 2, 3, 9, None, extra="\n    padding: 1", denominator=32)
    text += "  - op: relu\n"
    text += "  - op: flatten\n"
    text += linear_layer(s, 10, 900, 9, None, denominator=256)
    text += "  - op: softmax_cross_entropy\n    target: 3\n"
    write("cnn-basics-backprop.yaml", text)


def lenet5():
    s = Stream(1998)
    text = (
        "# LeNet-5 as in tutorials/theory-conv-nets.md: a 32×32×1 input,\n"
        "# conv 6@5×5 → tanh → avg pool 2 → conv 16@5×5 → tanh → avg pool 2 → flatten (16·5·5 = 400)\n"
        "# → linear 400→120 → tanh → linear 120→84 → tanh → linear 84→10 → softmax cross-entropy (target 7).\n"
        "# (The tutorial's third conv, 16→120 with a 5×5 kernel on a 5×5 map, is the same map as the\n"
        "# linear 400→120 layer used here.)\n"
        "# Weights: small deterministic values from tools/make_examples.py (do not edit by hand:\n"
        "# the PyTorch fixtures are recorded from this file).\n"
        "title: LeNet-5\n"
        "op: network\n"
        f"input: {nest(image(32, 32), [1, 1, 32, 32])}\n"
        "layers:\n"
    )
    text += conv_layer(s, 6, 1, 5, 9, 0.02)
    text += "  - op: tanh\n"
    text += "  - op: avg_pool2d\n    kernel_size: 2\n"
    text += conv_layer(s, 16, 6, 5, 9, 0.01)
    text += "  - op: tanh\n"
    text += "  - op: avg_pool2d\n    kernel_size: 2\n"
    text += "  - op: flatten\n"
    text += linear_layer(s, 120, 400, 9, 0.005)
    text += "  - op: tanh\n"
    text += linear_layer(s, 84, 120, 9, 0.01)
    text += "  - op: tanh\n"
    text += linear_layer(s, 10, 84, 9, 0.01)
    text += "  - op: softmax_cross_entropy\n    target: 7\n"
    write("lenet5.yaml", text)


def conv_basic():
    text = (
        "# A first conv2d: a 3×3 image, one 2×2 kernel, stride 1, no padding → a 2×2 output.\n"
        "# Each output cell is the sum of the 2×2 window times the kernel, plus the bias:\n"
        "#   out[0][0] = 1·1 + 2·0 + 4·0 + 5·(−1) + 0.5 = −3.5\n"
        "title: A first convolution\n"
        "op: conv2d\n"
        "input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\n"
        "kernel: [[1, 0], [0, -1]]\n"
        "bias: 0.5\n"
        "stride: 1\n"
        "padding: 0\n"
        "grad_output: [[1, 1], [1, 1]]\n"
        "expect:\n"
        "  output: [[-3.5, -3.5], [-3.5, -3.5]]\n"
    )
    write("conv-basic.yaml", text)


def small_examples():
    write("conv-1d-full.yaml", (
        "# The 1-D padding example of tutorials/cnn-basics-backprop.md: [1, 2, 3] with the kernel [1, 1, 1].\n"
        "# full pads d·(F−1) = 2 zeros on each side: [0, 0, 1, 2, 3, 0, 0] → [1, 3, 6, 5, 3].\n"
        "# (valid gives [6]; same gives [3, 6, 5].)\n"
        "title: valid, same and full padding in 1-D\n"
        "op: conv2d\n"
        "input: [1, 2, 3]\n"
        "kernel: [1, 1, 1]\n"
        "padding: full\n"
        "expect:\n"
        "  output: [1, 3, 6, 5, 3]\n"
    ))
    write("max-pool.yaml", (
        "# The max-pooling example of tutorials/cnn-basics-backprop.md: a 2×2 window with stride 2.\n"
        "# Backward: each dY goes to the maximum of its window (ties: the first in row-major order).\n"
        "title: 2×2 max pooling\n"
        "op: max_pool2d\n"
        "input: [[1, 3, 2, 4], [5, 6, 7, 8], [9, 2, 3, 1], [4, 0, 1, 5]]\n"
        "kernel_size: 2\n"
        "grad_output: [[1, 2], [3, 4]]\n"
        "expect:\n"
        "  output: [[6, 8], [9, 5]]\n"
    ))
    write("conv-stride-padding.yaml", (
        "# The 5×5×3 input with K = 2 filters of 3×3×3, stride 2, padding 1 (the output-size example of\n"
        "# tutorials/convolutional-neural-networks.md): (5 − 3 + 2·1)/2 + 1 = 3, so the output is 2×3×3\n"
        "# (K×Ho×Wo). The tutorial prints D2 = K = 3; with K = 2 filters the depth is 2. The tutorial's\n"
        "# numbers are in an animation, so the input and filter values here are our own small integers.\n"
        "title: Stride 2, padding 1, two filters\n"
        "op: conv2d\n"
        "input: [[[0, 1, 2, 0, 1], [2, 2, 0, 0, 1], [1, 0, 0, 2, 1], [0, 1, 1, 0, 2], [2, 1, 0, 1, 0]],\n"
        "        [[1, 0, 2, 2, 0], [0, 1, 0, 1, 2], [2, 2, 1, 0, 0], [1, 1, 0, 2, 1], [0, 2, 1, 1, 0]],\n"
        "        [[2, 1, 0, 1, 1], [1, 0, 2, 0, 2], [0, 1, 1, 2, 0], [2, 0, 1, 1, 1], [1, 2, 0, 0, 2]]]\n"
        "kernel: [[[[1, 0, -1], [0, 1, 0], [-1, 0, 1]], [[0, 1, 0], [1, -1, 1], [0, 1, 0]], [[1, 1, 0], [0, -1, 0], [0, 1, -1]]],\n"
        "         [[[0, -1, 1], [1, 0, -1], [1, 1, 0]], [[-1, 0, 0], [0, 1, 1], [1, 0, -1]], [[0, 0, 1], [1, 1, 0], [-1, 0, 0]]]]\n"
        "bias: [1, 0]\n"
        "stride: 2\n"
        "padding: 1\n"
    ))
    write("conv-transpose.yaml", (
        "# Transposed convolution: every input cell scatters input·weight into a 2× larger output.\n"
        "# Ho = (H − 1)·s − 2p + d·(F − 1) + output_padding + 1 = (2 − 1)·2 − 0 + 2 + 0 + 1 = 5.\n"
        "title: A transposed convolution with stride 2\n"
        "op: conv_transpose2d\n"
        "input: [[1, 2], [3, 4]]\n"
        "weight: [[1, 0, 1], [0, 1, 0], [1, 0, 1]]\n"
        "stride: 2\n"
        "grad_output: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]\n"
    ))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    small_examples()
    conv_basic()
    cnn_basics()
    lenet5()
