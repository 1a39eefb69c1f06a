"""Loops that tile a linalg op by hand, folded back into the one op on the whole memrefs.

A kernel written (or dumped after MLIR's own tiling) as `scf.for` loops over tiles, each iteration a
`memref.subview` of every operand and one linalg op on the views:

    scf.for %i = 0 to 512 step 64 {
      scf.for %j = 0 to 384 step 64 {
        %a = memref.subview %A[%i, 0] [64, 256] [1, 1]
        %b = memref.subview %B[0, %j] [256, 64] [1, 1]
        %c = memref.subview %C[%i, %j] [64, 64] [1, 1]
        linalg.matmul ins(%a, %b) outs(%c)

is `linalg.matmul ins(%A, %B) outs(%C)` run in pieces. The schedule library sees loops around an op it cannot
take (a 512x384x256 matmul so written got no proposal: 58 ms naive), so `raise_to_linalg` (raise_linalg.py)
first folds such a nest into the op on the whole memrefs. Exact when:

* the loops are `scf.for` or `affine.for` from 0 to a constant their constant step divides, perfectly nested,
  their bodies holding only the subviews, the op and constants;
* every operand of the op is a subview of a memref that is not itself a view (an argument, an allocation, a
  global), of its full rank, unit strides, static sizes; along each dim the offset is 0 and the size the whole
  extent, or the offset is exactly one loop's induction variable and the size that loop's step, its upper
  bound the extent (the tiles cover the memref once);
* the op's indexing maps are projected permutations, and every operand dim that one of the op's loops indexes
  is tiled by the same loop (or by none), each loop tiling one of the op's loops: the loops tile the op's
  iteration space (a loop offsetting two dims would take diagonal tiles only); the op's body reads neither
  `linalg.index` (a tile's own index) nor anything defined in the loops;
* no memref the op writes is one it reads through another operand, nor written through two operands: each
  output element is then written in one iteration of the loops that tile the dims it has, in the op's own
  order; of the reduced dims only the outermost may be tiled, whose tiles run in increasing order as the
  whole op runs it (tiles of an inner one would take each element's terms in another order). The naive
  lowering of the folded op gives the same bits.

Anything else leaves the nest as it is.
"""

from __future__ import annotations

from mlir import ir

from .collapse import dim_positions
from .kernel import walk

LOOPS = ("scf.for", "affine.for")
VIEW_SOURCES = ("memref.alloc", "memref.alloca", "memref.get_global")


def untile(func: ir.Operation) -> int:
    """Fold every such nest of `func` into its op, in place; how many were folded."""
    done = 0
    for top in [o for o in func.regions[0].blocks[0].operations if o.operation.name in LOOPS]:
        plan = _plan(top.operation)
        if plan is not None:
            _fold(top.operation, *plan)
            done += 1
    return done


def _const(v: ir.Value) -> int | None:
    owner = v.owner
    if isinstance(owner, ir.Block) or owner.name != "arith.constant":
        return None
    attr = owner.attributes["value"]
    return ir.IntegerAttr(attr).value if isinstance(attr, ir.IntegerAttr) else None


def _bounds(loop: ir.Operation) -> tuple[int, int, int] | None:
    """(lower, upper, step) of a loop with constant ones."""
    if loop.name == "scf.for":
        lb, ub, step = (_const(v) for v in list(loop.operands)[:3])
        return None if None in (lb, ub, step) else (lb, ub, step)
    lo, hi = (ir.AffineMapAttr(loop.attributes[k]).value for k in ("lowerBoundMap", "upperBoundMap"))
    if lo.n_inputs or hi.n_inputs or len(lo.results) != 1 or len(hi.results) != 1:
        return None
    lo_e, hi_e = lo.results[0].maybe_downcast(), hi.results[0].maybe_downcast()
    if not isinstance(lo_e, ir.AffineConstantExpr) or not isinstance(hi_e, ir.AffineConstantExpr):
        return None
    return lo_e.value, hi_e.value, ir.IntegerAttr(loop.attributes["step"]).value


