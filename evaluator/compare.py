"""How a candidate's output is compared: the rules, element by element, against the baseline and the exact result.

`exact` is the result computed in float64 (f32 kernels) or x86's 80-bit extended precision (f64 kernels) from the
same arguments (the baseline's twin: twins.py, run by reference.py);
`baseline` is what the baseline itself gave in the output's dtype. Floats, element by element:

1. The exact result is finite and the baseline is within the tolerance of it: the candidate must be within
   the tolerance too, |got - exact| <= rtol |exact| + rtol max|exact| + atol (relative, normwise over the
   output, plus an absolute floor of a few subnormal units for gradual underflow). Where the kernel is made of
   sums, differences, products and maxima only, the normwise term is, element by element, at most the
   magnitude of that element's terms (sum |a_k b_k| for a matmul; the reference's magnitude twin): what
   bounds any evaluation order's rounding there, so that a small element is not left to the largest one's
   tolerance (a candidate rounding every output to a step of max|out| x 2^-20 passed). Every element's bound
   is then widened by 4 times the largest share of its own bound the baseline used (up to 4x where the
   baseline came close to its bound somewhere): the output's magnitude does not tell how ill-conditioned the
   computation was (a deep sum that cancels, then a tanh bounding the result), the baseline's error against
   the exact result does; proportional, so a small element's bound stays small. Where the reference measured
   the element's rounding noise (noise.py: the kernel in its exact twin's precision with what a correct rewrite
   may round differently rounded to its own type at random; cheap kernels only), the bound is at least
   NOISE_TIMES times it: a recursion that amplifies rounding (Levinson-Durbin on random data) carries another
   order's rounding that far, while a sum's or a product's noise stays far below the tolerance and changes
   nothing. A NaN or Inf there is
   `nonfinite`, except where the noise runs gave one too (rounding alone makes the element undefined: 0 / 0
   where a rank-deficient Gram-Schmidt's residual is all rounding; the caller passes it as the edge), and at
   the edge of the range, where another correct order of evaluation may overflow a
   partial sum that the baseline's did not (near-limit values +a, -b, +c summed in two lanes: a + c
   overflows, a - b + c does not); there, where an op may launder an overflow (`launders`), a finite value of
   the exact value's sign is no evidence either (a ReLU's 0 for a partial sum that reached -Inf first). The caller says where (`overflows`, equivalence.py): where the sum of
   the element's terms' magnitudes reaches the dtype's largest value, for a kernel with reductions made of
   sums, products, maxima and divisions by constants or an input's elements only (selects that are maxima too, as
   torch-mlir's ReLU; a minimum or another select may keep an overflowing arm out of the result in every
   order: `twins.overflow_reaches_output`); for a kernel with reductions and no magnitudes, on inputs
   holding near-limit values, and at an element whose exact value reaches the largest over the reduction
   depth + 1, but on a `big` or `magnitude` pair (built so that no order overflows) only where the baseline
   itself overflowed (equivalence.py `_overflows`).
2. The exact result is finite but the baseline is not within the tolerance of it: its own order of
   evaluation overflowed an intermediate (the exact value may be beyond the dtype's range, or the Inf was
   laundered by a max, an exp or a division into some finite value). A correct candidate may overflow at
   another partial sum, or an FMA chain not at all, so any value is accepted there, NaN and Inf included:
   the element cannot tell a correct evaluation order from a wrong one. Except (a) in a kernel none of whose
   ops may launder an overflow (`launders` false: a magnitude twin and no maximum, minimum or select),
   where the baseline gave NaN or Inf: an overflow stays an Inf or NaN there, so the candidate gives a NaN or
   Inf (another order's overflow) or a value within the bound (an order that did not overflow); a
   triangular solve's row sanitised to 0 after an overflow passed as "any value"; where the baseline there is
   finite, its miss is its rounding (a subnormal product divided by a tiny divisor), not an overflow: the
   candidate within BASELINE_ERRORS times the baseline's error, or a NaN/Inf where rule 1's edge holds
   (12345 passed there); and (b) where the exact
   value itself is past the dtype's range (it rounds to Inf): there every order overflows, and the candidate
   gives the Inf of the exact value's sign, or the baseline's value, or a value within the tolerance of the
   exact one, or, where rule 1's edge says some order's partial sums pass the range, any NaN or Inf (an Inf
   - Inf of two overflowed partial sums) or, where an op may launder it, a finite value of its sign (a
   ReLU's 0 for a -Inf partial sum); an exp saturated at the largest finite value for 88.7 < x < 709, where
   f64's exp is still finite, and a row stored as +-1.0 past the range passed as rule 2's.
3. The exact result is +-Inf (an infinite input reaches it): the same Inf, or what the baseline gave.
4. The exact result is NaN (undefined: NaN input, 0 x Inf, Inf - Inf): NaN is required where the baseline
   gives NaN; elsewhere NaN or the baseline's value.
5. Typical accuracy (floats with an exact result, on ordinary data: the random and `wide` input sets, pooled;
   for an output of few elements, a dot product's one, the other sets of ordinary data too, `inputs.ORDINARY`):
   the candidate's median error over the elements whose exact value is not zero (every correct evaluation gets
   those exactly: a ReLU's half), in units in the last place (ulps) of the exact value in the output's dtype,
   is at most TYPICAL_TIMES times the baseline's plus TYPICAL_FLOOR_ULPS plus a quarter of the square root of
   the reduction depth (about 1.5x a plain sequential sum's typical error: a baseline that sums more
   accurately, Kahan or pairwise, must not make the textbook sum a precision cut). Rule 1 bounds each element by the
   worst a correct evaluation order may do, which is far more than what one does typically: a candidate that
   cuts precision everywhere (an exp rounded to 12 bits, a cubic in place of exp, a reciprocal of few Newton
   steps, outputs rounded to a step of the largest one) stayed inside it on kernels with a division or an
   exp, where no per-element magnitude bound applies. A correct reordering, an FMA, a vector polynomial of
   a few ulps stay near the baseline's median (a sequential sum's is several ulps; an elementwise kernel's
   a fraction of one); a precision cut is tens to thousands of times it. The 90th percentile is held to the
   same bound, so a cut of part of the output (40% of its columns) does not hide under an untouched median;
   in an output of more than TYPICAL_SAMPLE elements the sample is drawn at random (seeded by the evaluation),
   never at a stride a cut could skip. So is the median within each sixteenth of the output's rows (in row-major
   order) and of its columns, against BLOCK_TIMES (32) times the baseline's median there: a cut of 4 rows of 100
   (4%, ~130 ulp where the baseline erred ~3) passed the whole output's median and 90th percentile. (Looser than
   the whole output's 8x: a recurrence amplifies another order's rounding in some rows more than in others.)
   The 99th percentile, over 1000 samples or more, is held to that 32x too: a cut of every 19th column (5%) passed
   the median, the 90th percentile and every block. The same bounds hold on each input set of ordinary values
   alone (`inputs.CLASSED`: post-ReLU, bf16-exact, pixels, sorted, ... and their crosses with normal data): a cut
   gated on such data (operands rounded to 14 bits where A has no negatives, an exp cut where every logit is
   bf16-exact) is the whole of the errors on its set and stayed inside rule 1 while the random sets' errors hid it.
6. No reference knows the value: from finite arguments, some of them past 709.8 (where exp overflows f64; NaN or
   Inf from smaller ones is a domain error's, sqrt(-1), log(0), and stays required), the baseline, the exact twin
   and a twin of wider range (an f32 kernel's in x86's 80-bit type, whose exponent reaches 1.2e4932:
   reference.py `_in_range`) all gave NaN or Inf. An intermediate overflowed every one of them, and the value may be past the range or finite
   (softplus(1e5) = 1e5 where exp(1e5) overflows f80; a log-softmax of logits near 1e5): any value is accepted
   there. Where only the f64 twin overflowed, the wider twin's value is the exact result, held to rules 1-3 (a
   stable softplus's 1000.0 where log(1 + exp(1000)) is Inf in f64).
Whatever is bit-identical to the baseline passes every rule. Comparing with the exact result rather than with the baseline's rounding is what lets a tiled, reassociated
or FMA-contracted candidate pass: its error and the baseline's are both small against the exact value,
while against each other they may not be (near-limit inputs: one overflows, the other does not).
Integers: exactly equal to the baseline, which wraps (two's complement) as the dtype does.
Without an exact result (a kernel whose twin does not build, the promotion gate's shadow run) the baseline
stands in for it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import ml_dtypes
import numpy as np

from neurojit.compiler.dtypes import BFLOAT16, is_float


BASELINE_ERRORS = 4.0  # rule 1's bounds grow by this many times the largest share of its bound the baseline used
NOISE_TIMES = 4.0  # rule 1's bound is at least this many times the element's rounding noise (noise.py), where known
# rule 5: on ordinary inputs a candidate's typical (median) error, in units in the last place of the exact result,
# is at most this many times the baseline's plus TYPICAL_FLOOR_ULPS + sqrt(reduction depth + 1) / 4 (about 1.5x
# what a plain sequential sum shows typically: 5.5, 7.5 and 10.7 ulp at 1024, 2048 and 4096 terms, measured)
TYPICAL_TIMES, TYPICAL_FLOOR_ULPS = 8.0, 4.0
TYPICAL_SAMPLE = 1 << 16  # elements per output and pair the typical error is taken from (evenly spaced)
TYPICAL_LEAST = 12  # fewer pooled elements tell no typical error (equivalence.py pools more sets for a small output)
# ... and the same bound on this percentile of the errors: a cut of 40% of the columns left the median alone
TYPICAL_UPPER = 90
TAIL = 99  # ... and this one (of TAIL_LEAST samples or more) to BLOCK_TIMES x the baseline's: a cut of every 19th
TAIL_LEAST = 1000  # column (5%) left the median, the 90th percentile and every block's median alone
BLOCKS = 16  # rule 5 also holds the median of each 16th of the output's rows, and of its columns,
BLOCK_TIMES = 32.0  # to this many times the baseline's there (+ the floor): a recurrence amplifies another order's
# rounding in some rows more than in others (a forward substitution on random data: 28x in one block, within
# each element's bound), where a whole output's median evens it out


# the least magnitude a float64 / 80-bit value rounds to Inf at in each output dtype: its largest value plus half
# its last place (round to nearest even: the largest has an odd significand, so the tie goes up)
def _rounds_to_inf(d) -> np.longdouble:
    fi = ml_dtypes.finfo(d)  # (numpy's finfo, and bfloat16's, which numpy's does not know)
    largest = np.longdouble(float(fi.max)) if d != np.float64 else np.longdouble(np.finfo(d).max)
    return largest + np.longdouble(2.0) ** (fi.maxexp - 1 - fi.nmant) / 2


_ROUNDS_TO_INF = {d: _rounds_to_inf(d) for d in (np.float16, np.float32, np.float64, BFLOAT16.type)}


class Comparison(NamedTuple):
    problem: str | None  # None, "nonfinite" or "wrong"
    max_abs_err: float  # over the elements where the exact result and the candidate are both finite
    max_rel_err: float
    where: str  # "N of M elements, first at (i, j): got g, expected e"


# f16 and bf16 outputs: their sums are f32's (a front end's f16 matmul, a bf16 RMSNorm's mean of squares; the
# schedules' f16 sums too: compiler/wide_sums.py) or the half type's. Their bound counts the depth in f32's eps
# (normwise, as any sum's) plus HALF_ROUNDINGS roundings to the half type, each element by its own value: a bf16
# RMSNorm taking its mean of squares from half of each row (3 ulps off) and an f16 GELU keeping 9 of its 11 bits
# passed 32 x the half type's eps x sqrt(depth + 1), normwise (11x for bf16 at 2048 terms). Where the baseline is
# outside that bound somewhere, its own sums or ops round in the half type (a bf16 C += A B, an f16 GELU whose
# 1 + tanh cancels), and any other order may err as far: the bound is then the depth in the half type's eps, both
# parts normwise (`_bound`).
HALVES = ("float16", "bfloat16")
HALF_ROUNDINGS = 2.0


def tolerance(dtype: str, depth: int, factor: float) -> float:
    """Relative tolerance: factor x eps(dtype) x sqrt(reduction depth + 1) (f16, bf16: f32's eps, plus
    HALF_ROUNDINGS x the type's). Integers compare exactly."""
    if is_float(dtype) and np.dtype(dtype).name in HALVES:
        return own_tolerance("float32", depth, factor) + HALF_ROUNDINGS * float(np.finfo(dtype).eps)
    return own_tolerance(dtype, depth, factor)


def own_tolerance(dtype: str, depth: int, factor: float) -> float:
    """factor x eps(dtype) x sqrt(reduction depth + 1) in the type's own eps, f16 and bf16 too: how far a sum kept
    in the output's type may err, which a baseline summing in f16 does (the twin's agreement with the baseline,
    reference.py, is held to this)."""
    return factor * float(np.finfo(dtype).eps) * math.sqrt(depth + 1) if is_float(dtype) else 0.0


def typical_depth(dtype: str, depth: int) -> int:
    """The reduction depth rule 5's floor counts in the output's ulps: none for f16 and bf16 (`HALVES`)."""
    return 0 if np.dtype(dtype).name in HALVES else depth


def underflow_floor(dtype: str, depth: int) -> float:
    """Absolute floor: each operation may lose half a subnormal unit to gradual underflow."""
    if not is_float(dtype):
        return 0.0
    return 4.0 * float(np.finfo(dtype).smallest_subnormal) * (depth + 1)


def _wide(exact) -> type:
    # an f64 kernel's exact result is in x86's extended precision (twins.f80_twin), whose range goes far
    # beyond f64's: compared there, an exact value past f64's largest stays finite (rule 2), not an Inf (rule 3)
    return np.longdouble if exact is not None and np.asarray(exact).dtype == np.longdouble else np.float64


def _bound(dt, b: np.ndarray, r: np.ndarray, rtol: float, atol: float, magnitude, widen: bool, wide, noise=None):
    """Rule 1's bound from the baseline's side alone: (tol, well, abs_r, scale), `well` where rule 1 applies
    (the exact value and the baseline finite, the baseline within its bound); `widen`: by BASELINE_ERRORS;
    `noise`: each element's rounding noise (noise.py), the bound at least NOISE_TIMES times it."""
    # each whole-array quantity once, in place where it can be (an output of 2^20 elements takes ~30 passes)
    fin_r = np.isfinite(r)
    abs_r = np.abs(r)
    # where the exact value is representable in the output's dtype: below the value that rounds to Inf
    rep = (abs_r < wide(_ROUNDS_TO_INF[dt.type]) if dt.type in _ROUNDS_TO_INF
           else fin_r & np.isfinite(r.astype(dt)))
    scale = float(np.max(abs_r, where=rep, initial=0.0)) if r.size else 0.0
    err_b = np.empty_like(r)  # an array even for a 0-d output (a dot product's)
    np.abs(np.subtract(b, r, out=err_b), out=err_b)
    # the normwise term, element by element no more than the magnitude of that element's terms where known
    spread = scale if magnitude is None else np.fmin(scale, np.asarray(magnitude, np.float64))
    tol = rtol * abs_r
    if dt.name in HALVES:  # (see HALVES)
        half = HALF_ROUNDINGS * float(np.finfo(dt).eps)
        sums = max(0.0, rtol - half)  # the sums' part, in f32's eps
        tol += sums * spread + atol
        if (fin_r & np.isfinite(b) & (err_b > tol)).any():  # the baseline's own sums are the half type's
            own = sums / float(np.finfo(np.float32).eps) * float(np.finfo(dt).eps)
            tol = (own + half) * (abs_r + spread) + atol
    else:
        tol += rtol * spread + atol
    if noise is not None:  # where the kernel's algorithm carries rounding further than a sum does
        tol = np.fmax(tol, NOISE_TIMES * np.asarray(noise, tol.dtype))
    # rule 1 where the exact value is representable: one past the range rounds to Inf in the output's type (an f16
    # sum of 65580, past 65520), which is rule 2's exception (b), whatever the baseline's order gave (65504)
    well = rep & np.isfinite(b)
    well &= err_b <= tol  # rule 1; fin_r & ~well is rule 2
    if widen and well.any():  # as accurate as the baseline, up to BASELINE_ERRORS of its closest call
        used = np.divide(err_b, tol, where=well & (tol > 0), out=np.zeros_like(r))
        tol *= max(1.0, BASELINE_ERRORS * float(used.max()))
    return tol, well, abs_r, scale


def bounds(baseline: np.ndarray, rtol: float, exact: np.ndarray, atol: float,
           magnitude: np.ndarray | None = None, noise: np.ndarray | None = None) -> np.ndarray | None:
    """Rule 1's bound of every element (what `compare` works out before it looks at the candidate), where rule 1
    covers the whole output: every exact value finite and the baseline within its bound there; else None (the
    other rules need the candidate's values). Computed once per pair by the trusted reference process
    (reference.py), so that a worker's comparison of a finite output is a few passes (`within`)."""
    dt = np.dtype(baseline.dtype)
    if rtol == 0.0 or not is_float(dt):
        return None
    wide = _wide(exact)
    with np.errstate(all="ignore"):
        tol, well, _, _ = _bound(dt, np.asarray(baseline, wide), np.asarray(exact, wide), rtol, atol, magnitude,
                                 True, wide, noise)
        return tol if well.all() else None


WITHIN_CHUNK = 1 << 15  # elements `within` takes at a time: its temporaries stay in the core's cache


def within(got: np.ndarray, exact: np.ndarray, tol: np.ndarray) -> Comparison | None:
    """`compare`'s answer for an output whose bound `bounds` gave, where every element of `got` is finite and
    within its bound (the common case: rule 1 alone, a pass); None otherwise: `compare` decides, and says what
    and where (a NaN further on makes an output out of bounds `nonfinite`). Chunk by chunk: a 2^20-element
    output made a dozen passes through memory where each chunk's stay in cache."""
    wide = _wide(exact)
    g_all, r_all, t_all = (np.asarray(x).reshape(-1) for x in (got, exact, tol))
    err = rel = 0.0
    tiny = np.finfo(np.float64).tiny
    with np.errstate(all="ignore"):
        for s in range(0, g_all.size, WITHIN_CHUNK):
            g = g_all[s:s + WITHIN_CHUNK].astype(wide)
            if not np.isfinite(g).all():
                return None
            r = np.asarray(r_all[s:s + WITHIN_CHUNK], wide)
            diff = np.abs(np.subtract(g, r, out=g), out=g)
            if (diff > t_all[s:s + WITHIN_CHUNK]).any():  # wrong, or nonfinite further on: `compare` says which
                return None
            err = max(err, float(diff.max()))
            rel = max(rel, float(np.divide(diff, np.maximum(np.abs(r), tiny), out=diff).max()))
    return Comparison(None, err, rel, "")


def compare(got: np.ndarray, baseline: np.ndarray, rtol: float, exact: np.ndarray | None = None,
            atol: float | None = None, magnitude: np.ndarray | None = None,
            overflows: np.ndarray | bool | None = None, launders: bool = True,
            noise: np.ndarray | None = None, unknown: np.ndarray | None = None) -> Comparison:
    """Compare `got` with the rules above; `rtol == 0` means integers (exact). `overflows`: per element (or
    for all), whether some correct order of evaluation may overflow a partial sum there (rule 1's edge);
    `launders`: whether some op of the kernel may turn an overflowed value into a finite one (rule 2);
    `unknown`: where no reference knows the value (rule 6)."""
    if unknown is not None and np.any(unknown):  # rule 6: those elements as the baseline's (which every rule passes)
        got = np.where(unknown, baseline, got)
    if rtol == 0.0 or not is_float(got.dtype):
        return _compare_int(got, baseline)
    dt = got.dtype
    if atol is None:
        atol = 4.0 * float(np.finfo(dt).smallest_subnormal)
    wide = _wide(exact)
    g = np.asarray(got, wide)
    b = np.asarray(baseline, wide)
    r = b if exact is None else np.asarray(exact, wide)
    with np.errstate(all="ignore"):
        tol, well, abs_r, scale = _bound(dt, b, r, rtol, atol, magnitude, exact is not None, wide, noise)
        fin_g, fin_b = np.isfinite(g), np.isfinite(b)
        diff = np.empty_like(r)
        np.abs(np.subtract(g, r, out=diff), out=diff)
        if well.all() and fin_g.all():  # the common case
            bad = diff > tol
            return _result("wrong" if bad.any() else None, got, b, r, bad, diff, r, abs_r)
        # rule 1's edge: where some correct order of evaluation may overflow a partial sum that the baseline's
        # did not, a NaN or Inf is no evidence (see the docstring)
        may = False if overflows is None else np.asarray(overflows, bool)
        edge = well & may
        errs = np.where(well & fin_g, diff, 0.0)
        well &= ~(edge & ~fin_g)
        if launders:  # ... nor, where an op may launder the overflow, a finite value of the exact value's sign (a
            # ReLU's 0 for a partial sum that went to -Inf before the positive terms came: a conv + ReLU by the
            # windows schedule on near-limit inputs, whose exact value was +1.2e38)
            well &= ~(edge & fin_g & (np.signbit(g) == np.signbit(r)) & ~(diff <= tol))
        nonfinite = well & ~fin_g
        if nonfinite.any():
            return _result("nonfinite", got, b, r, nonfinite, errs, r)
        inf_r, nan_r = np.isinf(r), np.isnan(r)
        as_base = (g == b) | (np.isnan(g) & np.isnan(b))
        near_base = fin_g & fin_b & (np.abs(g - b) <= rtol * np.abs(b) + (rtol * scale + atol))
        bad = ((well & ~(diff <= tol))
               | (inf_r & ~((g == r) | as_base))
               | (nan_r & np.isnan(b) & ~np.isnan(g))
               | (nan_r & ~np.isnan(b) & ~(np.isnan(g) | as_base | near_base)))
        if exact is None:
            return _result("wrong" if bad.any() else None, got, b, r, bad, errs, r)
        lim = wide(_ROUNDS_TO_INF[dt.type]) if dt.type in _ROUNDS_TO_INF else np.inf
        if not launders:  # rule 2 in a kernel whose ops keep an overflow (no max, min or select, no exp, no
            # division by a computed value), where the exact value is inside the range
            inside = ~well & np.isfinite(r) & (abs_r < lim)
            # the baseline overflowed to NaN or Inf: another order's NaN or Inf, or a value within the bound (an
            # order that did not overflow); a finite value elsewhere is no order's (a row sanitised to 0 after
            # an overflow passed)
            bad |= inside & ~fin_b & fin_g & ~(diff <= tol)
            # the baseline is finite but outside its bound: its own rounding (a product in the subnormals
            # divided by a tiny divisor), not an overflow; the candidate within BASELINE_ERRORS times the
            # baseline's error there, or an overflow where the edge holds (12345 where a product underflowed
            # passed as "any value")
            near = fin_g & (diff <= np.maximum(tol, BASELINE_ERRORS * np.abs(b - r)))
            bad |= inside & fin_b & ~(near | as_base | (may & ~fin_g))
        beyond = ~well & np.isfinite(r) & (abs_r >= lim)  # rule 2's exception: an exact value past the range
        if beyond.any():
            same_sign = np.signbit(g) == np.signbit(r)
            # where some order's partial sums pass the range, any NaN or Inf; where an op may launder an
            # overflow, a finite value of the exact value's sign too (a ReLU's 0 for a -Inf partial sum)
            landed = ~fin_g | (same_sign if launders else False)
            bad |= beyond & ~((np.isinf(g) & same_sign) | as_base | (fin_g & (diff <= tol)) | (may & landed))
        return _result("wrong" if bad.any() else None, got, b, r, bad, errs, r)


def ulp_errors(got: np.ndarray, baseline: np.ndarray, exact: np.ndarray,
               rng: np.random.Generator | None = None, blocks: bool = False) -> tuple[np.ndarray, ...]:
    """Rule 5's samples: (candidate's, baseline's) errors in ulps of the exact value (in the output's dtype,
    at least the smallest normal's ulp), at up to TYPICAL_SAMPLE elements where all three are finite and the
    exact value is not zero: all of them, or, in a larger output, as many drawn at random by `rng` (seeded by
    the evaluation: evenly spaced ones, a fixed stride, let a cut of every column the stride skips pass).
    `blocks`: a third array, each sample's block (`_blocks`)."""
    dt = got.dtype
    wide = np.longdouble if np.asarray(exact).dtype == np.longdouble else np.float64
    if got.size > TYPICAL_SAMPLE:
        at = np.sort((rng or np.random.default_rng(got.size)).choice(got.size, TYPICAL_SAMPLE, replace=False))
    else:
        at = slice(None)
    g, b, r = (np.asarray(x).reshape(-1)[at].astype(wide) for x in (got, baseline, exact))  # (drawn, then widened)
    with np.errstate(all="ignore"):
        # exact zeros left out: every correct evaluation gets them exactly (a ReLU's negative half), and a
        # majority of them would hide the error of every other element from the median
        ok = np.isfinite(g) & np.isfinite(b) & np.isfinite(r) & np.isfinite(r.astype(dt)) & (r != 0)
        ulp = np.maximum(np.spacing(np.abs(r[ok]).astype(dt)), np.spacing(np.finfo(dt).tiny)).astype(wide)
        errs = (np.abs(g[ok] - r[ok]) / ulp).astype(np.float64), (np.abs(b[ok] - r[ok]) / ulp).astype(np.float64)
    if not blocks:
        return errs
    return (*errs, _blocks(np.arange(got.size)[at][ok], got.shape))


def _blocks(flat: np.ndarray, shape) -> np.ndarray:
    """Each flat position's two blocks, as one number: a BLOCKS-th of the output in row-major order (rows of a
    matrix) times BLOCKS, plus a BLOCKS-th of its last axis (columns), where it has BLOCKS elements or more."""
    size = max(1, int(np.prod(shape)))
    rows = flat * BLOCKS // size
    last = shape[-1] if len(shape) >= 2 and shape[-1] >= BLOCKS else 0
    cols = (flat % last) * BLOCKS // last if last else np.zeros_like(flat)
    return rows * BLOCKS + cols


def typical(cand: np.ndarray, base: np.ndarray, depth: int = 1, blocks: np.ndarray | None = None,
            tail: bool = True) -> str | None:
    """Rule 5 on the pooled samples of `ulp_errors`: None when the candidate's median error is within
    TYPICAL_TIMES x the baseline's + the floor for `depth` (the reduction depth), else what it is. `blocks`
    (`ulp_errors(..., blocks=True)`): the median within each block of rows and each block of columns too, against
    the baseline's there (a cut of 4 of 100 rows passed the whole output's median and 90th percentile). `tail`: the
    TAIL percentile too (not for a kernel that amplifies rounding: equivalence.py)."""
    if cand.size < TYPICAL_LEAST:
        return None  # too few elements to speak of a typical error
    floor = TYPICAL_FLOOR_ULPS + math.sqrt(depth + 1) / 4
    qs = (50, TYPICAL_UPPER, TAIL)  # (one partition of each array for all three)
    pc, pb = np.percentile(cand, qs), np.percentile(base, qs)
    for k, what, where in ((0, "median", "throughout"), (1, f"{TYPICAL_UPPER}th percentile",
                                                         "on a part of the output")):
        mc, mb = float(pc[k]), float(pb[k])
        if mc > TYPICAL_TIMES * mb + floor:
            return (f"its {what} error is {mc:.3g} ulp of the exact result, the baseline's {mb:.3g} ulp (at most "
                    f"{TYPICAL_TIMES:g}x that + {floor:.3g} ulp: less accurate than the baseline {where}, a "
                    "precision cut)")
    if tail and cand.size >= TAIL_LEAST:
        mc, mb = float(pc[2]), float(pb[2])
        if mc > BLOCK_TIMES * mb + floor:
            return (f"its {TAIL}th percentile error is {mc:.3g} ulp of the exact result, the baseline's {mb:.3g} ulp "
                    f"(at most {BLOCK_TIMES:g}x that + {floor:.3g} ulp: less accurate than the baseline on a few "
                    "percent of the output, a precision cut)")
    if blocks is not None:
        for axis, key in (("rows", blocks // BLOCKS), ("columns", blocks % BLOCKS)):
            # the samples grouped by block (a stable sort of small integers: one pass), each block a slice
            order = np.argsort(key.astype(np.uint8 if BLOCKS <= 256 else np.int64), kind="stable")
            ends = np.cumsum(np.bincount(key, minlength=BLOCKS))
            sc, sb = cand[order], base[order]
            for k in range(len(ends)):
                lo, hi = (int(ends[k - 1]) if k else 0), int(ends[k])
                if hi - lo < max(1, TYPICAL_LEAST // 4):
                    continue
                mc, mb = float(np.median(sc[lo:hi])), float(np.median(sb[lo:hi]))
                if mc > BLOCK_TIMES * mb + floor:
                    return (f"its median error in block {k + 1} of the {BLOCKS} of its {axis} is {mc:.3g} ulp of "
                            f"the exact result, the baseline's there {mb:.3g} ulp (at most {BLOCK_TIMES:g}x that + "
                            f"{floor:.3g} ulp: less accurate than the baseline on a part of the output, a precision cut)")
    return None


def _result(problem, got, b, r, bad, diff, ref, abs_ref=None) -> Comparison:
    """`abs_ref`: |ref|, where `ref` is all finite (the common case), to skip recomputing it."""
    err = float(diff.max()) if diff.size else 0.0
    with np.errstate(all="ignore"):
        mag = np.abs(np.where(np.isfinite(ref), ref, 0.0)) if abs_ref is None else abs_ref
        rel = diff / np.maximum(mag, np.finfo(np.float64).tiny)
    rel_max = float(rel.max()) if rel.size else 0.0
    if problem is None:
        return Comparison(None, err, rel_max, "")
    return Comparison(problem, err if problem != "nonfinite" else math.inf,
                      rel_max if problem != "nonfinite" else math.inf, _where(got, b, r, bad))


def _compare_int(got: np.ndarray, baseline: np.ndarray) -> Comparison:
    if got.dtype.kind == "b":  # bools by their bytes: numpy takes any nonzero byte for True, a C caller may not
        got, baseline = got.view(np.uint8), np.asarray(baseline).view(np.uint8)
    bad = got != baseline
    if not bad.any():
        return Comparison(None, 0.0, 0.0, "")
    diff = np.abs(got.astype(np.float64) - baseline.astype(np.float64))
    rel = diff / np.maximum(np.abs(baseline.astype(np.float64)), 1.0)
    return Comparison("wrong", float(diff.max()), float(rel.max()), _where(got, baseline, None, bad))


def _where(got: np.ndarray, b: np.ndarray, r: np.ndarray | None, bad: np.ndarray) -> str:
    flat = np.flatnonzero(bad)
    if not flat.size:
        return ""
    i = int(flat[0])
    idx = tuple(int(k) for k in np.unravel_index(i, got.shape))
    g, bv = got.reshape(-1)[i], np.asarray(b).reshape(-1)[i]
    said = f"got {_num(g)}, the baseline gave {_num(bv)}"
    if r is not None and r is not b:
        said += f", exact {float(np.asarray(r).reshape(-1)[i]):.9g}"
    return f"{flat.size} of {got.size} elements, first at {idx}: {said}"


def _num(v) -> str:
    return str(int(v)) if np.dtype(type(v)).kind in "iu" else f"{float(v):.9g}"
