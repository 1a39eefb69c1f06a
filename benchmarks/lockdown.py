"""What the worker's lockdown (evaluator/lockdown.py) costs: evaluations per minute with and without it.

Two pools of one worker each, one locked down (the default) and one started with `lockdown=False`, evaluate
the same mix of matmul-256 candidates (benchmarks/evaluator.py's, plus one that fails a runtime bounds check,
so the worker dies and is respawned: start-up and seal are paid again) in batches interleaved in one
process, so load on the machine hits both alike. Also prints a worker's start-up (imports + step 1) and
its first job's seal (step 2), measured the same way.

Run: python benchmarks/lockdown.py [--candidates 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import statistics
import time

from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.pool import Worker

HERE = pathlib.Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("evaluator_bench", HERE / "evaluator.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def candidates(n: int):
    abort = ("bounds check (abort)", bench.LOOPS.replace("HI", "257").replace("WRITE", bench.GOOD_STORE), None)
    return bench.mix(n - 1) + [abort]


def start_and_seal(config: EvalConfig) -> tuple[float, float]:
    """Seconds to start a worker (until ready), and for its first (probe) job, which seals it."""
    w = Worker(config, None)
    t0 = time.perf_counter()
    w._start()
    t1 = time.perf_counter()
    w.exchange({"task": "probe", "exec": False})
    t2 = time.perf_counter()
    w.kill()
    return t1 - t0, t2 - t1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candidates", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    cands = candidates(args.candidates)
    base = EvalConfig(workers=1, bench_time_cap_s=0.5)
    configs = {"locked": base, "open": EvalConfig(**{**base.__dict__, "lockdown": False})}
    evs = {k: Evaluator(c) for k, c in configs.items()}
    wall = dict.fromkeys(configs, 0.0)
    reasons = {}
    starts: dict[str, list] = {k: [] for k in configs}
    try:
        for k, ev in evs.items():  # warm: pool, baseline cache, references
            ev.evaluate(bench.BASE, cands[0][1], cands[0][2])
        for r in range(args.rounds):
            for k in (list(configs) if r % 2 == 0 else list(configs)[::-1]):
                t0 = time.perf_counter()
                verdicts = evs[k].evaluate_batch(bench.BASE, [c[1] for c in cands], [c[2] for c in cands])
                wall[k] += time.perf_counter() - t0
                reasons.setdefault(k, [v.reason.value for v in verdicts])
                starts[k].append(start_and_seal(configs[k]))
    finally:
        for ev in evs.values():
            ev.close()
    total = len(cands) * args.rounds
    rate = {k: 60 * total / wall[k] for k in configs}
    print(f"lockdown cost: {len(cands)} matmul-256 candidates x {args.rounds} rounds per variant, 1 worker each, "
          "batches interleaved")
    print(f"  without lockdown: {rate['open']:.1f} evaluations/min")
    print(f"  with lockdown:    {rate['locked']:.1f} evaluations/min  (with/without = {rate['locked'] / rate['open']:.3f})")
    print(f"  verdicts the same in both: {reasons['locked'] == reasons['open']} ({', '.join(reasons['locked'])})")
    for k in ("open", "locked"):
        s = [a for a, _ in starts[k]]
        f = [b for _, b in starts[k]]
        print(f"  {k:<6} worker start-up median {statistics.median(s):.3f} s, first (probe) job incl. seal "
              f"median {statistics.median(f):.3f} s")


if __name__ == "__main__":
    main()
