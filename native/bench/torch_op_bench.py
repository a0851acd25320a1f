"""PyTorch timings of the shapes in op_bench.cpp, for a side-by-side comparison (fp32, CPU).

Run with the oracle venv and one thread pool of the same size as neox_op_bench:
  OMP_NUM_THREADS=2 .venv/bin/python native/bench/torch_op_bench.py
FLOP counts are the same as op_bench.cpp's (causal attention counts allowed pairs only).
"""
import statistics
import time

import torch
import torch.nn.functional as F


def median_seconds(fn, reps=9):
    """(best, median) wall time after one warm-up run, as op_bench.cpp reports it."""
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def report(what, timing, flops):
    best, median = timing
    print(f"  {what:<52} best {best * 1e3:9.2f} ms (median {median * 1e3:9.2f}) {flops / best * 1e-9:7.1f} GFLOP/s")


def bench_linear(rows, d_in, d_out):
    x = torch.randn(rows, d_in, requires_grad=True)
    lin = torch.nn.Linear(d_in, d_out)
    flops = 2.0 * rows * d_in * d_out
    report(f"linear fwd   {rows}x{d_in} -> {d_out}", median_seconds(lambda: lin(x)), flops)
    y = lin(x)
    g = torch.randn_like(y)
    report(f"linear bwd   {rows}x{d_in} -> {d_out}",
           median_seconds(lambda: torch.autograd.grad(y, (x, lin.weight, lin.bias), g, retain_graph=True)), 2 * flops)


def bench_attention(b, t, nh, hs):
    q, k, v = (torch.randn(b, nh, t, hs, requires_grad=True) for _ in range(3))
    pairs = b * nh * t * (t + 1) / 2
    label = f"B={b} T={t} NH={nh} HS={hs}"
    report(f"attention fwd {label}",
           median_seconds(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True)), 4.0 * hs * pairs)
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    g = torch.randn_like(out)
    report(f"attention bwd {label}",
           median_seconds(lambda: torch.autograd.grad(out, (q, k, v), g, retain_graph=True)), 8.0 * hs * pairs)


def bench_loss(n, c, v):
    x = torch.randn(n, c, requires_grad=True)
    w = (torch.randn(v, c) * 0.05).requires_grad_()
    targets = torch.arange(n) * 7919 % v

    def fwd_bwd():
        loss = F.cross_entropy(x @ w.t(), targets)
        loss.backward()

    report(f"loss fwd+bwd N={n} C={c} V={v} (full logits)", median_seconds(fwd_bwd, 5), 6.0 * n * c * v)
    with torch.no_grad():
        report(f"loss eval    N={n} C={c} V={v} (full logits)",
               median_seconds(lambda: F.cross_entropy(x @ w.t(), targets), 5), 2.0 * n * c * v)


if __name__ == "__main__":
    print(f"torch {torch.__version__}: {torch.get_num_threads()} threads")
    bench_linear(2048, 512, 2048)
    bench_attention(8, 256, 8, 64)
    bench_attention(1, 2048, 8, 64)
    bench_attention(1, 2048, 8, 128)
    bench_loss(2048, 512, 50304)
