#!/usr/bin/env python3
# tools — records PyTorch float64 reference cases (outputs and every gradient) into Tests/EngineTests/Fixtures/*.json.
"""Regenerate the PyTorch conformance fixtures for the Swift engine tests.

Run through tools/pytorch-fixtures/run.sh (or `make fixtures`), which creates tools/.venv and installs
CPU PyTorch and PyYAML into it. CI never runs this: the JSON files it writes are committed.

Every case is float64 and deterministic (a fixed seed per case, small integers or rounded normals), and
is written with its parameters resolved in the engine's terms (Sources/Engine/Parameters.swift):
stride [y, x], conv padding [top, bottom, left, right], transposed-conv / pool padding [y, x],
padding_mode, dilation [y, x], flip, output_padding [y, x], kernel_size [y, x], ceil_mode,
count_include_pad, slope, with_logits.

Tensors are {"shape": [...], "data": [...]} (row-major, shortest round-trip decimals), or, for large
ones, {"shape": [...], "f64le": "<base64 of little-endian float64>"} to keep the files small.
Output files are written atomically (temp + rename) and are byte-identical from run to run.
"""
import base64
import json
import os
import struct
import sys

import warnings

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import yaml  # noqa: E402

torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "Tests", "EngineTests", "Fixtures")
EXAMPLES = os.path.join(ROOT, "examples")

# Tensors with more elements than this are stored as base64 float64 when that is shorter than the
# decimals (full-precision gradients: ~11 characters a value instead of ~20; short weights stay decimal).
BINARY_THRESHOLD = 2000


# ---------------------------------------------------------------------------------------------- helpers

def enc(t):
    """A tensor as JSON: shape plus row-major data."""
    t = t.detach().to(torch.float64).contiguous()
    shape = list(t.shape)
    flat = t.flatten().tolist()
    data = [v + 0.0 for v in flat]  # + 0.0 turns -0.0 into 0.0
    if len(flat) > BINARY_THRESHOLD:
        raw = struct.pack("<%dd" % len(flat), *flat)
        packed = base64.b64encode(raw).decode("ascii")
        if len(packed) < len(json.dumps(data, separators=(",", ":"))):
            return {"shape": shape, "f64le": packed}
    return {"shape": shape, "data": data}


class Values:
    """Deterministic small test values from a seeded generator."""

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def ints(self, *shape, lo=-3, hi=3):
        return torch.randint(lo, hi + 1, shape, generator=self.g).to(torch.float64)

    def normal(self, *shape, digits=3):
        v = torch.randn(*shape, generator=self.g)
        return torch.round(v * 10 ** digits) / 10 ** digits

    def uniform(self, *shape, lo=0.05, hi=0.95, digits=3):
        v = torch.rand(*shape, generator=self.g) * (hi - lo) + lo
        return torch.round(v * 10 ** digits) / 10 ** digits


def leaf(t):
    return t.clone().detach().requires_grad_(True)


def pair(v):
    return [v, v] if isinstance(v, int) else list(v)


def write(name, op, cases):
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), f"duplicate case names in {name}"
    doc = {
        "generator": "tools/pytorch-fixtures/make_fixtures.py",
        "torch": torch.__version__.split("+")[0],
        "dtype": "float64",
        "op": op,
        "cases": cases,
    }
    path = os.path.join(OUT, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)
    print(f"wrote {os.path.relpath(path, ROOT)}: {len(cases)} cases, {os.path.getsize(path)} bytes")


# ---------------------------------------------------------------------------------------------- conv2d

def conv_case(name, x, k, b=None, stride=1, padding=(0, 0, 0, 0), mode="zeros", dilation=1, flip=False,
              padding_spec=None, gy=None, seed=0, groups=1):
    """conv2d with padding done by F.pad (so asymmetric padding and every mode are exact PyTorch)."""
    stride, dilation = pair(stride), pair(dilation)
    top, bottom, left, right = padding
    X, K = leaf(x), leaf(k)
    B = leaf(b) if b is not None else None
    kk = torch.flip(K, [2, 3]) if flip else K
    if mode == "zeros":
        xp = F.pad(X, (left, right, top, bottom))
    else:
        xp = F.pad(X, (left, right, top, bottom), mode=mode)
    y = F.conv2d(xp, kk, B, stride=stride, dilation=dilation, groups=groups)
    if gy is None:
        gy = Values(seed + 1000).ints(*y.shape)
    y.backward(gy)
    case = {
        "name": name,
        "op": "conv2d",
        "params": {
            "stride": stride, "padding": list(padding), "padding_mode": mode,
            "dilation": dilation, "flip": flip,
        },
        "input": enc(X), "kernel": enc(K), "grad_output": enc(gy),
        "output": enc(y), "grad_input": enc(X.grad), "grad_kernel": enc(K.grad),
    }
    if padding_spec:
        case["params"]["padding_spec"] = padding_spec
    if groups != 1:
        case["params"]["groups"] = groups
    if B is not None:
        case["bias"] = enc(B)
        case["grad_bias"] = enc(B.grad)
    return case


