"""Schedule library benchmark: each example kernel with the library's default-knob schedule, against numpy
(one thread) and the naive lowering, on the same arrays, in this one process, interleaved.

Run: python benchmarks/schedules.py [--quick] [--sweep] [--rounds N]
  --quick  skip matmul_1024 and the naive lowering of the big kernels
  --sweep  also time a few knob settings around the defaults (matmuls)
"""

from __future__ import annotations

import os

# before numpy is imported: the BLAS reads these once
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from neurojit.agent.analyze import analyze  # noqa: E402
from neurojit.agent.schedules import for_kernel  # noqa: E402
from neurojit.compiler import compile_kernel, host  # noqa: E402
from neurojit.compiler.flops import count_flops  # noqa: E402
from neurojit.evaluator.inputs import random_arrays  # noqa: E402

KERNELS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "kernels"


def _softmax(x, out):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.divide(e, e.sum(axis=1, keepdims=True), out=out)


def _conv2d(x, w, out):
    """NCHW x FCHW, stride 1: the windows as a strided view, contracted by tensordot (BLAS)."""
    win = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))  # n c y x kh kw
    out[...] = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)


# numpy's version of each kernel on the kernel's own arrays (outputs written in place)
NUMPY = {
    "matmul": lambda a, b, c: np.matmul(a, b, out=c),  # the product alone: C's += is not counted for numpy
    "dense_relu": lambda a, w, bias, out: (np.matmul(a, w, out=out), np.add(out, bias, out=out),
                                           np.maximum(out, 0, out=out)),
    "elementwise": lambda x, y, out: np.multiply(np.maximum(x * y + x, 0), 0.5, out=out),
    "row_sum": lambda x, out: np.sum(x, axis=1, out=out),
    "softmax": _softmax,
    "conv2d": _conv2d,
}


def interleaved(fns: dict, rounds: int, sparse: dict | None = None) -> dict:
    """Median seconds per function; each round runs every function once (those in `sparse` only in
    their first n rounds: the naive lowering of a big kernel takes seconds)."""
    times = {k: [] for k in fns}
    for f in fns.values():
        f()
    for r in range(rounds):
        for k, f in fns.items():
            if sparse and k in sparse and r >= sparse[k]:
                continue
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def bench(path: pathlib.Path, args, h) -> None:
    text = path.read_text()
    info = analyze(text)
    schedules = for_kernel(info, h)
    if info.name not in NUMPY or not schedules:
        print(f"{path.stem:<22} (no schedule in the library applies)")
        return
    s = schedules[0]
    sched = s.text(info, h)
    variants = {"default": s.defaults(info, h)}
    if args.sweep and s.name == "packed_matmul":
        d = variants["default"]
        for mc in (64, 128):
            variants[f"mc={mc}"] = {**d, "mc": mc}
        variants["kc=128"] = {**d, "kc": 128}
        variants["mr=4"] = {**d, "mr": 4}
    t0 = time.perf_counter()
    compiled = {name: compile_kernel(text, sched, knobs) for name, knobs in variants.items()}
    compile_s = time.perf_counter() - t0
    naive = compile_kernel(text)
    arrays = random_arrays(naive.signature)
    ref = [a.copy() for a in arrays]
    naive(*ref)
    for name, k in compiled.items():
        got = [a.copy() for a in arrays]
        k(*got)
        for i, a in enumerate(naive.signature.args):
            if a.role == "out" and not np.allclose(got[i], ref[i], rtol=1e-3, atol=1e-3):
                raise SystemExit(f"{path.stem} {name}: wrong result")
    flops = count_flops(text)
    work = [a.copy() for a in arrays]
    fns = {"numpy": lambda: NUMPY[info.name](*work), "naive": lambda: naive(*work)}
    for name, k in compiled.items():
        fns[name] = lambda k=k: k(*work)
    big = flops is not None and flops > 5e8
    rounds = args.rounds or (7 if big else 25)
    sparse = {"naive": 0 if (args.quick and big) else (1 if big else rounds)}
    if sparse["naive"] == 0:
        del fns["naive"]
    med = interleaved(fns, rounds, sparse)
    for name in compiled:
        t = med[name]
        gf = f"{flops / t / 1e9:8.1f}" if flops else f"{'-':>8}"
        vs_naive = f"{med['naive'] / t:9.1f}x" if "naive" in med else f"{'-':>10}"
        knobs = ",".join(f"{k}={v}" for k, v in variants[name].items())
        print(f"{path.stem:<22}{s.name:<24}{name:<9}{t * 1e3:9.3f}{med['numpy'] * 1e3:9.3f}{gf}"
              f"{(flops / med['numpy'] / 1e9 if flops else 0):8.1f}{med['numpy'] / t:8.2f}x{vs_naive}  {knobs}")
    print(f"{'':<22}(compile {compile_s / len(compiled):.1f} s per variant incl. preflight; {rounds} rounds)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--only", default="", help="comma-separated kernel stems")
    args = ap.parse_args()
    h = host()
    print(f"host {h.cpu}, {h.vector_bits}-bit vectors, {h.vector_registers} registers; numpy {np.__version__} "
          "on 1 thread; medians of interleaved rounds; ratio = numpy time / our time")
    print(f"{'kernel':<22}{'schedule':<24}{'knobs':<9}{'ms':>9}{'np ms':>9}{'GF/s':>8}{'np GF/s':>8}"
          f"{'vs np':>9}{'vs naive':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        mm512 = pathlib.Path(tmp) / "matmul_512.mlir"
        mm512.write_text((KERNELS / "matmul_256.mlir").read_text().replace("256", "512"))
        paths = [KERNELS / "matmul_256.mlir", KERNELS / "matmul_127x255x63.mlir", mm512]
        if not args.quick:
            paths.append(KERNELS / "matmul_1024.mlir")
        paths += [KERNELS / f"{k}.mlir" for k in ("matmul_bias_relu", "elementwise_chain", "row_sum", "row_softmax",
                                                   "conv2d")]
        for p in paths:
            if args.only and p.stem not in args.only.split(","):
                continue
            bench(p, args, h)


if __name__ == "__main__":
    main()
