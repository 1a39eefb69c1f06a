"""Polynomial approximations of `math` ops, for the ops a schedule marked `neurojit.approximate`.

Why here: LLVM scalarises a vector `math.exp` into one libm call per lane, which is what made softmax no
faster than numpy. MLIR has polynomial approximations (`populateMathPolynomialApproximationPatterns`), but
MLIR 22's Python bindings register neither a pass nor a transform op for them, so this module writes the
same kind of code with the bindings' builders: range reduction plus a polynomial (Cephes `expf`, `logf`) or
a rational function (Eigen's `tanh` and `erf`), in plain arith ops on whatever vector shape the op has, so
that it stays vectorised. Only f32 ops are rewritten (f64 keeps libm), and f16 and bf16 ones computed in f32. The edges are exact by
construction: NaN in gives NaN, exp(+-Inf) = Inf / 0 and overflow to Inf, log(0) = -Inf, log(x < 0) = NaN,
log(Inf) = Inf, tanh and erf saturate to +-1; subnormal inputs and results are computed, not flushed.
Accuracy (float32, dense sweep against float64): exp and log within 2 ulp, tanh and erf within 7 ulp (1 + tanh(x)
and 1 - tanh(x) within a few ulp of their own value: `_gaps`),
inside the evaluator's 32 ulp tolerance; the evaluator's value classes check it on every candidate.

A schedule opts in per op, in its transform script: `transform.annotate %e "neurojit.approximate"` on a
handle to the math ops (a model may do the same); `approximate(module)` rewrites the marked ops and runs
in the lowering, before `convert-math-to-llvm`.
"""

from __future__ import annotations

import math

from mlir import ir
from mlir.dialects import arith
from mlir.dialects import math as mmath
from mlir.dialects import scf, vector

from .kernel import as_operation, walk

MARK = "neurojit.approximate"
OPS = ("math.exp", "math.log", "math.tanh", "math.erf", "math.sin", "math.cos")  # what `approximate` rewrites


def approximate(module: ir.Module) -> int:
    """Rewrite every f32 math op of `OPS` marked with `MARK` in place; the number rewritten."""
    marked = [op for op in walk(module.operation) if op.name in OPS and MARK in op.attributes]
    done = 0
    for op in marked:
        ty = op.results[0].type.maybe_downcast()
        # computed in f32 and rounded once: far inside an f16 or bf16 ulp
        half = isinstance(_element(ty), (ir.F16Type, ir.BF16Type))
        if (_element(ty) != ir.F32Type.get(op.context) and not half) or (
                isinstance(ty, ir.VectorType) and (ty.rank == 0 or ty.scalable)):
            del op.attributes[MARK]  # f64 (and others) keep the math library
            continue
        wide = (ir.VectorType.get(ty.shape, ir.F32Type.get()) if isinstance(ty, ir.VectorType) else
                ir.F32Type.get()) if half else ty

        def computed(rule, at: ir.Operation, mask=None) -> ir.Value:
            with op.location, ir.InsertionPoint(at):
                b = _Builder(wide)
                b.mask = mask
                value = rule(b, arith.extf(wide, op.operands[0]) if half else op.operands[0])
                return arith.truncf(ty, value) if half else value

        parent = op.parent
        # (not for a half tanh: it is rounded to f16 or bf16 before the sum, as the kernel says, and the rational
        # is far inside a half ulp of +-1, where it is +-1 in the half type long before 7.9)
        if op.name == "math.tanh" and parent.name != "vector.mask" and not half:
            for use, rule in _gaps(op):  # 1 + tanh(x), 1 - tanh(x): from exp, not from the rounded tanh
                use.results[0].replace_all_uses_with(computed(rule, use))
                use.erase()
            if not list(op.results[0].uses):
                op.erase()
                done += 1
                continue
        # a masked elementwise op (vector.mask { math.exp }) leaves its masked-off lanes undefined: the
        # approximation computes every lane, outside the mask, and replaces the mask's result
        outer = parent if parent.name == "vector.mask" else op
        value = computed(_RULES[op.name], outer, parent.operands[0] if parent.name == "vector.mask" else None)
        outer.results[0].replace_all_uses_with(value)
        outer.erase()
        done += 1
    return done


