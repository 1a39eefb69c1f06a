"""Loops split at the one iteration that writes what every iteration reads.

Floyd-Warshall's inner loop, `path[i][j] = min(path[i][j], path[i][k] + path[k][j])` over j, reads path[i][k]
at every j and writes it at j = k; a Gauss-Jordan step that scales row k by its pivot A[k][k] in place writes
the pivot at j = k the same way. One iteration writes the element all of them read, so the loop is not
parallel: MLIR's dependence analysis says so, and LLVM's vectoriser, checking at run time whether the row it
writes overlaps the element it reads, finds that it always does (the row holds it) and runs the loop scalar.
Floyd-Warshall's loop over rows i is the same one level up: every row reads row k, which the iteration i = k
writes.

Split at that iteration (the iterations before it, it, the iterations after it), the same iterations run in the
same order, so the split is exact whatever the loop does; only its use is a guess. In the pieces, the pair no
longer meets: LLVM's run-time checks pass and it vectorises the pieces of the j loop, and MLIR's dependence
analysis proves the pieces of the row loop parallel (a schedule may spread them over cores).

The split point: for an `affine.for` of index x (step 1, one lower and one upper bound, no iter_args), an
`affine.load` inside it whose subscripts do not involve x and an `affine.store` inside it to the same memref value
whose subscripts do, a dimension where the store's subscript minus the load's is +-x plus terms of values defined
outside the loop: the two touch one element at x0 (where that difference is zero) at most. Pairs that differ by a
constant in some dimension never meet; pairs not read (subscripts through other index arithmetic, x scaled, x
beside an inner loop's index) are no guide. Every pair that is a guide must give one x0. The pieces are
[lb, min(ub, x0)), [max(lb, x0), min(ub, x0 + 1)) and [max(lb, x0 + 1), ub): empty where x0 lies outside the loop.
Loops are split outermost first; the pieces' inner loops are split in their turn.
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import affine

from .iteration_space import linear, trips_at_least
from .kernel import walk
from .scalars import defined_above

DONE = "neurojit.split_piece"
MAX_SPLITS = 64  # loops split in one kernel at most (each split triples the loops inside)


def split_at_aliases(module: ir.Module) -> int:
    """Split every loop with one aliasing iteration (see above), in place, in public functions; how many."""
    done = 0
    while done < MAX_SPLITS:
        for loop in _candidates(module):
            point = split_point(loop)
            if point is not None:
                _split(loop, *point)
                done += 1
                break
            loop.attributes[DONE] = ir.UnitAttr.get()  # (looked at once: a split elsewhere does not change it)
        else:
            break
    for op in walk(module.operation):
        if DONE in op.attributes:
            del op.attributes[DONE]
    return done


def _candidates(module: ir.Module):
    for func in module.body.operations:
        func = func.operation
        if func.name != "func.func" or "sym_visibility" in func.attributes:
            continue
        for op in walk(func):
            if op.name == "affine.for" and DONE not in op.attributes and not len(op.results) \
                    and ir.IntegerAttr(op.attributes["step"]).value == 1 \
                    and all(len(ir.AffineMapAttr(op.attributes[k]).value.results) == 1
                            for k in ("lowerBoundMap", "upperBoundMap")):
                yield op


def split_point(loop: ir.Operation) -> tuple[dict, list[int]] | None:
    """x0 (see above) as {value: coefficient, 1: constant} over values defined outside `loop`, where every
    load and store pair that is a guide gives that one (None where none does, or they disagree); and the
    positions in the loop's body of the loads to hoist out of the pieces that exclude x0 (`_hoistable`)."""
    x = loop.regions[0].blocks[0].arguments[0]
    inner = [lp.regions[0].blocks[0].arguments[0] for lp in walk(loop) if lp.name == "affine.for" and lp != loop]
    outer: list[ir.Value] = []

    def var(v: ir.Value):
        if v == x:
            return {"x": 1}
        for n, iv in enumerate(inner):
            if v == iv:
                return {("inner", n): 1}
        if not defined_above(v, loop):
            return None
        for n, w in enumerate(outer):
            if w == v:
                return {("outer", n): 1}
        outer.append(v)
        return {("outer", len(outer) - 1): 1}

    def subscripts(op: ir.Operation, first: int):
        amap = ir.AffineMapAttr(op.attributes["map"]).value
        operands = list(op.operands)[first:]
        out = [linear(str(e), operands, amap.n_dims, var) for e in amap.results]
        return None if any(s is None for s in out) else out

    ops = list(walk(loop))
    loads = [(op, subscripts(op, 1)) for op in ops if op.name == "affine.load"]
    stores = [(op, subscripts(op, 2)) for op in ops if op.name == "affine.store"]
    points, meets = [], {}  # meets: load -> the x0 of each store to its memref (None: not read, or not one point)
    for ld, at in loads:
        if at is None or any(s.get("x") for s in at):
            continue
        for st, to in stores:
            if st.operands[1] != ld.operands[0]:
                continue
            point = None if to is None else _meeting(to, at, outer)
            meets.setdefault(ld, []).append(point)
            if point is not None and point != "never":
                points.append(point)
    if not points:
        return None
    key = [_key(p) for p in points]
    if any(k != key[0] for k in key):
        return None
    x0 = dict(points[0])
    x0.setdefault(1, 0)
    body = [o.operation for o in loop.regions[0].blocks[0].operations]
    hoist = [n for n, op in enumerate(body) if op in meets and _hoistable(loop, op, meets[op], key[0], ops)]
    return x0, hoist


