"""Schedule library benchmark: each example kernel with every schedule the heuristic proposes for it (default
knobs, in the host model's order), against numpy (one thread, where numpy has the operation) and the naive
lowering, on the same arrays, in this one process, interleaved, each timed call warm (see `interleaved`). One
kernel per class of issue 17 follows the matmuls: integer and order-keeping reductions, an arg-reduction, a
dot product and a transposed operand, 1-D and strided windows, plain affine loops, plain scf loops, and (beyond
the issue's list) a reduction along an outer loop, a column sum, an in-place sweep (seidel-2d), a recurrence along independent rows (an IIR filter), a
transpose (NCHW to NHWC) loops in which one iteration writes what all of them read (Floyd-Warshall) and a loop reading a row beside a
column (nussinov).

Run: python benchmarks/schedules.py [--quick] [--sweep] [--rounds N] [--only STEMS] [--classes]
  --quick    skip matmul_1024 and the naive lowering of the big kernels
  --sweep    also time a few knob settings around the defaults (matmuls)
  --classes  only the issue-17 class kernels
"""

from __future__ import annotations

import blas  # noqa: E402  (first: one thread, OpenBLAS's own kernel; see benchmarks/blas.py)

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


def _lfilter(b, a, x, axis):
    from scipy.signal import lfilter  # (numpy has no IIR filter)

    return lfilter(np.asarray(b, x.dtype), np.asarray(a, x.dtype), x, axis=axis)


def _conv2d(x, w, out):
    """NCHW x FCHW, stride 1: the windows as a strided view, contracted by tensordot (BLAS)."""
    win = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))  # n c y x kh kw
    out[...] = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)


def _windows(x, kh, kw, stride, axis):
    """x's kh x kw windows at `stride` over axes (axis, axis + 1), as a strided view (offsets last)."""
    oh, ow = (x.shape[axis] - kh) // stride + 1, (x.shape[axis + 1] - kw) // stride + 1
    win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(axis, axis + 1))
    sl = [slice(None)] * x.ndim
    sl[axis], sl[axis + 1] = slice(0, stride * (oh - 1) + 1, stride), slice(0, stride * (ow - 1) + 1, stride)
    return win[tuple(sl)]


def _conv1d_nwc(x, w, out):
    win = np.lib.stride_tricks.sliding_window_view(x, w.shape[0], axis=1)[:, :out.shape[1]]  # n w c kw
    out += np.tensordot(win, w, axes=([2, 3], [1, 0]))


def _conv2d_s2(x, w, out):
    out += np.tensordot(_windows(x, w.shape[2], w.shape[3], 2, 2), w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)


def _layer_norm(x, g, b, mean, rstd, y):
    np.mean(x, axis=1, out=mean)
    d = x - mean[:, None]
    np.divide(1.0, np.sqrt(np.mean(d * d, axis=1) + 1e-5), out=rstd)
    np.add(d * rstd[:, None] * g, b, out=y)