def _plan(top: ir.Operation):
    """(the op, per operand its whole memref) where `top` is a nest that tiles one linalg op exactly, else None."""
    loops, op, views, level = [], None, {}, []  # level: the ops of the loops' bodies but the op
    cur = top
    while True:
        b = _bounds(cur)
        if b is None or b[0] != 0 or b[2] <= 0 or b[1] % b[2]:
            return None
        if len(cur.results):
            return None  # (a loop carrying values)
        loops.append((cur, b))
        body = cur.regions[0].blocks[0]
        inner = None
        for o in body.operations:
            o = o.operation
            if o.name in ("arith.constant", "memref.subview"):
                level.append(o)
            if o.name in LOOPS and inner is None and op is None:
                inner = o
            elif o.name == "memref.subview":
                views[o.result] = o
            elif o.name.startswith("linalg.") and op is None and inner is None:
                op = o
            elif o.name not in ("arith.constant", "scf.yield", "affine.yield"):
                return None
        if inner is None:
            break
        if views:  # (subviews only in the innermost body)
            return None
        cur = inner
    if op is None or op.name != "linalg.generic":  # (named ops generalised first: raise_linalg.py)
        return None
    ivs = {loop.regions[0].blocks[0].arguments[0]: (loop, b) for loop, b in loops}
    for iv in ivs:  # only as subview offsets
        if not all(u.owner.name == "memref.subview" for u in iv.uses):
            return None
    inner_ops = [o for o in walk(op) if o != op]
    if any(o.name in LOOPS or o.name.startswith("linalg.") and o.name != "linalg.yield" for o in inner_ops):
        return None  # (linalg.index: a tile's own index, not the whole op's)
    for o in inner_ops:  # the body uses nothing defined in the loops (a constant there goes with them)
        for v in o.operands:
            owner = v.owner
            if isinstance(owner, ir.Block):
                if v in ivs:
                    return None
            elif any(getattr(owner, "operation", owner) == x for x in level):
                return None
    operands = list(op.operands)
    n_in = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))[0]
    whole, tiling = [], []  # per operand: its memref; per operand dim: the loop's iv tiling it or None
    for v in operands:
        view = views.get(v)
        if view is None:
            return None
        per = _dims(view, ivs)
        if per is None:
            return None
        whole.append(view.operands[0])
        tiling.append(per)
    outs = whole[n_in:]
    if len(set(outs)) != len(outs) or set(outs) & set(whole[:n_in]):
        return None
    maps = _maps(op)
    if maps is None or len(maps) != len(operands):
        return None
    by_loop: dict[int, object] = {}  # op loop -> the iv tiling it (or None)
    for dims, per in zip(maps, tiling):
        if len(dims) != len(per):
            return None
        for d, iv in zip(dims, per):
            seen = by_loop.setdefault(d, iv)
            if (seen is None) != (iv is None) or (seen is not None and seen != iv):
                return None
    tiles = {}  # iv -> the op loops it tiles
    for d, iv in by_loop.items():
        if iv is not None:
            tiles.setdefault(iv, []).append(d)
    if set(ivs) - set(tiles) or any(len(ds) != 1 for ds in tiles.values()):
        return None  # a loop that tiles nothing repeats the op; one that tiles two takes diagonal tiles
    kinds = ["reduction" in str(a) for a in ir.ArrayAttr(op.attributes["iterator_types"])]
    reduced = [d for d, r in enumerate(kinds) if r]
    tiled = [ds[0] for ds in tiles.values() if kinds[ds[0]]]
    if tiled and (len(tiled) > 1 or tiled[0] != reduced[0]):
        return None  # each element's terms in the op's order only where its outermost reduced loop alone is tiled
    return op, whole


def _dims(view: ir.Operation, ivs: dict) -> list | None:
    """Per dim of a subview, the loop iv offsetting it (None: the whole dim), where it tiles its memref as above."""
    src = view.operands[0]
    owner = src.owner
    if not isinstance(owner, ir.Block) and owner.name not in VIEW_SOURCES:
        return None
    st = ir.MemRefType(src.type)
    res = ir.MemRefType(view.result.type)
    if res.rank != st.rank:
        return None
    sizes = list(ir.DenseI64ArrayAttr(view.attributes["static_sizes"]))
    strides = list(ir.DenseI64ArrayAttr(view.attributes["static_strides"]))
    offsets = list(ir.DenseI64ArrayAttr(view.attributes["static_offsets"]))
    if any(s != 1 for s in strides) or any(s < 0 for s in sizes):
        return None
    dynamic = list(view.operands)[1:]
    if len(dynamic) != sum(1 for o in offsets if o < 0):  # (dynamic sizes or strides: not taken)
        return None
    out, k = [], 0
    for d, (off, size) in enumerate(zip(offsets, sizes)):
        extent = st.shape[d]
        if off >= 0:
            if off != 0 or size != extent:
                return None
            out.append(None)
            continue
        iv = dynamic[k]
        k += 1
        if iv not in ivs:
            return None
        _, (lb, ub, step) = ivs[iv]
        if size != step or ub != extent:
            return None
        out.append(iv)
    return out


def _maps(op: ir.Operation) -> list[list[int]] | None:
    """Per operand of a linalg.generic, the op loop each of its dims is indexed by (projected permutations only),
    or None."""
    out = [dim_positions(ir.AffineMapAttr(m).value) for m in ir.ArrayAttr(op.attributes["indexing_maps"])]
    return None if any(d is None for d in out) else out


def _fold(top: ir.Operation, op: ir.Operation, whole: list[ir.Value]) -> None:
    with ir.InsertionPoint(top):
        new = op.clone()
    for i, v in enumerate(whole):
        new.operands[i] = v
    top.erase()
