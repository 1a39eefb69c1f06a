"""Columns no statement mixes, computed a block of them at a time: the whole function inside one parallel loop.

A triangular solve with many right-hand sides (BLAS trsm: X = L^-1 B, 256 columns) runs row after row, each row
depending on the rows before it, so its only parallel loops are the column loops inside the row loops: spread
there, they would be dispatched once per row and term, each with too little work to pay for its tasks, and nothing
is spread. But no statement reads or writes one column from another: every access to X and B indexes its last
axis by a column loop's index and nothing else, and L (read only) not at all. The function run for columns
[c, c + C) alone computes those columns exactly as the whole function does, in the same order. Here the body is
put inside `affine.for %t = 0 to T` and every column loop runs over block t only, so MLIR's dependence analysis
proves the block loop parallel and the schedule spreads it over the cores (one dispatch for the whole function).

The columns: a set of `affine.for` loops from 0 to the same N, step 1, carrying no values, whose index is used only
as one subscript of `affine.load`s and `affine.store`s, in the same position p (an axis of extent N), alone there and
nowhere else in the subscripts. Every access to an array indexed so must be indexed so (no column read at a fixed
or shifted index); every other array is only read; arrays are used only by affine loads and stores (and their own
allocation). At least one column loop sits inside another loop (otherwise the loop itself is already the parallel
loop to spread). Anything else: no rewrite.
"""

from __future__ import annotations

import math
import re

from mlir import ir
from mlir.dialects import affine

from .iteration_space import loops_around
from .kernel import public_funcs, walk

BLOCKS = 4  # column blocks at most (MLIR's split hands them to the tasks: two each on 2 cores)
LEAST_COLUMNS = 64  # columns a block holds at least: each column loop inside the rows stays long (trsm 256 x 256 on
# znver4: blocks of 32 columns ran 0.78x the naive loops on one core, their loop overhead paid 8 times per row)
_ACCESS = ("affine.load", "affine.store")
_OWN = ("memref.alloc", "memref.alloca", "memref.dealloc")


def block_columns(module: ir.Module) -> int:
    """Rewrite the public function as above, in place; how many column loops (0: not rewritten)."""
    funcs = public_funcs(module)
    if not funcs or len(funcs[0].regions[0].blocks) != 1:
        return 0
    func = funcs[0]
    plan = _plan(func)
    if plan is None:
        return 0
    n, loops = plan
    width = max(LEAST_COLUMNS, math.ceil(math.ceil(n / BLOCKS) / LEAST_COLUMNS) * LEAST_COLUMNS)
    blocks = math.ceil(n / width)
    if blocks < 2:
        return 0
    _rewrite(func, n, width, blocks, loops)
    return len(loops)


def _memref(op: ir.Operation) -> ir.Value:
    return op.operands[0 if op.name == "affine.load" else 1]


def _subscripts(op: ir.Operation) -> tuple[ir.AffineMap, list]:
    return ir.AffineMapAttr(op.attributes["map"]).value, list(op.operands)[1 if op.name == "affine.load" else 2:]


def _constant_bounds(loop: ir.Operation) -> int | None:
    """N for `affine.for` from 0 to N step 1 (constant maps, no operands, no values carried); else None."""
    if len(loop.results) or ir.IntegerAttr(loop.attributes["step"]).value != 1 or len(list(loop.operands)):
        return None
    lo, hi = (ir.AffineMapAttr(loop.attributes[k]).value for k in ("lowerBoundMap", "upperBoundMap"))
    if len(lo.results) != 1 or len(hi.results) != 1 or str(lo.results[0]) != "0":
        return None
    m = re.fullmatch(r"\d+", str(hi.results[0]))
    return int(m.group(0)) if m else None


