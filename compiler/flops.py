"""Kernel analysis over its linalg ops: the arithmetic work, and the depth of its reductions.

`count_flops`: sum over linalg ops of (iteration-space size x ops per point). Named ops are generalised
first, so matmul, conv and generic ops are counted the same way. Returns None when a loop's extent cannot
be read from a plain dimension of some operand (the kernel is not "countable"), and for kernels with no
linalg ops. `reduction_depth`: how many terms the longest reduction sums, which sets the rounding error a
correct variant may show (the evaluator's and the promotion gate's tolerance).
"""

from __future__ import annotations

import re

from mlir import ir

from .kernel import parse_module, walk
from .pipeline import Pipeline

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
        total, found = 0, False

        def visit(op):
            nonlocal total, found
            op = op.operation if hasattr(op, "operation") else op
            if op.name == "linalg.generic":
                found = True
                points = _domain(op)
                per = sum(1 for inner in op.regions[0].blocks[0].operations if ARITH.match(inner.operation.name))
                if points is None:
                    raise LookupError
                total += points * per
            return ir.WalkResult.ADVANCE

        try:
            module.operation.walk(visit)
        except LookupError:
            return None
        return total if found and total else None


def reduction_depth(text: str) -> int:
    """Largest product of reduction-loop extents over the kernel's linalg ops (1 if none)."""
    depth = 0
    with ir.Context() as ctx, ir.Location.unknown():
        m = parse_module(text, "<baseline>", ctx)
        GENERALIZE.run(m)
        for op in walk(m.operation):
            if op.name != "linalg.generic":
                continue
            kinds = [str(x) for x in ir.ArrayAttr(op.attributes["iterator_types"])]
            reductions = [i for i, k in enumerate(kinds) if "reduction" in k]
            if reductions:
                sizes = loop_sizes(op)
                d = 1
                for i in reductions:
                    d *= sizes.get(i, 1)
                depth = max(depth, d)
    return max(depth, 1)