# numpy's version of each kernel on the kernel's own arrays (outputs written in place), by function name
NUMPY = {
    "matmul": lambda a, b, c: np.matmul(a, b, out=c),  # the product alone: C's += is not counted for numpy
    "dense_relu": lambda a, w, bias, out: (np.matmul(a, w, out=out), np.add(out, bias, out=out),
                                           np.maximum(out, 0, out=out)),
    "elementwise": lambda x, y, out: np.multiply(np.maximum(x * y + x, 0), 0.5, out=out),
    "gelu": lambda x, out: np.multiply(0.5 * x, 1 + np.tanh(0.7978845608 * (x + 0.044715 * (x * x * x))), out=out),
    "row_sum": lambda x, out: np.sum(x, axis=1, out=out),
    "softmax": _softmax,
    "conv2d": _conv2d,
    # the classes of issue 17
    "row_sum_i32": lambda x, out: np.sum(x, axis=1, out=out),
    "row_max": lambda x, out: np.max(x, axis=1, out=out),
    "argmax": lambda x, val, idx: (np.max(x, axis=1, out=val), idx.__setitem__(slice(None), np.argmax(x, axis=1))),
    "layer_norm": _layer_norm,
    "dot": lambda a, b, s: s.__setitem__((), s + np.dot(a, b)),
    "matmul_bt": lambda a, b, c: np.add(c, a @ b.T, out=c),
    "conv1d": _conv1d_nwc,
    "conv2d_s2": _conv2d_s2,
    "max_pool": lambda x, out: np.max(_windows(x, 3, 3, 2, 2), axis=(4, 5), out=out),
    "mm_ijk": lambda a, b, d: np.matmul(a, b, out=d),
    "mm_scf": lambda a, b, c: np.add(c, a @ b, out=c),
    "col_sum": lambda x, out: np.sum(x, axis=0, out=out),
    "attention_scores": lambda q, k, s: np.multiply(np.matmul(q, np.swapaxes(k, -1, -2), out=s), 0.125, out=s),
    "iir_rows": lambda x, y: y.__setitem__(slice(None), _lfilter([0.25, 0.125], [1, -0.5, 0.0625], x, axis=1)),  # scipy
    "nchw_to_nhwc": lambda x, y: np.copyto(y, x.transpose(0, 2, 3, 1)),
    # numpy's f16 ops round each result to f16, as the kernel does (each op a pass over the array, in f32 inside)
    "gelu_f16": lambda x, b, out: (np.add(x, b, out=out), np.multiply(
        out * np.float16(0.5), np.tanh((out + out * out * out * np.float16(0.044715)) * np.float16(0.797851))
        + np.float16(1), out=out)),
}
CLASSES = ("row_sum_i32", "row_max_select", "argmax", "layer_norm", "dot_product", "matmul_bt", "conv1d", "conv2d_s2",
           "max_pool", "mm_affine", "mm_scf", "col_sum", "attention_scores", "jacobi_2d", "seidel_2d", "iir_rows",
           "permute_nhwc", "floyd_warshall", "nussinov", "gelu_f16")


def interleaved(fns: dict, rounds: int, sparse: dict | None = None) -> dict:
    """Median seconds per function; each round runs every function once (those in `sparse` only in
    their first n rounds: the naive lowering of a big kernel takes seconds). Every timed call starts with its
    own data in cache, as a kernel called in a loop would: a function under 50 ms is called once, untimed,
    right before (else the one after numpy, whose temporaries evict L2, would be timed from DRAM)."""
    times = {k: [] for k in fns}
    first = {}
    for k, f in fns.items():
        t0 = time.perf_counter()
        f()
        first[k] = time.perf_counter() - t0
    for r in range(rounds):
        for k, f in fns.items():
            if sparse and k in sparse and r >= sparse[k]:
                continue
            if first[k] < 0.05:
                f()
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


# kernels that read each byte once and do little with it: bounded by the rate the cores read memory (`ceiling`)
STREAMING = ("row_sum", "row_sum_i32", "col_sum", "row_max_select", "elementwise_chain")


def ceiling(nbytes: int, naive_s: float | None, tmp: str) -> str:
    """How much faster 2 cores read `nbytes` than 1 does on this host (benchmarks/stream.c, built with the C
    compiler the async runtime is built with), and the naive lowering's time over 2 cores' read: no kernel that
    reads every byte beats its naive lowering by more."""
    import subprocess

    from neurojit.compiler.runtime import compiler

    exe = pathlib.Path(tmp) / "stream"
    if not exe.exists():
        cc = compiler()
        src = pathlib.Path(__file__).resolve().parent / "stream.c"
        if cc is None or subprocess.run([cc, "-O3", "-march=native", "-pthread", "-o", str(exe), str(src)]).returncode:
            return "(no C compiler: streaming ceiling not measured)"
    out = subprocess.run([str(exe), str(nbytes), "400"], capture_output=True, text=True)
    if out.returncode:
        return f"(streaming ceiling not measured: {out.stderr.strip()})"
    _, one, two, ratio = out.stdout.split()
    bound = f"; at most {naive_s * 1e6 / float(two):.2f}x over the naive lowering" if naive_s else ""
    return (f"(streaming ceiling: 2 cores read its {nbytes / 2**20:.1f} MiB {float(ratio):.2f}x faster than 1, "
            f"{float(one):.1f} against {float(two):.1f} us{bound}; benchmarks/stream.c)")


