"""Kernel analysis over its linalg ops: the arithmetic work, and the depth of its reductions.

`count_flops`: sum over linalg ops of (iteration-space size x ops per point x the trips of the loops around
the op). Named ops are generalised
first, so matmul, conv and generic ops are counted the same way; in a kernel written as plain affine/scf
loops each arithmetic op (not index arithmetic) counts as many times as the loops around it turn. Returns
None when a loop's extent cannot be read (from a plain dimension of some operand, or from constant loop
bounds: a triangular nest), and for kernels with no arithmetic. `reduction_depth`: how many terms the
longest reduction sums, which sets the rounding error a correct variant may show (the evaluator's and the
promotion gate's tolerance).
"""

from __future__ import annotations

import re

from mlir import ir

from .kernel import parse_module, walk
from .pipeline import Pipeline
from .tasks import constant, trips

GENERALIZE = Pipeline("generalize", ("func.func(linalg-generalize-named-ops)",))
ARITH = re.compile(r"^(arith\.(add|sub|mul|div|rem|max|min|neg)\w*|math\.\w+|arith\.fma)$")


def loop_sizes(op: ir.Operation) -> dict[int, int]:
    """Extent of each loop of a linalg.generic that some operand indexes by a plain dimension."""
    maps = [ir.AffineMapAttr(m).value for m in ir.ArrayAttr(op.attributes["indexing_maps"])]
    size: dict[int, int] = {}
    for operand, amap in zip(op.operands, maps):
        shape = list(getattr(operand.type.maybe_downcast(), "shape", []))
        for axis, expr in enumerate(amap.results):
            m = re.fullmatch(r"d(\d+)", str(expr))
            if m and axis < len(shape):
                size[int(m.group(1))] = shape[axis]
    return size


def _domain(op: ir.Operation) -> int | None:
    n = ir.AffineMapAttr(ir.ArrayAttr(op.attributes["indexing_maps"])[0]).value.n_dims
    size = loop_sizes(op)
    if len(size) < n:
        return None
    total = 1
    for d in range(n):
        total *= size[d]
    return total


def count_flops(text: str) -> int | None:
    with ir.Context() as ctx, ir.Location.unknown():
        module = parse_module(text, "<flops>", ctx)
        GENERALIZE.run(module)
        total, found, unknown = 0, False, False

        def visit(op):
            nonlocal total, found, unknown
            op = op.operation if hasattr(op, "operation") else op
            if op.name == "linalg.generic":
                found = True
                points = _domain(op)
                per = sum(1 for inner in op.regions[0].blocks[0].operations if ARITH.match(inner.operation.name))
                for loop in _enclosing_loops(op):  # a linalg op inside loops (a time loop) runs once a trip
                    t = trips(loop)
                    points = None if points is None or t is None else points * t
                if points is None:
                    unknown = True
                    return ir.WalkResult.INTERRUPT
                total += points * per
                return ir.WalkResult.SKIP
            if ARITH.match(op.name) and op.results and not isinstance(op.results[0].type, ir.IndexType):
                found = True
                points = getattr(op.results[0].type.maybe_downcast(), "shape", None) or [1]
                n = 1
                for extent in points:
                    n *= extent
                for loop in _enclosing_loops(op):
                    t = trips(loop)
                    if t is None:
                        unknown = True
                        return ir.WalkResult.INTERRUPT
                    n *= t
                total += n
            return ir.WalkResult.ADVANCE

        module.operation.walk(visit, ir.WalkOrder.PRE_ORDER)  # a generic's body is counted with the generic
        return total if found and total and not unknown else None


def reduction_depth(text: str) -> int:
    """Largest product of reduction-loop extents over the kernel's linalg ops, and over its plain loops (1 if
    none): a store inside loops that its indices do not depend on (C[i, j] += A[i, k] B[k, j] written as
    scf/affine loops: depth K), or a loop carrying a float value (iter_args), times the float-carrying loops
    nested in it, or a recurrence through memory (a cumulative sum out[j] = out[j - 1] + x[j]: the trips of the
    loop it runs along; depth 1 held another order's overflow near the range as wrong). Without the loops a
    kernel written as loops had depth 1, and a correct reordering of its sums was held to one rounding's
    tolerance."""
    depth = 0
    with ir.Context() as ctx, ir.Location.unknown():
        m = parse_module(text, "<baseline>", ctx)
        GENERALIZE.run(m)
        for op in walk(m.operation):
            if op.name in _STORES:
                depth = max(depth, _store_depth(op), _memory_recurrence_depth(op))
            elif op.name in _LOOPS and _carries_floats(op):
                depth = max(depth, _carried_depth(op))
            if op.name == "linalg.generic":
                depth = max(depth, _generic_depth(op))
    return max(depth, 1)


