"""Parallel kernels against numpy, with all threads and with one, in this process, interleaved.

For each kernel (matmul 512 and 1024, dense + relu) two variants are exported and called through their
`libkernel.so`: the schedule fitted to all of this process's cores (`threads` = cores, MLIR's async runtime)
and the same schedule fitted to one core (serial code). The all-threads variant is timed against numpy with
its BLAS on all cores, the one-thread variant against numpy limited to one BLAS thread (threadpoolctl);
the four calls take turns in every round, each after a pause that lets spinning thread pools sleep
(benchmarks/interleave.py), so load on the machine hits them alike. Each ratio is a median time over another
(> 1: the second is faster) with a 95% paired bootstrap interval; besides ours against numpy at 1 and all threads,
numpy's and our own scaling from 1 to all threads are printed: on an idle machine neither is below 1, and the
script warns when one is (the other processes' load then decides the numbers). The BLAS kernel and thread
counts threadpoolctl reports are printed first. With --budget N each variant is the best of a real `neurojit tune` run
of N candidates (--threads T and 1); with --budget 0 (default) it is the heuristic's first proposal, as
fitted to the kernel and host, untuned.

Run: python benchmarks/parallel.py [--budget N] [--time-limit S] [--only NAME ...]
"""

from __future__ import annotations

import blas  # noqa: F401  (first: OpenBLAS's own kernel; see benchmarks/blas.py)

import os  # noqa: E402

# blas.py holds numpy to one thread; here numpy's all-threads time is the reference, so give it every core
# (threadpoolctl limits it to one for the one-thread comparison)
CORES = len(os.sched_getaffinity(0))
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_v] = str(CORES)

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import ThreadpoolController, threadpool_info  # noqa: E402

from neurojit.agent.analyze import analyze  # noqa: E402
from neurojit.agent.budget import Budget  # noqa: E402
from neurojit.agent.run import TuneOptions, tune  # noqa: E402
from neurojit.agent.schedules import for_kernel  # noqa: E402
from neurojit.agent.store import ResultStore  # noqa: E402
from neurojit.compiler import host  # noqa: E402
from neurojit.compiler.export import export  # noqa: E402
from neurojit.compiler.source import read_source  # noqa: E402
from neurojit.demo import matmul_kernel  # noqa: E402
from neurojit.evaluator.inputs import random_arrays  # noqa: E402

from interleave import OtherLoad, ratio_ci, timed_rounds, wait_quiet  # noqa: E402
from tune import load_export, numpy_reference  # noqa: E402

KERNELS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "kernels"


def variant(name: str, path: pathlib.Path, threads: int, args, db: str) -> tuple[str, dict, str]:
    """(schedule text, knobs, how it was found) for the kernel on `threads` cores."""
    if args.budget > 0:
        run_id = f"{name}-t{threads}"
        tune(str(path), TuneOptions(budget=Budget(args.budget, args.time_limit), db=db, run_id=run_id, seed=0,
                                    threads=threads), progress=None)
        best = ResultStore(db).best(run_id)
        if best is not None and best.candidate.is_schedule:
            return best.candidate.text, dict(best.candidate.knobs), f"tuned ({args.budget} candidates)"
    info = analyze(read_source(path))
    h = dataclasses.replace(host(), cores=threads)
    first = for_kernel(info, h)[0]
    return first.text(info, h), first.defaults(info, h), "heuristic start"


def blas_report(controller, threads: int) -> str:
    """What threadpoolctl reports for numpy's BLAS while limited to `threads` (the kernel and the thread count)."""
    with controller.limit(limits=threads, user_api="blas"):
        return "; ".join(f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')}, "
                         f"{i.get('num_threads')} thread(s)" for i in threadpool_info() if i.get("user_api") == "blas")


def row(label: str, num: list[float], den: list[float], note: str = "") -> str:
    r, lo, hi = ratio_ci(num, den)
    return (f"  {label:<30}{statistics.median(num) * 1e3:>9.3f} /{statistics.median(den) * 1e3:>9.3f} ms"
            f"{r:>8.2f}x  [{lo:.2f}, {hi:.2f}]  {note}")


