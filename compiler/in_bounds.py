"""Vector transfers that provably stay inside their memref, marked `in_bounds`.

MLIR's super-vectoriser (`affine-super-vectorize`) emits `vector.transfer_read`/`transfer_write` without
`in_bounds`, so each is lowered to a masked load or store whose mask is computed on every step (`dim - index`
against the lane numbers), although the loop's bounds keep every access inside the memref; on AMD cores a
masked store is an order of magnitude slower than a plain one, and a 1-D stencil vectorised that way ran at
0.3x its naive loops. MLIR folds `in_bounds` only for constant indices. Here each transfer's index is bounded
by interval arithmetic over what defines it: constants (and static extents), the induction variables of `affine.for`, `scf.for`
and `scf.parallel` loops (from their bounds' own intervals: a triangular loop is bounded by its outer loop's
range), `affine.apply` and index `addi`/`subi`/`muli`; a dimension whose index lies in [0, size - lanes] for
every value it can take is marked in bounds, which lowers to a plain vector load or store. Anything else
(a masked transfer, an index from a load, a dynamic size) is left as it is: the mark is only ever a proved
fact, and the evaluator's bounds checks on vector accesses hold each variant to it.
"""

from __future__ import annotations

from mlir import ir

from .kernel import walk
from .tasks import constant

Interval = tuple[int, int]
_TRANSFERS = ("vector.transfer_read", "vector.transfer_write")


def mark_in_bounds(module: ir.Module) -> int:
    """Mark the provably in-bounds dimensions of every unmasked vector transfer in `module`; how many
    transfers gained a mark."""
    count = 0
    for op in walk(module.operation):
        try:
            if op.name in _TRANSFERS and _mark(op):
                count += 1
        except RecursionError:  # an index defined through thousands of ops: left as it is (unproved)
            continue
    return count


def _mark(op: ir.Operation) -> bool:
    write = op.name == "vector.transfer_write"
    memref = op.operands[1 if write else 0]
    vector = op.operands[0] if write else op.results[0]
    if not isinstance(memref.type, ir.MemRefType):
        return False
    mtype, vtype = ir.MemRefType(memref.type), ir.VectorType(vector.type)
    rank = mtype.rank
    first = 2 if write else 1
    # read: memref, indices, padding[, mask]; write: vector, memref, indices[, mask]
    if len(op.operands) != first + rank + (0 if write else 1):
        return False  # masked: left to its mask
    indices = list(op.operands)[first:first + rank]
    perm = ir.AffineMapAttr(op.attributes["permutation_map"]).value
    old = [ir.BoolAttr(b).value for b in ir.ArrayAttr(op.attributes["in_bounds"])] \
        if "in_bounds" in op.attributes else [False] * len(perm.results)
    new = list(old)
    for j, expr in enumerate(perm.results):
        if new[j] or not isinstance(expr, ir.AffineDimExpr):
            continue
        k = expr.position
        size = mtype.shape[k]
        if mtype.is_dynamic_dim(k):
            continue
        r = _range(indices[k], {})
        if r is not None and r[0] >= 0 and r[1] + vtype.shape[j] <= size:
            new[j] = True
    if new == old:
        return False
    op.attributes["in_bounds"] = ir.ArrayAttr.get([ir.BoolAttr.get(b) for b in new])
    return True


def _range(v: ir.Value, memo: dict) -> Interval | None:
    """The values `v` (an index or integer) can take, where its definition bounds them; else None."""
    key = v
    if key in memo:
        return memo[key]
    memo[key] = None  # a cycle (a loop-carried value) is unbounded
    memo[key] = r = _define(v, memo)
    return r


def _define(v: ir.Value, memo: dict) -> Interval | None:
    owner = v.owner
    if isinstance(owner, ir.Block):
        return _induction(v, owner, memo)
    name = owner.name
    c = constant(v)  # an arith.constant, or the static extent a memref.dim reads
    if c is not None:
        return c, c
    if name == "affine.apply":
        m = ir.AffineMapAttr(owner.attributes["map"]).value
        args = [_range(x, memo) for x in owner.operands]
        return _expr(m.results[0], args, m.n_dims) if len(m.results) == 1 and None not in args else None
    if name in ("arith.addi", "arith.subi", "arith.muli"):
        a, b = (_range(x, memo) for x in owner.operands)
        if a is None or b is None:
            return None
        if name == "arith.addi":
            return a[0] + b[0], a[1] + b[1]
        if name == "arith.subi":
            return a[0] - b[1], a[1] - b[0]
        products = [x * y for x in a for y in b]
        return min(products), max(products)
    return None


