"""Interleaved timing and the confidence interval of a ratio of medians, shared by the side-by-side benchmarks.

Calls take turns in every round (the order reversed every other round), so load from other processes hits them
alike; the interval resamples whole rounds (paired), which keeps that shared load in the resamples. A pause
before each timed call lets thread pools that spin after their work (OpenBLAS's for ~2^28 cycles, TVM's)
go to sleep, so no call is timed against the previous call's spinning threads; then one untimed call wakes
the call's own pools and the sample is the mean of a short burst (steady state, as in a loop; TVM's
time_evaluator and timeit do the same). `OtherLoad` says how much of
the cores other processes took while we timed (the load average lags by a minute and counts us too), and
`wait_quiet` waits a bounded time for a quiet moment before timing. Pure Python at import: the TVM side
(tvm_side.py) imports it under its own interpreter.
"""

from __future__ import annotations

import contextlib
import os
import time

PAUSE_S = 0.15  # longer than OpenBLAS's default spin (2^28 cycles at >= 2 GHz)
# A call after an idle pause is slower for a pool that sleeps at once (MLIR's async runtime: matmul 1024 on 2
# threads 11.2 ms back to back, 17.8 ms after 0.15 s idle, measured on this 2-core VM) than for one that spins
# (OpenBLAS): samples are steady state, a loop's calls, after one untimed waking call.
BURST = 3


def _cpu() -> tuple[float, float, float]:
    """(busy seconds of all cores, total seconds of all cores, this process's CPU seconds); zeros off Linux."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
    except OSError:
        return 0.0, 0.0, 0.0
    hz = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle, iowait
    t = os.times()
    return (sum(fields) - idle) / hz, sum(fields) / hz, t.user + t.system


class OtherLoad:
    """Context manager: `share` is the fraction of all cores' time other processes used inside the block
    (None where /proc/stat is missing)."""

    share: float | None = None

    def __enter__(self):
        self._start = _cpu()
        return self

    def __exit__(self, *exc):
        busy0, total0, own0 = self._start
        busy1, total1, own1 = _cpu()
        if total1 > total0:
            self.share = max(0.0, (busy1 - busy0) - (own1 - own0)) / (total1 - total0)
        return False


def wait_quiet(max_s: float, below: float = 0.25, window_s: float = 1.0) -> float | None:
    """Wait (at most max_s) for a window in which other processes use less than `below` of the cores;
    the share of the last window."""
    deadline = time.monotonic() + max_s
    while True:
        with OtherLoad() as load:
            time.sleep(window_s)
        if load.share is None or load.share < below or time.monotonic() >= deadline:
            return load.share


def timed_rounds(calls: dict, rounds: int, context=None, pause_s: float = PAUSE_S,
                 burst: int = BURST) -> dict[str, list[float]]:
    """Seconds per call, per round, for each named call; `context(name)` wraps each call (e.g. a thread limit).
    Each sample is the mean of `burst` back-to-back calls after one untimed call that wakes the pools."""
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
                calls[name]()
                t0 = time.perf_counter()
                for _ in range(burst):
                    calls[name]()
                times[name].append((time.perf_counter() - t0) / burst)
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