def compare(name: str, path: pathlib.Path, args, db: str, tmp: pathlib.Path, controller) -> list[str]:
    """Ours with all threads and one, numpy with all and one: timed in turns; the ratios and sanity warnings."""
    ref = numpy_reference(name)
    calls, notes = {}, {}
    sig = read_signature(path)
    for threads in (CORES, 1):
        text, knobs, how = variant(name, path, threads, args, db)
        out = tmp / f"{name}-t{threads}"
        manifest = export(path, str(out), text, knobs)
        fn, _ = load_export(str(out))
        arrays = random_arrays(sig)
        calls[f"ours-{threads}"] = (lambda fn=fn, arrays=arrays: fn(*arrays))
        notes[threads] = f"{how}, {manifest['runtime'].get('threads', 1)} task(s), {json.dumps(knobs)}"
        np_arrays = random_arrays(sig)
        calls[f"numpy-{threads}"] = (lambda arrays=np_arrays: ref(*arrays))
    limits = {k: int(k.split("-")[1]) for k in calls}
    rounds = args.rounds or (12 if "1024" in name else 30)
    wait_quiet(args.quiet_wait)
    load = os.getloadavg()[0]
    with OtherLoad() as others:
        t = timed_rounds(calls, rounds, lambda k: controller.limit(limits=limits[k], user_api="blas"))
    share = "n/a" if others.share is None else f"{others.share:.0%}"
    busy = others.share is None or others.share > 0.1
    lines = [f"{name}: {rounds} interleaved rounds, load average {load:.2f} -> {os.getloadavg()[0]:.2f}, other "
             f"processes used {share} of the cores while timing",
             row(f"numpy {CORES}t / ours {CORES}t", t[f"numpy-{CORES}"], t[f"ours-{CORES}"], notes[CORES]),
             row("numpy 1t / ours 1t", t["numpy-1"], t["ours-1"], notes[1]),
             row(f"numpy 1t / numpy {CORES}t", t["numpy-1"], t[f"numpy-{CORES}"], "numpy's own scaling"),
             row(f"ours 1t / ours {CORES}t", t["ours-1"], t[f"ours-{CORES}"], "our scaling")]
    for who in ("numpy", "ours"):
        r, lo, hi = ratio_ci(t[f"{who}-1"], t[f"{who}-{CORES}"])
        if CORES > 1 and hi < 1.0:
            why = ("the cores are busy with other work; these ratios are not evidence" if busy
                   else "the machine was quiet: the parallel variant itself does not scale")
            lines.append(f"  WARNING: {who} with {CORES} threads is slower than with 1 (CI [{lo:.2f}, {hi:.2f}]): {why}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=int, default=0, help="candidates per tuning run (default 0: heuristic start)")
    ap.add_argument("--time-limit", type=float, default=300, help="seconds per tuning run (default 300)")
    ap.add_argument("--only", nargs="*", help="kernel names to run (default: all)")
    ap.add_argument("--rounds", type=int, default=0, help="timed rounds (default: 30, 12 for 1024)")
    ap.add_argument("--quiet-wait", type=float, default=60.0,
                    help="before timing, wait up to this many seconds for other processes to leave the cores")
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="nj-parallel-"))
    (tmp / "matmul_512.mlir").write_text(matmul_kernel(512))
    kernels = {"matmul_512": tmp / "matmul_512.mlir", "matmul_1024": KERNELS / "matmul_1024.mlir",
               "matmul_bias_relu": KERNELS / "matmul_bias_relu.mlir"}
    db = f"sqlite:///{tmp}/runs.db"
    controller = ThreadpoolController()
    h = host()
    print(f"host {h.cpu}, {CORES} cores; numpy {np.__version__}")
    print(f"numpy's BLAS, all threads: {blas_report(controller, CORES)}")
    print(f"numpy's BLAS, limited:     {blas_report(controller, 1)}")
    print("ratios: median time of the first over the second (> 1: the second is faster), 95% paired bootstrap CI "
          "over interleaved rounds; other processes share this machine (load average printed per kernel)")
    for name, path in kernels.items():
        if args.only and name not in args.only:
            continue
        print("\n".join(compare(name, path, args, db, tmp, controller)), flush=True)


def read_signature(path):
    from neurojit.compiler.jit import compile_kernel

    return compile_kernel(path).signature


if __name__ == "__main__":
    main()
