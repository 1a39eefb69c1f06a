"""Evaluator throughput and timing stability on matmul-256 candidates.

1. Throughput: a mix of candidates (tiling schedules with several knob values, hand-written module rewrites,
   and broken or cheating ones that are rejected at different stages) evaluated on a pool of 2 workers;
   prints evaluations per minute and where the workers' time goes (parse/static, compile, equivalence,
   timing), summed from the per-stage timers every verdict carries. The baseline's reference outputs are
   computed once, by the pool's trusted reference process, during the warm-up evaluation; that one-time
   cost is printed apart.
2. Stability: one correct candidate evaluated 5 times; prints the speedups and their spread (max/min).
3. Cost of the checked build's guard pages and of the O0 differential build (evaluator/guard.py,
   equivalence.py): the same mix evaluated with both off ("before") and both on ("after"), alternating
   batch by batch in one pool so that load on the machine hits both alike; prints evaluations per minute of
   each and the per-evaluation seconds of the guarded runs and of the O0 build (compile and calls).

Run: python benchmarks/evaluator.py [--candidates N] [--repeats 5] [--cost-rounds 3] [--only cost]
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import pathlib
import statistics
import time

from neurojit.evaluator import EvalConfig, Evaluator

ROOT = pathlib.Path(__file__).resolve().parent.parent
BASE = ROOT / "examples" / "kernels" / "matmul_256.mlir"

TILE = (ROOT / "examples" / "schedules" / "tile_matmul.mlir").read_text()

LOOPS = """module {
  func.func @matmul(%A: memref<256x256xf32>, %B: memref<256x256xf32>, %C: memref<256x256xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 256 : index
    %hi = arith.constant HI : index
    scf.for %i = %c0 to %hi step %c1 {
      scf.for %k = %c0 to %n step %c1 {
        %a = memref.load %A[%i, %k] : memref<256x256xf32>
        scf.for %j = %c0 to %n step %c1 {
          %b = memref.load %B[%k, %j] : memref<256x256xf32>
          %c = memref.load %C[%i, %j] : memref<256x256xf32>
          %p = arith.mulf %a, %b : f32
          %s = arith.addf %c, %p : f32
          WRITE
        }
      }
    }
    return
  }
}
"""
GOOD_STORE = "memref.store %s, %C[%i, %j] : memref<256x256xf32>"


def mix(n: int) -> list[tuple[str, str, dict | None]]:
    """(label, candidate text, knobs), cycling through accepted and rejected kinds."""
    kinds = [
        ("tile 32x32x32", TILE, {"ti": 32, "tj": 32, "tk": 32}),
        ("tile 64x16x8", TILE, {"ti": 64, "tj": 16, "tk": 8}),
        ("tile 8x64x256", TILE, {"ti": 8, "tj": 64, "tk": 256}),
        ("loops ikj", LOOPS.replace("HI", "256").replace("WRITE", GOOD_STORE), None),
        ("off-by-one rows", LOOPS.replace("HI", "255").replace("WRITE", GOOD_STORE), None),
        ("writes input", LOOPS.replace("HI", "256").replace("WRITE", GOOD_STORE + "\n          memref.store %s, %A[%i, %k] : memref<256x256xf32>"), None),
        ("tile 0 (malformed)", TILE, {"ti": 0, "tj": 0, "tk": 0}),
        ("syntax error", LOOPS.replace("HI", "256").replace("WRITE", "memref.store %s %C[%i]"), None),
    ]
    return [kinds[i % len(kinds)] for i in range(n)]


def split(timings: dict[str, float]) -> dict[str, float]:
    groups = {"parse/static": ("parse", "schedule", "static"), "compile": ("baseline", "compile", "compile_o0"),
              "equivalence": ("checked_run", "equivalence", "differential"), "timing": ("benchmark",)}
    return {g: sum(timings.get(s, 0.0) for s in stages) for g, stages in groups.items()}


def throughput(n: int) -> None:
    cands = mix(n)
    with Evaluator(EvalConfig(workers=2)) as ev:
        ev.evaluate(BASE, cands[0][1], cands[0][2])  # warm the pool, the baseline cache and the references
        t0 = time.perf_counter()
        verdicts = ev.evaluate_batch(BASE, [c[1] for c in cands], [c[2] for c in cands])
        wall = time.perf_counter() - t0
        refs = list(ev.pool.references.cache.values())
    totals: collections.Counter = collections.Counter()
    reasons = collections.Counter(v.reason.value for v in verdicts)
    for v in verdicts:
        totals.update(split(v.timings or {}))
    busy = sum(totals.values())
    print(f"throughput: {n} matmul-256 candidates on 2 workers in {wall:.1f} s = {60 * n / wall:.1f} evaluations/min")
    for r in refs:
        print(f"  reference outputs: {len(r['pairs'])} pairs (input set x output state), computed once in "
              f"{r.get('worker_s', 0.0):.1f} s by the trusted reference process (before the timed batch)")
    print("  verdicts: " + ", ".join(f"{r} {c}" for r, c in sorted(reasons.items())))
    print(f"  worker time {busy:.1f} s (of {2 * wall:.1f} s available):")
    for g, s in totals.items():
        print(f"    {g:<13} {s:7.2f} s  {100 * s / busy:5.1f}%")
    for label in dict.fromkeys(c[0] for c in cands):
        vs = [v for c, v in zip(cands, verdicts) if c[0] == label]
        mean = statistics.mean(sum((v.timings or {}).values()) for v in vs)
        print(f"    {label:<18} {vs[0].verdict}/{vs[0].reason.value:<16} {mean:6.2f} s per evaluation")


def stability(repeats: int) -> None:
    with Evaluator(EvalConfig(workers=1)) as ev:
        speedups = []
        for i in range(repeats):
            v = ev.evaluate(BASE, TILE, {"ti": 32, "tj": 32, "tk": 32})
            speedups.append(v.speedup)
            print(f"  run {i + 1}: speedup {v.speedup:.3f} (95% CI {v.speedup_ci[0]:.3f}-{v.speedup_ci[1]:.3f}), "
                  f"baseline {v.baseline_ms:.2f} ms, candidate {v.candidate_ms:.2f} ms")
    print(f"stability: {repeats} evaluations of one candidate: speedup min {min(speedups):.3f} max "
          f"{max(speedups):.3f}, spread max/min = {max(speedups) / min(speedups):.3f}")


def checks_cost(n: int, rounds: int) -> None:
    """Evaluations per minute without and with guard pages + the O0 build, batches interleaved in one pool."""
    cands = mix(n)
    on = EvalConfig(workers=2)
    variants = {"before": dataclasses.replace(on, guard_pages=False, differential=False), "after": on}
    wall = dict.fromkeys(variants, 0.0)
    stages: dict[str, collections.Counter] = {k: collections.Counter() for k in variants}
    reasons: dict[str, list] = {}
    with Evaluator(on) as ev:
        ev.evaluate(BASE, cands[0][1], cands[0][2])  # warm the pool, the baseline cache and the references
        for r in range(rounds):
            for name in (list(variants) if r % 2 == 0 else list(variants)[::-1]):
                ev.config = variants[name]
                t0 = time.perf_counter()
                verdicts = ev.evaluate_batch(BASE, [c[1] for c in cands], [c[2] for c in cands])
                wall[name] += time.perf_counter() - t0
                for v in verdicts:
                    stages[name].update(v.timings or {})
                reasons.setdefault(name, [v.reason.value for v in verdicts])
    total = n * rounds
    rate = {k: 60 * total / wall[k] for k in variants}
    print(f"checks cost: {n} matmul-256 candidates x {rounds} rounds per variant on 2 workers, batches interleaved")
    print(f"  before (no guard pages, no O0 build): {rate['before']:.1f} evaluations/min")
    print(f"  after  (guard pages + O0 build):      {rate['after']:.1f} evaluations/min  "
          f"(after/before = {rate['after'] / rate['before']:.3f})")
    print(f"  verdicts the same in both: {reasons['before'] == reasons['after']}")
    per = {k: {s: t / total for s, t in c.items()} for k, c in stages.items()}
    guarded = sum(per["after"].get(s, 0.0) - per["before"].get(s, 0.0) for s in ("checked_run", "equivalence"))
    print("  per evaluation (mean over the mix, worker seconds):")
    print(f"    guard pages (calls over guarded memory, minus plain):          {guarded:+.4f} s")
    print(f"    O0 build: compile {per['after'].get('compile_o0', 0.0):.4f} s + calls "
          f"{per['after'].get('differential', 0.0):.4f} s")
    print(f"    whole evaluation: before {sum(per['before'].values()):.3f} s, after {sum(per['after'].values()):.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candidates", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cost-rounds", type=int, default=3)
    ap.add_argument("--only", choices=("throughput", "stability", "cost"))
    args = ap.parse_args()
    if args.only in (None, "throughput"):
        throughput(args.candidates)
    if args.only in (None, "stability"):
        stability(args.repeats)
    if args.only in (None, "cost"):
        checks_cost(min(args.candidates, 8), args.cost_rounds)


if __name__ == "__main__":
    main()
