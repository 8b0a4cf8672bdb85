#!/usr/bin/env python3
"""PyTorch peer of the one-off Hessian benchmark (tools/bench/src/hessian-oneoff).

The Hessian w.r.t. sigma of the benchmark's PINN loss (tools/bench/src/autodiff/
pinn-loss.ts): tanh MLP 2 -> w -> w -> w -> 1 with LoRA-SVD (rank k) on both
hidden-to-hidden layers, 1024 interior + 256 boundary points, with the same
weights and inputs (the workspace's xoshiro128** stream, ported below), so
the Hessians can be compared entry by entry.

    python3 tools/bench/python/pinn_hessian_peer.py [--width 1000] [--threads 1]
        [--dtype float64|float32] [--hessian-file FILE]

Prints one JSON line: the stage times (building the weights is not timed;
`hessianMs` is torch.autograd.functional.hessian from sigma to the r x r
matrix, which traces and differentiates the loss each call), their CPU time
(all threads), the peak resident memory and the settings.
Without PyTorch it prints a one-line message and exits 0 with
`{"skipped": ...}`, so callers can go on without the peer.
"""
import argparse
import json
import math
import resource
import sys
import time

SIZES = {64: 8, 256: 16, 1000: 50}
INTERIOR, BOUNDARY = 1024, 256
M32 = 0xFFFFFFFF


def _imul(a, b):
    return (a * b) & M32


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def randoms(seed, n, lo=-1.0, hi=1.0):
    """`randoms` of pinn-loss.ts: xoshiro128** seeded by splitmix32, lo + u / 2^32 (hi - lo)."""
    s = [0, 0, 0, 0]
    mix = seed & M32
    for k in range(4):
        mix = (mix + 0x9E3779B9) & M32
        z = mix
        z = _imul(z ^ (z >> 16), 0x85EBCA6B)
        z = _imul(z ^ (z >> 13), 0xC2B2AE35)
        s[k] = z ^ (z >> 16)
    if (s[0] | s[1] | s[2] | s[3]) == 0:
        s[0] = 1
    s0, s1, s2, s3 = s
    out = [0.0] * n
    span = hi - lo
    for i in range(n):
        result = _imul(_rotl(_imul(s1, 5), 7), 9)
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        out[i] = lo + (result / 4294967296) * span
    return out


def build(torch, width, dtype):
    """Weights and inputs of pinn-loss.ts (both MLPs use the same seeds, so one set serves both)."""
    w, k = width, SIZES[width]

    def t(values, shape):
        return torch.tensor(values, dtype=dtype).reshape(shape)

    def weight(seed, rows, cols, scale):
        return t(randoms(seed, rows * cols, -scale, scale), (rows, cols))

    def bias(seed):
        return t(randoms(seed, w, -0.1, 0.1), (w,))

    p = {
        "W1": weight(1, 2, w, 1.0), "b1": bias(2),
        "W2": weight(3, w, w, 1.5 / math.sqrt(w)), "A2": weight(4, w, k, 1 / math.sqrt(w)),
        "B2": weight(5, k, w, 1 / math.sqrt(k)), "b2": bias(6),
        "W3": weight(7, w, w, 1.5 / math.sqrt(w)), "A3": weight(8, w, k, 1 / math.sqrt(w)),
        "B3": weight(9, k, w, 1 / math.sqrt(k)), "b3": bias(10),
        "Wo": weight(11, w, 1, 1 / math.sqrt(w)),
    }
    sigma = t(randoms(3, 2 * k, 0.5, 1.5), (2 * k,))
    xi = t(randoms(4, 2 * INTERIOR, -0.7, 0.7), (INTERIOR, 2))
    xb = t(randoms(5, 2 * BOUNDARY, -1, 1), (BOUNDARY, 2))
    g = t(randoms(50, INTERIOR), (INTERIOR, 1))
    hb = t(randoms(51, BOUNDARY, -0.2, 0.2), (BOUNDARY, 1))
    return p, sigma, xi, xb, g, hb, k


def make_loss(torch, p, xi, xb, g, hb, k):
    def mlp(x, sigma):
        h = torch.tanh(x @ p["W1"] + p["b1"])
        for W, A, B, b, s in (
            (p["W2"], p["A2"], p["B2"], p["b2"], sigma[:k]),
            (p["W3"], p["A3"], p["B3"], p["b3"], sigma[k:]),
        ):
            h = torch.tanh(h @ W + ((h @ A) * s) @ B + b)
        return h @ p["Wo"]

    def loss(sigma):
        x = xi.detach().requires_grad_(True)
        u = mlp(x, sigma)
        # points are independent: d(sum u)/dx is the per-point gradient
        (du,) = torch.autograd.grad(u.sum(), x, create_graph=True)
        gx, gy = du[:, :1], du[:, 1:]
        (dgx,) = torch.autograd.grad(gx.sum(), x, create_graph=True)
        (dgy,) = torch.autograd.grad(gy.sum(), x, create_graph=True)
        lap = dgx[:, :1] + dgy[:, 1:]
        x0, x1 = xi[:, :1], xi[:, 1:]
        a = 1 + (x0 * x0 + x1 * x1) * 0.5
        residual = (-(a * lap) - (x0 * gx + x1 * gy)) + ((gx * gx + gy * gy) - g)
        bres = mlp(xb, sigma) - hb
        return (residual * residual).mean() + (bres * bres).mean()

    return loss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--width", type=int, default=1000, choices=sorted(SIZES))
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (intra-op)")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--hessian-file", help="write the Hessian here as raw float64, row-major")
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        message = "PyTorch is not installed (apt-get install -y python3-torch); peer skipped"
        print(message, file=sys.stderr)
        print(json.dumps({"skipped": message}))
        return
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    t0, c0 = time.perf_counter(), time.process_time()
    p, sigma, xi, xb, g, hb, k = build(torch, args.width, dtype)
    setup_ms = (time.perf_counter() - t0) * 1000
    setup_cpu_ms = (time.process_time() - c0) * 1000
    loss = make_loss(torch, p, xi, xb, g, hb, k)
    t0, c0 = time.perf_counter(), time.process_time()
    h = torch.autograd.functional.hessian(loss, sigma)
    hessian_ms = (time.perf_counter() - t0) * 1000
    hessian_cpu_ms = (time.process_time() - c0) * 1000
    usage = resource.getrusage(resource.RUSAGE_SELF)
    if args.hessian_file:
        with open(args.hessian_file, "wb") as f:
            f.write(h.detach().to(torch.float64).contiguous().numpy().tobytes())
    print(json.dumps({
        "torch": torch.__version__, "threads": args.threads, "dtype": args.dtype,
        "width": args.width, "rank": k, "r": 2 * k,
        "setupMs": setup_ms, "hessianMs": hessian_ms,
        # CPU time of all threads: the load-independent measure on a shared machine
        "cpuMs": {"setup": setup_cpu_ms, "hessian": hessian_cpu_ms,
                  "process": (usage.ru_utime + usage.ru_stime) * 1000},
        # peak resident set of the process (ru_maxrss is in KiB on Linux)
        "maxRssMiB": usage.ru_maxrss / 1024,
        "lossValue": float(loss(sigma)),
    }))


if __name__ == "__main__":
    main()