def _gaps(tanh: ir.Operation) -> list[tuple[ir.Operation, object]]:
    """The uses of a tanh that are 1 + tanh(x) or 1 - tanh(x), each with its rule: 2 / (1 + exp(-+2x)). The sum
    cancels where tanh is near -+1 (a tanh-GELU's negative tail): what it leaves is the error of the rounded tanh
    (the rational's, 7 ulp of 1, and +-1 from 7.9 on, where tanh is not yet +-1 in float), 100% past 7.9; a
    dynamic-batch GELU's every approximated proposal was refused on wide inputs (1.01x; 16x now)."""
    out = []
    for use in list(tanh.results[0].uses):
        user = as_operation(use.owner)
        if user.name == "arith.addf" and _is_one(user.operands[1 - use.operand_number]):
            out.append((user, _one_plus_tanh))
        elif user.name == "arith.subf" and use.operand_number == 1 and _is_one(user.operands[0]):
            out.append((user, _one_minus_tanh))
    return out


def _is_one(value: ir.Value) -> bool:
    owner = as_operation(value.owner)
    while isinstance(owner, ir.Operation) and owner.name in ("vector.broadcast", "vector.splat"):
        owner = as_operation(owner.operands[0].owner)
    if not isinstance(owner, ir.Operation) or owner.name != "arith.constant":
        return False
    attr = owner.attributes["value"]
    if isinstance(attr, ir.DenseFPElementsAttr):
        dense = ir.DenseFPElementsAttr(attr)
        return dense.is_splat and float(dense.get_splat_value().value) == 1.0
    return isinstance(attr, ir.FloatAttr) and attr.value == 1.0


def _element(t: ir.Type) -> ir.Type:
    shaped = t.maybe_downcast()
    return shaped.element_type if isinstance(shaped, ir.ShapedType) else t


class _Builder:
    """arith ops on a float type (scalar or vector) and its i32 twin of the same shape (the twin: f32 only)."""

    def __init__(self, ty: ir.Type):
        self.ty = ty
        self.mask: ir.Value | None = None  # the lanes that count, where the op is masked (the rest undefined)
        i32 = ir.IntegerType.get_signless(32)
        shaped = ty.maybe_downcast()
        self.ity = ir.VectorType.get(shaped.shape, i32) if isinstance(shaped, ir.VectorType) else i32

    def _const(self, ty: ir.Type, value) -> ir.Value:
        elem = _element(ty)
        attr = ir.FloatAttr.get(elem, value) if isinstance(elem, ir.FloatType) else ir.IntegerAttr.get(elem, value)
        if isinstance(ty.maybe_downcast(), ir.VectorType):
            attr = ir.DenseElementsAttr.get_splat(ty, attr)
        return arith.constant(ty, attr)

    def f(self, value: float) -> ir.Value:
        return self._const(self.ty, value)

    def i(self, value: int) -> ir.Value:
        return self._const(self.ity, value)

    def cmp(self, pred: str, a, b) -> ir.Value:
        return arith.cmpf(getattr(arith.CmpFPredicate, pred.upper()), a, b)

    def sel(self, cond, a, b) -> ir.Value:
        return arith.select(cond, a, b)

    def fma(self, a, b, c) -> ir.Value:
        return mmath.fma(a, b, c)

    def poly(self, x, coeffs) -> ir.Value:
        """coeffs[0] x^n + ... + coeffs[n] by Horner's rule, with FMAs."""
        p = self.f(coeffs[0])
        for c in coeffs[1:]:
            p = self.fma(p, x, self.f(c))
        return p

    def pow2(self, n) -> ir.Value:
        """2^n as a float, for an i32 n with n + 127 in [1, 254]."""
        return arith.bitcast(self.ty, arith.shli(arith.addi(n, self.i(127)), self.i(23)))

    def nan_through(self, x, y) -> ir.Value:
        return self.sel(self.cmp("uno", x, x), x, y)


# Cephes expf: x = n ln2 + r, |r| <= ln2 / 2, exp(r) = 1 + r + r^2 P(r); 2^n applied in two halves, so
# that results near the top of the range do not overflow early and results down to the subnormals are right.
_EXP_P = (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1)


