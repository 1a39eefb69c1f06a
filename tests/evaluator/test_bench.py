"""The benchmark's two modes: interleaved pairs, and a pooled baseline for slow baselines."""

import dataclasses
import pathlib
import re

import numpy as np
import pytest

from support.paths import MATMUL

from neurojit.evaluator import EvalConfig, Evaluator, bench


class _Clock:
    """A virtual perf_counter: each call of a fake kernel advances it, so the ratios are exact whatever the
    machine's load (these tests check the statistics, not the machine)."""

    def __init__(self):
        self.now = 0.0
        self.cpu = 0.0  # the timing thread's CPU time: what it spends on its core

    def perf_counter(self) -> float:
        return self.now

    def thread_time(self) -> float:
        return self.cpu


@pytest.fixture
def _sleeper(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(bench, "time", clock)

    def make(seconds, off_core=0.0):
        def call(*a):
            clock.now += seconds + off_core
            clock.cpu += seconds
        return call
    make.clock = clock
    return make


def test_interleaved_measures_the_ratio(_sleeper):
    m = bench.interleaved(_sleeper(0.004), _sleeper(0.001), (), (), min_rounds=5, time_cap_s=0.5)
    assert m.mode == "interleaved" and m.speedup == pytest.approx(4.0)
    assert m.speedup_ci[0] <= m.speedup <= m.speedup_ci[1]


def test_a_sample_the_thread_spent_partly_off_its_core_is_taken_again(_sleeper):
    """A 4 ms call that lost its core for a 4 ms slice twice, then ran undisturbed: the sample is retaken
    (outputs reset first, so the retake does the work again) and the undisturbed time kept; one that never
    runs undisturbed is kept after RETAKES retakes, as it was timed."""
    attempts, resets = [], []
    fast = _sleeper(0.004)
    slow = _sleeper(0.004, off_core=0.004)

    def call(*a):
        attempts.append(1)
        (slow if len(attempts) <= 2 else fast)(*a)

    class Counted(bench.Buffers):
        def reset(self, n):
            resets.append(n)
            super().reset(n)

    bufs = Counted([[np.zeros(3)]], outputs=(0,))
    assert bench.sample(call, bufs, 1) == pytest.approx(0.004)
    assert len(attempts) == 3 and resets == [1, 1]
    assert bench.sample(slow, bufs, 2) == pytest.approx(0.008)  # never undisturbed: kept as timed
    assert len(resets) == 2 + bench.RETAKES
    # a few microseconds off the core (an interrupt) are no reason to retake
    attempts.clear()
    assert bench.sample(_sleeper(0.004, off_core=20e-6), bufs, 1) == pytest.approx(0.00402)


def test_pooled_baseline_samples_persist_across_evaluations(_sleeper):
    pool = bench.BaselinePool()
    kw = dict(min_base=3, time_cap_s=0.2, refresh_share=0.001)  # fresh for 4 s of (virtual) time
    m1 = bench.pooled(pool, _sleeper(0.004), _sleeper(0.001), (), (), **kw)
    assert len(pool.samples) == 3 and m1.mode.startswith("pooled") and "3 taken now" in m1.mode
    m2 = bench.pooled(pool, _sleeper(0.004), _sleeper(0.002), (), (), **kw)
    assert len(pool.samples) == 3  # a tight, fresh estimate takes no new sample
    assert m1.speedup == pytest.approx(4.0) and m2.speedup == pytest.approx(2.0)


def test_a_baseline_of_several_seconds_a_call_rests_on_two_samples_at_first(_sleeper):
    """Two samples that add up to MIN_BASE_S are enough to start from (a naive 1024^3 matmul: ~7 s a call); one
    seeded into the pool (the reference process's quiet first call) is one of them."""
    kw = dict(min_base=3, time_cap_s=0.2, refresh_share=0.01)
    pool = bench.BaselinePool()
    m = bench.pooled(pool, _sleeper(6.0), _sleeper(0.001), (), (), **kw)
    assert len(pool.samples) == 2 and "2 taken now" in m.mode
    seeded = bench.BaselinePool()
    seeded.merge([(6.0, _sleeper.clock.now)])
    m = bench.pooled(seeded, _sleeper(6.0), _sleeper(0.001), (), (), **kw)
    assert len(seeded.samples) == 2 and "1 taken now" in m.mode
    short = bench.BaselinePool()  # two of 1 s do not add up to it: the first three as before
    bench.pooled(short, _sleeper(1.0), _sleeper(0.001), (), (), **kw)
    assert len(short.samples) == 3


def test_beyond_the_first_few_baseline_samples_come_at_the_refresh_pace(_sleeper):
    times = iter([0.004, 0.006, 0.005, 0.007, 0.004, 0.006, 0.005, 0.007, 0.004])
    clock = _sleeper.clock

    def noisy(*a):
        t = next(times)
        clock.now += t
        clock.cpu += t

    pool = bench.BaselinePool()
    counts = []
    for gap in (0.0, 0.0, 0.0, 10.0, 0.0, 10.0):  # seconds of (virtual) time before each evaluation
        clock.now += gap
        bench.pooled(pool, noisy, _sleeper(0.001), (), (), min_base=3, time_cap_s=0.2, refresh_share=0.001)
        counts.append(len(pool.samples))
    # +-20% spread: a loose estimate, but a sample beyond the first three costs at most 0.1% of the time since
    # the newest (stale once it is older than ~5 s here), one per evaluation
    assert counts == [3, 3, 3, 4, 4, 5]


def test_an_evaluation_without_the_refresh_takes_only_the_samples_it_needs(_sleeper):
    pool = bench.BaselinePool()
    kw = dict(min_base=3, time_cap_s=0.2, refresh_share=0.001)  # stale 4 s after the newest sample
    m = bench.pooled(pool, _sleeper(0.004), _sleeper(0.001), (), (), refresh=False, **kw)
    assert len(pool.samples) == 3 and "3 taken now" in m.mode  # the first few, refresh or not
    _sleeper.clock.now += 5.0
    m = bench.pooled(pool, _sleeper(0.004), _sleeper(0.001), (), (), refresh=False, **kw)
    assert len(pool.samples) == 3 and "0 taken now" in m.mode  # stale, but another evaluation refreshes it
    m = bench.pooled(pool, _sleeper(0.004), _sleeper(0.001), (), (), **kw)
    assert len(pool.samples) == 4 and "1 taken now" in m.mode


def test_a_stale_pooled_baseline_is_sampled_again(_sleeper):
    pool = bench.BaselinePool()
    kw = dict(min_base=3, time_cap_s=0.2, refresh_share=0.001)  # stale 4 s after the newest sample
    bench.pooled(pool, _sleeper(0.004), _sleeper(0.001), (), (), **kw)
    _sleeper.clock.now += 5.0
    m = bench.pooled(pool, _sleeper(0.008), _sleeper(0.001), (), (), **kw)
    assert len(pool.samples) == 4 and "1 taken now" in m.mode
    assert m.speedup_ci[0] < m.speedup_ci[1]  # the new, slower sample widens the interval


def test_pooled_spot_checks_use_the_remembered_baseline_result_or_a_fresh_one(_sleeper):
    calls = [0]
    tick = _sleeper(0.004)  # virtual time: two equal baseline samples make a tight estimate

    def base(x, out):
        calls[0] += 1
        tick()
        out[:] = x

    def cand(x, out):
        tick()
        out[:] = x

    sets = [np.arange(4.0), np.zeros(4)]
    check = lambda b, c: None if np.array_equal(b[1], c[1]) else "differs"  # noqa: E731
    pool = bench.BaselinePool()
    bufs = lambda s: bench.Buffers([[a.copy() for a in s]], (1,))  # noqa: E731
    kw = dict(check=check, min_base=2, min_rounds=3, time_cap_s=0.0, refresh_share=0.001)
    bench.pooled(pool, base, cand, bufs(sets), bufs(sets), **kw)
    assert calls[0] == 2
    m = bench.pooled(pool, base, cand, bufs(sets), bufs(sets), **kw)
    assert m.spot_checks >= 1 and calls[0] == 2  # the baseline's remembered result served the checks
    with pytest.raises(bench.TimedCallDiffers):  # a wrong candidate is still caught against it
        bench.pooled(pool, base, lambda x, out: out.__setitem__(slice(None), -x), bufs(sets), bufs(sets), **kw)
    other = [np.arange(4.0) + 1, np.zeros(4)]
    bench.pooled(pool, base, cand, bufs(other), bufs(other), **kw)
    assert len(pool.samples) == 3 and calls[0] == 3  # other inputs: a fresh baseline call for the checks
    # ... or, given a build with the baseline's outputs (the order-keeping one), its untimed call
    same_calls = [0]

    def same(x, out):
        same_calls[0] += 1
        out[:] = x

    third = [np.arange(4.0) + 2, np.zeros(4)]
    m = bench.pooled(pool, base, cand, bufs(third), bufs(third), same=same, **kw)
    assert len(pool.samples) == 3 and calls[0] == 3 and same_calls[0] == 1 and m.spot_checks >= 1
    assert "0 taken now" in m.mode
    with pytest.raises(bench.TimedCallDiffers):  # checked against what `same` computed
        bench.pooled(pool, base, lambda x, out: out.__setitem__(slice(None), x + 1), bufs(other), bufs(other),
                     same=same, **kw)


def test_evaluator_uses_the_pooled_mode_for_slow_baselines(tmp_path):

    base = MATMUL
    with Evaluator(EvalConfig(workers=1, bench_pooled_over_s=0.0, bench_time_cap_s=0.3)) as ev:
        v = ev.evaluate(base, base)
    assert v.accepted and v.speedup is not None
    assert any(c.name == "benchmark" and "pooled" in c.detail for c in v.checks)


MM384 = """module {
  func.func @matmul(%A: memref<384x384xf32>, %B: memref<384x384xf32>, %C: memref<384x384xf32>) {
    linalg.matmul ins(%A, %B : memref<384x384xf32>, memref<384x384xf32>) outs(%C : memref<384x384xf32>)
    return
  }
}
"""  # naive, ~0.1 s a call here: slow enough for its one timed call in the reference process to bound samples


@pytest.mark.slow
def test_a_slow_baselines_samples_are_shared_by_the_workers_of_one_machine():
    """The second evaluation runs on the other worker, which takes no samples of its own: the first's serve."""
    from neurojit.agent.analyze import analyze
    from neurojit.agent.schedules import PackedMatmul
    from neurojit.compiler import host
    from neurojit.compiler.source import Source

    info, h = analyze(Source(MM384, "mm384.mlir")), dataclasses.replace(host(), cores=1)
    fast, knobs = PackedMatmul().text(info, h), PackedMatmul().defaults(info, h)  # quick to verify
    with Evaluator(EvalConfig(workers=2, random_sets=1, bench_pooled_over_s=0.0, bench_time_cap_s=0.3)) as ev:
        first, second = ev.evaluate(MM384, fast, knobs), ev.evaluate(MM384, fast, knobs)
        workers = ev.pool.workers
        assert all(w.proc is not None for w in workers)  # both ran one
    modes = [next(c.detail for c in v.checks if c.name == "benchmark") for v in (first, second)]
    assert "3 samples on this machine, 3 taken now" in modes[0], modes[0]
    # alone it would take 3; with the first's it takes at most one (a spot check's reference on other inputs,
    # where no reordered baseline computes it untimed, or a loose CI)
    n, taken = map(int, re.search(r"\((\d+) samples on this machine, (\d+) taken now\)", modes[1]).groups())
    assert taken <= 1 and n == 3 + taken, modes[1]


def test_of_leases_held_at_once_one_may_refresh_a_baselines_shared_samples():
    """Two workers timing at once from the same stale samples: one adds a sample (the lease's `claim`), the
    other rests on them; once the first lease ends, the next may."""
    import threading
    import time

    from neurojit.evaluator.pool import Share

    pool, lock, refreshing = bench.BaselinePool(), threading.Lock(), set()
    a, b, c = (Share(pool, lock, 1.0, time.perf_counter(), "k", refreshing) for _ in range(3))
    other = Share(pool, lock, 1.0, time.perf_counter(), "another baseline", refreshing)
    assert a.claim() and a.claim()  # a lease holds it until it ends
    assert not b.claim() and other.claim()  # one per baseline
    a.release()
    assert c.claim() and not b.claim()
    c.release()
    b.release()  # (held nothing: no effect)
    assert b.claim()


def test_a_parallel_candidate_timed_after_another_rests_on_the_samples_it_took():
    """Two first evaluations of 2-task candidates: their timings take turns (each alone on both cores), and the
    second's lease brings the samples the first took, so it does not take its own first three."""
    from neurojit.agent.analyze import analyze
    from neurojit.agent.schedules import PackedMatmul
    from neurojit.compiler import host
    from neurojit.compiler.source import Source

    info, h = analyze(Source(MM384, "mm384.mlir")), dataclasses.replace(host(), cores=2)
    fast, knobs = PackedMatmul().text(info, h), PackedMatmul().defaults(info, h)
    assert knobs.get("threads") == 2, knobs
    other = {**knobs, "kb": 4 if knobs["kb"] != 4 else 8}
    cfg = EvalConfig(workers=2, random_sets=1, bench_pooled_over_s=0.0, bench_time_cap_s=0.3)
    with Evaluator(cfg) as ev:
        both = ev.evaluate_batch(MM384, [fast, fast], [knobs, other])
    assert all(v.accepted for v in both), [v.detail for v in both]
    modes = [next(c.detail for c in v.checks if c.name == "benchmark") for v in both]
    taken = sorted(int(re.search(r"samples on this machine, (\d+) taken now", m).group(1)) for m in modes)
    # the first took three; the second at most one more (a stale or loose estimate, with the refresh)
    assert taken[1] == 3 and taken[0] <= 1, modes


def test_samples_a_worker_sends_back_are_kept_only_when_plausible():
    """A worker runs untrusted code: the samples the others rest on must fit in its job one after another, be
    few, near the trusted reference process's time of the baseline and near the pool's own."""
    import time

    from neurojit.evaluator.pool import _plausible

    pool = bench.BaselinePool()
    since = time.perf_counter()
    time.sleep(0.2)
    now = time.perf_counter()
    a, b = since + 0.02, since + 0.04  # two honest 0.02 s samples, one after the other
    assert _plausible([[0.02, a], [0.02, b]], 0.06, pool, since) == [(0.02, a), (0.02, b)]
    assert _plausible([[0.02, a], [0.03, b]], 0.06, pool, since) == [(0.02, a)]  # overlaps the first
    assert _plausible([[0.03, a]], 0.06, pool, since) == []  # would have started before the job
    assert _plausible([[0.02, since - 1.0]], 0.06, pool, since) == []  # before the job, and not in the pool
    bad = [[1e9, now], [0.001, now], [float("nan"), now], ["x", now], [7.6], [-0.02, now], [10 ** 400, now]]
    assert _plausible(bad, 0.06, pool, since) == [] and _plausible("not a list", 0.06, pool, since) == []
    assert _plausible([[0.02, a]], 0.001, pool, since) == []  # a tiny call's time bounds nothing: not shared
    back_to_back = [[0.016, since + 0.0161 * (k + 1)] for k in range(10)]
    assert len(_plausible(back_to_back, 0.06, pool, since)) == 5  # a job takes no more than a few
    pool.merge([(0.02, since - 3.0), (0.021, since - 2.0), (0.019, since - 1.0)])
    assert _plausible([[0.02, since - 2.0], [0.07, now]], 0.06, pool, since) == [(0.02, since - 2.0)]  # 3.5x the pool


# ---- timed calls must do real work -------------------------------------------------------------------------

EW = """module {
  func.func @ew(%x: memref<256x256xf32>, %y: memref<256x256xf32>, %out: memref<256x256xf32>) {
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>,
                                     affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
        ins(%x, %y : memref<256x256xf32>, memref<256x256xf32>) outs(%out : memref<256x256xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
"""
# returns at once when two probed outputs already equal x*y + x ("already computed"), else computes all
SKIP = """module {
  func.func @ew(%x: memref<256x256xf32>, %y: memref<256x256xf32>, %out: memref<256x256xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c256 = arith.constant 256 : index
    %p = arith.constant 97 : index
    %q = arith.constant 211 : index
    %x0 = memref.load %x[%p, %q] : memref<256x256xf32>
    %y0 = memref.load %y[%p, %q] : memref<256x256xf32>
    %o0 = memref.load %out[%p, %q] : memref<256x256xf32>
    %m0 = arith.mulf %x0, %y0 : f32
    %e0 = arith.addf %m0, %x0 : f32
    %x1 = memref.load %x[%q, %p] : memref<256x256xf32>
    %y1 = memref.load %y[%q, %p] : memref<256x256xf32>
    %o1 = memref.load %out[%q, %p] : memref<256x256xf32>
    %m1 = arith.mulf %x1, %y1 : f32
    %e1 = arith.addf %m1, %x1 : f32
    %h0 = arith.cmpf oeq, %o0, %e0 : f32
    %h1 = arith.cmpf oeq, %o1, %e1 : f32
    %done = arith.andi %h0, %h1 : i1
    scf.if %done {
    } else {
      scf.for %i = %c0 to %c256 step %c1 {
        scf.for %j = %c0 to %c256 step %c1 {
          %a = memref.load %x[%i, %j] : memref<256x256xf32>
          %b = memref.load %y[%i, %j] : memref<256x256xf32>
          %m = arith.mulf %a, %b : f32
          %s = arith.addf %m, %a : f32
          memref.store %s, %out[%i, %j] : memref<256x256xf32>
        }
      }
    }
    return
  }
}
"""


def _args(seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((256, 256)).astype(np.float32) for _ in range(3)]


def test_a_skip_when_computed_candidate_is_fooling_only_a_benchmark_that_reuses_outputs():
    from neurojit.compiler import compile_kernel

    base, cand = compile_kernel(EW), compile_kernel(SKIP)
    args = _args(0)
    reused = bench.interleaved(base, cand, [a.copy() for a in args], [a.copy() for a in args],
                               min_rounds=5, time_cap_s=0.5)
    assert reused.speedup > 3  # every call after the first finds its own result and returns
    sets = [_args(s) for s in range(4)]
    honest = bench.interleaved(base, cand, bench.Buffers(sets, (2,)),
                               bench.Buffers([[a.copy() for a in s] for s in sets], (2,)),
                               min_rounds=5, time_cap_s=0.5)
    assert honest.speedup < 1.5 and honest.outputs_reset and honest.spot_checks == 0


@pytest.mark.slow
def test_the_evaluator_gives_a_skip_when_computed_candidate_no_speedup():
    with Evaluator(EvalConfig(workers=1, bench_time_cap_s=0.5)) as ev:
        v = ev.evaluate(EW, SKIP)
    assert not v.accepted or v.speedup < 1.5, v
    if v.accepted:
        assert v.timing["outputs"].startswith("reset") and v.timing["spot_checks"] >= 1


def test_each_call_of_a_sample_gets_its_own_argument_set_and_outputs_are_reset():
    seen = []

    def fn(x, out):
        seen.append((id(x), float(out[0])))
        out[0] += 1.0

    sets = [[np.zeros(1), np.full(1, float(k))] for k in range(3)]
    bufs = bench.Buffers(sets, (1,))
    m = bench.interleaved(fn, fn, bufs, bench.Buffers([[a.copy() for a in s] for s in sets], (1,)),
                          warmup=1, min_rounds=3, max_rounds=3, time_cap_s=1.0)
    assert m.inner <= 3 and m.buffers == m.inner
    assert {v for _, v in seen} <= {0.0, 1.0, 2.0}  # every call saw its set's initial output, never a result
    assert [float(s[1][0]) for s in sets] == [0.0, 1.0, 2.0]


def test_a_timed_call_that_differs_from_the_baseline_is_caught():
    calls = [0]

    def base(x, out):
        out[:] = x

    def cand(x, out):  # right at first, then answers with something else
        calls[0] += 1
        out[:] = x if calls[0] < 5 else -x

    sets = [[np.arange(4.0), np.zeros(4)]]
    check = lambda b, c: None if np.array_equal(b[1], c[1]) else "differs"  # noqa: E731
    with pytest.raises(bench.TimedCallDiffers):
        bench.interleaved(base, cand, bench.Buffers(sets, (1,)), bench.Buffers([[a.copy() for a in s] for s in sets], (1,)),
                          check=check, warmup=1, min_rounds=20, max_rounds=20, time_cap_s=5.0)


def _memo(sig, depth: int, n: int = 64) -> str:
    """EW that looks x[0, 0] up in a table of the values the public seed 0 gives the timing sets (sets 100..):
    once where found, 16 times over where not. Right on every input; fast only on the public sets."""
    from neurojit.evaluator import inputs

    firsts = [float(inputs.make_args(inputs.Pair("uniform", "random", 100 + i), sig, 0, depth)[0][0, 0])
              for i in range(n)]
    table = ", ".join(f"{v:.9e}" for v in firsts)
    return f"""module {{
  memref.global "private" constant @seen : memref<{n}xf32> = dense<[{table}]>
  func.func @ew(%x: memref<256x256xf32>, %y: memref<256x256xf32>, %out: memref<256x256xf32>) {{
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c256 = arith.constant 256 : index
    %cn = arith.constant {n} : index
    %no = arith.constant false
    %t = memref.get_global @seen : memref<{n}xf32>
    %x00 = memref.load %x[%c0, %c0] : memref<256x256xf32>
    %found = scf.for %k = %c0 to %cn step %c1 iter_args(%f = %no) -> (i1) {{
      %v = memref.load %t[%k] : memref<{n}xf32>
      %e = arith.cmpf oeq, %v, %x00 : f32
      %g = arith.ori %f, %e : i1
      scf.yield %g : i1
    }}
    %reps = arith.select %found, %c1, %c16 : index
    scf.for %r = %c0 to %reps step %c1 {{
      scf.for %i = %c0 to %c256 step %c1 {{
        scf.for %j = %c0 to %c256 step %c1 {{
          %a = memref.load %x[%i, %j] : memref<256x256xf32>
          %b = memref.load %y[%i, %j] : memref<256x256xf32>
          %m = arith.mulf %a, %b : f32
          %s = arith.addf %m, %a : f32
          memref.store %s, %out[%i, %j] : memref<256x256xf32>
        }}
      }}
    }}
    return
  }}
}}
"""


@pytest.mark.slow
def test_timing_inputs_come_from_a_seed_nobody_knows_before_the_evaluation():
    # a candidate that is fast only on the inputs the public seed gives the benchmark was timed on them and
    # recorded as a speedup (a red-team matmul that looked its inputs up in a table: 346x)
    from neurojit.compiler import compile_kernel
    from neurojit.compiler.flops import reduction_depth

    memo = _memo(compile_kernel(EW).signature, reduction_depth(EW))
    with Evaluator(EvalConfig(workers=1, random_sets=1, bench_time_cap_s=0.3, seed=0)) as ev:
        v = ev.evaluate(EW, memo)
    assert v.accepted and v.speedup is not None, v.detail
    assert v.speedup < 0.5, v.timing  # 16 times the work on inputs it has not seen
    assert "drawn for this evaluation" in v.timing["inputs"] and "seed " in v.timing["inputs"]


def _fast_on_uniform() -> str:
    """EW that does its work once where x[0, :64] all lie within (-1, 1), as uniform data does, and 16 times
    over otherwise: right on every input, fast only on data like one class."""
    return """module {
  func.func @ew(%x: memref<256x256xf32>, %y: memref<256x256xf32>, %out: memref<256x256xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %c256 = arith.constant 256 : index
    %one = arith.constant 1.0 : f32
    %yes = arith.constant true
    %inside = scf.for %k = %c0 to %c64 step %c1 iter_args(%f = %yes) -> (i1) {
      %v = memref.load %x[%c0, %k] : memref<256x256xf32>
      %a = math.absf %v : f32
      %e = arith.cmpf olt, %a, %one : f32
      %g = arith.andi %f, %e : i1
      scf.yield %g : i1
    }
    %reps = arith.select %inside, %c1, %c16 : index
    scf.for %r = %c0 to %reps step %c1 {
      scf.for %i = %c0 to %c256 step %c1 {
        scf.for %j = %c0 to %c256 step %c1 {
          %a = memref.load %x[%i, %j] : memref<256x256xf32>
          %b = memref.load %y[%i, %j] : memref<256x256xf32>
          %m = arith.mulf %a, %b : f32
          %s = arith.addf %m, %a : f32
          memref.store %s, %out[%i, %j] : memref<256x256xf32>
        }
      }
    }
    return
  }
}
"""


@pytest.mark.slow
def test_timing_inputs_are_of_several_classes_of_ordinary_data():
    # a red-team candidate fast only when its inputs look uniform in (-1, 1) (and 55x slower on normal data)
    # was timed at parity on uniform data alone
    with Evaluator(EvalConfig(workers=1, random_sets=1, bench_time_cap_s=0.3, seed=0)) as ev:
        v = ev.evaluate(EW, _fast_on_uniform())
    assert v.accepted and v.speedup is not None and v.speedup < 0.5, (v.detail, v.timing)


def test_timing_slots_put_arguments_at_one_page_offset_and_staggered():
    """4K aliasing: how a kernel's arrays sit relative to each other modulo 4 KiB can decide its speed (a jam of 8
    rows of a prefix sum: 3.0 ms at one offset, 0.32 ms staggered). Every timing slot's arguments are placed, the
    even slots' all at one page offset (numpy's fresh large arrays), the odd slots' staggered, each a copy."""
    from types import SimpleNamespace

    args = [np.arange(4096, dtype=np.float32).reshape(64, 64), np.zeros((64, 64), np.float32), np.ones(3, np.int64)]
    sig = SimpleNamespace(args=[SimpleNamespace(role=r) for r in ("in", "out", "in")])
    bufs = bench.Buffers.copies(sig, args)
    assert len(bufs.sets) >= 2 and bufs.outputs == (1,)
    pages = [[a.ctypes.data % bench.PAGE for a in s] for s in bufs.sets]
    assert pages[0] == [0, 0, 0] and pages[1] == [0, bench.STAGGER, 2 * bench.STAGGER]
    for s in bufs.sets:
        for a, b in zip(s, args):
            assert np.array_equal(a, b) and a.dtype == b.dtype and a.flags.c_contiguous and not np.shares_memory(a, b)


@pytest.mark.slow
def test_spot_checks_leave_elements_to_the_baselines_overflow():
    # forward substitution grows past f32's range on the benchmark's fresh uniform data: the baseline gives Inf
    # and NaN from some row on, a candidate computing in f64 finite rows. With no exact result for those
    # arguments, the spot checks demanded the baseline's NaN/Inf and rejected it as `caches_result`
    cases = pathlib.Path(__file__).parent / "adversarial" / "cases"
    base = (cases / "287_accept_triangular_solve_past_the_range" / "base.mlir").read_text()
    f64 = (cases / "296_accept_triangular_solve_in_f64" / "cand.mlir").read_text()
    with Evaluator(EvalConfig(workers=1, random_sets=1, bench_time_cap_s=0.3, seed=0)) as ev:
        v = ev.evaluate(base, f64)
    assert v.accepted and v.speedup is not None and v.timing["spot_checks"] > 0, v.detail


def test_a_spot_check_leaves_only_the_baselines_overflows_and_the_edge_of_the_range():
    from neurojit.evaluator.checks import _where_finite

    got = np.array([1.0, 5.0, np.nan, 2.0, np.inf], np.float32)
    ordinary = np.array([1.0, 5.0, 3.0, 2.0, 4.0], np.float32)
    assert _where_finite(got, ordinary, 8) is got  # the baseline finite and far from the range: as it is
    seen = _where_finite(got, np.array([1.0, np.inf, 3.0, 7.0, 4.0], np.float32), 8)
    assert seen.dtype == np.float32 and seen[0] == 1.0 and seen[1] == np.inf  # the baseline's Inf stands
    assert np.isnan(seen[2]) and seen[3] == 2.0 and seen[4] == np.inf  # a NaN/Inf where the baseline was finite,
    # and 2.0 where it should be 7.0, are still judged
    near = np.array([1.0, 5.0, 3e38, 2.0, 1e38], np.float32)  # past max / 9: another order may overflow there
    seen = _where_finite(got, near, 8)
    assert list(seen) == [1.0, 5.0, np.float32(3e38), 2.0, np.float32(1e38)]


def test_a_timed_call_that_differs_is_told_wrong_or_dependent_on_earlier_calls():
    # a spot check of a timed call that differs from the baseline's was always "caches_result: the result depends on
    # earlier calls"; an approximated exp wrong on one fresh input near a cancelling denominator was filed so. A
    # fresh call on the same arguments tells the two apart
    from neurojit.evaluator import bench

    x = np.arange(8, dtype=np.float32)
    base_bufs = bench.Buffers([[x.copy(), np.zeros(8, np.float32)]], (1,))
    cand_bufs = bench.Buffers([[x.copy(), np.zeros(8, np.float32)]], (1,))
    base_bufs.sets[0][1][:] = x * 2  # the baseline's call: out = 2x

    def check(b_args, c_args):
        return None if np.array_equal(b_args[1], c_args[1]) else "differs"

    calls = {"n": 0}

    def counting(a, out):  # right on a fresh call, wrong once it has been called before (state kept between calls)
        calls["n"] += 1
        out[:] = a * 2 + (1 if calls["n"] > 1 else 0)

    def wrong(a, out):  # wrong on these inputs, whatever came before
        out[:] = a * 2 + 1

    for fn, kind in ((counting, bench.TimedCallDiffers), (wrong, bench.TimedCallWrong)):
        calls["n"] = 1  # (the timed call was not the first)
        fn(*cand_bufs.sets[0])
        calls["n"] = 0  # (the fresh call is)
        with pytest.raises(bench.TimedCallDiffers) as e:
            bench._spot(check, base_bufs, cand_bufs, 1, 1, fn)
        assert type(e.value) is kind, (fn.__name__, type(e.value))
        cand_bufs.reset(1)
