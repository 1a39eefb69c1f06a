"""Tune the example kernels with the offline heuristic provider, export each run's best variant, and time the
exported library against numpy (one thread) and the naive lowering, on the same arrays, in this process,
interleaved. Prints GFLOP/s and the fraction of the host's nominal FP32 peak.

Run: OPENBLAS_NUM_THREADS=1 python benchmarks/tune.py [--budget N] [--time-limit S] [--only NAME ...]
(the script sets the BLAS thread variables itself before numpy is imported).
"""

from __future__ import annotations


import blas  # noqa: E402  (first: one thread, OpenBLAS's own kernel; see benchmarks/blas.py)

import argparse  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from neurojit.agent.budget import Budget  # noqa: E402
from neurojit.agent.run import TuneOptions, tune  # noqa: E402
from neurojit.compiler import compile_kernel, host  # noqa: E402
from neurojit.compiler.export import export  # noqa: E402
from neurojit.compiler.flops import count_flops  # noqa: E402
from neurojit.agent.store import ResultStore  # noqa: E402
from neurojit.demo import matmul_kernel  # noqa: E402
from neurojit.evaluator.inputs import random_arrays  # noqa: E402

KERNELS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "kernels"


def numpy_reference(name: str):
    """numpy doing the same work in place on the kernel's arrays (outputs last)."""
    if name == "matmul_bias_relu":
        return lambda a, w, bias, out: np.maximum(np.add(np.matmul(a, w, out=out), bias, out=out), 0, out=out)
    if name.startswith("matmul"):
        return lambda a, b, c: np.add(c, a @ b, out=c)  # C += A @ B
    if name == "elementwise_chain":
        return lambda x, y, out: np.multiply(np.maximum(np.add(np.multiply(x, y, out=out), x, out=out), 0,
                                                        out=out), 0.5, out=out)
    if name == "row_sum":
        return lambda x, out: np.sum(x, axis=1, out=out)
    raise KeyError(name)


def nominal_peak_gflops() -> float:
    """2 FMA pipes x lanes x 2 flops x the clock /proc/cpuinfo reports (nominal; turbo moves it).

    Zen 1 splits each 256-bit FMA into two 128-bit halves, so its lanes per pipe are those of 128 bits."""
    mhz = 0.0
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("cpu MHz"):
                mhz = max(mhz, float(line.split(":")[1]))
    except OSError:
        pass
    lanes = (128 if host().cpu == "znver1" else host().vector_bits) // 32
    return 2 * lanes * 2 * (mhz or 2500.0) / 1e3


def load_export(out: str):
    manifest = json.loads(pathlib.Path(out, "manifest.json").read_text())
    lib = ctypes.CDLL(str(pathlib.Path(out, "libkernel.so")))
    fn = getattr(lib, manifest["symbol"])
    fn.restype = None
    fn.argtypes = [ctypes.c_void_p] * len(manifest["args"])
    return lambda *arrays: fn(*(a.ctypes.data for a in arrays)), manifest


def timed(fns, rounds: int):
    times = [[] for _ in fns]
    for f in fns:
        f()
    for r in range(rounds):
        order = list(enumerate(fns)) if r % 2 == 0 else list(enumerate(fns))[::-1]
        for i, f in order:
            t0 = time.perf_counter()
            f()
            times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def one(name: str, path: pathlib.Path, args, db: str, peak: float) -> dict:
    t0 = time.perf_counter()
    s = tune(str(path), TuneOptions(budget=Budget(args.budget, args.time_limit), db=db, run_id=name, seed=0),
             progress=None if args.quiet else sys.stderr)
    tune_s = time.perf_counter() - t0
    store = ResultStore(db)
    best = store.best(name)
    naive = compile_kernel(path)
    arrays = random_arrays(naive.signature)
    flops = count_flops(naive.mlir)
    ref = numpy_reference(name)
    row = {"kernel": name, "tune_s": tune_s, "candidates": s.candidates, "accepted": s.accepted}
    fns = [lambda: ref(*arrays)]
    if best is not None:
        out = tempfile.mkdtemp(prefix=f"nj-{name}-")
        cand = best.candidate  # its kind as its text decides
        schedule = cand.text if cand.is_schedule else None
        export(path if schedule else cand.text, out, schedule, dict(cand.knobs) or None)
        fn, _ = load_export(out)
        fns.append(lambda: fn(*arrays))
        row["schedule"] = best.schedule
        row["knobs"] = best.knobs
    rounds = 5 if "1024" in name else 20
    ts = timed(fns, rounds)
    t_naive = timed([lambda: naive(*arrays)], 1 if "1024" in name else 3)[0]
    row.update(numpy_ms=ts[0] * 1e3, naive_ms=t_naive * 1e3)
    if best is not None:
        row.update(best_ms=ts[1] * 1e3, vs_numpy=ts[0] / ts[1], vs_naive=t_naive / ts[1],
                   gflops=flops / ts[1] / 1e9 if flops else None,
                   peak_frac=flops / ts[1] / 1e9 / peak if flops else None)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=int, default=24, help="candidates per kernel (default 24)")
    ap.add_argument("--time-limit", type=float, default=600, help="tuning seconds per kernel (default 600)")
    ap.add_argument("--only", nargs="*", help="kernel names to run (default: all)")
    ap.add_argument("--db", default=None, help="results store (default: a fresh temporary SQLite file)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="nj-bench-"))
    (tmp / "matmul_512.mlir").write_text(matmul_kernel(512))
    kernels = {"matmul_256": KERNELS / "matmul_256.mlir", "matmul_512": tmp / "matmul_512.mlir",
               "matmul_1024": KERNELS / "matmul_1024.mlir", "matmul_bias_relu": KERNELS / "matmul_bias_relu.mlir",
               "elementwise_chain": KERNELS / "elementwise_chain.mlir", "row_sum": KERNELS / "row_sum.mlir"}
    db = args.db or f"sqlite:///{tmp}/runs.db"
    peak = nominal_peak_gflops()
    h = host()
    print(f"host {h.cpu}, {h.vector_bits}-bit vectors; nominal FP32 peak {peak:.0f} GFLOP/s per core; numpy "
          f"{np.__version__} on 1 thread; budget {args.budget} candidates / {args.time_limit:g} s per kernel")
    print(f"numpy's BLAS: {blas.describe()}")
    print(f"{'kernel':<19}{'tune s':>7}{'cand':>5}{'numpy ms':>10}{'best ms':>10}{'x numpy':>9}{'x naive':>9}"
          f"{'GFLOP/s':>9}{'peak':>6}  schedule")
    for name, path in kernels.items():
        if args.only and name not in args.only:
            continue
        r = one(name, path, args, db, peak)
        if "best_ms" not in r:
            print(f"{name:<19}{r['tune_s']:>7.0f}{r['candidates']:>5}{r['numpy_ms']:>10.3f}  no accepted candidate")
            continue
        gf = f"{r['gflops']:>9.1f}{100 * r['peak_frac']:>5.0f}%" if r["gflops"] else f"{'-':>9}{'-':>6}"
        print(f"{name:<19}{r['tune_s']:>7.0f}{r['candidates']:>5}{r['numpy_ms']:>10.3f}{r['best_ms']:>10.3f}"
              f"{r['vs_numpy']:>8.2f}x{r['vs_naive']:>8.0f}x{gf}  {r['schedule']} {r['knobs']}", flush=True)


if __name__ == "__main__":
    main()
