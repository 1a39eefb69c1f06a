"""Iteration spaces of affine loops as linear systems, and questions about them answered by linear programs.

The bounds of the loops around an operation (affine maps of outer indices and constants) become rows of
A x <= b over those loops' indices (`system`); subscripts and bounds become linear forms of them (`linear`);
scipy's HiGHS decides whether a system with one more constraint has a solution (`feasible`). Infeasible over the
reals is infeasible over the integers, so "no solution" is a proof; anything not read (floordiv, mod, a bound
from a value other than a loop index or an index constant, a loop inside another kind of region) is None, and
the caller assumes the worst.
"""

from __future__ import annotations

import re

import numpy as np
from mlir import ir

LOOP = "affine.for"
IV = "iv"  # a loop index's variable in `system`: (IV, its position)


TERM = re.compile(r"^(?:(-?\d+) \* )?(-?)([ds]\d+)(?: \* (-?\d+))?$|^(-?\d+)$")


def linear(expr: str, operands: list[ir.Value], n_dims: int, var) -> dict | None:
    """An affine expression's text as {variable: coefficient, 1: constant}, its dims and symbols the
    operands' variables (`var`); None if it is not linear in them."""
    out: dict = {1: 0}
    for raw in re.split(r" (?=[+-] )", expr.strip()):
        sign = 1
        t = raw.strip()
        if t.startswith("+ "):
            t = t[2:]
        elif t.startswith("- "):
            sign, t = -1, t[2:]
        m = TERM.match(t)
        if not m:
            return None
        if m.group(5) is not None:
            out[1] += sign * int(m.group(5))
            continue
        coef = int(m.group(1) or 1) * int(m.group(4) or 1) * (-1 if m.group(2) else 1) * sign
        name = m.group(3)
        i = int(name[1:]) + (0 if name[0] == "d" else n_dims)
        if i >= len(operands):
            return None
        v = var(operands[i])
        if v is None:
            return None
        for k, c in v.items():
            out[k] = out.get(k, 0) + coef * c
    return out


def loops_around(op: ir.Operation) -> list[ir.Operation]:
    found, p = [], op.parent
    while p is not None and p.name != "func.func":
        if p.name == LOOP:
            found.append(p)
        elif p.name not in ("affine.if",):
            return []  # another region (scf, linalg): not read here
        p = p.parent
    return found


def system(loops: list[ir.Operation]):
    """The iteration space of `loops` (their indices the variables, in order) as rows of A x <= b, with the
    variable map for operands (`linear`'s `var`); None where some bound is not linear in them."""
    ivs = [lp.regions[0].blocks[0].arguments[0] for lp in loops]

    def var(v: ir.Value):
        for n, iv in enumerate(ivs):
            if v == iv:
                return {(IV, n): 1}  # (not the key n: `linear` keeps the constant at the key 1)
        owner = None if isinstance(v.owner, ir.Block) else v.owner.operation
        if owner is not None and owner.name == "arith.constant" and isinstance(v.type, ir.IndexType):
            return {1: ir.IntegerAttr(owner.attributes["value"]).value}
        if owner is not None and owner.name == "affine.apply":  # (a reversed loop's index: 499 - ii)
            amap = ir.AffineMapAttr(owner.attributes["map"]).value
            return linear(str(amap.results[0]), list(owner.operands), amap.n_dims, var)
        return None

    rows, rhs = [], []
    for n, lp in enumerate(loops):
        seg = list(ir.DenseI32ArrayAttr(lp.attributes["operandSegmentSizes"]))
        operands = list(lp.operands)
        for key, upper, ops in (("lowerBoundMap", False, operands[:seg[0]]),
                                ("upperBoundMap", True, operands[seg[0]:seg[0] + seg[1]])):
            amap = ir.AffineMapAttr(lp.attributes[key]).value
            for e in amap.results:
                lin = linear(str(e), ops, amap.n_dims, var)
                if lin is None:
                    return None
                row = np.zeros(len(ivs))
                c = lin.pop(1)
                for k, coef in lin.items():
                    row[k[1]] -= coef
                row[n] += 1
                if upper:  # iv <= e - 1:  iv - e <= c - 1
                    rows.append(row)
                    rhs.append(c - 1)
                else:  # iv >= e:  e - iv <= -c
                    rows.append(-row)
                    rhs.append(-c)
    return ivs, var, rows, rhs


