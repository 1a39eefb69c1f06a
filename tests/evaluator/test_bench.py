"""The benchmark's two modes: interleaved pairs, and a pooled baseline for slow baselines."""

import time

from support.paths import MATMUL

from neurojit.evaluator import EvalConfig, Evaluator, bench


def _sleeper(seconds):
    return lambda *a: time.sleep(seconds)


def test_interleaved_measures_the_ratio():
    m = bench.interleaved(_sleeper(0.004), _sleeper(0.001), (), (), min_rounds=5, time_cap_s=0.5)
    assert m.mode == "interleaved" and 2.0 < m.speedup < 5.0
    assert m.speedup_ci[0] <= m.speedup <= m.speedup_ci[1]


def test_pooled_baseline_samples_persist_across_evaluations():
    samples: list[float] = []
    m1 = bench.pooled(samples, _sleeper(0.004), _sleeper(0.001), (), (), min_base=3, time_cap_s=0.2)
    assert len(samples) == 4 and m1.mode.startswith("pooled")
    m2 = bench.pooled(samples, _sleeper(0.004), _sleeper(0.002), (), (), min_base=3, time_cap_s=0.2)
    assert len(samples) == 5  # one new baseline sample per evaluation, not three
    assert 2.0 < m1.speedup < 5.0 and 1.0 < m2.speedup < 2.9


def test_evaluator_uses_the_pooled_mode_for_slow_baselines(tmp_path):

    base = MATMUL
    with Evaluator(EvalConfig(workers=1, bench_pooled_over_s=0.0, bench_time_cap_s=0.3)) as ev:
        v = ev.evaluate(base, base)
    assert v.accepted and v.speedup is not None
    assert any(c.name == "benchmark" and "pooled" in c.detail for c in v.checks)
