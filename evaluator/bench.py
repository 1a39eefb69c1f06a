"""Interleaved benchmarking: baseline and candidate alternate in one process, paired per round.

Each sample times `inner` back-to-back calls (enough for ~1 ms), rounds alternate the order (AB, BA) to
cancel drift, and the speedup is the median of per-round ratios with a 95% bootstrap CI; rounds continue
until the CI is within `ci_rel` of the estimate, `max_rounds`, or the time cap.

A baseline slower than `pooled_over_s` per call (a naive 1024^3 matmul takes ~10 s here) would make every
evaluation cost minutes. Then `pooled` is used instead: the baseline's samples are kept across the worker's
evaluations (one more sample per evaluation, so drift still enters) and the candidate is timed on its own;
the speedup is the ratio of medians with a bootstrap CI over both sample sets, and says so in `mode`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Measurement:
    """Baseline against candidate, timed in one process: medians and IQRs per call, and the speedup."""
    baseline_ms: float
    baseline_iqr_ms: float
    candidate_ms: float
    candidate_iqr_ms: float
    speedup: float
    speedup_ci: tuple[float, float]  # 95% bootstrap interval
    rounds: int
    inner: int  # calls per timed sample
    mode: str  # "interleaved", or "pooled baseline (N samples)"


def _once(fn, args, inner: int) -> float:
    t0 = time.perf_counter()
    for _ in range(inner):
        fn(*args)
    return (time.perf_counter() - t0) / inner


def time_calls(fn, args, repeat: int) -> list[float]:
    """Milliseconds of each of `repeat` calls of `fn(*args)`, after one warm-up call (pages in code and data)."""
    fn(*args)
    return [_once(fn, args, 1) * 1e3 for _ in range(repeat)]


def interleaved(base, cand, base_args, cand_args, *, warmup=2, min_rounds=5, max_rounds=200,
                time_cap_s=3.0, ci_rel=0.03, seed=0) -> Measurement:
    for _ in range(warmup):
        base(*base_args)
        cand(*cand_args)
    probe = min(_once(base, base_args, 1), _once(cand, cand_args, 1))
    inner = max(1, min(1000, int(1e-3 / max(probe, 1e-9))))
    tb, tc = [], []
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    ci = (float("nan"), float("nan"))
    while True:
        r = len(tb)
        if r % 2 == 0:
            tb.append(_once(base, base_args, inner))
            tc.append(_once(cand, cand_args, inner))
        else:
            tc.append(_once(cand, cand_args, inner))
            tb.append(_once(base, base_args, inner))
        rounds = len(tb)
        if rounds >= min_rounds:
            ratios = np.array(tb) / np.array(tc)
            boots = np.median(rng.choice(ratios, (200, rounds)), axis=1)
            ci = (float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5)))
            est = float(np.median(ratios))
            if (ci[1] - ci[0]) / 2 <= ci_rel * est or rounds >= max_rounds or time.perf_counter() - start > time_cap_s:
                break
    q = lambda x: np.percentile(np.array(x) * 1e3, [25, 50, 75])  # noqa: E731
    b25, b50, b75 = q(tb)
    c25, c50, c75 = q(tc)
    return Measurement(float(b50), float(b75 - b25), float(c50), float(c75 - c25),
                       float(np.median(np.array(tb) / np.array(tc))), ci, len(tb), inner, "interleaved")


def pooled(base_samples: list[float], base, cand, base_args, cand_args, *, min_base=3, warmup=2,
           min_rounds=5, max_rounds=200, time_cap_s=3.0, seed=0) -> Measurement:
    """Speedup against a slow baseline whose per-call samples (seconds) persist in `base_samples`."""
    while len(base_samples) < min_base:
        base_samples.append(_once(base, base_args, 1))
    for _ in range(warmup):
        cand(*cand_args)
    probe = _once(cand, cand_args, 1)
    inner = max(1, min(1000, int(1e-3 / max(probe, 1e-9))))
    tc = []
    start = time.perf_counter()
    while len(tc) < min_rounds or (len(tc) < max_rounds and time.perf_counter() - start < time_cap_s / 2):
        tc.append(_once(cand, cand_args, inner))
    base_samples.append(_once(base, base_args, 1))
    tb = np.array(base_samples)
    rng = np.random.default_rng(seed)
    boots = (np.median(rng.choice(tb, (200, len(tb))), axis=1) /
             np.median(rng.choice(np.array(tc), (200, len(tc))), axis=1))
    q = lambda x: np.percentile(np.array(x) * 1e3, [25, 50, 75])  # noqa: E731
    b25, b50, b75 = q(tb)
    c25, c50, c75 = q(tc)
    return Measurement(float(b50), float(b75 - b25), float(c50), float(c75 - c25), float(b50 / c50),
                       (float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))), len(tc), inner,
                       f"pooled baseline ({len(tb)} samples)")
