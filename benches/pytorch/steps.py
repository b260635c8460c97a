"""PyTorch eager (CPU, float32) timings of the workloads of `benches/steps.rs`.

This is a benchmark dependency only: nothing in the crate's build or tests needs Python or
PyTorch. `benches/steps.rs` calls this script to put PyTorch's figures next to the generated
code's; it can also be run by hand.

What it measures, per workload:
- `<W>-step`: one SGD step on one batch, each iteration timed on its own:
  `optimizer.zero_grad(set_to_none=True)`, forward, loss, `loss.backward()`,
  `optimizer.step()`, with `torch.optim.SGD(params, lr=0.01)` (no momentum, no weight decay,
  PyTorch's default `foreach` choice, which on CPU is the per-parameter loop).
- `<W>-forward`: one single-example forward pass (a batch of 1) under `torch.no_grad()`.

The workloads (conv = `nn.Conv2d` with bias, stride 1, no padding unless stated; dense =
`nn.Linear`; flatten = `nn.Flatten` of NCHW, i.e. channel, row, column order):
- W1: input(22x22) -> conv(3x3) -> sigmoid -> dense(400->1) -> sigmoid; batch 100,
  HalfSquaredError.
- W2: input(22x22) -> conv(3, 3x3) -> sigmoid -> dense(1200->1) -> sigmoid; batch 100,
  HalfSquaredError.
- W3: LeNet-5: input(28x28) -> conv(6, 5x5) -> relu -> maxpool(2x2) -> conv(16, 5x5) -> relu
  -> maxpool(2x2) -> dense(256->120) -> relu -> dense(120->84) -> relu -> dense(84->10);
  batch 64, SoftmaxCrossEntropy.
- W4: input(8x8) -> conv(8, 3x3) -> relu -> maxpool(2x2) -> dense(72->10); batch 64,
  SoftmaxCrossEntropy.
- W5: input(3, 32x32) -> conv(16, 3x3, pad 1) -> relu -> maxpool(2x2) -> conv(32, 3x3, pad 1)
  -> relu -> maxpool(2x2) -> conv(64, 3x3, pad 1) -> relu -> maxpool(2x2) -> dense(1024->10);
  batch 32, SoftmaxCrossEntropy.

HalfSquaredError is the mean over the batch of the sum over outputs of (y - o)^2 / 2.
SoftmaxCrossEntropy is `F.cross_entropy(logits, target_probabilities)` (mean over the batch),
with one-hot targets. As in `benches/steps.rs`, inputs are uniform in [0, 1) and targets are
0 or 1 for a single output, one-hot classes otherwise; they come from a seeded generator and are
made before timing. Each workload's model is initialised right after `torch.manual_seed(0)`
(PyTorch's default initialisation), so results do not depend on the order of the workloads.

Timing: `torch.set_num_interop_threads(1)` and `torch.set_num_threads(N)` before any work;
then per workload a warm-up of at least 0.5 s and at least 20 iterations, then iterations timed
one by one with `time.perf_counter_ns()` for `--seconds` (and at least 20 of them), with
Python's garbage collector disabled while timing. The median is reported in microseconds, with
the number of samples.

Usage:

    python3 benches/pytorch/steps.py <workload> [<workload> ...] --threads N [--seconds S] [--json]
    python3 benches/pytorch/steps.py --params [<workload> ...] [--json]

`<workload>` is `W1-step` ... `W5-step` or `W1-forward` ... `W5-forward`. With `--json`, one
JSON object per workload per line, e.g.
`{"workload": "W3-step", "threads": 1, "median_us": 1234.5, "samples": 800, "torch": "2.x"}`;
otherwise one readable line per workload. `--params` prints each network's parameter count
(with `--json`: `{"network": "W3", "params": 44426, "expected": 44426, "torch": "2.x"}`) and
exits nonzero if one differs from the count of the Rust network. The exit code is nonzero if
PyTorch is not installed.
"""

import argparse
import gc
import json
import re
import statistics
import sys
import time
import warnings

# PyTorch warns on import when numpy is absent; nothing here uses numpy.
warnings.filterwarnings("ignore", message="Failed to initialize NumPy")

try:
    import torch
    from torch import nn
    import torch.nn.functional as F
except ImportError:
    sys.stderr.write("PyTorch is not installed: pip install torch (a benchmark dependency only)\n")
    sys.exit(2)

LR = 0.01
WARM_UP_SECONDS = 0.5
MIN_ITERATIONS = 20
# The seed of the inputs and targets; the models use torch.manual_seed(0).
DATA_SEED = 1


def half_squared_error(output, target):
    """Mean over the batch of the sum over outputs of (y - o)^2 / 2."""
    return (target - output).pow(2).sum(dim=1).mul(0.5).mean()


def softmax_cross_entropy(logits, target):
    """Cross-entropy of softmax(logits) against target probabilities, mean over the batch."""
    return F.cross_entropy(logits, target)


def w1():
    return nn.Sequential(
        nn.Conv2d(1, 1, 3), nn.Sigmoid(), nn.Flatten(), nn.Linear(400, 1), nn.Sigmoid()
    )


def w2():
    return nn.Sequential(
        nn.Conv2d(1, 3, 3), nn.Sigmoid(), nn.Flatten(), nn.Linear(1200, 1), nn.Sigmoid()
    )


def w3():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def w4():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(72, 10)
    )


def w5():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(1024, 10),
    )