def _exp(b: _Builder, x) -> ir.Value:
    xc = b.sel(b.cmp("ult", x, b.f(-104.0)), b.f(-104.0), x)  # exp(-104) rounds to 0; NaN parks here too
    xc = b.sel(b.cmp("ogt", xc, b.f(88.8)), b.f(88.8), xc)  # exp(88.8) overflows to Inf
    n = mmath.roundeven(arith.mulf(xc, b.f(1.44269504088896341)))
    r = b.fma(n, b.f(-0.693359375), xc)
    r = b.fma(n, b.f(2.12194440e-4), r)
    p = b.fma(arith.mulf(b.poly(r, _EXP_P), r), r, arith.addf(r, b.f(1.0)))
    k = arith.fptosi(b.ity, n)
    k1 = arith.shrsi(k, b.i(1))
    y = arith.mulf(arith.mulf(p, b.pow2(k1)), b.pow2(arith.subi(k, k1)))
    return b.nan_through(x, y)


# Cephes logf: x = m 2^e with sqrt(1/2) <= m < sqrt(2), log(m) by a polynomial in m - 1.
_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
          -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)


def _log(b: _Builder, x) -> ir.Value:
    sub = b.cmp("olt", x, b.f(1.17549435e-38))  # subnormal (or <= 0): scale into the normal range
    xs = b.sel(sub, arith.mulf(x, b.f(8388608.0)), x)
    bits = arith.bitcast(b.ity, xs)
    e = arith.subi(arith.shrui(bits, b.i(23)), b.i(126))
    e = b.sel(sub, arith.subi(e, b.i(23)), e)
    m = arith.bitcast(b.ty, arith.ori(arith.andi(bits, b.i(0x007FFFFF)), b.i(0x3F000000)))  # [0.5, 1)
    small = b.cmp("olt", m, b.f(0.707106781186547524))
    e = b.sel(small, arith.subi(e, b.i(1)), e)
    m = arith.subf(b.sel(small, arith.addf(m, m), m), b.f(1.0))
    fe = arith.sitofp(b.ty, e)
    z = arith.mulf(m, m)
    y = arith.mulf(arith.mulf(b.poly(m, _LOG_P), m), z)
    y = b.fma(fe, b.f(-2.12194440e-4), y)
    y = b.fma(z, b.f(-0.5), y)
    y = b.fma(fe, b.f(0.693359375), arith.addf(m, y))
    y = b.sel(b.cmp("oeq", x, b.f(float("inf"))), x, y)
    y = b.sel(b.cmp("oeq", x, b.f(0.0)), b.f(float("-inf")), y)
    return b.sel(b.cmp("ult", x, b.f(0.0)), b.f(float("nan")), y)  # negative or NaN


# Eigen's float tanh and erf: x P(x^2) / Q(x^2) on a clamped range, where the function is +-1 in float.
_TANH_P = (-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08,
           1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03)
_TANH_Q = (1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03)
_ERF_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
          -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02)
_ERF_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03,
          -1.42647390514189e-02)


def _rational(b: _Builder, x, bound: float, p, q) -> ir.Value:
    xc = b.sel(b.cmp("olt", x, b.f(-bound)), b.f(-bound), x)
    xc = b.sel(b.cmp("ogt", xc, b.f(bound)), b.f(bound), xc)
    x2 = arith.mulf(xc, xc)
    y = arith.divf(arith.mulf(xc, b.poly(x2, p)), b.poly(x2, q))
    # exactly +-1 from the bound on, as libm gives (the rational gave -0.99999994 at -Inf: a GELU's
    # -Inf * (1 + tanh(-Inf)) came out -Inf, not libm's NaN, and the evaluator refused it)
    return b.sel(b.cmp("oge", mmath.absf(x), b.f(bound)), mmath.copysign(b.f(1.0), x), y)


def _tanh(b: _Builder, x) -> ir.Value:
    """Within 7 ulp of tanh; +-1 from 7.9 on (in float tanh is +-1 from 9.01 on: up to 4 ulp there). Where a sum
    cancels it, 1 + tanh(x) or 1 - tanh(x), the sum is computed from exp instead (`_gaps`)."""
    y = _rational(b, x, 7.90531110763549805, _TANH_P, _TANH_Q)
    tiny = b.cmp("olt", mmath.absf(x), b.f(0.0004))  # tanh(x) = x in float; keeps -0 and subnormals
    return b.nan_through(x, b.sel(tiny, x, y))


def _one_plus_tanh(b: _Builder, x) -> ir.Value:
    """1 + tanh(x) = 2 / (1 + exp(-2x)): within a few ulp of its own value everywhere (0 at -Inf, 2 at Inf)."""
    return b.nan_through(x, arith.divf(b.f(2.0), arith.addf(_exp(b, arith.mulf(x, b.f(-2.0))), b.f(1.0))))


