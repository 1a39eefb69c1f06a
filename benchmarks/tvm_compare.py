"""NeuroJIT against TVM MetaSchedule at the same wall budget, both with all threads, measured in one process.

For each kernel (f32 matmul 512 and 1024, C += A @ B; dense + relu 256x512x256) and a wall budget B:
- NeuroJIT: `neurojit tune`'s code (agent/run.py `tune`) for B seconds (--threads: all cores), best exported;
- TVM: MetaSchedule (`tune_tir`, XGBoost cost model, evolutionary search) on the same computation written
  in TE, for the same target CPU and core count, stopped at B (tvm_side.py), best exported with
  `export_library`;
- then one process that loads only the two compiled libraries (TVM's runtime-only library, no LLVM; our
  libkernel.so through ctypes) checks both against numpy on the same arrays and times them, and numpy with all
  threads, in interleaved rounds. Ratios are TVM's median time over ours (> 1: ours faster) with a 95% paired
  bootstrap interval over rounds.
Both tuners stop at the first budget check after B (NeuroJIT between evaluation batches, MetaSchedule after a
measured batch), so each may run past B by one batch: the table prints the wall time each really used.

TVM runs under its own interpreter (--tvm-python), in its own processes: it bundles its own LLVM, and MLIR's
libLLVM.so is in this one. Install it apart from the project's environment, e.g.
    python -m venv .venv-tvm && .venv-tvm/bin/pip install -e '.[tvm]'   (or the packages listed in that extra)
Run: python benchmarks/tvm_compare.py --tvm-python .venv-tvm/bin/python [--budget-s 120] [--quick] [--only K ...]
     [--out DIR] [--measure-only]   (the latter times again the winners a run left in DIR, without tuning)
"""

from __future__ import annotations

import blas  # noqa: F401  (first: OpenBLAS's own kernel; see benchmarks/blas.py)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from neurojit.agent.budget import Budget  # noqa: E402
from neurojit.agent.run import TuneOptions, tune  # noqa: E402
from neurojit.agent.store import ResultStore  # noqa: E402
from neurojit.compiler import compile_kernel, host  # noqa: E402
from neurojit.compiler.export import export  # noqa: E402
from neurojit.demo import matmul_kernel  # noqa: E402

from interleave import ratio_ci  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
KERNELS = HERE.parent / "examples" / "kernels"
SHAPES = {"matmul_512": {"n": 512}, "matmul_1024": {"n": 1024}, "matmul_bias_relu": {"m": 256, "k": 512, "n": 256}}


def side(python: str, role: str, spec: dict, where: pathlib.Path) -> dict:
    """Run one role of tvm_side.py under TVM's interpreter; its result, or SystemExit with its log's tail."""
    spec = {**spec, "result": str(where / f"{role}.json")}
    (where / f"{role}-spec.json").write_text(json.dumps(spec))
    with open(where / f"{role}.log", "w") as out:
        proc = subprocess.run([python, str(HERE / "tvm_side.py"), role, str(where / f"{role}-spec.json")],
                              stdout=out, stderr=subprocess.STDOUT, cwd=where)
    if proc.returncode != 0:
        tail = (where / f"{role}.log").read_text()[-1500:]
        raise SystemExit(f"TVM {role} of {spec['kernel']} failed (exit {proc.returncode}); log {where}/{role}.log:"
                         f"\n{tail}")
    return json.loads((where / f"{role}.json").read_text())


def ours(name: str, path: pathlib.Path, budget_s: float, threads: int, where: pathlib.Path) -> dict:
    """`neurojit tune` for budget_s seconds on `threads` cores; the best variant exported into where/ours."""
    db = f"sqlite:///{where}/runs.db"
    started = time.monotonic()
    summary = tune(str(path), TuneOptions(budget=Budget(candidates=10**6, seconds=budget_s), db=db, run_id=name,
                                          seed=0, threads=threads), progress=None)
    tune_s = time.monotonic() - started
    return {"tune_s": tune_s, "candidates": summary.candidates, **export_best(name, path, where)}


