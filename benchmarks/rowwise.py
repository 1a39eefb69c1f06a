"""Row-wise fused softmax and layer norm (RowwiseFused) against numpy (one thread) and the naive lowering, and
against the op-by-op row reduction schedule (VectorizeRowReduction, now with exp approximated too), and
RowwiseFused with one reciprocal per row (reciprocal=1) where it has that knob, on the same arrays in this one
process, interleaved: each round runs every variant once; medians per variant.

Run: python benchmarks/rowwise.py [--rounds N] [--sizes 512x1024,256x768,...]
"""

from __future__ import annotations

import blas  # noqa: E402  (first: one thread, OpenBLAS's own kernel; see benchmarks/blas.py)

import argparse  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from neurojit.agent.analyze import analyze  # noqa: E402
from neurojit.agent.schedules import RowwiseFused, VectorizeRowReduction  # noqa: E402
from neurojit.compiler import compile_kernel, host  # noqa: E402
from neurojit.evaluator.inputs import random_arrays  # noqa: E402

KERNELS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "kernels"


def _softmax(x, out):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.divide(e, e.sum(axis=1, keepdims=True), out=out)


def _layer_norm(x, g, b, mean, rstd, y):
    np.mean(x, axis=1, out=mean)
    d = x - mean[:, None]
    np.divide(1.0, np.sqrt(np.mean(d * d, axis=1) + 1e-5), out=rstd)
    np.add(d * rstd[:, None] * g, b, out=y)


def softmax_text(m: int, n: int) -> str:
    return (KERNELS / "row_softmax.mlir").read_text().replace("512x1024", f"{m}x{n}").replace("512xf32", f"{m}xf32")


def layer_norm_text(m: int, n: int) -> str:
    t = (KERNELS / "layer_norm.mlir").read_text()
    return (t.replace("256x768", f"{m}x{n}").replace("768xf32", f"{n}xf32").replace("256xf32", f"{m}xf32")
            .replace("768.0", f"{n}.0"))


def interleaved(fns: dict, rounds: int) -> dict:
    """Median seconds per function. Each round runs every function once, in an order rotated by one each
    round: a fixed order would charge whoever runs after numpy for the caches its temporaries evicted."""
    times = {k: [] for k in fns}
    for f in fns.values():
        f()
    names = list(fns)
    for r in range(rounds):
        for k in names[r % len(names):] + names[:r % len(names)]:
            t0 = time.perf_counter()
            fns[k]()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def bench(label: str, text: str, ref, rounds: int, h) -> None:
    info = analyze(text)
    naive = compile_kernel(text)
    variants = {"naive": naive}
    for s in (RowwiseFused(), VectorizeRowReduction()):
        if s.applies(info):
            variants[s.name] = compile_kernel(text, s.text(info, h), s.defaults(info, h))
    arcp = RowwiseFused(reciprocal=1)
    if arcp.applies(info) and "reciprocal" in arcp.defaults(info, h):  # one reciprocal per row, for comparison
        variants["rowwise_fused reciprocal=1"] = compile_kernel(text, arcp.text(info, h), arcp.defaults(info, h))
    arrays = random_arrays(naive.signature)
    want = [a.copy() for a in arrays]
    naive(*want)
    for name, k in variants.items():
        got = [a.copy() for a in arrays]
        k(*got)
        for i, a in enumerate(naive.signature.args):
            # normwise, as the evaluator compares: y = (x - mean) rstd g + b cancels to near zero in places
            if a.role == "out" and np.abs(got[i] - want[i]).max() > 1e-5 * np.abs(want[i]).max():
                raise SystemExit(f"{label} {name}: wrong result")
    work = [a.copy() for a in arrays]
    fns = {"numpy": lambda: ref(*work)}
    fns.update({name: (lambda k=k: k(*work)) for name, k in variants.items()})
    med = interleaved(fns, rounds)
    for name in variants:
        t = med[name]
        print(f"{label:<22}{name:<26}{t * 1e3:9.3f}{med['numpy'] * 1e3:9.3f}{med['numpy'] / t:8.2f}x"
              f"{med['naive'] / t:9.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=41)
    ap.add_argument("--sizes", default="512x1024,256x768,1000x1000,64x4097")
    args = ap.parse_args()
    h = host()
    print(f"host {h.cpu}, {h.vector_bits}-bit vectors; numpy {np.__version__} on 1 thread; medians of {args.rounds} "
          "interleaved rounds; ratio = numpy (naive) time / this variant's time")
    print(f"numpy's BLAS: {blas.describe()}; load average {os.getloadavg()[0]:.2f} at the start")
    print(f"{'kernel':<22}{'variant':<26}{'ms':>9}{'np ms':>9}{'vs np':>9}{'vs naive':>10}")
    for size in args.sizes.split(","):
        m, n = (int(v) for v in size.split("x"))
        bench(f"softmax {m}x{n}", softmax_text(m, n), _softmax, args.rounds, h)
        bench(f"layer_norm {m}x{n}", layer_norm_text(m, n), _layer_norm, args.rounds, h)


if __name__ == "__main__":
    main()