def _induction(v: ir.Value, block: ir.Block, memo: dict) -> Interval | None:
    """An induction variable's range: from its lowest lower bound to its highest upper bound - 1 (steps are
    positive), or to the last value a constant step reaches from a constant lower bound."""
    loop = block.owner
    args = list(block.arguments)
    if v not in args:
        return None
    i = args.index(v)
    if loop.name == "affine.for" and i == 0:
        lb = _bound(loop, "lowerBoundMap", 0, memo, max)
        ub = _bound(loop, "upperBoundMap", _n_lower(loop), memo, min)
        step = (ir.IntegerAttr(loop.attributes["step"]).value,) * 2
    elif loop.name == "scf.for" and i == 0:
        lb, ub, step = (_range(x, memo) for x in list(loop.operands)[:3])
    elif loop.name == "scf.parallel":
        n = len(args)
        if len(loop.operands) < 3 * n:
            return None
        lb, ub, step = (_range(loop.operands[k * n + i], memo) for k in range(3))
    else:
        return None
    if lb is None or ub is None or step is None or step[0] < 1 or ub[1] - 1 < lb[0]:  # a step not known positive:
        return None  # the index could leave [lb, ub)
    hi = ub[1] - 1
    if lb[0] == lb[1] and step[0] == step[1]:  # the last step taken
        hi = lb[0] + (hi - lb[0]) // step[0] * step[0]
    return lb[0], hi


def _n_lower(loop: ir.Operation) -> int:
    m = ir.AffineMapAttr(loop.attributes["lowerBoundMap"]).value
    return m.n_dims + m.n_symbols


def _bound(loop: ir.Operation, key: str, offset: int, memo: dict, pick) -> Interval | None:
    """An affine.for bound: the max (lower) or min (upper) of its map's results over its operands' ranges."""
    m = ir.AffineMapAttr(loop.attributes[key]).value
    ops = list(loop.operands)[offset:offset + m.n_dims + m.n_symbols]
    args = [_range(x, memo) for x in ops]
    if None in args:
        return None
    rs = [_expr(e, args, m.n_dims) for e in m.results]
    if not rs or None in rs:
        return None
    return pick(r[0] for r in rs), pick(r[1] for r in rs)


def _expr(e: ir.AffineExpr, args: list[Interval], n_dims: int) -> Interval | None:
    """Interval of an affine expression over its dims' and symbols' intervals."""
    if isinstance(e, ir.AffineConstantExpr):
        c = e.value
        return c, c
    if isinstance(e, ir.AffineDimExpr):
        return args[e.position]
    if isinstance(e, ir.AffineSymbolExpr):
        return args[n_dims + e.position]
    if not isinstance(e, ir.AffineBinaryExpr):
        return None
    x, y = _expr(e.lhs, args, n_dims), _expr(e.rhs, args, n_dims)
    if x is None or y is None:
        return None
    if isinstance(e, ir.AffineAddExpr):
        return x[0] + y[0], x[1] + y[1]
    if isinstance(e, ir.AffineMulExpr):
        products = [p * q for p in x for q in y]
        return min(products), max(products)
    if y[0] != y[1] or y[0] <= 0:  # mod, floordiv, ceildiv: by a positive constant only
        return None
    c = y[0]
    if isinstance(e, ir.AffineModExpr):
        return (x[0] % c, x[1] % c) if x[0] // c == x[1] // c else (0, c - 1)
    if isinstance(e, ir.AffineFloorDivExpr):
        return x[0] // c, x[1] // c
    if isinstance(e, ir.AffineCeilDivExpr):
        return -(-x[0] // c), -(-x[1] // c)
    return None


__all__ = ["mark_in_bounds"]