def same_padding(kh, kw, dy=1, dx=1):
    th, tw = dy * (kh - 1), dx * (kw - 1)
    return (th // 2, th - th // 2, tw // 2, tw - tw // 2)


def full_padding(kh, kw, dy=1, dx=1):
    return (dy * (kh - 1), dy * (kh - 1), dx * (kw - 1), dx * (kw - 1))


def conv2d_cases():
    cs = []
    v = Values(1)
    # The tutorial's 1-D examples (cnn-basics-backprop.md, Padding), as 1×1×1×W.
    sig = torch.tensor([[[[1.0, 2, 3]]]])
    ones3 = torch.ones(1, 1, 1, 3)
    cs.append(conv_case("tutorial_1d_valid", sig, ones3, gy=torch.ones(1, 1, 1, 1)))
    cs.append(conv_case("tutorial_1d_same", sig, ones3, padding=same_padding(1, 3), padding_spec="same",
                        gy=torch.ones(1, 1, 1, 3)))
    cs.append(conv_case("tutorial_1d_full", sig, ones3, padding=full_padding(1, 3), padding_spec="full",
                        gy=torch.ones(1, 1, 1, 5)))
    # A first convolution (examples/conv-basic.yaml).
    cs.append(conv_case("basic_3x3_k2x2_bias", torch.arange(1.0, 10).reshape(1, 1, 3, 3),
                        torch.tensor([[[[1.0, 0], [0, -1]]]]), torch.tensor([0.5]), gy=torch.ones(1, 1, 2, 2)))
    # Integer-valued single-channel cases over strides and symmetric paddings.
    for i, (s, p) in enumerate([((1, 1), 1), ((2, 2), 0), ((2, 2), 1), ((3, 3), 2), ((2, 1), 1), ((1, 3), 0)]):
        cs.append(conv_case(f"stride{s[0]}x{s[1]}_pad{p}", v.ints(1, 1, 7, 8), v.ints(1, 1, 3, 3), v.ints(1),
                            stride=s, padding=(p, p, p, p), seed=10 + i))
    # The CS231n-style example of convolutional-neural-networks.md: 5×5×3, K=2, F=3, S=2, P=1, batch 2.
    cs.append(conv_case("cs231n_5x5x3_k2_f3_s2_p1", v.ints(2, 3, 5, 5, lo=0, hi=2), v.ints(2, 3, 3, 3, lo=-1, hi=1),
                        torch.tensor([1.0, 0.0]), stride=2, padding=(1, 1, 1, 1), seed=20))
    # Several channels, filters and a batch, random values; stride that does not divide exactly (floor).
    cs.append(conv_case("batch3_c2_k4_stride2_floor", v.normal(3, 2, 6, 7), v.normal(4, 2, 3, 3), v.normal(4),
                        stride=2, padding=(0, 0, 0, 0), gy=v.normal(3, 4, 2, 3)))
    cs.append(conv_case("no_bias_c3_k2", v.normal(1, 3, 5, 5), v.normal(2, 3, 2, 2), None, padding=(1, 1, 1, 1),
                        gy=v.normal(1, 2, 6, 6)))
    # Rectangular kernels.
    cs.append(conv_case("rect_kernel_2x3_stride2x1_pad1x0", v.ints(1, 2, 6, 5), v.ints(3, 2, 2, 3), v.ints(3),
                        stride=(2, 1), padding=(1, 1, 0, 0), seed=30))
    cs.append(conv_case("rect_kernel_1x4", v.ints(2, 1, 4, 7), v.ints(2, 1, 1, 4), v.ints(2), seed=31))
    cs.append(conv_case("stride_larger_than_kernel", v.ints(1, 1, 8, 8), v.ints(1, 1, 2, 2), None, stride=3,
                        seed=32))
    # Asymmetric padding (F.pad then conv).
    cs.append(conv_case("asym_pad_t0_b1_l2_r0", v.ints(1, 2, 4, 5), v.ints(2, 2, 3, 3), v.ints(2),
                        padding=(0, 1, 2, 0), seed=40))
    cs.append(conv_case("asym_pad_t2_b0_l1_r3_stride2", v.normal(2, 1, 5, 5), v.normal(1, 1, 3, 2), v.normal(1),
                        stride=2, padding=(2, 0, 1, 3), seed=41))
    # Padding modes, symmetric and asymmetric, with stride and dilation.
    for mi, mode in enumerate(["reflect", "replicate", "circular"]):
        cs.append(conv_case(f"{mode}_pad1", v.ints(1, 1, 4, 5), v.ints(1, 1, 3, 3), v.ints(1),
                            padding=(1, 1, 1, 1), mode=mode, seed=50 + mi))
        cs.append(conv_case(f"{mode}_pad2_c2_k2", v.normal(1, 2, 5, 4), v.normal(2, 2, 3, 3), v.normal(2),
                            padding=(2, 2, 2, 2), mode=mode, seed=60 + mi))
        cs.append(conv_case(f"{mode}_asym_t1_b2_l0_r1_stride2", v.ints(2, 1, 5, 6), v.ints(1, 1, 3, 2), None,
                            stride=2, padding=(1, 2, 0, 1), mode=mode, seed=70 + mi))
        cs.append(conv_case(f"{mode}_dilation2_pad2", v.ints(1, 1, 6, 6), v.ints(1, 1, 3, 3), v.ints(1),
                            padding=(2, 2, 2, 2), mode=mode, dilation=2, seed=80 + mi))
    # Dilation with zeros.
    cs.append(conv_case("dilation2", v.ints(1, 1, 7, 7), v.ints(1, 1, 3, 3), v.ints(1), dilation=2, seed=90))
    cs.append(conv_case("dilation2x1_pad2x1_stride2", v.normal(2, 2, 7, 6), v.normal(3, 2, 3, 3), v.normal(3),
                        stride=2, dilation=(2, 1), padding=(2, 2, 1, 1), seed=91))
    # flip: true convolution = cross-correlation with torch.flip(kernel, [2, 3]).
    cs.append(conv_case("flip_basic", torch.arange(1.0, 10).reshape(1, 1, 3, 3), torch.tensor([[[[1.0, 2], [3, 4]]]]),
                        None, flip=True, gy=torch.ones(1, 1, 2, 2)))
    cs.append(conv_case("flip_full_impulse", torch.tensor([[[[1.0]]]]), torch.tensor([[[[1.0, 2], [3, 4]]]]), None,
                        flip=True, padding=full_padding(2, 2), padding_spec="full", gy=torch.ones(1, 1, 2, 2)))
    cs.append(conv_case("flip_stride2_pad1_c2_k2", v.ints(1, 2, 5, 5), v.ints(2, 2, 3, 2), v.ints(2), flip=True,
                        stride=2, padding=(1, 1, 1, 1), seed=100))
    cs.append(conv_case("flip_reflect_dilation2", v.normal(1, 1, 6, 6), v.normal(1, 1, 2, 3), v.normal(1), flip=True,
                        mode="reflect", padding=(1, 1, 2, 2), dilation=2, seed=101))
    # same and full (resolved paddings: same puts the extra row/column at the bottom/right).
    for kh, kw, d in [(3, 3, 1), (2, 2, 1), (4, 3, 1), (3, 3, 2), (2, 4, 1)]:
        cs.append(conv_case(f"same_k{kh}x{kw}_d{d}", v.ints(1, 2, 5, 6), v.ints(2, 2, kh, kw), v.ints(2),
                            padding=same_padding(kh, kw, d, d), dilation=d, padding_spec="same", seed=110 + kh * 10 + kw))
    for kh, kw, d in [(3, 3, 1), (3, 2, 1), (2, 2, 2)]:
        cs.append(conv_case(f"full_k{kh}x{kw}_d{d}", v.ints(1, 1, 4, 4), v.ints(1, 1, kh, kw), v.ints(1),
                            padding=full_padding(kh, kw, d, d), dilation=d, padding_spec="full", seed=140 + kh * 10 + kw))
    cs.append(conv_case("same_reflect_k3", v.normal(1, 1, 4, 4), v.normal(1, 1, 3, 3), None, mode="reflect",
                        padding=same_padding(3, 3), padding_spec="same", seed=150))
    return cs


def grouped_conv_cases():
    """conv2d with groups (PyTorch's weight K×C/groups×Fh×Fw): grouped, depthwise, depthwise with a
    channel multiplier, and the 1×1 (pointwise) convolution of the lessons."""
    v = Values(14)
    return [
        conv_case("groups2_c4_k6_pad1_batch2", v.normal(2, 4, 5, 5), v.normal(6, 2, 3, 3), v.normal(6),
                  padding=(1, 1, 1, 1), groups=2, gy=v.normal(2, 6, 5, 5)),
        conv_case("depthwise_c3_stride2", v.ints(1, 3, 6, 6), v.ints(3, 1, 3, 3), v.ints(3), stride=2, groups=3,
                  seed=200),
        conv_case("depthwise_multiplier2_c2_k4_dilation2_reflect", v.normal(2, 2, 6, 7), v.normal(4, 1, 2, 3),
                  v.normal(4), dilation=2, mode="reflect", padding=(1, 1, 2, 2), groups=2, gy=v.normal(2, 4, 6, 7)),
        conv_case("groups3_c6_k3_flip_asym_pad", v.ints(1, 6, 4, 5), v.ints(3, 2, 2, 3), None, flip=True,
                  padding=(0, 1, 1, 0), groups=3, seed=201),
        conv_case("groups4_c4_k4_1x1", v.normal(2, 4, 3, 3), v.normal(4, 1, 1, 1), v.normal(4), groups=4,
                  gy=v.normal(2, 4, 3, 3)),
        conv_case("pointwise_1x1_c3_k2", torch.tensor([[[[1.0, 2], [3, 4]], [[0.0, 1], [-1, 2]], [[2.0, 0], [1, 1]]]]),
                  torch.tensor([[[[1.0]], [[-1.0]], [[0.5]]], [[[0.0]], [[2.0]], [[1.0]]]]), torch.tensor([0.0, 1.0]),
                  gy=torch.ones(1, 2, 2, 2)),
    ]


def grouped_networks():
    """A depthwise-separable block: depthwise 3×3 (groups = C), pointwise 1×1, ReLU, then a loss."""
    v = Values(15)
    return [
        Net("depthwise_separable_relu_pool_linear_ce", v.normal(2, 3, 6, 6),
            [{"op": "conv2d", "kernel": v.normal(3, 1, 3, 3), "bias": v.normal(3), "padding": (1, 1, 1, 1), "groups": 3},
             {"op": "conv2d", "kernel": v.normal(4, 3, 1, 1), "bias": v.normal(4)},
             {"op": "relu"},
             {"op": "conv2d", "kernel": v.normal(4, 2, 2, 2), "bias": None, "stride": 2, "groups": 2},
             {"op": "global_avg_pool"},
             {"op": "flatten"},
             {"op": "linear", "weight": v.normal(3, 4), "bias": v.normal(3)}],
            loss={"op": "softmax_cross_entropy", "target": [0, 2]}),
    ]


def residual_networks():
    """Residual blocks (y = F(x) + x, F = conv-bn-relu-conv-bn as in ResNet), written flat: the block's
    layers, then {op: add, from: first layer of the block}."""
    v = Values(16)
    return [
        Net("resnet_basic_block_bn_relu_gap_linear_ce_batch2", v.normal(2, 2, 4, 4),
            [{"op": "conv2d", "kernel": v.normal(2, 2, 3, 3), "bias": None, "padding": (1, 1, 1, 1)},
             {"op": "batch_norm2d", "weight": v.normal(2), "bias": v.normal(2)},
             {"op": "relu"},
             {"op": "conv2d", "kernel": v.normal(2, 2, 3, 3), "bias": None, "padding": (1, 1, 1, 1)},
             {"op": "batch_norm2d", "weight": v.normal(2), "bias": v.normal(2)},
             {"op": "add", "from": 0},
             {"op": "relu"},
             {"op": "global_avg_pool"},
             {"op": "flatten"},
             {"op": "linear", "weight": v.normal(3, 2), "bias": v.normal(3)}],
            loss={"op": "softmax_cross_entropy", "target": [2, 0]}),
        Net("stem_then_two_blocks_mse", v.normal(1, 1, 5, 5),
            [{"op": "conv2d", "kernel": v.normal(3, 1, 3, 3), "bias": v.normal(3), "padding": (1, 1, 1, 1)},
             {"op": "conv2d", "kernel": v.normal(3, 3, 1, 1), "bias": v.normal(3)},
             {"op": "batch_norm2d", "eps": 1e-3, "momentum": 0.3},
             {"op": "add", "from": 1},
             {"op": "tanh"},
             {"op": "conv2d", "kernel": v.normal(3, 1, 3, 3), "bias": None, "padding": (1, 1, 1, 1), "groups": 3},
             {"op": "add", "from": 5},
             {"op": "max_pool2d", "kernel_size": 2}],
            loss={"op": "mse", "target": v.normal(1, 3, 2, 2)}),
        Net("downsampling_block_projection_stride2_bn_ce_batch2", v.normal(2, 2, 5, 5),
            [{"op": "conv2d", "kernel": v.normal(4, 2, 3, 3), "bias": None, "stride": 2, "padding": (1, 1, 1, 1)},
             {"op": "batch_norm2d", "weight": v.normal(4), "bias": v.normal(4)},
             {"op": "relu"},
             {"op": "conv2d", "kernel": v.normal(4, 4, 3, 3), "bias": None, "padding": (1, 1, 1, 1)},
             {"op": "batch_norm2d"},
             {"op": "add", "from": 0, "kernel": v.normal(4, 2, 1, 1), "bias": v.normal(4), "stride": 2},
             {"op": "relu"},
             {"op": "global_avg_pool"},
             {"op": "flatten"},
             {"op": "linear", "weight": v.normal(3, 4), "bias": None}],
            loss={"op": "softmax_cross_entropy", "target": [1, 2]}),
    ]


# ---------------------------------------------------------------------------------------------- conv_transpose2d

def convt_case(name, x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, gy=None, seed=0):
    stride, padding, output_padding, dilation = pair(stride), pair(padding), pair(output_padding), pair(dilation)
    X, W = leaf(x), leaf(w)
    B = leaf(b) if b is not None else None
    y = F.conv_transpose2d(X, W, B, stride=stride, padding=padding, output_padding=output_padding,
                           dilation=dilation)
    if gy is None:
        gy = Values(seed + 2000).ints(*y.shape)
    y.backward(gy)
    case = {
        "name": name, "op": "conv_transpose2d",
        "params": {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation},
        "input": enc(X), "weight": enc(W), "grad_output": enc(gy),
        "output": enc(y), "grad_input": enc(X.grad), "grad_weight": enc(W.grad),
    }
    if B is not None:
        case["bias"] = enc(B)
        case["grad_bias"] = enc(B.grad)
    return case


def conv_transpose2d_cases():
    v = Values(2)
    cs = [
        convt_case("basic_2x2_k2", torch.tensor([[[[1.0, 2], [3, 4]]]]), torch.tensor([[[[1.0, 0], [0, -1]]]]),
                   torch.tensor([0.5]), gy=torch.ones(1, 1, 3, 3)),
        convt_case("stride2", v.ints(1, 1, 3, 3), v.ints(1, 1, 3, 3), v.ints(1), stride=2, seed=1),
        convt_case("stride2_pad1_outpad1", v.ints(1, 1, 3, 3), v.ints(1, 1, 3, 3), v.ints(1), stride=2, padding=1,
                   output_padding=1, seed=2),
        convt_case("dilation2", v.ints(1, 1, 3, 4), v.ints(1, 1, 2, 3), None, dilation=2, seed=3),
        convt_case("rect_stride2x1_pad1x0_outpad1x0", v.ints(1, 2, 3, 4), v.ints(2, 3, 3, 2), v.ints(3),
                   stride=(2, 1), padding=(1, 0), output_padding=(1, 0), seed=4),
        convt_case("batch2_cin2_cout3_stride3_pad1_outpad2", v.normal(2, 2, 3, 3), v.normal(2, 3, 4, 4), v.normal(3),
                   stride=3, padding=1, output_padding=2, seed=5),
        convt_case("stride2_dilation2_pad2_outpad1", v.normal(1, 1, 4, 3), v.normal(1, 2, 3, 3), v.normal(2),
                   stride=2, padding=2, dilation=2, output_padding=1, seed=6),
        convt_case("no_bias_cin3_cout1_pad1", v.ints(2, 3, 3, 3), v.ints(3, 1, 3, 3), None, padding=1, seed=7),
    ]
    return cs


# ---------------------------------------------------------------------------------------------- pooling

def pool_case(name, op, x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
              gy=None, seed=0):
    ks = pair(kernel_size)
    st = pair(stride) if stride is not None else ks
    pd = pair(padding)
    X = leaf(x)
    params = {"kernel_size": ks, "stride": st, "padding": pd, "ceil_mode": ceil_mode}
    if op == "max_pool2d":
        y = F.max_pool2d(X, ks, st, pd, ceil_mode=ceil_mode)
    elif op == "avg_pool2d":
        y = F.avg_pool2d(X, ks, st, pd, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
        params["count_include_pad"] = count_include_pad
    elif op == "global_max_pool":
        y = F.adaptive_max_pool2d(X, 1)
        params = {}
    elif op == "global_avg_pool":
        y = F.adaptive_avg_pool2d(X, 1)
        params = {}
    else:
        raise ValueError(op)
    if gy is None:
        gy = Values(seed + 3000).ints(*y.shape, lo=1, hi=5)
    y.backward(gy)
    return {"name": name, "op": op, "params": params, "input": enc(X), "grad_output": enc(gy),
            "output": enc(y), "grad_input": enc(X.grad)}


def pooling_cases():
    v = Values(3)
    tut = torch.tensor([[[[1.0, 3, 2, 4], [5, 6, 7, 8], [9, 2, 3, 1], [4, 0, 1, 5]]]])
    ties = torch.tensor([[[[1.0, 4, 4, 0, 2], [4, 2, 4, 4, 2], [0, 4, 1, 4, 4], [3, 3, 3, 3, 0], [3, 0, 3, 3, 1]]]])
    cs = [
        pool_case("tutorial_max_4x4_k2_s2", "max_pool2d", tut, 2, gy=torch.tensor([[[[1.0, 2], [3, 4]]]])),
        pool_case("tutorial_avg_4x4_k2_s2", "avg_pool2d", tut, 2, gy=torch.tensor([[[[1.0, 2], [3, 4]]]])),
        pool_case("max_ties_constant", "max_pool2d", torch.full((1, 1, 4, 4), 7.0), 2, seed=1),
        pool_case("max_ties_k2_s1_overlap", "max_pool2d", ties, 2, stride=1, seed=2),
        pool_case("max_ties_k3_s2", "max_pool2d", ties, 3, stride=2, seed=3),
        pool_case("max_ties_k2x3_s1x2", "max_pool2d", ties, (2, 3), stride=(1, 2), seed=4),
        pool_case("max_pad1_negative", "max_pool2d", -torch.abs(v.ints(1, 2, 4, 4)) - 1, 3, stride=2, padding=1, seed=5),
        pool_case("max_ceil_5x5_k2_s2", "max_pool2d", v.ints(1, 1, 5, 5), 2, ceil_mode=True, seed=6),
        pool_case("max_ceil_pad1_last_window_dropped", "max_pool2d", v.ints(1, 1, 5, 5), 3, stride=3, padding=1,
                  ceil_mode=True, seed=7),
        pool_case("max_batch2_c3_k2", "max_pool2d", v.normal(2, 3, 4, 6), 2, seed=8),
        pool_case("avg_pad1_include", "avg_pool2d", v.ints(1, 1, 4, 4), 3, stride=2, padding=1, seed=9),
        pool_case("avg_pad1_exclude", "avg_pool2d", v.ints(1, 1, 4, 4), 3, stride=2, padding=1,
                  count_include_pad=False, seed=10),
        pool_case("avg_ceil_5x5_k2_s2", "avg_pool2d", v.ints(1, 1, 5, 5), 2, ceil_mode=True, seed=11),
        pool_case("avg_ceil_pad1_include", "avg_pool2d", v.ints(1, 1, 5, 6), 2, padding=1, ceil_mode=True, seed=12),
        pool_case("avg_ceil_pad1_exclude", "avg_pool2d", v.ints(1, 1, 5, 6), 2, padding=1, ceil_mode=True,
                  count_include_pad=False, seed=13),
        pool_case("avg_ceil_pad1_k3_s3_last_window_dropped", "avg_pool2d", v.ints(1, 1, 5, 5), 3, stride=3, padding=1,
                  ceil_mode=True, seed=14),
        pool_case("avg_rect_k3x2_s2x1_pad1x0", "avg_pool2d", v.normal(2, 2, 5, 4), (3, 2), stride=(2, 1),
                  padding=(1, 0), seed=15),
        pool_case("global_max_ties", "global_max_pool", ties, 1, seed=16),
        pool_case("global_max_ties_batch2_c2", "global_max_pool",
                  torch.stack([ties[0, 0], ties[0, 0].t(), -ties[0, 0], torch.zeros(5, 5)]).reshape(2, 2, 5, 5), 1,
                  seed=17),
        pool_case("global_avg_batch2_c3", "global_avg_pool", v.normal(2, 3, 3, 4), 1, seed=18),
    ]
    return cs


# ---------------------------------------------------------------------------------------------- activations

def act_case(name, op, x, slope=None, gy=None, seed=0):
    X = leaf(x)
    params = {}
    if op == "relu":
        y = F.relu(X)
    elif op == "leaky_relu":
        y = F.leaky_relu(X, slope)
        params["slope"] = slope
    elif op == "sigmoid":
        y = torch.sigmoid(X)
    elif op == "tanh":
        y = torch.tanh(X)
    elif op == "softmax":
        y = F.softmax(X, dim=1)
    else:
        raise ValueError(op)
    if gy is None:
        gy = Values(seed + 4000).normal(*y.shape)
    y.backward(gy)
    return {"name": name, "op": op, "params": params, "input": enc(X), "grad_output": enc(gy),
            "output": enc(y), "grad_input": enc(X.grad)}


def activation_cases():
    v = Values(4)
    with_zeros = torch.tensor([[[[-2.0, -0.5, 0.0, 0.5], [2.0, 0.0, -0.0, 3.0]]]])
    cs = [
        act_case("relu_at_zero", "relu", with_zeros, gy=torch.ones(1, 1, 2, 4)),
        act_case("relu_random", "relu", v.normal(2, 2, 3, 3), seed=1),
        act_case("leaky_relu_default_at_zero", "leaky_relu", with_zeros, slope=0.01, gy=torch.ones(1, 1, 2, 4)),
        act_case("leaky_relu_0.2", "leaky_relu", v.normal(1, 3, 3, 3), slope=0.2, seed=2),
        act_case("sigmoid", "sigmoid", torch.cat([with_zeros, 10 * with_zeros], dim=1), seed=3),
        act_case("sigmoid_random", "sigmoid", v.normal(2, 1, 3, 4), seed=4),
        act_case("tanh", "tanh", torch.cat([with_zeros, 10 * with_zeros], dim=1), seed=5),
        act_case("tanh_random", "tanh", v.normal(1, 2, 4, 4), seed=6),
        act_case("softmax_nf", "softmax", torch.tensor([[1.0, 2, 3], [0, 0, 0], [1000, 1001, 999]]), seed=7),
        act_case("softmax_nchw_channels", "softmax", v.normal(2, 3, 2, 2), seed=8),
    ]
    return cs


# ---------------------------------------------------------------------------------------------- linear

def linear_case(name, x, w, b=None, gy=None, seed=0):
    X, W = leaf(x), leaf(w)
    B = leaf(b) if b is not None else None
    y = F.linear(X, W, B)
    if gy is None:
        gy = Values(seed + 5000).normal(*y.shape)
    y.backward(gy)
    case = {"name": name, "op": "linear", "params": {}, "input": enc(X), "weight": enc(W), "grad_output": enc(gy),
            "output": enc(y), "grad_input": enc(X.grad), "grad_weight": enc(W.grad)}
    if B is not None:
        case["bias"] = enc(B)
        case["grad_bias"] = enc(B.grad)
    return case


def linear_cases():
    v = Values(5)
    return [
        linear_case("ints_1x3_to_2", torch.tensor([[1.0, 2, 3]]), torch.tensor([[1.0, 0, -1], [2, 1, 0]]),
                    torch.tensor([0.5, -1]), gy=torch.tensor([[1.0, 1]])),
        linear_case("batch4_in5_out3", v.normal(4, 5), v.normal(3, 5), v.normal(3), seed=1),
        linear_case("no_bias_batch2_in6_out4", v.ints(2, 6), v.ints(4, 6), None, seed=2),
    ]


# ---------------------------------------------------------------------------------------------- losses

def loss_case(name, op, x, target):
    X = leaf(x)
    case = {"name": name, "op": op, "params": {}, "input": enc(X)}
    if op == "mse":
        loss = F.mse_loss(X, target)
        case["target"] = enc(target)
    elif op == "softmax_cross_entropy":
        loss = F.cross_entropy(X, torch.tensor(target))
        case["target_classes"] = list(target)
    elif op == "bce":
        loss = F.binary_cross_entropy(X, target)
        case["target"] = enc(target)
        case["params"]["with_logits"] = False
    elif op == "bce_with_logits":
        loss = F.binary_cross_entropy_with_logits(X, target)
        case["target"] = enc(target)
        case["params"]["with_logits"] = True
    else:
        raise ValueError(op)
    loss.backward()
    case["loss"] = loss.item()
    case["grad_input"] = enc(X.grad)
    return case


def loss_cases():
    v = Values(6)
    return [
        loss_case("mse_nf", "mse", torch.tensor([[1.0, 2, 3], [4, 5, 6]]), torch.tensor([[1.0, 0, 3], [0, 5, 7]])),
        loss_case("mse_nchw", "mse", v.normal(2, 2, 3, 3), v.normal(2, 2, 3, 3)),
        loss_case("cross_entropy_single", "softmax_cross_entropy", torch.tensor([[1.0, 2, 3]]), [0]),
        loss_case("cross_entropy_batch3", "softmax_cross_entropy", v.normal(3, 5), [4, 0, 2]),
        loss_case("cross_entropy_large_logits", "softmax_cross_entropy",
                  torch.tensor([[1000.0, 1001, 999], [-50, 20, 0]]), [1, 0]),
        loss_case("bce_probabilities", "bce", v.uniform(2, 3), torch.tensor([[1.0, 0, 1], [0, 0, 1]])),
        loss_case("bce_soft_targets_nchw", "bce", v.uniform(1, 2, 2, 2), v.uniform(1, 2, 2, 2, lo=0, hi=1, digits=2)),
        loss_case("bce_with_logits", "bce_with_logits", torch.tensor([[0.5, -0.5, 0.0], [3.0, -4.0, 20.0]]),
                  torch.tensor([[1.0, 0, 1], [0, 1, 0.25]])),
        loss_case("bce_with_logits_random", "bce_with_logits", v.normal(2, 1, 2, 3) * 3,
                  v.uniform(2, 1, 2, 3, lo=0, hi=1, digits=2)),
    ]


# ---------------------------------------------------------------------------------------------- batch norm, dropout

def bn_case(name, x, weight=None, bias=None, running_mean=None, running_var=None, eps=1e-5, momentum=0.1,
            training=True, seed=0):
    """F.batch_norm forward and backward; the running statistics after the pass are recorded too."""
    X = leaf(x)
    C = x.shape[1]
    W = leaf(weight if weight is not None else torch.ones(C, dtype=torch.float64))
    B = leaf(bias if bias is not None else torch.zeros(C, dtype=torch.float64))
    rm = running_mean.clone() if running_mean is not None else torch.zeros(C, dtype=torch.float64)
    rv = running_var.clone() if running_var is not None else torch.ones(C, dtype=torch.float64)
    y = F.batch_norm(X, rm, rv, W, B, training=training, momentum=momentum, eps=eps)
    gy = Values(seed + 8000).normal(*y.shape)
    y.backward(gy)
    case = {"name": name, "op": "batch_norm2d", "params": {"eps": eps, "momentum": momentum, "training": training},
            "input": enc(X), "grad_output": enc(gy), "output": enc(y), "grad_input": enc(X.grad),
            "grad_weight": enc(W.grad), "grad_bias": enc(B.grad),
            "new_running_mean": enc(rm), "new_running_var": enc(rv)}
    for key, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        if t is not None:
            case[key] = enc(t)
    return case


def dropout_case(name, x, p, seed=0, training=True):
    """F.dropout itself; its mask is read back from the output (inputs have no zeros) so the engine can
    be given the same mask."""
    assert bool((x != 0).all())
    X = leaf(x)
    torch.manual_seed(seed)
    y = F.dropout(X, p, training=training)
    mask = (y != 0).to(torch.float64)
    gy = Values(seed + 9000).normal(*y.shape)
    y.backward(gy)
    return {"name": name, "op": "dropout", "params": {"p": p, "training": training}, "input": enc(X),
            "mask": enc(mask), "grad_output": enc(gy), "output": enc(y), "grad_input": enc(X.grad)}


def normalization_cases():
    v = Values(8)
    nz = lambda *shape: v.normal(*shape) + 0.0005 * (v.normal(*shape) >= 0).to(torch.float64) * 2 - 0.0005
    return [
        bn_case("train_defaults_2x3x4x4", v.normal(2, 3, 4, 4), seed=1),
        bn_case("train_affine_eps_momentum_2x2x3x3", v.normal(2, 2, 3, 3), weight=v.normal(2), bias=v.normal(2),
                running_mean=v.normal(2), running_var=v.uniform(2, lo=0.5, hi=2.0), eps=1e-3, momentum=0.3, seed=2),
        bn_case("train_batch1_1x2x3x2", v.normal(1, 2, 3, 2), weight=v.normal(2), bias=v.normal(2), eps=0.01,
                momentum=0.05, seed=3),
        bn_case("train_1x1_spatial_4x3x1x1", v.normal(4, 3, 1, 1), weight=v.normal(3), bias=v.normal(3), seed=4),
        bn_case("train_ints_3x1x2x2", v.ints(3, 1, 2, 2), momentum=0.5, eps=0.1, seed=5),
        bn_case("eval_running_2x3x2x3", v.normal(2, 3, 2, 3), weight=v.normal(3), bias=v.normal(3),
                running_mean=v.normal(3), running_var=v.uniform(3, lo=0.2, hi=3.0), eps=1e-4, training=False, seed=6),
        bn_case("eval_single_value_1x2x1x1", v.normal(1, 2, 1, 1), weight=v.normal(2), bias=v.normal(2),
                running_mean=v.normal(2), running_var=v.uniform(2, lo=0.2, hi=3.0), training=False, seed=7),
        dropout_case("dropout_p0.5_2x3x4x4", nz(2, 3, 4, 4), 0.5, seed=11),
        dropout_case("dropout_p0.2_1x2x5x5", nz(1, 2, 5, 5), 0.2, seed=12),
        dropout_case("dropout_p0.9_features_4x6", nz(4, 6), 0.9, seed=13),
        dropout_case("dropout_eval_2x2x3x3", nz(2, 2, 3, 3), 0.5, seed=14, training=False),
    ]


def bn_networks():
    v = Values(9)
    g = torch.Generator().manual_seed(99)
    mask = (torch.rand(2, 6, generator=g) >= 0.25).to(torch.float64)
    return [
        Net("conv_bn_relu_pool_linear_ce_batch2", v.normal(2, 1, 6, 6),
            [{"op": "conv2d", "kernel": v.normal(3, 1, 3, 3), "bias": v.normal(3), "padding": (1, 1, 1, 1)},
             {"op": "batch_norm2d", "weight": v.normal(3), "bias": v.normal(3), "momentum": 0.2},
             {"op": "relu"},
             {"op": "max_pool2d", "kernel_size": 2},
             {"op": "conv2d", "kernel": v.normal(2, 3, 2, 2), "bias": None},
             {"op": "batch_norm2d", "eps": 1e-3},
             {"op": "flatten"},
             {"op": "linear", "weight": v.normal(3, 8), "bias": v.normal(3)}],
            loss={"op": "softmax_cross_entropy", "target": [1, 2]}),
        Net("conv_bn_eval_tanh_dropout_linear_mse", v.normal(2, 2, 4, 4),
            [{"op": "conv2d", "kernel": v.normal(2, 2, 3, 3), "bias": v.normal(2), "stride": 2, "padding": (1, 1, 1, 1)},
             {"op": "batch_norm2d", "weight": v.normal(2), "bias": v.normal(2), "training": False,
              "running_mean": v.normal(2), "running_var": v.uniform(2, lo=0.5, hi=2.0)},
             {"op": "tanh"},
             {"op": "flatten"},
             {"op": "linear", "weight": v.normal(6, 8), "bias": v.normal(6)},
             {"op": "dropout", "p": 0.25, "mask": mask}],
            loss={"op": "mse", "target": v.normal(2, 6)}),
    ]


# ---------------------------------------------------------------------------------------------- networks

class Net:
    """A network described layer by layer, run in PyTorch and serialised for the Swift Network."""

    def __init__(self, name, x, layers, loss=None, gy=None, source=None):
        self.name, self.x, self.layers, self.loss, self.gy, self.source = name, x, layers, loss, gy, source

    def record(self):
        X = leaf(self.x)
        h = X
        params = []  # per layer: dict of leaf tensors
        inputs = []  # per layer: its input (an add reads the input of layer `from`)
        for layer in self.layers:
            op = layer["op"]
            p = {}
            inputs.append(h)
            if op == "add":
                skip = inputs[layer["from"]]
                if layer.get("kernel") is not None:  # a 1×1 projection on the skip path
                    K = leaf(layer["kernel"])
                    B = leaf(layer["bias"]) if layer.get("bias") is not None else None
                    p = {"kernel": K, "bias": B}
                    skip = F.conv2d(skip, K, B, stride=pair(layer.get("stride", 1)))
                h = h + skip
            elif op == "conv2d":
                K = leaf(layer["kernel"])
                B = leaf(layer["bias"]) if layer.get("bias") is not None else None
                p = {"kernel": K, "bias": B}
                top, bottom, left, right = layer.get("padding", (0, 0, 0, 0))
                mode = layer.get("padding_mode", "zeros")
                hp = F.pad(h, (left, right, top, bottom)) if mode == "zeros" else F.pad(
                    h, (left, right, top, bottom), mode=mode)
                kk = torch.flip(K, [2, 3]) if layer.get("flip", False) else K
                h = F.conv2d(hp, kk, B, stride=pair(layer.get("stride", 1)), dilation=pair(layer.get("dilation", 1)),
                             groups=layer.get("groups", 1))
            elif op == "conv_transpose2d":
                W = leaf(layer["weight"])
                B = leaf(layer["bias"]) if layer.get("bias") is not None else None
                p = {"weight": W, "bias": B}
                h = F.conv_transpose2d(h, W, B, stride=pair(layer.get("stride", 1)), padding=pair(layer.get("padding", 0)),
                                       output_padding=pair(layer.get("output_padding", 0)),
                                       dilation=pair(layer.get("dilation", 1)))
            elif op == "max_pool2d":
                ks = pair(layer["kernel_size"])
                h = F.max_pool2d(h, ks, pair(layer.get("stride", ks)), pair(layer.get("padding", 0)),
                                 ceil_mode=layer.get("ceil_mode", False))
            elif op == "avg_pool2d":
                ks = pair(layer["kernel_size"])
                h = F.avg_pool2d(h, ks, pair(layer.get("stride", ks)), pair(layer.get("padding", 0)),
                                 ceil_mode=layer.get("ceil_mode", False),
                                 count_include_pad=layer.get("count_include_pad", True))
            elif op == "global_max_pool":
                h = F.adaptive_max_pool2d(h, 1)
            elif op == "global_avg_pool":
                h = F.adaptive_avg_pool2d(h, 1)
            elif op == "relu":
                h = F.relu(h)
            elif op == "leaky_relu":
                h = F.leaky_relu(h, layer.get("slope", 0.01))
            elif op == "sigmoid":
                h = torch.sigmoid(h)
            elif op == "tanh":
                h = torch.tanh(h)
            elif op == "softmax":
                h = F.softmax(h, dim=1)
            elif op == "flatten":
                h = torch.flatten(h, 1)
            elif op == "batch_norm2d":
                C = h.shape[1]
                W = leaf(layer["weight"]) if layer.get("weight") is not None else leaf(torch.ones(C, dtype=torch.float64))
                B = leaf(layer["bias"]) if layer.get("bias") is not None else leaf(torch.zeros(C, dtype=torch.float64))
                p = {"weight": W, "bias": B}
                rm = layer["running_mean"].clone() if layer.get("running_mean") is not None else torch.zeros(C, dtype=torch.float64)
                rv = layer["running_var"].clone() if layer.get("running_var") is not None else torch.ones(C, dtype=torch.float64)
                h = F.batch_norm(h, rm, rv, W, B, training=layer.get("training", True),
                                 momentum=layer.get("momentum", 0.1), eps=layer.get("eps", 1e-5))
            elif op == "dropout":
                pr = layer.get("p", 0.5)
                h = h * layer["mask"] / (1 - pr) if layer.get("training", True) else h
            elif op == "linear":
                W = leaf(layer["weight"])
                B = leaf(layer["bias"]) if layer.get("bias") is not None else None
                p = {"weight": W, "bias": B}
                h = F.linear(h, W, B)
            else:
                raise ValueError(op)
            params.append(p)
        out = h
        loss_value = None
        if self.loss is not None:
            lop = self.loss["op"]
            if lop == "mse":
                L = F.mse_loss(out, self.loss["target"])
            elif lop == "softmax_cross_entropy":
                L = F.cross_entropy(out, torch.tensor(self.loss["target"]))
            elif lop == "bce":
                L = F.binary_cross_entropy(out, self.loss["target"])
            elif lop == "bce_with_logits":
                L = F.binary_cross_entropy_with_logits(out, self.loss["target"])
            else:
                raise ValueError(lop)
            L.backward()
            loss_value = L.item()
        else:
            out.backward(self.gy)

        layers_json = []
        grads_json = []
        for layer, p in zip(self.layers, params):
            lj = {"op": layer["op"]}
            prm = {}
            if layer["op"] == "conv2d":
                prm = {"stride": pair(layer.get("stride", 1)), "padding": list(layer.get("padding", (0, 0, 0, 0))),
                       "padding_mode": layer.get("padding_mode", "zeros"), "dilation": pair(layer.get("dilation", 1)),
                       "flip": layer.get("flip", False)}
                if layer.get("groups", 1) != 1:
                    prm["groups"] = layer["groups"]
            elif layer["op"] == "conv_transpose2d":
                prm = {"stride": pair(layer.get("stride", 1)), "padding": pair(layer.get("padding", 0)),
                       "output_padding": pair(layer.get("output_padding", 0)), "dilation": pair(layer.get("dilation", 1))}
            elif layer["op"] in ("max_pool2d", "avg_pool2d"):
                ks = pair(layer["kernel_size"])
                prm = {"kernel_size": ks, "stride": pair(layer.get("stride", ks)), "padding": pair(layer.get("padding", 0)),
                       "ceil_mode": layer.get("ceil_mode", False)}
                if layer["op"] == "avg_pool2d":
                    prm["count_include_pad"] = layer.get("count_include_pad", True)
            elif layer["op"] == "leaky_relu":
                prm = {"slope": layer.get("slope", 0.01)}
            elif layer["op"] == "batch_norm2d":
                prm = {"eps": layer.get("eps", 1e-5), "momentum": layer.get("momentum", 0.1),
                       "training": layer.get("training", True)}
                for key in ("running_mean", "running_var"):
                    if layer.get(key) is not None:
                        lj[key] = enc(layer[key])
            elif layer["op"] == "dropout":
                prm = {"p": layer.get("p", 0.5), "training": layer.get("training", True)}
                lj["mask"] = enc(layer["mask"])
            elif layer["op"] == "add":
                prm = {"from": layer["from"]}
                if layer.get("kernel") is not None:
                    prm["stride"] = pair(layer.get("stride", 1))
            lj["params"] = prm
            g = {}
            for key, t in p.items():
                if t is None:
                    continue
                lj[key] = enc(t)
                g[key] = enc(t.grad)
            layers_json.append(lj)
            grads_json.append(g)
        case = {"name": self.name, "op": "network", "input": enc(X), "layers": layers_json,
                "output": enc(out), "grad_input": enc(X.grad), "layer_grads": grads_json}
        if self.source:
            case["source"] = self.source
        if self.loss is not None:
            lj = {"op": self.loss["op"]}
            if self.loss["op"] == "softmax_cross_entropy":
                lj["target_classes"] = list(self.loss["target"])
            else:
                lj["target"] = enc(self.loss["target"])
            case["loss"] = lj
            case["loss_value"] = loss_value
        else:
            case["grad_output"] = enc(self.gy)
        return case


def as4(t):
    while t.dim() < 4:
        t = t.unsqueeze(0)
    return t


def conv_padding_from_spec(value):
    """The spec's conv padding (int, [ph, pw] or [t, b, l, r]) as (top, bottom, left, right)."""
    if value is None:
        return (0, 0, 0, 0)
    if isinstance(value, int):
        return (value,) * 4
    if len(value) == 2:
        return (value[0], value[0], value[1], value[1])
    return tuple(value)


def example_network(filename):
    """A network spec from examples/ (Specs' format) as a Net."""
    with open(os.path.join(EXAMPLES, filename)) as f:
        spec = yaml.safe_load(f)
    assert spec["op"] == "network", filename
    x = as4(torch.tensor(spec["input"], dtype=torch.float64))
    layers, loss = [], None
    for raw in spec["layers"]:
        op = raw["op"]
        if op in ("mse", "softmax_cross_entropy", "bce"):
            if op == "softmax_cross_entropy":
                t = raw["target"]
                loss = {"op": op, "target": [t] if isinstance(t, int) else list(t)}
            else:
                with_logits = raw.get("with_logits", False)
                loss = {"op": "bce_with_logits" if op == "bce" and with_logits else op,
                        "target": torch.tensor(raw["target"], dtype=torch.float64)}
            continue
        layer = {"op": op}
        for key in ("stride", "dilation", "output_padding", "kernel_size", "ceil_mode", "count_include_pad",
                    "slope", "padding_mode", "flip"):
            if key in raw:
                layer[key] = raw[key]
        if op == "conv2d":
            k = torch.tensor(raw["kernel"], dtype=torch.float64)
            while k.dim() < 4:
                k = k.unsqueeze(0)
            layer["kernel"] = k
            layer["bias"] = torch.tensor(raw["bias"], dtype=torch.float64).reshape(-1) if "bias" in raw else None
            pad = raw.get("padding", 0)
            if isinstance(pad, str):
                kh, kw = k.shape[2], k.shape[3]
                d = pair(raw.get("dilation", 1))
                pad = {"valid": (0, 0, 0, 0), "same": same_padding(kh, kw, *d), "full": full_padding(kh, kw, *d)}[pad]
            layer["padding"] = conv_padding_from_spec(pad)
        elif op == "conv_transpose2d":
            layer["weight"] = torch.tensor(raw["weight"], dtype=torch.float64)
            layer["bias"] = torch.tensor(raw["bias"], dtype=torch.float64).reshape(-1) if "bias" in raw else None
            layer["padding"] = raw.get("padding", 0)
        elif op == "linear":
            layer["weight"] = torch.tensor(raw["weight"], dtype=torch.float64)
            layer["bias"] = torch.tensor(raw["bias"], dtype=torch.float64).reshape(-1) if "bias" in raw else None
        elif op in ("max_pool2d", "avg_pool2d"):
            layer["padding"] = raw.get("padding", 0)
        layers.append(layer)
    return Net(os.path.splitext(filename)[0], x, layers, loss=loss, source="examples/" + filename)


def small_networks():
    v = Values(7)
    nets = [
        Net("conv_relu_maxpool_linear_ce_batch2", v.normal(2, 1, 6, 6),
            [{"op": "conv2d", "kernel": v.normal(2, 1, 3, 3), "bias": v.normal(2), "padding": (1, 1, 1, 1)},
             {"op": "relu"},
             {"op": "max_pool2d", "kernel_size": 2},
             {"op": "flatten"},
             {"op": "linear", "weight": v.normal(3, 18), "bias": v.normal(3)}],
            loss={"op": "softmax_cross_entropy", "target": [2, 0]}),
        Net("reflect_stride2_leaky_avgceil_sigmoid_bce", v.normal(1, 2, 7, 7),
            [{"op": "conv2d", "kernel": v.normal(3, 2, 3, 3), "bias": v.normal(3), "stride": 2,
              "padding": (1, 1, 1, 1), "padding_mode": "reflect"},
             {"op": "leaky_relu", "slope": 0.1},
             {"op": "avg_pool2d", "kernel_size": 2, "ceil_mode": True, "padding": 1, "count_include_pad": False},
             {"op": "flatten"},
             {"op": "linear", "weight": v.normal(2, 27), "bias": v.normal(2)},
             {"op": "sigmoid"}],
            loss={"op": "bce", "target": torch.tensor([[1.0, 0.0]])}),
        Net("conv_tanh_convtranspose_mse", v.normal(1, 1, 5, 5),
            [{"op": "conv2d", "kernel": v.normal(2, 1, 3, 3), "bias": v.normal(2), "stride": 2, "flip": True},
             {"op": "tanh"},
             {"op": "conv_transpose2d", "weight": v.normal(2, 1, 3, 3), "bias": v.normal(1), "stride": 2}],
            loss={"op": "mse", "target": v.normal(1, 1, 5, 5)}),
        Net("dilated_globalavg_linear_softmax_gradoutput", v.normal(2, 2, 6, 6),
            [{"op": "conv2d", "kernel": v.normal(4, 2, 2, 2), "bias": None, "dilation": 2,
              "padding": (1, 0, 1, 0), "padding_mode": "circular"},
             {"op": "relu"},
             {"op": "global_avg_pool"},
             {"op": "flatten"},
             {"op": "linear", "weight": v.normal(3, 4), "bias": v.normal(3)},
             {"op": "softmax"}],
            gy=v.normal(2, 3)),
        Net("globalmax_bce_with_logits", v.ints(1, 2, 3, 3),
            [{"op": "conv2d", "kernel": v.ints(2, 2, 2, 2, lo=-1, hi=1), "bias": v.ints(2), "padding": (0, 0, 0, 0)},
             {"op": "global_max_pool"},
             {"op": "flatten"}],
            loss={"op": "bce_with_logits", "target": torch.tensor([[1.0, 0.0]])}),
    ]
    return nets


# ---------------------------------------------------------------------------------------------- lessons 12-17

def t(rows):
    """A nested list as a float64 tensor, expanded to N×C×H×W from H×W (or C×H×W)."""
    x = torch.tensor(rows, dtype=torch.float64)
    while x.dim() < 4:
        x = x.unsqueeze(0)
    return x


def lesson_conv2d_cases():
    """The exact examples of lessons 12-16 (Lessons/1[2-6]-*.md), so PyTorch stands behind their numbers."""
    one_to_9 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    one_to_25 = [[5 * r + c + 1 for c in range(5)] for r in range(5)]
    ones3 = [[1, 1, 1]] * 3
    two_channel_x = torch.tensor([[one_to_9, [[1, 0, 2], [0, 1, 0], [2, 0, 1]]]], dtype=torch.float64)
    two_filters = torch.tensor([[[[1, 0], [0, 1]], [[2, 1], [0, -1]]], [[[0, 1], [1, 0]], [[1, 1], [1, 1]]]],
                               dtype=torch.float64)
    cs = [
        # Lesson 12: two channels, two filters.
        conv_case("l12_two_channels_two_filters", two_channel_x, two_filters, torch.zeros(2, dtype=torch.float64),
                  gy=torch.tensor([[[[1, 2], [3, 4]], [[1, 0], [0, 2]]]], dtype=torch.float64)),
        # Lesson 12: dX[0] as one full true convolution of the stacked dY with k[:, 0].
        conv_case("l12_dx0_as_full_convolution", torch.tensor([[[[1, 2], [3, 4]], [[1, 0], [0, 2]]]], dtype=torch.float64),
                  torch.tensor([[[[1, 0], [0, 1]], [[0, 1], [1, 0]]]], dtype=torch.float64), None, padding=(1, 1, 1, 1),
                  flip=True, padding_spec="full", gy=torch.ones(1, 1, 3, 3, dtype=torch.float64)),
        # Lesson 13: stride 2, and dilation 2, backward.
        conv_case("l13_stride2_ones", t(one_to_25), t(ones3), None, stride=2, gy=t([[1, 2], [3, 4]])),
        conv_case("l13_dilated_dy_full", t([[1, 0, 2], [0, 0, 0], [3, 0, 4]]), t(ones3), None, padding=(2, 2, 2, 2),
                  flip=True, padding_spec="full", gy=torch.ones(1, 1, 5, 5, dtype=torch.float64)),
        conv_case("l13_dilation2", t(one_to_25), t([[1, 2], [3, 4]]), None, dilation=2,
                  gy=t([[1, 0, 0], [0, 1, 0], [0, 0, 1]])),
        # Lesson 14: a batch of two.
        conv_case("l14_batch_of_two", torch.tensor([[one_to_9], [[[9, 8, 7], [6, 5, 4], [3, 2, 1]]]], dtype=torch.float64),
                  t([[1, 0], [0, -1]]), torch.zeros(1, dtype=torch.float64),
                  gy=torch.tensor([[[[1, 2], [3, 4]]], [[[1, 0], [0, 1]]]], dtype=torch.float64)),
        # Lesson 16: im2col rows by one-hot filters, and the rows of C as input gradients of one-hot dY.
        conv_case("l16_im2col_one_hot_filters", t([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]),
                  torch.eye(4, dtype=torch.float64).reshape(4, 1, 2, 2), None,
                  gy=torch.ones(1, 4, 2, 3, dtype=torch.float64)),
        conv_case("l16_rows_of_c_stride2", torch.zeros(2, 1, 1, 5, dtype=torch.float64), t([1, 2, 3]), None, stride=2,
                  gy=torch.tensor([[[[1, 0]]], [[[0, 1]]]], dtype=torch.float64)),
    ]
    return cs


def lesson_conv_transpose2d_cases():
    """Lesson 15's parameter sets and checkerboards, lesson 16's Cᵀ·dY, lesson 12's dX as a transposed conv."""
    one_to_9 = t([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    return [
        convt_case("l15_no_padding_strides", t([[1, 2], [3, 4]]), one_to_9, None, stride=2,
                   gy=torch.ones(1, 1, 5, 5, dtype=torch.float64)),
        convt_case("l15_padding_strides", one_to_9, one_to_9, None, stride=2, padding=1,
                   gy=torch.ones(1, 1, 5, 5, dtype=torch.float64)),
        convt_case("l15_padding_strides_odd", one_to_9, one_to_9, None, stride=2, padding=1, output_padding=1,
                   gy=torch.ones(1, 1, 6, 6, dtype=torch.float64)),
        convt_case("l15_checkerboard_k3_s2", torch.ones(1, 1, 3, 3, dtype=torch.float64),
                   torch.ones(1, 1, 3, 3, dtype=torch.float64), None, stride=2,
                   gy=torch.ones(1, 1, 7, 7, dtype=torch.float64)),
        convt_case("l15_even_k4_s2", torch.ones(1, 1, 3, 3, dtype=torch.float64),
                   torch.ones(1, 1, 4, 4, dtype=torch.float64), None, stride=2,
                   gy=torch.ones(1, 1, 8, 8, dtype=torch.float64)),
        convt_case("l16_transpose_times_dy", t([1, 10, 100]), t([1, 2]), None,
                   gy=torch.ones(1, 1, 1, 4, dtype=torch.float64)),
        # Lesson 12: dX of the two-channel, two-filter layer as one transposed convolution of dY with its kernel.
        convt_case("l12_dx_as_transposed", torch.tensor([[[[1, 2], [3, 4]], [[1, 0], [0, 2]]]], dtype=torch.float64),
                   torch.tensor([[[[1, 0], [0, 1]], [[2, 1], [0, -1]]], [[[0, 1], [1, 0]], [[1, 1], [1, 1]]]],
                                dtype=torch.float64), None, gy=torch.ones(1, 2, 3, 3, dtype=torch.float64)),
    ]


def parameter_counts():
    """Lesson 17 / `convtrace shape`: every layer's learnable element count as torch counts it (sum of numel)."""
    import torch.nn as nn
    torch.manual_seed(0)
    layers = [
        ("lenet_conv1", nn.Conv2d(1, 6, 5)), ("lenet_conv2", nn.Conv2d(6, 16, 5)),
        ("lenet_fc1", nn.Linear(400, 120)), ("lenet_fc2", nn.Linear(120, 84)), ("lenet_fc3", nn.Linear(84, 10)),
        ("conv_no_bias", nn.Conv2d(3, 4, 3, bias=False)), ("grouped_conv", nn.Conv2d(4, 8, 3, groups=2)),
        ("conv_transpose", nn.ConvTranspose2d(3, 5, 4)), ("batch_norm", nn.BatchNorm2d(6)),
    ]
    cases = []
    for name, m in layers:
        cases.append({
            "name": name, "module": type(m).__name__,
            "weight_shape": list(m.weight.shape),
            "bias_shape": list(m.bias.shape) if m.bias is not None else None,
            "parameters": sum(p.numel() for p in m.parameters() if p.requires_grad),
        })
# ---------------------------------------------------------------------------------------------- training

OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
              "rmsprop": torch.optim.RMSprop}
# PyTorch's defaults, in the spec's key names (Sources/Engine/Optimizers/*.swift declares the same).
OPTIMIZER_DEFAULTS = {
    "sgd": {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0},
    "adam": {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0},
    "adamw": {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01},
    "rmsprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": False, "weight_decay": 0.0},
}


def train_forward(net, params, stats, h):
    """The network's forward pass with the given parameter leaves; batch-norm running stats update in `stats`."""
    for layer, p, st in zip(net.layers, params, stats):
        op = layer["op"]
        if op == "conv2d":
            top, bottom, left, right = layer.get("padding", (0, 0, 0, 0))
            hp = F.pad(h, (left, right, top, bottom))
            h = F.conv2d(hp, p["kernel"], p.get("bias"), stride=pair(layer.get("stride", 1)),
                         dilation=pair(layer.get("dilation", 1)))
        elif op == "max_pool2d":
            ks = pair(layer["kernel_size"])
            h = F.max_pool2d(h, ks, pair(layer.get("stride", ks)), pair(layer.get("padding", 0)))
        elif op == "relu":
            h = F.relu(h)
        elif op == "tanh":
            h = torch.tanh(h)
        elif op == "flatten":
            h = torch.flatten(h, 1)
        elif op == "linear":
            h = F.linear(h, p["weight"], p.get("bias"))
        elif op == "batch_norm2d":
            h = F.batch_norm(h, st["running_mean"], st["running_var"], p["weight"], p["bias"],
                             training=layer.get("training", True), momentum=layer.get("momentum", 0.1),
                             eps=layer.get("eps", 1e-5))
        else:
            raise ValueError(op)
    return h


def train_case(name, net, network_file, optimizer, options, steps=5):
    """`steps` full-batch steps of torch.optim.<optimizer> on `net`: the loss of each step (before its update)
    and every parameter (and running statistic) after the last step. The network itself is read by the Swift
    test from `network_file` (its case named `net.name`), so it is stored once."""
    params, stats, leaves = [], [], []
    for layer in net.layers:
        p, st = {}, {}
        if layer["op"] == "conv2d":
            p["kernel"] = leaf(layer["kernel"])
            if layer.get("bias") is not None:
                p["bias"] = leaf(layer["bias"])
        elif layer["op"] == "linear":
            p["weight"] = leaf(layer["weight"])
            if layer.get("bias") is not None:
                p["bias"] = leaf(layer["bias"])
        elif layer["op"] == "batch_norm2d":
            C = layer["channels"]
            p["weight"] = leaf(layer["weight"]) if layer.get("weight") is not None else leaf(torch.ones(C))
            p["bias"] = leaf(layer["bias"]) if layer.get("bias") is not None else leaf(torch.zeros(C))
            st["running_mean"] = layer["running_mean"].clone() if layer.get("running_mean") is not None else torch.zeros(C)
            st["running_var"] = layer["running_var"].clone() if layer.get("running_var") is not None else torch.ones(C)
        params.append(p)
        stats.append(st)
        leaves.extend(p.values())
    resolved = dict(OPTIMIZER_DEFAULTS[optimizer])
    resolved.update(options)
    kwargs = {k: (tuple(v) if k == "betas" else v) for k, v in resolved.items()}
    opt = OPTIMIZERS[optimizer](leaves, foreach=False, **kwargs)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        out = train_forward(net, params, stats, net.x)
        lop = net.loss["op"]
        if lop == "softmax_cross_entropy":
            L = F.cross_entropy(out, torch.tensor(net.loss["target"]))
        elif lop == "mse":
            L = F.mse_loss(out, net.loss["target"])
        else:
            raise ValueError(lop)
        L.backward()
        losses.append(L.item())
        opt.step()
    final = []
    for p, st in zip(params, stats):
        entry = {k: enc(t) for k, t in p.items()}
        entry.update({k: enc(t) for k, t in st.items()})
        final.append(entry)
    return {"name": name, "network_file": network_file, "network": net.name,
            "optimizer": dict({"name": optimizer}, **resolved), "steps": steps, "losses": losses, "final": final}


def training_cases():
    tutorial = example_network("cnn-basics-backprop.yaml")
    bn = bn_networks()[0]
    channels = {1: 3, 5: 2}  # batch_norm2d layers of bn: their input channels
    for i, layer in enumerate(bn.layers):
        if layer["op"] == "batch_norm2d":
            layer["channels"] = channels[i]
    tutorial_configs = [
        ("sgd_momentum_dampening_wd", "sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
        ("adam_wd", "adam", {"lr": 0.01, "betas": [0.8, 0.95], "weight_decay": 0.01}),
        ("adamw", "adamw", {"lr": 0.01, "weight_decay": 0.1}),
        ("rmsprop_centered_momentum", "rmsprop", {"lr": 0.001, "alpha": 0.9, "momentum": 0.5, "centered": True,
                                                  "weight_decay": 0.01}),
    ]
    # In this net the first batch norm's β gets a gradient that is rounding noise (PyTorch: 2e-16, -9e-16, ...).
    # Adam, AdamW and RMSProp divide it by about its own size (√v ~ |g|), so without a weight-decay term in the
    # gradient their step on β would be lr·(the sign of noise): the cases without coupled decay use eps 1e-4,
    # which keeps the comparison about the arithmetic (noise/eps·lr ~ 1e-14) instead of about rounding.
    bn_configs = [(n, o, dict(k, eps=1e-4) if n == "adamw" else k) for n, o, k in tutorial_configs] + [
        ("sgd_plain", "sgd", {"lr": 0.1}),
        ("sgd_nesterov_wd", "sgd", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.001}),
        ("adam_eps", "adam", {"eps": 1e-4}),
        ("rmsprop_eps", "rmsprop", {"lr": 0.001, "eps": 1e-4}),
    ]
    cases = [train_case("tutorial_" + n, tutorial, "example_networks", o, k) for n, o, k in tutorial_configs]
    cases += [train_case("bn_" + n, bn, "bn_networks", o, k) for n, o, k in bn_configs]
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    if sys.argv[1:] == ["--only-lessons"]:  # lessons 12-17 only: leaves the other files untouched
        write("lesson_conv2d.json", "conv2d", lesson_conv2d_cases())
        write("lesson_conv_transpose2d.json", "conv_transpose2d", lesson_conv_transpose2d_cases())
        write("parameter_counts.json", "parameter_counts", parameter_counts())
        return
    if sys.argv[1:] == ["--only-training"]:  # the optimizer fixtures only: leaves the other files untouched
        write("training.json", "training", training_cases())
        return
    if sys.argv[1:] == ["--only-residual"]:  # residual blocks only: leaves the other files untouched
        write("residual_networks.json", "network", [n.record() for n in residual_networks()])
        return
    if sys.argv[1:] == ["--only-grouped"]:  # grouped conv only: leaves the other files untouched
        write("grouped_conv.json", "conv2d", grouped_conv_cases())
        write("grouped_networks.json", "network", [n.record() for n in grouped_networks()])
        return
    if sys.argv[1:] == ["--only-new"]:  # batch norm and dropout only: leaves the other files untouched
        write("normalization.json", "normalization", normalization_cases())
        write("bn_networks.json", "network", [n.record() for n in bn_networks()])
        return
    write("normalization.json", "normalization", normalization_cases())
    write("bn_networks.json", "network", [n.record() for n in bn_networks()])
    write("conv2d.json", "conv2d", conv2d_cases())
    write("grouped_conv.json", "conv2d", grouped_conv_cases())
    write("grouped_networks.json", "network", [n.record() for n in grouped_networks()])
    write("residual_networks.json", "network", [n.record() for n in residual_networks()])
    write("conv_transpose2d.json", "conv_transpose2d", conv_transpose2d_cases())
    write("pooling.json", "pooling", pooling_cases())
    write("activations.json", "activation", activation_cases())
    write("linear.json", "linear", linear_cases())
    write("losses.json", "loss", loss_cases())
    write("networks.json", "network", [n.record() for n in small_networks()])
    write("lesson_conv2d.json", "conv2d", lesson_conv2d_cases())
    write("lesson_conv_transpose2d.json", "conv_transpose2d", lesson_conv_transpose2d_cases())
    write("parameter_counts.json", "parameter_counts", parameter_counts())
    write("training.json", "training", training_cases())
    examples = []
    for name in ("cnn-basics-backprop.yaml", "lenet5.yaml"):
        if os.path.exists(os.path.join(EXAMPLES, name)):
            examples.append(example_network(name).record())
        else:
            print(f"warning: examples/{name} is missing; its fixture is not written", file=sys.stderr)
    if examples:
        write("example_networks.json", "network", examples)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT) if f.endswith(".json"))
    print(f"total fixture size: {total} bytes")


if __name__ == "__main__":
    main()