def _one_minus_tanh(b: _Builder, x) -> ir.Value:
    return _one_plus_tanh(b, arith.negf(x))


def _erf(b: _Builder, x) -> ir.Value:
    y = _rational(b, x, 4.0, _ERF_P, _ERF_Q)
    # erf(x) = 2x / sqrt(pi) in float below 1e-4, rounded once (the quotient loses subnormal digits)
    tiny = b.cmp("olt", mmath.absf(x), b.f(1e-4))
    return b.nan_through(x, b.sel(tiny, b.fma(x, b.f(0.128379167095512574), x), y))


# Cephes sinf / cosf: |x| = y pi/4 + z with y even (the octant pair), |z| <= pi/4, z by three FMAs with pi/4 in
# three parts (each product exact in the FMA, so no digits of a large y are lost), then sin z or cos z by a
# polynomial, swapped and signed by the octant. Within 2 ulp of the exact value where it is above 1e-3, and within
# 1e-7 of it near a multiple of pi (where the function is ill-conditioned in the input's own rounding), for |x| up
# to SINCOS_RANGE; a vector with any lane past it (Inf included) takes the math library's call per lane instead.
SINCOS_RANGE = 8192.0
_PIO4 = (0.78515625, 2.4187564849853515625e-4, 3.77489497744594108e-8)
_SIN_P = (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)
_COS_P = (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)


def _sincos(b: _Builder, x, sine: bool) -> ir.Value:
    ax = mmath.absf(x)
    far = b.cmp("ogt", ax, b.f(SINCOS_RANGE))  # Inf too; NaN is not (it goes through below)
    if b.mask is not None:  # a masked op's other lanes hold anything: a partial tile took the branch every row
        far = arith.andi(far, b.mask)
    shaped = x.type.maybe_downcast()
    if isinstance(shaped, ir.VectorType):
        flat = ir.VectorType.get([math.prod(shaped.shape)], ir.IntegerType.get_signless(1))
        far = vector.reduction(ir.IntegerType.get_signless(1), ir.Attribute.parse("#vector.kind<or>"),
                               vector.shape_cast(flat, far))
    branch = scf.IfOp(far, [x.type], has_else=True)
    with ir.InsertionPoint(branch.then_block):
        scf.YieldOp([mmath.sin(x) if sine else mmath.cos(x)])  # unmarked: the math library's call
    with ir.InsertionPoint(branch.else_block):
        axc = b.sel(b.cmp("ole", ax, b.f(SINCOS_RANGE)), ax, b.f(0.0))  # NaN parks at 0 (fptosi of NaN is poison)
        j = arith.fptosi(b.ity, arith.mulf(axc, b.f(1.27323954473516268)))  # 4 / pi
        j = arith.andi(arith.addi(j, b.i(1)), b.i(-2))  # the even octant at or above
        y = arith.sitofp(b.ty, j)
        z = axc
        for part in _PIO4:
            z = b.fma(y, b.f(-part), z)
        zz = arith.mulf(z, z)
        ps = b.fma(arith.mulf(b.poly(zz, _SIN_P), zz), z, z)
        pc = b.fma(arith.mulf(b.poly(zz, _COS_P), zz), zz, b.fma(zz, b.f(-0.5), b.f(1.0)))
        odd = arith.cmpi(arith.CmpIPredicate.ne, arith.andi(j, b.i(2)), b.i(0))  # octants 2, 6: the other poly
        r = b.sel(odd, pc, ps) if sine else b.sel(odd, ps, pc)
        half = arith.shli(arith.andi(j, b.i(4)), b.i(29))  # octants 4, 6: the negative half turn
        if sine:
            sign = arith.xori(half, arith.andi(arith.bitcast(b.ity, x), b.i(-0x80000000)))  # sin(-x) = -sin x
        else:
            sign = arith.xori(half, arith.shli(arith.andi(j, b.i(2)), b.i(30)))  # cos: octant 2 negative too
        r = arith.bitcast(b.ty, arith.xori(arith.bitcast(b.ity, r), sign))
        scf.YieldOp([b.nan_through(x, r)])
    return branch.results[0]


def _sin(b: _Builder, x) -> ir.Value:
    return _sincos(b, x, True)


def _cos(b: _Builder, x) -> ir.Value:
    return _sincos(b, x, False)


_RULES = {"math.exp": _exp, "math.log": _log, "math.tanh": _tanh, "math.erf": _erf, "math.sin": _sin,
          "math.cos": _cos}
