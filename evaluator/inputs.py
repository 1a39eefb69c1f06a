"""Input sets for equivalence testing, and the comparison of a candidate's outputs with the baseline's.

Every set gives fresh inputs *and* random initial output contents (identical for baseline and candidate,
never zeros: a candidate must not profit from a zeroed buffer). Random sets catch general errors; the
structured sets catch candidates that are right only for special values (non-negative, identity,
all-equal, magnitudes that cancel exactly).
"""

from __future__ import annotations

import math

import numpy as np

RANDOM = ("uniform", "normal", "mixed")
STRUCTURED = ("negative", "identity", "cancel", "ones", "zeros", "large", "small")


def _fill(kind: str, shape, dtype, rng: np.random.Generator) -> np.ndarray:
    integer = np.dtype(dtype).kind == "i"
    if integer:
        lo, hi = {"negative": (-9, -1), "ones": (1, 1), "zeros": (0, 0), "large": (1000, 5000)}.get(kind, (-8, 8))
        x = rng.integers(lo, hi + 1, shape)
    elif kind == "uniform":
        x = rng.uniform(-1, 1, shape)
    elif kind == "normal":
        x = rng.standard_normal(shape)
    elif kind == "mixed":
        x = rng.choice([-1.0, 1.0], shape) * 10.0 ** rng.uniform(-3, 3, shape)
    elif kind == "negative":
        x = -rng.uniform(0.5, 2.0, shape)
    elif kind == "ones":
        x = np.ones(shape)
    elif kind == "zeros":
        x = np.zeros(shape)
    elif kind == "large":
        x = rng.choice([-1.0, 1.0], shape) * rng.uniform(50.0, 80.0, shape)
    elif kind == "small":
        x = rng.choice([-1.0, 1.0], shape) * rng.uniform(1e-5, 1e-4, shape)
    elif kind == "cancel":
        # small integers with alternating signs: sums are exact in any order and often exactly zero
        v = rng.integers(1, 5, shape).astype(np.float64)
        x = v * np.where(np.indices(shape).sum(axis=0) % 2 == 0, 1.0, -1.0) if len(shape) else v
    elif kind == "identity":
        x = np.zeros(shape)
        if len(shape) >= 2:
            idx = np.arange(min(shape[-2], shape[-1]))
            x[..., idx, idx] = 1.0
        else:
            x[...] = 1.0
    else:
        raise ValueError(kind)
    return np.array(x, dtype=dtype, order="C")  # (np.ascontiguousarray would make a 0-d array 1-d)


def make_set(kind: str, signature, seed: int) -> list[np.ndarray]:
    """Arguments in signature order: inputs of `kind`, outputs random normal (never zeros)."""
    rng = np.random.default_rng(seed)
    out = []
    for a in signature.args:
        if a.role == "out":
            out.append(_fill("normal" if np.dtype(a.dtype).kind == "f" else "uniform", a.shape, a.dtype, rng))
        else:
            out.append(_fill(kind, a.shape, a.dtype, rng))
    return out


def random_arrays(signature, seed: int = 0) -> list[np.ndarray]:
    """Arguments in signature order, outputs included, for timing and demos rather than checking: floats
    uniform in [-1, 1), integers in [-8, 8]."""
    rng = np.random.default_rng(seed)
    return [_fill("uniform", a.shape, a.dtype, rng) for a in signature.args]


def set_kinds(random_sets: int) -> list[str]:
    return [RANDOM[i % len(RANDOM)] for i in range(random_sets)] + list(STRUCTURED)


def tolerance(dtype: str, depth: int, factor: float) -> float:
    """Relative tolerance: factor x eps(dtype) x sqrt(reduction depth + 1). Integers compare exactly."""
    if np.dtype(dtype).kind != "f":
        return 0.0
    return factor * float(np.finfo(dtype).eps) * math.sqrt(depth + 1)


def compare(got: np.ndarray, want: np.ndarray, rtol: float) -> tuple[str | None, float, float, str]:
    """-> (problem or None, max_abs_err, max_rel_err, where). problem is 'nonfinite' or 'wrong'."""
    if rtol == 0.0:
        diff = got.astype(np.int64) - want.astype(np.int64)
        bad = np.flatnonzero(diff)
        err = float(np.abs(diff).max()) if diff.size else 0.0
        rel = float((np.abs(diff) / np.maximum(np.abs(want.astype(np.float64)), 1)).max()) if diff.size else 0.0
        return ("wrong" if bad.size else None), err, rel, _where(got, bad)
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    finite_w = np.isfinite(w)
    nonfinite = np.flatnonzero(finite_w & ~np.isfinite(g))
    if nonfinite.size:
        return "nonfinite", math.inf, math.inf, _where(got, nonfinite)
    # where the baseline itself is NaN/Inf, the candidate must match it exactly
    special = np.flatnonzero(~finite_w & ~((np.isnan(w) & np.isnan(g)) | (w == g)))
    diff = np.where(finite_w, np.abs(g - w), 0.0)
    scale = float(np.abs(np.where(finite_w, w, 0)).max()) if w.size else 0.0
    err = float(diff.max()) if diff.size else 0.0
    rel = float((diff / np.maximum(np.abs(np.where(finite_w, w, 0)), np.finfo(np.float64).tiny)).max()) if diff.size else 0.0
    limit = rtol * np.abs(np.where(finite_w, w, 0)) + rtol * max(scale, np.finfo(got.dtype).tiny)
    bad = np.flatnonzero(diff > limit)
    if special.size:
        return "wrong", err, rel, _where(got, special)
    return ("wrong" if bad.size else None), err, rel, _where(got, bad)


def _where(a: np.ndarray, flat_bad: np.ndarray) -> str:
    if not flat_bad.size:
        return ""
    idx = np.unravel_index(int(flat_bad[0]), a.shape)
    return f"{flat_bad.size} of {a.size} elements, first at {tuple(int(i) for i in idx)}"