def feasible(n: int, rows, rhs, eqs=(), eq_rhs=()) -> bool:
    from scipy.optimize import linprog

    res = linprog(np.zeros(n), A_ub=np.array(rows) if rows else None, b_ub=list(rhs) or None,
                  A_eq=np.array(eqs) if len(eqs) else None, b_eq=list(eq_rhs) or None,
                  bounds=[(None, None)] * n, method="highs")
    return res.status != 2  # 2: infeasible (a failure to decide counts as feasible)


def row(lin: dict, n: int) -> np.ndarray:
    row = np.zeros(n)
    for k, c in lin.items():
        if k != 1:
            row[k[1]] += c
    return row


def range_never_negative(loop: ir.Operation) -> bool:
    """Whether the affine loop's upper bound is at or above its lower bound at every iteration of the loops
    around it (its range empty at worst): `trips_at_least(loop, 0)`."""
    return trips_at_least(loop, 0)


def trips_at_least(loop: ir.Operation, n: int) -> bool:
    """Whether the affine loop's upper bound is at least `n` above its lower bound at every iteration of the
    loops around it: each bound one map result (no min or max), linear in the indices around it or constant, and
    "upper <= lower + n - 1" infeasible over their iteration space."""
    seg = list(ir.DenseI32ArrayAttr(loop.attributes["operandSegmentSizes"]))
    operands = list(loop.operands)
    lower, upper = (ir.AffineMapAttr(loop.attributes[k]).value for k in ("lowerBoundMap", "upperBoundMap"))
    if len(lower.results) != 1 or len(upper.results) != 1:
        return False
    space = system(loops_around(loop))
    if space is None:
        return False
    ivs, var, rows, rhs = space
    lo = linear(str(lower.results[0]), operands[:seg[0]], lower.n_dims, var)
    hi = linear(str(upper.results[0]), operands[seg[0]:seg[0] + seg[1]], upper.n_dims, var)
    if lo is None or hi is None:
        return False
    diff = {k: hi.get(k, 0) - lo.get(k, 0) for k in set(hi) | set(lo)}
    if not ivs:
        return diff[1] >= n and all(c == 0 for k, c in diff.items() if k != 1)
    return not feasible(len(ivs), rows + [row(diff, len(ivs))], rhs + [n - 1 - diff[1]])


def offset(expr: ir.AffineExpr, pos: int) -> int | None:
    """c where the affine expression is dimension `pos` plus the constant c (c = 0: the dimension alone), else
    None."""
    expr = expr.maybe_downcast()
    if isinstance(expr, ir.AffineDimExpr):
        return 0 if expr.position == pos else None
    if isinstance(expr, ir.AffineAddExpr):
        lhs, rhs = expr.lhs.maybe_downcast(), expr.rhs.maybe_downcast()
        for a, b in ((lhs, rhs), (rhs, lhs)):
            if isinstance(a, ir.AffineDimExpr) and a.position == pos and isinstance(b, ir.AffineConstantExpr):
                return b.value
    return None


def trip_count(loop: ir.Operation) -> int | None:
    """The affine loop's trip count where it is one constant: each bound one map result, their difference a
    constant (`for j = t to t + 3`: 3, whatever t), else None."""
    seg = list(ir.DenseI32ArrayAttr(loop.attributes["operandSegmentSizes"]))
    operands = list(loop.operands)
    lower, upper = (ir.AffineMapAttr(loop.attributes[k]).value for k in ("lowerBoundMap", "upperBoundMap"))
    if len(lower.results) != 1 or len(upper.results) != 1:
        return None
    names: list = []

    def var(v: ir.Value):  # each operand its own variable
        for k, w in enumerate(names):
            if w == v:
                return {("v", k): 1}
        names.append(v)
        return {("v", len(names) - 1): 1}

    lo = linear(str(lower.results[0]), operands[:seg[0]], lower.n_dims, var)
    hi = linear(str(upper.results[0]), operands[seg[0]:seg[0] + seg[1]], upper.n_dims, var)
    if lo is None or hi is None:
        return None
    diff = {k: hi.get(k, 0) - lo.get(k, 0) for k in set(hi) | set(lo)}
    if any(c for k, c in diff.items() if k != 1):
        return None
    step = ir.IntegerAttr(loop.attributes["step"]).value
    return max(0, -(-diff[1] // step))