# name: (model constructor, input shape (C, H, W), outputs, batch, loss, parameter count of the
# Rust network)
NETWORKS = {
    "W1": (w1, (1, 22, 22), 1, 100, half_squared_error, 411),
    "W2": (w2, (1, 22, 22), 1, 100, half_squared_error, 1231),
    "W3": (w3, (1, 28, 28), 10, 64, softmax_cross_entropy, 44426),
    "W4": (w4, (1, 8, 8), 10, 64, softmax_cross_entropy, 810),
    "W5": (w5, (3, 32, 32), 10, 32, softmax_cross_entropy, 33834),
}

WORKLOAD = re.compile(r"^(W[1-5])-(step|forward)$")


def model_of(network):
    """The network's model, initialised after torch.manual_seed(0)."""
    torch.manual_seed(0)
    return NETWORKS[network][0]()


def batch_of(network):
    """Seeded inputs uniform in [0, 1) and targets: 0 or 1 for one output, one-hot otherwise."""
    _, shape, outputs, n, _, _ = NETWORKS[network]
    g = torch.Generator().manual_seed(DATA_SEED)
    x = torch.rand((n, *shape), generator=g, dtype=torch.float32)
    if outputs == 1:
        y = torch.randint(0, 2, (n, 1), generator=g).to(torch.float32)
    else:
        classes = torch.randint(0, outputs, (n,), generator=g)
        y = F.one_hot(classes, outputs).to(torch.float32)
    return x, y


def step_fn(network):
    """One SGD step on one batch, as a closure."""
    model = model_of(network)
    model.train()
    loss_fn = NETWORKS[network][4]
    x, y = batch_of(network)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    # Fail before timing rather than time a broken step.
    loss = step()
    if not torch.isfinite(loss.detach()).item():
        raise RuntimeError(f"{network}: non-finite loss {loss.item()}")
    return step


def forward_fn(network):
    """One single-example forward pass without autograd, as a closure."""
    model = model_of(network)
    model.eval()
    x, _ = batch_of(network)
    x1 = x[:1].contiguous()

    def forward():
        with torch.no_grad():
            return model(x1)

    out = forward()
    if tuple(out.shape) != (1, NETWORKS[network][2]):
        raise RuntimeError(f"{network}: forward output shape {tuple(out.shape)}")
    return forward


def measure(fn, seconds):
    """Warm up, then time `fn` call by call for `seconds`; (median in µs, samples)."""
    start = time.perf_counter_ns()
    warm_up_end = start + int(WARM_UP_SECONDS * 1e9)
    iterations = 0
    while iterations < MIN_ITERATIONS or time.perf_counter_ns() < warm_up_end:
        fn()
        iterations += 1

    samples = []
    gc.collect()
    gc.disable()
    try:
        deadline = time.perf_counter_ns() + int(seconds * 1e9)
        while True:
            t0 = time.perf_counter_ns()
            fn()
            t1 = time.perf_counter_ns()
            samples.append(t1 - t0)
            if t1 >= deadline and len(samples) >= MIN_ITERATIONS:
                break
    finally:
        gc.enable()
    return statistics.median(samples) / 1000.0, len(samples)


def print_params(networks, as_json):
    ok = True
    for network in networks:
        model = model_of(network)
        count = sum(p.numel() for p in model.parameters())
        expected = NETWORKS[network][5]
        # A forward pass checks that the layer sizes fit together (the dense input size).
        x, _ = batch_of(network)
        with torch.no_grad():
            model(x[:1])
        ok = ok and count == expected
        if as_json:
            print(json.dumps({
                "network": network, "params": count, "expected": expected,
                "torch": torch.__version__,
            }))
        else:
            mark = "ok" if count == expected else "MISMATCH"
            print(f"{network}: {count} parameters (Rust network: {expected}) {mark}")
    return ok


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="PyTorch eager CPU timings of the workloads of benches/steps.rs "
        "(a benchmark dependency only)."
    )
    parser.add_argument(
        "workloads", nargs="*", metavar="workload",
        help="W1-step ... W5-step, W1-forward ... W5-forward",
    )
    parser.add_argument("--threads", type=int, help="torch.set_num_threads(N)")
    parser.add_argument(
        "--seconds", type=float, default=3.0,
        help="measurement time per workload after the warm-up (default 3)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--params", action="store_true",
        help="print the parameter count of each network (all if no workload is given)",
    )
    args = parser.parse_args(argv)
    for w in args.workloads:
        if not WORKLOAD.match(w):
            parser.error(f"unknown workload {w!r}: expected W1..W5 then -step or -forward")
    if not args.params:
        if not args.workloads:
            parser.error("give at least one workload, e.g. W3-step")
        if args.threads is None:
            parser.error("--threads N is required")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    if not args.seconds > 0:
        parser.error("--seconds must be positive")
    return args


def main(argv):
    args = parse_args(argv)

    if args.params:
        networks = []
        for w in args.workloads or [f"{n}-step" for n in NETWORKS]:
            network = WORKLOAD.match(w).group(1)
            if network not in networks:
                networks.append(network)
        return 0 if print_params(networks, args.json) else 1

    # Interop threads must be set before any parallel work starts.
    torch.set_num_interop_threads(1)
    torch.set_num_threads(args.threads)

    for w in args.workloads:
        network, kind = WORKLOAD.match(w).groups()
        fn = step_fn(network) if kind == "step" else forward_fn(network)
        median_us, samples = measure(fn, args.seconds)
        threads = torch.get_num_threads()
        if args.json:
            print(json.dumps({
                "workload": w,
                "threads": threads,
                "median_us": round(median_us, 3),
                "samples": samples,
                "torch": torch.__version__,
            }), flush=True)
        else:
            print(
                f"{w:<11} threads {threads}  median {median_us:10.2f} us  "
                f"({samples} samples)  torch {torch.__version__}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
