"""The statistics on synthetic data with a known answer: the confidence interval holds the true effect (and
does so at about its nominal rate), identical arms are never called different, a real difference is."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neurojit.experiments.stats import bootstrap_interval, compare, paired


def test_the_interval_of_a_mean_holds_the_true_mean_at_its_nominal_rate():
    rng = np.random.default_rng(1)
    hits = 0
    for i in range(200):
        ci = bootstrap_interval(rng.normal(3.0, 1.0, 25), seed=i)
        hits += ci.low <= 3.0 <= ci.high
    assert 0.89 <= hits / 200 <= 0.99  # 95% nominal; BCa on 25 values runs a little under


def test_a_known_speedup_ratio_is_inside_the_interval_and_significant():
    rng = np.random.default_rng(7)
    b = rng.lognormal(1.0, 0.8, 30)  # arm b's best speedups on 30 (kernel, seed) pairs
    a = b * np.exp(rng.normal(np.log(1.25), 0.05, 30))  # arm a: 25% faster, a little noise
    r = paired(a, b)
    assert r.low <= 1.25 <= r.high and r.low > 1.0
    assert r.significant and r.p_value < 0.001 and r.pairs == 30 and "significant" in r.note


def test_a_known_difference_on_a_plain_scale():
    rng = np.random.default_rng(3)
    b = rng.normal(0.0, 1.0, 40)
    a = b + 0.5 + rng.normal(0.0, 0.3, 40)
    r = paired(a, b, log=False)
    assert r.low <= 0.5 <= r.high and r.significant


@pytest.mark.parametrize("seed", range(5))
def test_identical_distributions_are_not_significant(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.lognormal(0.5, 0.5, 12), rng.lognormal(0.5, 0.5, 12)
    r = paired(a, b)
    assert not r.significant and r.note.startswith("not significant") and "12 pairs" in r.note
    assert r.low <= 1.0 <= r.high


def test_identical_values_and_too_few_pairs_say_so():
    same = paired([2.0, 3.0, 4.0], [2.0, 3.0, 4.0])
    assert not same.significant and same.p_value == 1.0 and same.effect == 1.0 and "identical" in same.note
    one = paired([2.0], [1.0])
    assert not one.significant and "too few pairs (1)" in one.note


def test_compare_pairs_arms_that_differ_in_one_axis():
    rng = np.random.default_rng(0)
    rows = []
    for kernel in ("k1", "k2", "k3"):
        for seed in range(4):
            base = rng.lognormal(1.0, 0.5)
            for sampler, factor in (("tpe", 1.5), ("random", 1.0), ("cmaes", 1.0)):
                rows.append({"model": "heuristic", "strategy": "zero-shot", "sampler": sampler, "kernel": kernel,
                             "seed": seed, "budget": 10, "best_speedup": base * factor * rng.lognormal(0, 0.01)})
    rows.append({"model": "replay", "strategy": "repair", "sampler": "tpe", "kernel": "k1", "seed": 0,
                 "budget": 10, "best_speedup": 2.0})  # an arm with one run: compared with nothing
    out = compare(pd.DataFrame(rows))
    samplers = out[out["axis"] == "sampler"].set_index(["a", "b"])
    assert set(samplers.index) == {("cmaes", "random"), ("cmaes", "tpe"), ("random", "tpe")}
    assert samplers.loc[("random", "tpe"), "significant"] and samplers.loc[("random", "tpe"), "pairs"] == 12
    assert samplers.loc[("random", "tpe"), "low"] <= 1 / 1.5 <= samplers.loc[("random", "tpe"), "high"]
    assert not samplers.loc[("cmaes", "random"), "significant"]