def bench(path: pathlib.Path, args, h, tmp: str) -> None:
    text = path.read_text()
    info = analyze(text)
    schedules = for_kernel(info, h)
    if not schedules:
        print(f"{path.stem:<22} (no schedule in the library applies)")
        return
    variants = {s.name: (s.text(info, h), s.defaults(info, h)) for s in schedules}
    first = schedules[0]
    if args.sweep and first.name == "packed_matmul":
        sched, d = variants[first.name]
        for mc in (64, 128):
            variants[f"mc={mc}"] = (sched, {**d, "mc": mc})
        variants["kc=128"] = (sched, {**d, "kc": 128})
        variants["mr=4"] = (sched, {**d, "mr": 4})
    t0 = time.perf_counter()
    compiled = {name: compile_kernel(text, sched, knobs) for name, (sched, knobs) in variants.items()}
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
    fns = {"naive": lambda: naive(*work)}
    if info.name in NUMPY:
        fns["numpy"] = lambda: NUMPY[info.name](*work)
    for name, k in compiled.items():
        fns[name] = lambda k=k: k(*work)
    big = flops is not None and flops > 5e8
    rounds = args.rounds or (7 if big else 25)
    sparse = {"naive": 0 if (args.quick and big) else (1 if big else rounds)}
    if sparse["naive"] == 0:
        del fns["naive"]
    med = interleaved(fns, rounds, sparse)
    np_ms = med.get("numpy")
    for name in compiled:
        t = med[name]
        gf = f"{flops / t / 1e9:8.1f}" if flops else f"{'-':>8}"
        np_gf = f"{flops / np_ms / 1e9:8.1f}" if flops and np_ms else f"{'-':>8}"
        vs_np = f"{np_ms / t:8.2f}x" if np_ms else f"{'-':>9}"
        vs_naive = f"{med['naive'] / t:9.1f}x" if "naive" in med else f"{'-':>10}"
        np_col = f"{np_ms * 1e3:9.3f}" if np_ms else f"{'-':>9}"
        knobs = ",".join(f"{k}={v}" for k, v in variants[name][1].items())
        label = name if name in (s.name for s in schedules) else f"{first.name} {name}"
        print(f"{path.stem:<22}{label:<32}{t * 1e3:9.3f}{np_col}{med.get('naive', float('nan')) * 1e3:10.3f}{gf}{np_gf}"
              f"{vs_np}{vs_naive}  {knobs}")
    print(f"{'':<22}(compile {compile_s / len(compiled):.1f} s per variant incl. preflight; {rounds} rounds)")
    if path.stem in STREAMING and h.cores >= 2:
        print(f"{'':<22}{ceiling(sum(a.nbytes for a in arrays), med.get('naive'), tmp)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--only", default="", help="comma-separated kernel stems")
    ap.add_argument("--classes", action="store_true", help="only the issue-17 class kernels")
    args = ap.parse_args()
    h = host()
    print(f"host {h.cpu}, {h.vector_bits}-bit vectors, {h.vector_registers} registers; numpy {np.__version__} "
          "on 1 thread, ours on the tasks its knobs say (`threads`, default the schedule's start: up to "
          f"{h.cores} cores), naive on 1; medians of interleaved rounds; ratio = numpy time / our time")
    print(f"numpy's BLAS: {blas.describe()}")
    print(f"{'kernel':<22}{'schedule':<32}{'ms':>9}{'np ms':>9}{'naive ms':>10}{'GF/s':>8}{'np GF/s':>8}"
          f"{'vs np':>9}{'vs naive':>10}  knobs")
    with tempfile.TemporaryDirectory() as tmp:
        mm512 = pathlib.Path(tmp) / "matmul_512.mlir"
        mm512.write_text((KERNELS / "matmul_256.mlir").read_text().replace("256", "512"))
        paths = [KERNELS / "matmul_256.mlir", KERNELS / "matmul_127x255x63.mlir", mm512]
        if not args.quick:
            paths.append(KERNELS / "matmul_1024.mlir")
        paths += [KERNELS / f"{k}.mlir" for k in ("matmul_bias_relu", "elementwise_chain", "gelu", "row_sum",
                                                   "row_softmax", "conv2d")]
        if args.classes:
            paths = []
        paths += [KERNELS / f"{k}.mlir" for k in CLASSES]
        for p in paths:
            if args.only and p.stem not in args.only.split(","):
                continue
            bench(p, args, h, tmp)


if __name__ == "__main__":
    main()
