"""benchmarks/interleave.py: calls take turns (order reversed every other round) inside their context, and the
ratio's interval is paired over rounds (a load swing shared by both calls of a round cancels)."""

import contextlib
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))
import interleave  # noqa: E402


def test_calls_take_turns_inside_their_context():
    log = []

    @contextlib.contextmanager
    def ctx(name):
        log.append(("enter", name))
        yield
        log.append(("exit", name))

    calls = {k: (lambda k=k: log.append(("call", k))) for k in ("a", "b", "c")}
    times = interleave.timed_rounds(calls, 3, ctx, pause_s=0, burst=2)
    assert {k: len(v) for k, v in times.items()} == {"a": 3, "b": 3, "c": 3}
    order = [k for what, k in log if what == "call"]
    assert order == ["a", "b", "c"] + [k for k in "abc" for _ in range(3)] + [k for k in "cba" for _ in range(3)] + [
        k for k in "abc" for _ in range(3)]  # warm, then per round: one waking call and a burst of two
    inside = None
    for what, k in log:  # every call runs inside its own context
        if what == "call":
            assert inside == k
        inside = k if what == "enter" else None if what == "exit" else inside


def test_ratio_interval_is_paired_over_rounds():
    rng = np.random.default_rng(1)
    load = rng.uniform(1.0, 3.0, 40)  # per-round slowdown from other processes, shared by both calls
    ours, theirs = 1.0 * load, 2.0 * load * rng.uniform(0.98, 1.02, 40)
    r, lo, hi = interleave.ratio_ci(theirs, ours)
    assert lo <= r <= hi and 1.9 < lo and hi < 2.1  # tight although each series alone swings 3x
    r, lo, hi = interleave.ratio_ci(ours, ours * rng.uniform(0.9, 1.1, 40))
    assert lo < 1.0 < hi  # no difference: the interval holds 1
