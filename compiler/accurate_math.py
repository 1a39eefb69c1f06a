"""`math.expm1` and `math.log1p` as accurate arith, before the lowering.

`convert-math-to-llvm` lowers `math.expm1` as exp(x) - 1 and `math.log1p` as log(1 + x): both lose every digit
near 0, where they exist to be exact (expm1(1e-10) and log1p(1e-10) came out 0; a tanh written with expm1 to
avoid that cancellation was refused for it, and a kernel's f64 twin had it too). Here they become the
classic corrections, which keep the accuracy of the exp and log they call (Kahan; Goldberg, "What every
computer scientist should know about floating-point arithmetic", theorem 4):

    log1p(x) = x                              where u = 1 + x rounds to 1
             = log(u) * (x / (u - 1))         else (u - 1 is exact, and the ratio corrects u's rounding)
    expm1(x) = x                              where u = exp(x) rounds to 1
             = -1                             where u - 1 rounds to -1
             = (u - 1) * (x / log(u))         else

with Inf kept where u is Inf (expm1(Inf) = Inf, log1p(Inf) = Inf; NaN, -0.0, -1 and x < -1 come out as
libm's). Scalars and vectors alike.
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith
from mlir.dialects import math as mmath

from .approx import _Builder  # constants, comparisons and selects on a float type, scalar or vector
from .kernel import walk

OPS = ("math.expm1", "math.log1p")


def _log1p(b: _Builder, x: ir.Value) -> ir.Value:
    one = b.f(1.0)
    u = arith.addf(one, x)
    general = arith.mulf(mmath.log(u), arith.divf(x, arith.subf(u, one)))
    r = b.sel(b.cmp("oeq", u, one), x, general)
    return b.sel(b.cmp("oeq", u, b.f(float("inf"))), u, r)


def _expm1(b: _Builder, x: ir.Value) -> ir.Value:
    one = b.f(1.0)
    u = mmath.exp(x)
    um1 = arith.subf(u, one)
    general = arith.mulf(um1, arith.divf(x, mmath.log(u)))
    r = b.sel(b.cmp("oeq", um1, b.f(-1.0)), um1, general)
    r = b.sel(b.cmp("oeq", u, one), x, r)
    return b.sel(b.cmp("oeq", u, b.f(float("inf"))), u, r)


_RULES = {"math.expm1": _expm1, "math.log1p": _log1p}


def accurate_math(module: ir.Module) -> int:
    """Rewrite every float `math.expm1` and `math.log1p` in place; the number rewritten."""
    done = 0
    for op in [o for o in walk(module.operation) if o.name in OPS]:
        outer = op.parent if op.parent.name == "vector.mask" else op  # computed on every lane, as approx.py does
        with op.location, ir.InsertionPoint(outer):
            value = _RULES[op.name](_Builder(op.results[0].type), op.operands[0])
        outer.results[0].replace_all_uses_with(value)
        outer.erase()
        done += 1
    return done
