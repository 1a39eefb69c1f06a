"""Affine loops whose trip count no vector width divides, split into a main loop that one does and the rest.

MLIR's super-vectoriser (`affine-super-vectorize`) steps a loop by whole vectors and lets the memref's bounds,
not the loop's, mask the last step, so the affine schedule vectorises a loop only at widths that divide its
trip count (agent/loops.py). A stencil's interior, `for i = 1 to 3999` over a 4000-point row, has 3998 trips
(2 x 1999): no width of 4 to 64 divides it, and PolyBench's jacobi-1d, heat-3d or adi got no vector schedule.
Split, the same iterations run in the same order: the loop runs to the last multiple of 16 trips
(3984), and the rest (14 trips) follows it unrolled, as straight-line copies of the body with the index a
constant (a loop would be vectorised too).

Split: innermost `affine.for` loops of constant bounds and step 1 that carry no value (the super-vectoriser's
reductions crash, an LLVM ERROR, when the loop's result feeds the copies: "operation destroyed but still has
uses", seen on a hand-written matmul's sum over k) whose index is the fastest-varying subscript of an access
that does not cover its dimension exactly (`restricts_widths`, the test `agent/loops.py`'s widths apply),
with at least 16 trips that 8 does not divide, where the copies stay under `MAX_COPIED_OPS` operations. The
payload "affine" (compiler/schedule.py) splits them before the script runs; the analysis sees the kernel the
same way.
"""

from __future__ import annotations

import re

from mlir import ir
from mlir.dialects import arith

from .flops import loop_bounds
from .kernel import walk

MAX_COPIED_OPS = 2048  # operations the unrolled rest of one loop may add
_LOOPS = ("affine.for", "affine.parallel", "scf.for", "scf.parallel", "scf.while")


def restricts_widths(loop: ir.Operation) -> bool | None:
    """Whether vector steps of the affine loop could touch elements past its end: some access in it
    (`affine.load`/`affine.store`) has a subscript that depends on the loop's index and does not cover its
    dimension exactly (from 0 to the dimension's size, the index as it is, nothing carried). The
    super-vectoriser masks by the memref's bounds along whichever dimension it vectorises, the slower ones too
    (a column loop `A[i, 3]` over 10 of 16 rows wrote rows 10 to 15), so only widths that divide the trip count
    are then safe. None where no width is known to be safe: bounds that are not constants (a triangular nest),
    a step other than 1, a subscript that scales the index (`2 * j`: the vectoriser stepped both as if
    contiguous) or reaches it through other index arithmetic (`affine.apply`). In a loop that carries a value
    (a reduction), loads do not restrict: the vectoriser masks the lanes past the loop's end out of the sum
    (`vector.create_mask`, a triangular sum too); its stores do."""
    bounds = loop_bounds(loop)
    iv = loop.regions[0].blocks[0].arguments[0]
    derived = _derived(loop, iv)
    carries = len(loop.results) > 0
    restricts = False
    step = ir.IntegerAttr(loop.attributes["step"]).value
    for access in walk(loop):
        if access.name not in ("affine.load", "affine.store"):
            continue
        # a loop carrying a sum: the vectoriser masks the lanes past its end out of the sum, and reading them,
        # within the memref's bounds, changes nothing; its loads need only be contiguous along the index
        summed = carries and access.name == "affine.load"
        first = 2 if access.name == "affine.store" else 1
        memref, indices = access.operands[first - 1], list(access.operands)[first:]
        amap = ir.AffineMapAttr(access.attributes["map"]).value
        names = [f"d{i}" if i < amap.n_dims else f"s{i - amap.n_dims}" for i in range(len(indices))]
        shape = list(ir.MemRefType(memref.type).shape)
        for dim, expr in enumerate(str(e) for e in amap.results):
            used = [n for n, v in zip(names, indices) if (v == iv or v in derived) and re.search(rf"\b{n}\b", expr)]
            if not used:
                continue
            if (bounds is None and not summed) or step != 1 or len(used) > 1 or indices[names.index(used[0])] != iv \
                    or not re.fullmatch(rf"(-?\d+ \+ )?{used[0]}( [+-] \d+)?|-?\d+ \+ {used[0]}", expr):
                return None
            if summed:
                continue
            lb, ub, _ = bounds
            exact = lb == 0 and ub == shape[dim] and not carries and expr == used[0]
            restricts = restricts or not exact
    return restricts


def _derived(loop: ir.Operation, iv: ir.Value) -> list:
    """Index values computed in the loop from its index (through `affine.apply` or any other op)."""
    moving: list = [iv]
    for o in walk(loop):
        if any(v in moving for v in o.operands) and o.name not in ("affine.load", "affine.store", "affine.for"):
            moving.extend(r for r in o.results if isinstance(r.type, ir.IndexType))
    return moving[1:]


def grain(trips: int) -> int:
    """The multiple of trips the main loop runs where the loop is split: 16 (two vectors of f32 on AVX2, one on
    AVX-512) with 32 trips or more, else 8; 0 (not split) under 16 trips, or where 8 divides the trips
    already (widths to 8 are safe as it is: jacobi-2d's 248 trips are not split into 240 and 8 copies)."""
    if trips < 16 or trips % 8 == 0:
        return 0
    return 16 if trips >= 32 else 8


def split_loops(module: ir.Module) -> int:
    """Split the loops described above, in place; how many were split. Loads and stores should already be
    affine where their indices are (`affine-raise-from-memref`): only those are seen."""
    count = 0
    for loop in [op for op in walk(module.operation) if op.name == "affine.for"]:
        if _split(loop):
            count += 1
    return count


def _split(loop: ir.Operation) -> bool:
    bounds = loop_bounds(loop)
    if bounds is None or bounds[2] != 1 or len(loop.results) or any(o.name in _LOOPS for o in walk(loop)) \
            or not restricts_widths(loop):
        return False
    lb, ub, _ = bounds
    g = grain(ub - lb)
    rest = (ub - lb) % g if g else 0
    block = loop.regions[0].blocks[0]
    ops = [o.operation for o in block.operations]
    if not rest or rest * sum(1 + sum(1 for _ in walk(o)) for o in ops) > MAX_COPIED_OPS:
        return False
    end = ub - rest
    loop.attributes["upperBoundMap"] = ir.AffineMapAttr.get(ir.AffineMap.get_constant(end))
    anchor = loop
    for k in range(rest):
        with ir.InsertionPoint.after(anchor), loop.location:
            index = arith.ConstantOp(ir.IndexType.get(), end + k).operation
        anchor = index
        mapping = {block.arguments[0]: index.results[0]}
        for op in ops[:-1]:  # the body, less its affine.yield
            new = op.clone(ip=ir.InsertionPoint.after(anchor))
            anchor = new
            for o in (new, *walk(new)):
                for i, v in enumerate(o.operands):
                    if v in mapping:
                        o.operands[i] = mapping[v]
            mapping.update(zip(op.results, new.results))
    return True


__all__ = ["split_loops", "restricts_widths", "grain"]
