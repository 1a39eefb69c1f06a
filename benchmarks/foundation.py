"""Foundation benchmark: naive MLIR vs numpy on the matmuls, JIT compile time, LiveKernel call overhead.

Everything is measured in this one process, interleaved, and printed as ratios against references
measured in the same run (timings on shared machines move +-30% between processes).
Run: python benchmarks/foundation.py [--quick]
"""

from __future__ import annotations

import blas  # noqa: I001  (first: one thread, OpenBLAS's own kernel; see benchmarks/blas.py)

import argparse
import pathlib
import statistics
import time
import timeit

import numpy as np

import neurojit
from neurojit.compiler import compile_kernel, host
from neurojit.compiler.flops import count_flops
from neurojit.evaluator.inputs import random_arrays

KERNELS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "kernels"
TINY = """func.func @add(%a: memref<4xf32>, %b: memref<4xf32>, %c: memref<4xf32>) {
  linalg.add ins(%a, %b : memref<4xf32>, memref<4xf32>) outs(%c : memref<4xf32>)
  return
}
"""


def interleaved(fns, rounds):
    times = [[] for _ in fns]
    for f in fns:
        f()
    for _ in range(rounds):
        for i, f in enumerate(fns):
            t0 = time.perf_counter()
            f()
            times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def matmuls(quick: bool):
    print("\n== naive MLIR vs numpy (1 thread where the BLAS honours it), same arrays, interleaved ==")
    print(f"{'kernel':<22}{'naive ms':>10}{'numpy ms':>10}{'naive GF/s':>12}{'numpy GF/s':>12}{'numpy/naive':>13}")
    stems = ["matmul_256", "matmul_127x255x63"] + ([] if quick else ["matmul_1024"])
    for stem in stems:
        k = compile_kernel(KERNELS / f"{stem}.mlir")
        a, b, c = random_arrays(k.signature)
        flops = count_flops(k.mlir)
        rounds = 3 if "1024" in stem else 10
        t_naive, t_np = interleaved([lambda: k(a, b, c), lambda: np.matmul(a, b, out=c)], rounds)
        print(f"{stem:<22}{t_naive*1e3:>10.3f}{t_np*1e3:>10.3f}{flops/t_naive/1e9:>12.2f}{flops/t_np/1e9:>12.2f}"
              f"{t_naive/t_np:>12.1f}x")


def compile_time():
    print("\n== JIT compile time (lower + ExecutionEngine at O3; the isolated preflight reported apart) ==")
    for stem in ("matmul_256", "conv2d", "row_softmax"):
        text = (KERNELS / f"{stem}.mlir").read_text()
        ms = []
        for i in range(5):
            k = compile_kernel(text + f"\n// {i}", cache=False, isolate=False)
            ms.append(k.compile_ms)
        t0 = time.perf_counter()
        compile_kernel(text + "\n// preflight", cache=False, isolate=True)
        total = (time.perf_counter() - t0) * 1e3
        print(f"{stem:<22} compile median {statistics.median(ms):7.1f} ms (min {min(ms):.1f}); "
              f"first compile incl. subprocess preflight {total:7.1f} ms")


def overhead():
    print("\n== LiveKernel per-call overhead on a 4-element add vs np.add(a, b, out=c) ==")
    live = neurojit.LiveKernel(compile_kernel(TINY))
    a, b, c = (np.ones(4, np.float32) for _ in range(3))
    n = 200_000
    ref, lk, ck = [], [], []
    for _ in range(5):
        ref.append(timeit.timeit(lambda: np.add(a, b, out=c), number=n) / n)
        lk.append(timeit.timeit(lambda: live(a, b, c), number=n) / n)
        ck.append(timeit.timeit(lambda: live.current(a, b, c), number=n) / n)
    r, l, k = (statistics.median(x) * 1e9 for x in (ref, lk, ck))
    print(f"np.add {r:.0f} ns, LiveKernel {l:.0f} ns ({l/r:.2f}x, target <= 3x), CompiledKernel {k:.0f} ns ({k/r:.2f}x)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="skip matmul 1024")
    args = p.parse_args()
    print(f"numpy's BLAS: {blas.describe()}")
    h = host()
    print(f"host: {h.cpu}, {h.vector_bits}-bit vectors, {h.cores} cores; numpy {np.__version__}")
    matmuls(args.quick)
    compile_time()
    overhead()


if __name__ == "__main__":
    main()