def _position(loop: ir.Operation) -> int | None:
    """The one subscript position every use of `loop`'s index takes alone (see the module's docstring); None."""
    iv = loop.regions[0].blocks[0].arguments[0]
    found = set()
    for use in iv.uses:
        op = use.owner.operation if isinstance(use.owner, ir.OpView) else use.owner
        if op.name not in _ACCESS:
            return None
        amap, subs = _subscripts(op)
        dims = [k for k, v in enumerate(subs) if v == iv]
        if not dims or any(k >= amap.n_dims for k in dims):  # (as a symbol, or as the memref or stored value)
            return None
        names = [f"d{k}" for k in dims]
        hits = [p for p, e in enumerate(amap.results) if any(re.search(rf"\b{d}\b", str(e)) for d in names)]
        if len(hits) != 1 or str(amap.results[hits[0]]) not in names:
            return None
        found.add(hits[0])
    return found.pop() if len(found) == 1 else None


def _plan(func: ir.Operation) -> tuple[int, list[ir.Operation]] | None:
    ops = list(walk(func))
    if any(o.name not in ("affine.for", "affine.yield", "func.return", *_ACCESS, *_OWN)
           and not o.name.startswith(("arith.", "math.")) and o.name != "func.func" for o in ops):
        return None  # (scf loops, calls, views, linalg ops, vector ops: uses this pass does not follow)
    columns: dict[tuple[int, int], list[ir.Operation]] = {}
    for loop in (o for o in ops if o.name == "affine.for"):
        n, p = _constant_bounds(loop), _position(loop)
        if n is not None and p is not None and any(True for _ in loop.regions[0].blocks[0].arguments[0].uses):
            columns.setdefault((p, n), []).append(loop)
    if len(columns) != 1:
        return None
    (p, n), loops = next(iter(columns.items()))
    ivs = [lp.regions[0].blocks[0].arguments[0] for lp in loops]
    accesses = [o for o in ops if o.name in _ACCESS]
    indexed = [_memref(o) for o in accesses if any(v in ivs for v in _subscripts(o)[1])]
    for o in accesses:
        mem = _memref(o)
        by_column = any(v in ivs for v in _subscripts(o)[1])
        if any(mem == m for m in indexed):
            if not by_column or ir.MemRefType(mem.type).shape[p] != n:
                return None  # a column read or written at a fixed or shifted index, or an axis of another extent
        elif o.name == "affine.store":
            return None  # an array every block would write
    for o in accesses:  # the arrays are used by affine loads and stores only (and their allocation)
        for use in _memref(o).uses:
            user = use.owner.operation if isinstance(use.owner, ir.OpView) else use.owner
            if user.name not in (*_ACCESS, *_OWN):
                return None
    around = [loops_around(lp) for lp in loops]  # (only affine.for here: _plan admits no other region)
    if any(other in outer for lp, outer in zip(loops, around) for other in loops if other is not lp):
        return None  # (a column loop inside another)
    if not any(around):
        return None  # (a column loop at the top is the parallel loop to spread as it is)
    return n, loops


def _rewrite(func: ir.Operation, n: int, width: int, blocks: int, loops: list[ir.Operation]) -> None:
    entry = func.regions[0].blocks[0]
    body = [o.operation for o in entry.operations][:-1]  # (the return stays)
    with func.context, ir.Location.unknown():
        outer = affine.AffineForOp(0, blocks, 1, ip=ir.InsertionPoint(body[0]))
        inner = outer.regions[0].blocks[0]
        with ir.InsertionPoint(inner):
            yield_op = affine.AffineYieldOp([])
        for o in body:
            o.move_before(yield_op.operation)
        t = inner.arguments[0]
        d0 = ir.AffineDimExpr.get(0)
        lower = ir.AffineMap.get(1, 0, [d0 * width])
        # (no min where the width divides the columns: the loop's trip count stays a constant LLVM vectorises by)
        ends = [d0 * width + width] + ([] if n % width == 0 else [ir.AffineConstantExpr.get(n)])
        upper = ir.AffineMap.get(1, 0, ends)
        for loop in loops:
            new = affine.AffineForOp(lower, upper, 1, lower_bound_operands=[t], upper_bound_operands=[t],
                                     ip=ir.InsertionPoint(loop))
            old_block, new_block = loop.regions[0].blocks[0], new.regions[0].blocks[0]
            old_block.arguments[0].replace_all_uses_with(new_block.arguments[0])
            for o in [x.operation for x in old_block.operations]:
                new_block.append(o)  # (its affine.yield too)
            loop.erase()