def export_best(name: str, path: pathlib.Path, where: pathlib.Path) -> dict:
    """The run's best variant (in where/runs.db) exported by the current compiler into where/ours."""
    best = ResultStore(f"sqlite:///{where}/runs.db").best(name)
    out = where / "ours"
    if best is None:  # nothing beat the baseline: the naive lowering is what NeuroJIT would ship
        manifest = export(path, str(out))
        how = "baseline (no accepted candidate)"
    else:
        cand = best.candidate  # its kind as its text decides
        schedule = cand.text if cand.is_schedule else None
        manifest = export(path if schedule else cand.text, str(out), schedule, dict(cand.knobs) or None)
        how = f"{best.schedule or 'module'} {json.dumps(dict(cand.knobs))}"
    return {"library": str(out / "libkernel.so"), "symbol": manifest["symbol"], "variant": how,
            "tasks": manifest["runtime"].get("threads", 1)}


def tuned(args, name: str, path: pathlib.Path, budget: float, threads: int, where: pathlib.Path, h) -> tuple:
    """Both tuners at the same budget; each side's winner (kept in `where` for --measure-only)."""
    mine = ours(name, path, budget, threads, where)
    (where / "ours.json").write_text(json.dumps(mine))
    theirs = side(args.tvm_python, "tune", {"kernel": name, "shape": SHAPES[name], "mcpu": h.cpu,
                                             "threads": threads, "budget_s": budget,
                                             "per_iter": args.per_iter, "build_timeout_s": 120,
                                             "work_dir": str(where / "tvm-work"),
                                             "library": str(where / "tvm.so")}, where)
    return mine, theirs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget-s", type=float, default=120.0, help="wall seconds per kernel for each tuner")
    ap.add_argument("--quick", action="store_true", help="smoke run: matmul 512 only, 20 s budget, 8 rounds")
    ap.add_argument("--only", nargs="*", choices=list(SHAPES), help="kernels to run (default: all)")
    ap.add_argument("--rounds", type=int, default=0, help="timed rounds (default 30, 15 for 1024)")
    ap.add_argument("--tvm-python", default=sys.executable, help="an interpreter with apache-tvm (default: this)")
    ap.add_argument("--per-iter", type=int, default=8,
                    help="MetaSchedule trials per measured batch (smaller: it stops closer to the budget)")
    ap.add_argument("--quiet-wait", type=float, default=60.0,
                    help="before timing, wait up to this many seconds for other processes to leave the cores")
    ap.add_argument("--out", help="keep the artefacts here (default: a temporary folder)")
    ap.add_argument("--measure-only", action="store_true",
                    help="time again the winners a previous run kept in --out (no tuning; ours exported again by this "
                         "compiler; e.g. on a quieter machine)")
    args = ap.parse_args()
    if args.measure_only and not args.out:
        ap.error("--measure-only needs --out, the folder of a previous run")
    budget = 20.0 if args.quick else args.budget_s
    names = ["matmul_512"] if args.quick else (args.only or list(SHAPES))
    probe = subprocess.run([args.tvm_python, "-c", "import tvm, xgboost"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise SystemExit(f"{args.tvm_python} cannot import tvm and xgboost; install the '[tvm]' extra into a "
                         f"separate environment and pass its python with --tvm-python "
                         f"({probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else ''})")
    root = pathlib.Path(args.out or tempfile.mkdtemp(prefix="nj-tvm-")).resolve()
    threads = len(os.sched_getaffinity(0))
    h = host()
    (root / "matmul_512.mlir").parent.mkdir(parents=True, exist_ok=True)
    (root / "matmul_512.mlir").write_text(matmul_kernel(512))
    paths = {"matmul_512": root / "matmul_512.mlir", "matmul_1024": KERNELS / "matmul_1024.mlir",
             "matmul_bias_relu": KERNELS / "matmul_bias_relu.mlir"}
    print(f"host {h.cpu}, {threads} cores; budget {budget:g} s of wall time per kernel for each tuner, "
          f"{threads} threads each; artefacts in {root}", flush=True)
    rows = []
    for name in names:
        where = root / name
        where.mkdir(parents=True, exist_ok=True)
        load_before = os.getloadavg()[0]
        if args.measure_only:
            if not (where / "ours.json").exists() or not (where / "tune.json").exists():
                raise SystemExit(f"{where} has no winners of a previous run (ours.json, tune.json)")
            mine, theirs = (json.loads((where / f).read_text()) for f in ("ours.json", "tune.json"))
            mine.update(export_best(name, paths[name], where))  # exported again by this compiler
        else:
            mine, theirs = tuned(args, name, paths[name], budget, threads, where, h)
        sig = compile_kernel(paths[name]).signature
        rounds = args.rounds or (8 if args.quick else 15 if "1024" in name else 30)
        m = side(args.tvm_python, "measure", {"kernel": name, "threads": threads, "rounds": rounds,
                                               "shapes": [list(a.shape) for a in sig.args], "ours": mine["library"],
                                               "symbol": mine["symbol"], "library": theirs["library"],
                                               "quiet_wait_s": args.quiet_wait}, where)
        rows.append(report(name, mine, theirs, m, load_before, budget))
    print(f"\nnumpy: {m['blas']}" if names else "")
    print(f"summary, budget {budget:g} s per tuner and kernel, {threads} threads; ratio = TVM's median time / ours "
          "(> 1: NeuroJIT faster), 95% paired bootstrap CI")
    print(f"{'kernel':<18}{'ours ms':>9}{'TVM ms':>9}{'numpy ms':>9}{'TVM/ours':>9}  {'95% CI':<14}{'numpy/ours':>10}"
          f"{'tune s ours/TVM':>17}{'trials':>8}{'load':>6}{'others':>7}")
    print("(load: load average after measuring; others: share of the cores other processes used while timing)")
    print("\n".join(rows))


def _share(x) -> str:
    return "n/a" if x is None else f"{x:.0%}"


TOLERANCE = 1e-4  # relative to the largest |result|: f32 over reductions of <= 1024 terms stays far below


SLOW = 1.6  # a sample this much over its side's 5th percentile ran on fewer cores than asked (2 cores: ~2x)


def modes(ours: list[float], theirs: list[float]) -> str:
    """Where the margin comes from: rounds in which a side's pool ran at a fraction of its cores (a sample over
    SLOW x its side's 5th percentile; TVM's pool does so after an idle pause in about a third of the rounds,
    also alone in a process), and the ratio over the rounds in which neither did: the kernels' own speeds."""
    import numpy as np

    o, t = np.asarray(ours), np.asarray(theirs)
    so, st = o > SLOW * np.percentile(o, 5), t > SLOW * np.percentile(t, 5)
    both = ~so & ~st
    fast = f"{np.median(t[both] / o[both]):.3f}x" if both.any() else "n/a"
    return (f"rounds at a fraction of the cores: ours {so.sum()}, TVM {st.sum()} of {len(o)}; TVM / ours over the "
            f"{both.sum()} rounds where neither was: {fast} (median of per-round ratios)")


def report(name: str, mine: dict, theirs: dict, m: dict, load_before: float, budget: float) -> str:
    """Print one kernel's details; return its summary-table line."""
    t = m["times"]
    med = {k: statistics.median(v) * 1e3 for k, v in t.items()}
    r, lo, hi = ratio_ci(t["tvm"], t["ours"])
    rn, nlo, nhi = ratio_ci(t["numpy"], t["ours"])
    wrong = [k for k, e in m["rel_err"].items() if not e <= TOLERANCE]
    print(f"\n{name}: budget {budget:g} s; NeuroJIT tuned {mine['tune_s']:.0f} s ({mine['candidates']} candidates), "
          f"MetaSchedule {theirs['tune_s']:.0f} s ({theirs['trials']} trials); load average {load_before:.2f} "
          f"before tuning, {m['load']:.2f} after measuring; {len(t['ours'])} interleaved rounds; other processes "
          f"used {_share(m['others'])} of the cores while they ran")
    for k in ("ours", "tvm", "numpy"):
        err = f"max rel err {m['rel_err'][k]:.1e} against numpy" if k in m["rel_err"] else "the reference"
        print(f"  {k:<6}{med[k]:>10.3f} ms  {err}")
    print(f"  ours: {mine['variant']}, {mine['tasks']} task(s)")
    if wrong:
        print(f"  WRONG RESULT from {', '.join(wrong)} (over {TOLERANCE:g}): its time is no evidence")
    print(f"  TVM / ours   {r:.2f}x  95% CI [{lo:.2f}, {hi:.2f}]  (> 1: NeuroJIT faster)", flush=True)
    print("  " + modes(t["ours"], t["tvm"]), flush=True)
    return (f"{name:<18}{med['ours']:>9.3f}{med['tvm']:>9.3f}{med['numpy']:>9.3f}{r:>8.2f}x  {f'[{lo:.2f}, {hi:.2f}]':<14}"
            f"{rn:>9.2f}x{mine['tune_s']:>9.0f}/{theirs['tune_s']:<7.0f}{theirs['trials']:>8}"
            f"{m['load']:>6.1f}{_share(m['others']):>7}" + (f"  WRONG: {', '.join(wrong)}" if wrong else ""))


if __name__ == "__main__":
    main()