def _meeting(to: list[dict], at: list[dict], outer: list):
    """Where a store at subscripts `to` meets a load at `at` (linear forms, "x" the loop's index): "never"
    where some dimension differs by a non-zero constant; x0 where some dimension is +-x plus terms of outer
    values; None where that is not read."""
    diffs = [{k: a.get(k, 0) - b.get(k, 0) for k in set(a) | set(b)} for a, b in zip(to, at)]
    if any(all(c == 0 for k, c in d.items() if k != 1) and d.get(1, 0) != 0 for d in diffs):
        return "never"
    for d in diffs:
        if d.get("x") in (1, -1) and not any(c for k, c in d.items() if isinstance(k, tuple) and k[0] == "inner"):
            sign = d["x"]  # sign * x + rest = 0:  x0 = -sign * rest
            return {(outer[k[1]] if isinstance(k, tuple) else k): -sign * c for k, c in d.items() if k != "x" and c}
    return None


def _key(point: dict) -> list:
    return sorted(((v.get_name() if isinstance(v, ir.Value) else "1"), c) for v, c in point.items() if c)


def _hoistable(loop: ir.Operation, load: ir.Operation, meets: list, key: list, ops: list) -> bool:
    """Whether `load` (in the loop's body, its memref and subscripts from values defined outside it, distinct
    subscripts distinct elements) reads the same value at every iteration of a piece that excludes x0: every
    store to its memref meets it at x0 or never, the loop stores to no other memref that could be its buffer
    (another argument, another allocation: not a view of one) and does nothing else to memory; and hoisted
    before a piece it reads an element the loop as written read too: the loop runs at least once (else that
    element may lie outside the memref)."""
    if any(m is None or (m != "never" and _key(m) != key) for m in meets):
        return False
    if any(not defined_above(v, loop) for v in load.operands) or not _one_to_one(load.operands[0].type):
        return False
    mine = _root(load.operands[0])
    for op in ops:
        if op.name == "affine.store":
            other = _root(op.operands[1])
            if op.operands[1] != load.operands[0] and (mine is None or other is None or other == mine):
                return False
        elif op.name not in ("affine.load", "affine.for", "affine.yield", "affine.apply", "affine.if") and (
                not op.name.startswith(("arith.", "math.")) or op.regions):
            return False
    return trips_at_least(loop, 1)


