#!/usr/bin/env python3
"""tools — convtrace's untraced forward + backward against PyTorch (CPU, float64, one thread), in one run.

Usage (from the repository root, after `swift build -c release --product convtrace`):
    tools/.venv/bin/python tools/bench_vs_pytorch.py [--rounds 5] [--runs 9] [--binary .build/release/convtrace]

For every case of `convtrace bench --only kernels` (the bench conv case 1×1×28×28 with six 5×5 filters, the
tutorial examples, LeNet-5) it times PyTorch on the same spec: the same shapes and values, forward then
backward (dX and every parameter gradient), the way `convtrace eval` runs the spec. Rounds alternate the two
sides so both see the same machine load; the table gives the median per side, the ratio PyTorch/convtrace
(> 1 means convtrace is faster), and the 1-minute load average before and after. Not part of CI.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "pytorch-fixtures"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import yaml  # noqa: E402

import make_fixtures  # noqa: E402  (sets float64 defaults; reused for example networks)

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


def conv28():
    """The bench conv case, values as in Sources/convtrace/Bench+Kernels.swift."""
    x = torch.tensor([((i * 7) % 13) / 12 - 0.5 for i in range(784)]).reshape(1, 1, 28, 28)
    k = torch.tensor([((i * 11) % 19) / 100 - 0.09 for i in range(150)]).reshape(6, 1, 5, 5)
    b = torch.tensor([0.1, -0.2, 0.05, 0, 0.3, -0.1])
    gy = torch.tensor([(i % 5) / 4 - 0.5 for i in range(3456)]).reshape(1, 6, 24, 24)
    return single_conv(x, k, b, 1, (0, 0, 0, 0), gy)


def single_conv(x, k, b, stride, padding, gy):
    x, k = x.clone().requires_grad_(True), k.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True) if b is not None else None
    top, bottom, left, right = padding

    def run():
        for t in (x, k, b):
            if t is not None:
                t.grad = None
        y = F.conv2d(F.pad(x, (left, right, top, bottom)) if any(padding) else x, k, b, stride=stride)
        if gy is not None:
            y.backward(gy)
        return y
    return run


def conv_spec(path):
    """A single conv2d spec from examples/ (4-D after adding leading axes)."""
    with open(path) as f:
        spec = yaml.safe_load(f)
    x = make_fixtures.as4(torch.tensor(spec["input"], dtype=torch.float64))
    k = torch.tensor(spec["kernel"], dtype=torch.float64)
    while k.dim() < 4:
        k = k.unsqueeze(0)
    b = spec.get("bias")
    b = torch.tensor(b if isinstance(b, list) else [b], dtype=torch.float64) if b is not None else None
    gy = make_fixtures.as4(torch.tensor(spec["grad_output"], dtype=torch.float64)) if "grad_output" in spec else None
    padding = make_fixtures.conv_padding_from_spec(spec.get("padding", 0))
    return single_conv(x, k, b, spec.get("stride", 1), padding, gy)


def network(name):
    """An example network: forward through every layer, the loss, backward."""
    net = make_fixtures.example_network(name)
    x = net.x.clone().requires_grad_(True)
    leaves = [x]
    layers = []
    for layer in net.layers:
        layer = dict(layer)
        for key in ("kernel", "weight", "bias"):
            if layer.get(key) is not None:
                layer[key] = layer[key].clone().requires_grad_(True)
                leaves.append(layer[key])
        layers.append(layer)
    target = torch.tensor(net.loss["target"]) if net.loss and net.loss["op"] == "softmax_cross_entropy" else None
    assert net.loss is not None and target is not None, name

    def run():
        for t in leaves:
            t.grad = None
        h = x
        for layer in layers:
            op = layer["op"]
            if op == "conv2d":
                top, bottom, left, right = layer["padding"]
                hp = F.pad(h, (left, right, top, bottom)) if any(layer["padding"]) else h
                h = F.conv2d(hp, layer["kernel"], layer["bias"], stride=make_fixtures.pair(layer.get("stride", 1)))
            elif op == "relu":
                h = F.relu(h)
            elif op == "tanh":
                h = torch.tanh(h)
            elif op == "max_pool2d":
                h = F.max_pool2d(h, make_fixtures.pair(layer["kernel_size"]))
            elif op == "avg_pool2d":
                h = F.avg_pool2d(h, make_fixtures.pair(layer["kernel_size"]))
            elif op == "flatten":
                h = torch.flatten(h, 1)
            elif op == "linear":
                h = F.linear(h, layer["weight"], layer["bias"])
            else:
                raise ValueError(op)
        loss = F.cross_entropy(h, target)
        loss.backward()
        return loss
    return run


CASES = {
    "conv_fwd_bwd_28_us": conv28,
    "conv_basic_us": lambda: conv_spec(os.path.join(ROOT, "examples", "conv-basic.yaml")),
    "conv_stride_padding_us": lambda: conv_spec(os.path.join(ROOT, "examples", "conv-stride-padding.yaml")),
    "cnn_basics_backprop_us": lambda: network("cnn-basics-backprop.yaml"),
    "lenet_fwd_bwd_us": lambda: network("lenet5.yaml"),
}


def torch_us(run, runs):
    """Median over `runs` of the mean time of one call, in µs (repetitions sized to ~20 ms)."""
    for _ in range(3):
        run()
    start = time.perf_counter()
    run()
    once = time.perf_counter() - start
    repeats = max(1, min(10000, int(0.02 / max(once, 1e-9))))
    times = []
    for _ in range(max(runs, 9)):
        start = time.perf_counter()
        for _ in range(repeats):
            run()
        times.append((time.perf_counter() - start) / repeats)
    return statistics.median(times) * 1e6


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "convtrace"))
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    runners = {key: make() for key, make in CASES.items()}
    ours = {key: [] for key in CASES}
    theirs = {key: [] for key in CASES}
    loads = [load_average()]
    for _ in range(args.rounds):
        for key, run in runners.items():
            theirs[key].append(torch_us(run, args.runs))
        out = subprocess.run([args.binary, "bench", "--json", "--only", "kernels", "--runs", str(args.runs)],
                             cwd=ROOT, check=True, capture_output=True, text=True, timeout=600).stdout
        figures = json.loads(out)["kernels"]
        for key in CASES:
            if key in figures:
                ours[key].append(figures[key])
        loads.append(load_average())
    rows = []
    for key in CASES:
        if not ours[key]:
            continue
        a, b = statistics.median(ours[key]), statistics.median(theirs[key])
        rows.append({"case": key, "convtrace_us": round(a, 2), "pytorch_us": round(b, 2), "ratio": round(b / a, 2),
                     "convtrace_range": [round(min(ours[key]), 2), round(max(ours[key]), 2)],
                     "pytorch_range": [round(min(theirs[key]), 2), round(max(theirs[key]), 2)]})
    if args.json:
        print(json.dumps({"rows": rows, "load_average_1m": loads, "torch": torch.__version__,
                          "threads": torch.get_num_threads()}, indent=2))
        return
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, float64; "
          f"{args.rounds} rounds; load average (1 min) per round: {' '.join(f'{x:.2f}' for x in loads)}")
    print(f"{'case':26} {'convtrace µs':>14} {'PyTorch µs':>12} {'PyTorch/convtrace':>18}   ranges")
    for r in rows:
        print(f"{r['case']:26} {r['convtrace_us']:>14.2f} {r['pytorch_us']:>12.2f} {r['ratio']:>18.2f}   "
              f"{r['convtrace_range']} vs {r['pytorch_range']}")


if __name__ == "__main__":
    main()
