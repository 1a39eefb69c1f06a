"""Rounding noise: how far the kernel's own algorithm carries rounding errors of its own size, per output element.

Rule 1 (compare.py) bounds a correct evaluation order's error by the tolerance of a sum: eps x sqrt(depth + 1)
times the element's value and terms. That is what a reordering of sums and products changes; a recursion
that amplifies its rounding (Levinson-Durbin on random data, classical Gram-Schmidt, an LU without pivoting)
carries any change of rounding much further, and a correct reordering of its inner sums was `wrong_result`
(the baseline's own error was several times its bound there too). Here the kernel runs in its exact twin's
precision with the results a correct rewrite may round differently (products, which an FMA does not round;
quotients, which a multiplication by the reciprocal rounds twice; math functions; sums and products that
accumulate, which a reassociation reorders) rounded to the kernel's own type up or down at random
(twins.noise_twin: random rounding, as CADNA and Verificarlo do); an element's own a + c, which has one
correct result in any order, stays exact (rounded at random, a deliberate rounding step looked like noise).
NOISE_RUNS calls of one compiled twin, whose coins go on from call to call; per element, the largest
distance from the exact result is the noise (eight runs: with two, some elements' noise came out small by
chance, and a correct reordering erred past 4x it there). Rule 1's bound is then at least
compare.NOISE_TIMES times it: where the algorithm amplifies rounding, any evaluation's result is that
uncertain; where it does not (a matmul, a softmax), the noise is far below the tolerance and changes nothing.

It costs eight runs of a slower twin per input pair (and one compilation, ~0.06 s), so it runs for a kernel
without a magnitude twin (whose terms' magnitudes bound its rounding element by element already: sums,
products, divisions by an input's elements) and a baseline call under NOISE_MAX_CALL_S, while a run takes
under NOISE_MAX_RUN_S, on the pairs where the baseline itself used NOISE_FROM_SHARE of rule 1's
tolerance somewhere (a kernel that does not amplify rounding, a matmul, stays far below it: one evaluation's
rounding is a sample of what random rounding would show, over many elements), until the runs have taken
NOISE_BUDGET_S in all (PolyBench's durbin at N = 2000: ~0.1 s a run, ~12 s in all); `noise_why` in the
reference's info says when it did not run.
"""

from __future__ import annotations

import time

import numpy as np

from neurojit.compiler.dtypes import is_float

from .compare import NOISE_TIMES
from .twins import noise_twin

NOISE_RUNS = 8  # calls of the noise twin per input pair
NOISE_MAX_CALL_S = 0.05  # a baseline call slower than this gets no noise runs
# ... nor a pair on which the baseline stayed under this share of its tolerance everywhere: the tolerance is 32 times
# a plain sum's rounding (compare.tolerance), so under 1/32 the baseline rounded no worse than one sum does (at 1/4,
# 4 correct Levinson-Durbin reorderings in 30 were rejected on pairs where the baseline happened to stay under it)
NOISE_FROM_SHARE = 1 / 32
NOISE_BUDGET_S = 30.0  # ... nor any pair once the runs have taken this long in all
NOISE_MAX_RUN_S = 0.5  # ... nor any pair after one whose runs took longer than this each


