"""Rounding noise: how far the kernel's own algorithm carries rounding errors of its own size, per output element.

Rule 1 (compare.py) bounds a correct evaluation order's error by the tolerance of a sum: eps x sqrt(depth + 1)
times the element's value and terms. That is what a reordering of sums and products changes; a recursion
that amplifies its rounding (Levinson-Durbin on random data, classical Gram-Schmidt, an LU without pivoting)
carries any change of rounding much further, and a correct reordering of its inner sums was `wrong_result`
(the baseline's own error was several times its bound there too). Here the kernel runs in its exact twin's
precision with every rounded op rounded to the kernel's own type up or down at random (twins.noise_twin:
random rounding, as CADNA and Verificarlo do), NOISE_RUNS calls of one compiled twin, whose coins go on
from call to call; per element, the largest
distance from the exact result is the noise (eight runs: with two, some elements' noise came out small by
chance, and a correct reordering erred past 4x it there). Rule 1's bound is then at least
compare.NOISE_TIMES times it: where the algorithm amplifies rounding, any evaluation's result is that
uncertain; where it does not (a matmul, a softmax), the noise is far below the tolerance and changes nothing.

It costs eight runs of a slower twin per input pair (and one compilation, ~0.06 s), so it runs only
for a baseline call under NOISE_MAX_CALL_S whose first noise runs keep the plan within NOISE_BUDGET_S (a
small kernel; the recursions above at PolyBench's small sizes are); `noise_why` in the reference's info says
when it did not.
"""

from __future__ import annotations

import time

import numpy as np

from .twins import noise_twin

NOISE_RUNS = 8  # calls of the noise twin per input pair
NOISE_MAX_CALL_S = 0.01  # a baseline call slower than this gets no noise runs
NOISE_BUDGET_S = 2.0  # ... nor does one whose runs over the whole plan would take longer than this


class Noise:
    """The noise runs of one reference computation: decided on the first pair, then run on each."""

    def __init__(self, text_wide: str | None, narrow: str | None):
        self.text, self.narrow = text_wide, narrow
        self.kernel = None  # built once decided on
        self.decided = False
        self.pairs: int | None = None  # the plan's pairs, until the first run has checked the budget
        self.why = "not decided" if text_wide else "no exact twin"

    @property
    def on(self) -> bool:
        return self.kernel is not None

    def decide(self, build, call_s: float, pairs: int) -> None:
        """Build the noise twin if the baseline is cheap enough (`build(text, origin)` -> a callable)."""
        if self.decided or self.text is None or self.narrow is None:
            return
        self.decided = True
        if call_s > NOISE_MAX_CALL_S:
            self.why = f"a baseline call takes {call_s:.3f} s (noise runs only under {NOISE_MAX_CALL_S} s)"
            return
        text = noise_twin(self.text, self.narrow)
        if text is None:
            self.why = "the kernel has no op the noise twin rounds"
            return
        try:
            self.kernel = build(text, "<noise twin>")
        except Exception as e:  # no noise: rule 1's bound as it was
            self.why = f"the noise twin does not compile ({type(e).__name__})"
            return
        self.pairs, self.why = pairs, f"random rounding, {NOISE_RUNS} runs a pair"

    def run(self, initial: list[np.ndarray], exact: list[np.ndarray], outs: list[int]) -> list[np.ndarray] | None:
        """Per output, the largest distance of the runs (on copies of the exact twin's `initial` arguments)
        from the exact result `exact` (one per output), 0 where either is not finite; None when off. The first
        call also checks the budget and turns the runs off when they would take longer than it."""
        if not self.on:
            return None
        found = [np.zeros(e.shape, np.float64) for e in exact]
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            for _ in range(NOISE_RUNS):
                args = [a.copy() for a in initial]
                self.kernel(*args)
                for k, o in enumerate(outs):
                    d = np.abs(np.asarray(args[o], exact[k].dtype) - exact[k]).astype(np.float64)
                    np.fmax(found[k], np.where(np.isfinite(d), d, 0.0), out=found[k])
        spent = time.perf_counter() - t0
        if self.pairs is not None:  # the first run: does the whole plan fit the budget?
            if spent * self.pairs > NOISE_BUDGET_S:
                self.kernel = None
                self.why = f"the noise runs take {spent:.3f} s a pair (over {NOISE_BUDGET_S} s for the plan)"
                return None
            self.pairs = None
        return found
