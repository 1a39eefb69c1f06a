"""A reduction over several trailing dims as a reduction over one (front doors on tensors; schedules on memrefs).

torch.mean(x, dim=(2, 3)), a GroupNorm's statistics, StableHLO's reduce over [2, 3]: a `linalg.generic` (or a
`linalg.reduce`, which becomes one) whose last k >= 2 loops are reductions, read by each input as its last k
dims in order, and by no output. Such an op is a row reduction of the inputs collapsed to one trailing dim
(`tensor.collapse_shape [[0], .., [n-k, .., n-1]]`, no copy: the dims are contiguous), and the schedule
library's row reductions take only those. The loops visit the terms in the same order (the collapsed dim runs
over them row-major, as the nest did), so the results are the same bits. Ops that read a loop's index
(`linalg.index`), index an operand otherwise (a window, a transposed read) or keep the reduced dims in an
output (keepdim: folded away before this by `linalg-fold-unit-extent-dims`) are left as they are.

On memrefs (a kernel written in the convention: an InstanceNorm's statistics over h and w), the same op reads
`memref.collapse_shape` views of inputs of the identity layout (contiguous, so again no copy). A schedule's payload
is collapsed before the schedule runs, as the kernel's analysis saw it (schedule.py, agent/analyze.py); the
naive build keeps the kernel as written. A 4x32x64x64 InstanceNorm on memrefs had only the generic register tile
(0.47x naive on znver4); collapsed, the row reduction schedule gives 7.7x.
"""

from __future__ import annotations

import math

from mlir import ir
from mlir.dialects import memref, tensor

from .kernel import walk


def collapse_reductions(func: ir.Operation) -> int:
    """Rewrite every such op of `func` (on tensors, or on memrefs of the identity layout) in place; how many were
    rewritten."""
    done = 0
    for op in [o for o in walk(func) if o.name in ("linalg.generic", "linalg.reduce")]:
        plan = _plan(op) if op.name == "linalg.generic" else _plan_reduce(op)
        if plan is not None:
            _rewrite(op, *plan)
            done += 1
    return done


def dim_positions(m: ir.AffineMap) -> list[int] | None:
    """The loop each result of `m` is, where every result is a plain loop dim (a projected permutation), else None."""
    out = []
    for e in m.results:
        e = e.maybe_downcast()
        if not isinstance(e, ir.AffineDimExpr):
            return None
        out.append(e.position)
    return out


def _plan(op: ir.Operation):
    """(loops kept, reduced loops collapsed, per operand its dims after, per input whether it collapses) or None."""
    kinds = ["reduction" in str(a) for a in ir.ArrayAttr(op.attributes["iterator_types"])]
    n = len(kinds)
    first = n
    while first > 0 and kinds[first - 1]:
        first -= 1
    k = n - first
    if k < 2 or any(kinds[:first]) or any(o.name == "linalg.index" for o in walk(op)):
        return None
    n_in = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))[0]
    if not (all(isinstance(v.type.maybe_downcast(), ir.RankedTensorType) for v in op.operands)
            or all(_contiguous(v.type) for v in op.operands)):
        return None
    group = list(range(first, n))
    maps, collapsing = [], []
    for i, m in enumerate(ir.ArrayAttr(op.attributes["indexing_maps"])):
        dims = dim_positions(ir.AffineMapAttr(m).value)
        if dims is None:
            return None
        reduced = [d for d in dims if d >= first]
        if not reduced:
            maps.append(dims)
            collapsing.append(False)
            continue
        if i >= n_in or dims[len(dims) - k:] != group or len(reduced) != k:
            return None  # an output keeping a reduced dim, or an input reading them otherwise
        maps.append(dims[:len(dims) - k] + [first])
        collapsing.append(True)
    return first, k, maps, collapsing[:n_in]


def _contiguous(t: ir.Type) -> bool:
    """A memref of the identity layout (row-major, no offset): its trailing dims collapse into a view."""
    t = t.maybe_downcast()
    if not isinstance(t, ir.MemRefType):
        return False
    layout = t.layout
    return isinstance(layout, ir.AffineMapAttr) and layout.value == ir.AffineMap.get_identity(t.rank)


def _plan_reduce(op: ir.Operation):
    """`_plan` of a `linalg.reduce` (StableHLO's reduce, TensorLang's full reductions): its inputs and inits
    in equal numbers, the reduced `dimensions` of every input the same; as a generic, collapsed."""
    dims = sorted(ir.DenseI64ArrayAttr(op.attributes["dimensions"]))
    n_in = len(op.operands) // 2
    if not n_in or len(op.operands) % 2 or not all(
            isinstance(v.type.maybe_downcast(), ir.RankedTensorType) for v in op.operands):
        return None
    n = ir.RankedTensorType(op.operands[0].type).rank
    k = len(dims)
    if k < 2 or dims != list(range(n - k, n)) or any(o.name == "linalg.index" for o in walk(op)):
        return None
    first = n - k
    return first, k, [list(range(first)) + [first]] * n_in + [list(range(first))] * n_in, [True] * n_in


def _rewrite(op: ir.Operation, first: int, k: int, maps: list[list[int]], collapsing: list[bool]) -> None:
    operands = list(op.operands)
    with ir.InsertionPoint(op), op.location:
        for i, yes in enumerate(collapsing):
            if not yes:
                continue
            t = operands[i].type.maybe_downcast()
            shape, rank = list(t.shape), t.rank
            flat = shape[:rank - k] + [math.prod(shape[rank - k:])]
            groups = [[j] for j in range(rank - k)] + [list(range(rank - k, rank))]
            if isinstance(t, ir.MemRefType):
                operands[i] = memref.collapse_shape(ir.MemRefType.get(flat, t.element_type), operands[i], groups)
            else:
                operands[i] = tensor.collapse_shape(ir.RankedTensorType.get(flat, t.element_type), operands[i], groups)
        attrs = {name: op.attributes[name] for name in list(op.attributes) if name != "dimensions"}
        attrs["operandSegmentSizes"] = ir.DenseI32ArrayAttr.get([len(collapsing), len(operands) - len(collapsing)])
        attrs["indexing_maps"] = ir.ArrayAttr.get([
            ir.AffineMapAttr.get(ir.AffineMap.get(first + 1, 0, [ir.AffineDimExpr.get(d) for d in m])) for m in maps])
        parallel, reduction = (ir.Attribute.parse(f"#linalg.iterator_type<{w}>") for w in ("parallel", "reduction"))
        attrs["iterator_types"] = ir.ArrayAttr.get([parallel] * first + [reduction])
        new = ir.Operation.create("linalg.generic", results=[r.type for r in op.results], operands=operands,
                                  attributes=attrs, regions=1)
    op.regions[0].blocks[0].append_to(new.regions[0])  # the body, as it is: same scalars in, same yield
    for old, now in zip(op.results, new.results):
        old.replace_all_uses_with(now)
    op.erase()