class Noise:
    """The noise runs of one reference computation: decided on the first pair, then run on each."""

    def __init__(self, text_wide: str | None, narrow: str | None, off: str | None = None):
        """`text_wide`: the exact twin's text, None where there is none; `off`: why no noise runs, if not."""
        self.text, self.narrow = (None if off else text_wide), narrow
        self.kernel = None  # built once decided on
        self.decided = False
        self.spent = 0.0  # seconds of noise runs so far
        self.why = off or ("not decided" if text_wide else "no exact twin")

    @property
    def on(self) -> bool:
        return self.kernel is not None

    def decide(self, build, call_s: float) -> None:
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
        self.why = (f"random rounding, {NOISE_RUNS} runs a pair where the baseline used {NOISE_FROM_SHARE:.3g} of its "
                    "tolerance")

    def run(self, initial: list[np.ndarray], exact: list[np.ndarray], outs: list[int], baseline: list[np.ndarray],
            rtols: list[float], atol: float) -> list[np.ndarray] | None:
        """Per output, the largest distance of the runs (on copies of the exact twin's `initial` arguments)
        from the exact result `exact` (one per output), NaN where half the runs gave NaN or Inf and the exact value
        is representable (rounding alone makes it undefined there), else 0 where not finite; None when off, or where
        the `baseline` outputs stayed under NOISE_FROM_SHARE of their tolerances (`rtols`, one per output, and `atol`:
        normwise)."""
        if not self.on or not any(_share(b, e, rtol, atol) >= NOISE_FROM_SHARE
                                  for b, e, rtol in zip(baseline, exact, rtols)):
            return None
        if self.spent > NOISE_BUDGET_S:
            self.why = f"random rounding, until the runs had taken {NOISE_BUDGET_S:g} s (later pairs without)"
            return None
        found = [np.zeros(e.shape, np.float64) for e in exact]
        undefined = [np.zeros(e.shape, np.int32) for e in exact]  # per element, the runs that gave NaN or Inf
        largest = float(np.finfo(np.float32 if self.narrow == "f32" else np.float64).max)
        t0 = time.perf_counter()
        with np.errstate(all="ignore"):
            for _ in range(NOISE_RUNS):
                args = [a.copy() for a in initial]
                self.kernel(*args)
                for k, o in enumerate(outs):
                    got = np.asarray(args[o], exact[k].dtype)
                    d = np.abs(got - exact[k]).astype(np.float64)
                    np.fmax(found[k], np.where(np.isfinite(d), d, 0.0), out=found[k])
                    # a NaN or Inf from rounding alone where the exact value is representable (0 / 0 where a
                    # rank-deficient Gram-Schmidt's residual is all rounding): NaN in the noise (compare: an edge)
                    undefined[k] += ~np.isfinite(got) & (np.abs(exact[k]) < largest)
            for f, u in zip(found, undefined):  # in half the runs at least (one of eight excused a z-score's
                f[u * 2 >= NOISE_RUNS] = np.nan  # NaN on near-constant rows, where the runs were finite)
        took = time.perf_counter() - t0
        self.spent += took
        if took > NOISE_MAX_RUN_S * NOISE_RUNS:  # this pair's noise stands; no more runs this slow
            self.kernel = None
            self.why = f"random rounding, until a run took {took / NOISE_RUNS:.3f} s (over {NOISE_MAX_RUN_S} s)"
        return found


def normwise_share(err: np.ndarray, reference: np.ndarray, rtol: float, atol: float) -> float:
    """The largest share of its normwise tolerance (rtol |reference| + rtol max|reference| + atol) that `err`
    takes, over the elements where both are finite."""
    ref = np.abs(np.asarray(reference))
    fin = np.isfinite(ref)
    tol = rtol * ref + rtol * float(np.max(ref, where=fin, initial=0.0)) + atol
    ratio = np.divide(err, tol, where=fin & np.isfinite(err) & (tol > 0), out=np.zeros(ref.shape, ref.dtype))
    return float(np.max(ratio, initial=0.0))


def _share(baseline: np.ndarray, exact: np.ndarray, rtol: float, atol: float) -> float:
    """The largest share of its normwise tolerance the baseline's error takes, where both are finite; infinite
    where the baseline is not finite but the exact result is."""
    if not is_float(baseline.dtype) or not baseline.size:
        return 0.0
    with np.errstate(all="ignore"):
        b = np.asarray(baseline, exact.dtype)
        if (np.isfinite(exact) & ~np.isfinite(b)).any():
            return np.inf
        return normwise_share(np.abs(b - exact), exact, rtol, atol)


def noise_spread(baseline: np.ndarray, noise: np.ndarray, rtol: float, atol: float) -> float:
    """How many times the tolerance of a comparison with the baseline alone (as the benchmark's spot checks
    compare: checks.py) NOISE_TIMES x the rounding noise reaches, at most (NaN noise, where rounding alone gave
    NaN/Inf, left out)."""
    if not is_float(baseline.dtype) or not baseline.size:
        return 0.0
    with np.errstate(all="ignore"):
        return normwise_share(NOISE_TIMES * noise, baseline.astype(np.float64), rtol, atol)