def _one_to_one(t: ir.Type) -> bool:
    """Whether distinct subscripts of a memref of type `t` name distinct elements: its strides known, none
    zero, each dimension's past the span of the smaller ones (a view made by reinterpret_cast may overlap
    rows, or repeat one, and then subscripts that differ by a constant can still meet)."""
    try:
        strides, _ = ir.MemRefType(t).get_strides_and_offset()
    except (ValueError, RuntimeError):
        return False
    span = 1
    for stride, size in sorted((abs(s), n) for s, n in zip(strides, ir.MemRefType(t).shape) if n != 1):
        if stride < span or size < 0 or stride >= 1 << 62:  # overlapping, or dynamic (MLIR's kDynamic)
            return False
        span = stride * size
    return True


def _root(v: ir.Value):
    """The buffer behind a memref value: a function argument or an allocation (None for a view or anything
    else: it may share one). Arguments are distinct buffers: the JIT refuses an output that overlaps another
    argument (`jit._fast_path`, `_checked_pointers`)."""
    owner = v.owner
    if isinstance(owner, ir.Block):
        return v if owner.owner.operation.name == "func.func" else None
    return v if owner.operation.name in ("memref.alloc", "memref.alloca") else None


def _split(loop: ir.Operation, x0: dict, hoist: list[int]) -> None:
    """Replace `loop` by its three pieces around x0 (see above), each holding a copy of its body; in the first
    and the last, the loads at positions `hoist` of the body read once before the piece."""
    values = [k for k in x0 if k != 1]
    with loop.context, loop.location:
        ip = ir.InsertionPoint(loop)
        operands = list(loop.operands)
        seg = list(ir.DenseI32ArrayAttr(loop.attributes["operandSegmentSizes"]))
        lower = ir.AffineMapAttr(loop.attributes["lowerBoundMap"]).value, operands[:seg[0]]
        upper = ir.AffineMapAttr(loop.attributes["upperBoundMap"]).value, operands[seg[0]:seg[0] + seg[1]]
        for lo, hi in ((None, 0), (0, 1), (1, None)):  # [lb, x0), [x0, x0 + 1), [x0 + 1, ub), clipped to the loop
            lmap, lops = _with_point(*lower, x0, values, lo)
            umap, uops = _with_point(*upper, x0, values, hi)
            piece = affine.AffineForOp(lmap, umap, 1, lower_bound_operands=lops, upper_bound_operands=uops, ip=ip)
            _copy_body(loop, piece.operation)
            piece.operation.attributes[DONE] = ir.UnitAttr.get()
            if lo != 0:  # (not the piece of x0 itself)
                body = [o.operation for o in piece.operation.regions[0].blocks[0].operations]
                for n in hoist:
                    once = body[n].clone(ir.InsertionPoint(piece.operation))  # (its operands: from outside)
                    body[n].results[0].replace_all_uses_with(once.results[0])
                    body[n].erase()
        loop.erase()


def _with_point(amap: ir.AffineMap, operands: list, x0: dict, values: list, shift: int | None):
    """A bound (map, operands) with x0 + shift as one more result (a lower bound's max, an upper bound's min),
    x0's values as more dimensions; as it is where shift is None."""
    if shift is None:
        return amap, operands
    n = amap.n_dims
    extra = ir.AffineConstantExpr.get(x0[1] + shift)
    for k, v in enumerate(values):
        extra = extra + ir.AffineDimExpr.get(n + k) * ir.AffineConstantExpr.get(x0[v])
    return (ir.AffineMap.get(n + len(values), amap.n_symbols, list(amap.results) + [extra]),
            list(operands[:n]) + values + list(operands[n:]))


def _copy_body(loop: ir.Operation, piece: ir.Operation) -> None:
    """A copy of `loop`'s body (its terminator too) as `piece`'s, the copy's index `piece`'s."""
    copy = loop.clone(ir.InsertionPoint(loop))
    block, target = copy.regions[0].blocks[0], piece.regions[0].blocks[0]
    block.arguments[0].replace_all_uses_with(target.arguments[0])
    last = None
    for op in list(block.operations):
        op = op.operation
        if last is None:
            op.detach_from_parent()
            ir.InsertionPoint(target).insert(op)
        else:
            op.move_after(last)
        last = op
    copy.erase()
