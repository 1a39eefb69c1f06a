"""Comparisons between arms with scipy.stats: bootstrap confidence intervals and a paired test.

Speedups multiply, so comparisons are made on their logarithms: the difference of two arms on one
(kernel, seed) pair is log(a) - log(b), and its mean over the pairs, exponentiated, is the geometric mean
ratio a/b (1.0: no difference). The confidence interval is scipy.stats.bootstrap's (BCa, 95%) of that mean;
metrics already on a log scale, or not ratios, are compared as plain differences (`log=False`). The
test is the Wilcoxon signed-rank test (scipy.stats.wilcoxon), two-sided, on the same differences.
A difference is called significant when p < alpha; with too few pairs, or all differences zero, it is not,
and the comparison says why.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["ALPHA", "Interval", "Paired", "bootstrap_interval", "compare", "paired"]

ALPHA = 0.05
CONFIDENCE = 0.95
RESAMPLES = 4999


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float
    n: int


def bootstrap_interval(values, statistic=np.mean, confidence: float = CONFIDENCE, seed: int = 0) -> Interval:
    """`statistic` of `values` with its bootstrap confidence interval (BCa; percentile where BCa is undefined).
    `statistic(x, axis)` as numpy's reductions take it."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return Interval(np.nan, np.nan, np.nan, 0)
    est = float(statistic(x))
    if len(x) < 2 or np.all(x == x[0]):
        return Interval(est, est if len(x) else np.nan, est if len(x) else np.nan, len(x))
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # BCa warns where it is undefined; then the percentile method
            res = stats.bootstrap((x,), statistic, confidence_level=confidence, n_resamples=RESAMPLES,
                                  method=method, rng=np.random.default_rng(seed), vectorized=True, axis=-1)
        low, high = res.confidence_interval
        if np.isfinite(low) and np.isfinite(high):
            return Interval(est, float(low), float(high), len(x))
    return Interval(est, np.nan, np.nan, len(x))


@dataclass(frozen=True)
class Paired:
    """a against b over `pairs` pairs: the effect (the geometric mean ratio a/b on the log scale, the mean
    difference a - b otherwise) with its CI, the Wilcoxon p-value, and what that means in words."""
    effect: float
    low: float
    high: float
    pairs: int
    p_value: float
    significant: bool
    note: str  # e.g. "not significant (p = 0.43, 9 pairs)"

    def to_dict(self) -> dict:
        return asdict(self)


def paired(a, b, *, log: bool = True, alpha: float = ALPHA, seed: int = 0) -> Paired:
    """Compare paired values of two arms (e.g. best speedups on the same kernel and seed). `log`: compare
    positive values as ratios (see the module docstring); otherwise as differences."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b) & ((a > 0) & (b > 0) if log else True)
    d = np.log(a[ok]) - np.log(b[ok]) if log else a[ok] - b[ok]
    n = len(d)
    ci = bootstrap_interval(d, seed=seed)
    back = np.exp if log else (lambda v: v)
    effect, low, high = (float(back(v)) if np.isfinite(v) else np.nan for v in (ci.estimate, ci.low, ci.high))
    if n < 2:
        return Paired(effect, low, high, n, np.nan, False, f"not significant: too few pairs ({n})")
    if np.all(d == 0):
        return Paired(effect, low, high, n, 1.0, False, f"not significant: identical on all {n} pairs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small samples: scipy notes its choice between exact and normal
        p = float(stats.wilcoxon(d, alternative="two-sided").pvalue)
    significant = bool(p < alpha)
    differ = int(np.count_nonzero(d))  # the signed-rank test ranks only these; ties at zero carry no sign
    pairs = f"{n} pairs" if differ == n else f"{n} pairs, {differ} of them different"
    return Paired(effect, low, high, n, p, significant,
                  f"{'significant' if significant else 'not significant'} (p = {p:.3g}, {pairs})")


def compare(runs: pd.DataFrame, metric: str = "best_speedup", *, log: bool = True,
            axes=("model", "strategy", "sampler"), pair_on=("kernel", "seed", "budget"),
            alpha: float = ALPHA) -> pd.DataFrame:
    """Every two arms that differ in exactly one of `axes`, compared on `metric` (one value per run; `log`
    as in `paired`) over the (kernel, seed, budget) pairs both have. One row per comparison: the axis, the
    values held fixed, a and b, and the `Paired` fields."""
    rows = []
    axes = list(axes)
    for axis in axes:
        fixed = [a for a in axes if a != axis]
        for held, group in runs.groupby(fixed, sort=True) if fixed else [((), runs)]:
            held = held if isinstance(held, tuple) else (held,)
            values = sorted(group[axis].unique())
            for va, vb in itertools.combinations(values, 2):
                ga = group[group[axis] == va].set_index(list(pair_on))[metric]
                gb = group[group[axis] == vb].set_index(list(pair_on))[metric]
                both = ga.index.intersection(gb.index)
                result = paired(ga.loc[both].to_numpy(), gb.loc[both].to_numpy(), log=log, alpha=alpha)
                rows.append({"axis": axis, "fixed": ", ".join(f"{k}={v}" for k, v in zip(fixed, held)),
                             "a": va, "b": vb, "metric": metric, **result.to_dict()})
    return pd.DataFrame(rows, columns=["axis", "fixed", "a", "b", "metric", "effect", "low", "high", "pairs",
                                       "p_value", "significant", "note"])