# ops whose result is rounded: an accumulator that passes through one carries each term's rounding on
ROUNDING = frozenset({"arith.addf", "arith.subf", "arith.mulf", "arith.divf", "arith.remf", "math.fma",
                      "math.exp", "math.log", "math.powf", "math.sqrt", "math.rsqrt", "arith.truncf",
                      "arith.sitofp", "arith.uitofp"})


def _exact_combiner(op: ir.Operation) -> bool:
    """Whether every op a reduction's accumulators flow through, up to its yield, is exact (a maximum, a minimum,
    a select and its comparison: a row max, an argmax): then its result is one of its terms in any order,
    and the reduction adds no depth to the tolerance (a 4096-term max let an 18-bit quotient pass)."""
    body = op.regions[0].blocks[0]
    n_out = len(op.results) or list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))[1]
    frontier = list(body.arguments)[len(body.arguments) - n_out:]
    seen: list[ir.Operation] = []  # (compared as ops: the id of a temporary wrapper may be reused)
    while frontier:
        v = frontier.pop()
        for use in v.uses:
            user = use.owner
            if user.name == "linalg.yield" or any(user == s for s in seen):
                continue
            seen.append(user)
            if user.name in ROUNDING or user.regions:
                return False
            frontier.extend(user.results)
    return True


def _generic_depth(op: ir.Operation) -> int:
    """The product of a linalg.generic's reduction-loop extents (1 without reductions, or where the reduction's
    combiner is exact: `_exact_combiner`)."""
    kinds = [str(x) for x in ir.ArrayAttr(op.attributes["iterator_types"])]
    if any("reduction" in k for k in kinds) and _exact_combiner(op):
        return 1
    sizes = loop_sizes(op)
    d = 1
    for i, k in enumerate(kinds):
        if "reduction" in k:
            d *= sizes.get(i, 1)
    return d


_VIEWS = ("memref.subview", "memref.collapse_shape", "memref.expand_shape", "memref.cast", "memref.reinterpret_cast")
_PLAIN = ("arith.constant", "memref.alloc", "memref.alloca", "memref.dealloc", "func.return")


