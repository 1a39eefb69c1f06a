"""Interleaved timing and the confidence interval of a ratio of medians, shared by the side-by-side benchmarks.

Calls take turns in every round (the order reversed every other round), so load from other processes hits them
alike; the interval resamples whole rounds (paired), which keeps that shared load in the resamples. A pause
before each timed call lets thread pools that spin after their work (OpenBLAS's for ~2^28 cycles, TVM's)
go to sleep, so no call is timed against the previous call's spinning threads. Pure Python at import: the
TVM side (tvm_side.py) imports it under its own interpreter.
"""

from __future__ import annotations

import contextlib
import time

PAUSE_S = 0.15  # longer than OpenBLAS's default spin (2^28 cycles at >= 2 GHz)


def timed_rounds(calls: dict, rounds: int, context=None, pause_s: float = PAUSE_S) -> dict[str, list[float]]:
    """Seconds per call, per round, for each named call; `context(name)` wraps each call (e.g. a thread limit)."""
    context = context or (lambda name: contextlib.nullcontext())
    names = list(calls)
    for name in names:  # warm: pools started, pages touched, code paged in
        with context(name):
            calls[name]()
    times = {name: [] for name in names}
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            with context(name):
                time.sleep(pause_s)
                t0 = time.perf_counter()
                calls[name]()
                times[name].append(time.perf_counter() - t0)
    return times


def ratio_ci(num: list[float], den: list[float], level: float = 0.95) -> tuple[float, float, float]:
    """median(num) / median(den) and its paired bootstrap interval (scipy.stats.bootstrap, percentile)."""
    import numpy as np
    from scipy import stats

    a, b = np.asarray(num), np.asarray(den)
    point = float(np.median(a) / np.median(b))
    res = stats.bootstrap((a, b), lambda x, y, axis=-1: np.median(x, axis=axis) / np.median(y, axis=axis),
                          paired=True, vectorized=True, confidence_level=level, n_resamples=4000,
                          method="percentile", random_state=np.random.default_rng(0))
    return point, float(res.confidence_interval.low), float(res.confidence_interval.high)