def output_depths(text: str) -> dict[int, int] | None:
    """Per argument a linalg op writes (by position): the reduction depth of the ops its value flows from (the
    largest, as `reduction_depth` takes it over the whole kernel), so that an output computed without the deep
    sum is not held to its tolerance (x + r beside the row sums of its squares over 4096: a 17-bit x + r
    passed). None where the kernel is not a straight line of linalg ops on its arguments and local buffers
    (loops, calls): the whole kernel's depth holds for every output."""
    with ir.Context() as ctx, ir.Location.unknown():
        m = parse_module(text, "<baseline>", ctx)
        GENERALIZE.run(m)
        funcs = [o for o in m.body.operations if o.operation.name == "func.func"
                 and "sym_visibility" not in o.operation.attributes]
        if len(funcs) != 1:
            return None
        block = funcs[0].operation.regions[0].blocks[0]
        args = list(block.arguments)
        root: list[tuple[ir.Value, ir.Value]] = []  # (a view, the buffer it views)
        depth: list[tuple[ir.Value, int]] = []  # (a buffer, the depth of what it holds now)

        def base(v):
            for view, of in root:
                if view == v:
                    return base(of)
            return v

        def get(v) -> int:
            b = base(v)
            return max((d for x, d in depth if x == b), default=1)

        for op in (o.operation for o in block.operations):
            if op.name in _VIEWS:
                root.append((op.results[0], op.operands[0]))
                continue
            if op.name in _PLAIN:
                continue
            if op.name != "linalg.generic":
                return None
            d = max([_generic_depth(op), *(get(v) for v in op.operands)])  # what it reads, outputs included
            outs = list(op.operands)[int(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"])[0]):]
            for v in outs:
                b = base(v)
                depth = [(x, e) for x, e in depth if not x == b] + [(b, d)]
        return {i: get(a) for i, a in enumerate(args) if any(x == a for x, _ in depth)}


_STORES = ("memref.store", "affine.store", "vector.store", "vector.transfer_write", "affine.vector_store")
_LOOPS = ("scf.for", "affine.for")


def loop_bounds(loop: ir.Operation) -> tuple[int, int, int] | None:
    """(lower, upper, step) of an scf.for or affine.for whose bounds and step are constants, else None."""
    if loop.name == "affine.for":
        vals = []
        for key in ("lowerBoundMap", "upperBoundMap"):
            m = ir.AffineMapAttr(loop.attributes[key]).value
            if m.n_inputs or len(m.results) != 1 or not re.fullmatch(r"-?\d+", str(m.results[0])):
                return None
            vals.append(int(str(m.results[0])))
        return vals[0], vals[1], ir.IntegerAttr(loop.attributes["step"]).value
    lo, hi, step = (constant(v) for v in list(loop.operands)[:3])
    return None if lo is None or hi is None or step is None else (lo, hi, step)


def _trip(loop: ir.Operation) -> int:
    """A loop's iterations where known; else at most the largest extent of a memref its induction variable
    subscripts (a triangular solve's `for j < i` reading L[i, j]: its dot products are up to i long, and
    held to one rounding's tolerance a correct vectorised one was refused); else 1."""
    t = trips(loop)
    return max(1, t if t is not None else _subscripted_extent(loop))


def _subscripted_extent(loop: ir.Operation) -> int:
    iv = loop.regions[0].blocks[0].arguments[0]
    best = 0
    for use in iv.uses:
        op = use.owner
        first = {"memref.load": 1, "affine.load": 1, "memref.store": 2, "affine.store": 2}.get(op.name)
        if first is not None and use.operand_number >= first:
            best = max([best, *(d for d in ir.MemRefType(op.operands[first - 1].type).shape if d > 0)])
    return best


def _enclosing_loops(op: ir.Operation) -> list[ir.Operation]:
    loops, cur = [], op.parent
    while cur is not None and cur.name != "func.func":
        if cur.name in _LOOPS:
            loops.append(cur)
        cur = cur.parent
    return loops


def _ivs_of(values) -> set:
    """The block arguments (loop induction variables among them) that index values are computed from."""
    found, todo, seen = set(), list(values), {}  # (the owners kept: an id is unique while its object lives)
    while todo:
        v = todo.pop()
        owner = v.owner
        if isinstance(owner, ir.Block):
            found.add(v)
            continue
        if id(owner) in seen:
            continue
        seen[id(owner)] = owner
        todo.extend(owner.operands)
    return found


def _store_depth(store: ir.Operation) -> int:
    """The product of the trips of the loops around a store whose induction variable its indices do not use
    (every iteration of those writes the same place: it accumulates, or overwrites with what it read)."""
    operands = list(store.operands)
    used = _ivs_of(operands[2:])
    # a buffer made inside a loop is a new place each iteration: that loop (and those around it) do not count
    made = operands[1].owner
    fresh = [] if isinstance(made, ir.Block) else _enclosing_loops(made)
    d = 1
    for loop in _enclosing_loops(store):
        iv = loop.regions[0].blocks[0].arguments[0]
        if iv not in used and not any(loop == f for f in fresh):
            d *= _trip(loop)
    return d


_LOADS = ("memref.load", "affine.load")


def _place(op: ir.Operation, first: int) -> tuple:
    """Where a load or store (its memref operand at `first` - 1) reads or writes: its map and index values."""
    m = str(op.attributes["map"]) if "map" in op.attributes else ""
    return m, tuple(list(op.operands)[first:])


def _memory_recurrence_depth(store: ir.Operation) -> int:
    """A float stored from a value computed from a load of the same buffer at another place, indexed by an
    enclosing loop (out[j - 1] for out[j]): each iteration builds on what earlier ones stored, as a loop carrying
    the value would: the largest trip count of the loops that load's indices follow (1 if none)."""
    operands = list(store.operands)
    if not isinstance(operands[0].type.maybe_downcast(), ir.FloatType):
        return 1
    buffer, here = operands[1], _place(store, 2)
    loops = _enclosing_loops(store)
    depth, todo, seen = 1, [operands[0]], []
    while todo:
        v = todo.pop()
        owner = v.owner
        if isinstance(owner, ir.Block):
            continue
        op = owner.operation if hasattr(owner, "operation") else owner
        if op.name in _LOOPS or any(op == o for o in seen):
            continue
        seen.append(op)
        if op.name in _LOADS:
            if op.operands[0] == buffer and _place(op, 1) != here:
                ivs = _ivs_of(list(op.operands)[1:])
                for loop in loops:
                    if loop.regions[0].blocks[0].arguments[0] in ivs:
                        depth = max(depth, _trip(loop))
            continue
        todo.extend(op.operands)
    return depth


def _carries_floats(loop: ir.Operation) -> bool:
    return any(isinstance(r.type.maybe_downcast(), ir.FloatType) or
               (isinstance(r.type.maybe_downcast(), ir.VectorType)
                and isinstance(ir.VectorType(r.type).element_type.maybe_downcast(), ir.FloatType))
               for r in loop.results)


def _carried_depth(loop: ir.Operation) -> int:
    """A loop carrying a float sum: its trips, times those of the float-carrying loops nested in it."""
    d = _trip(loop)
    inner = [o for o in walk(loop) if o is not loop and o.name in _LOOPS and _carries_floats(o)]
    return d * max((_carried_depth(o) for o in inner), default=1) if inner else d
