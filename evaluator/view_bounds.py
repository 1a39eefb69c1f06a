"""A view stays inside what it views: bounds assertions for `memref.reinterpret_cast` and `memref.view`.

Why: runtime verification checks loads and stores against the bounds of the memref they name, and a subview
against its source; but `memref.reinterpret_cast` may give a buffer any offset, sizes and strides (MLIR 22
does not verify it: the source's bounds need not be the allocation's), and a load through the widened view
is then "in bounds" of the view while it reads the next argument's region. So in the checked build every
reinterpret_cast asserts that the elements its result can address, [offset + the most negative, offset + the
most positive stride step], lie among those its source can address (both count from the same aligned
pointer); the source of a cast of `extract_strided_metadata`'s base buffer is the memref the metadata came
from (the base buffer itself is a 0-d stand-in for the whole allocation). Every `memref.view` asserts that
its byte shift and size fit in its i8 source. The message says "out-of-bounds", which the host reports as
`unsafe_memory`. An empty result (a size 0) addresses nothing and passes.
"""

from __future__ import annotations

import re

from mlir import ir
from mlir.dialects import arith, cf, memref

from neurojit.compiler.kernel import walk

from .sizes import type_bytes

MESSAGE = "out-of-bounds"


def guard_views(module: ir.Module) -> int:
    """Insert a bounds assertion after every reinterpret_cast and view in `module`; return how many."""
    count = 0
    for op in [o for o in walk(module.operation) if o.name in ("memref.reinterpret_cast", "memref.view")]:
        with op.context, op.location, ir.InsertionPoint.after(op):
            b = _Builder()
            ok = b.cast_inside(op) if op.name == "memref.reinterpret_cast" else b.view_inside(op)
            where = re.search(r'loc\("[^"]*":(\d+):(\d+)\)', str(op.location))
            at = f" at line {where.group(1)}:{where.group(2)}" if where else ""
            cf.AssertOp(ok, f"{MESSAGE} {op.name}{at}: the view reaches outside the memref it is made from")
            count += 1
    return count


class _Builder:
    def __init__(self):
        self.index = ir.IndexType.get()

    def c(self, v: int) -> ir.Value:
        return arith.ConstantOp(self.index, v).result

    def extent(self, m: ir.Value) -> tuple[ir.Value, ir.Value, ir.Value]:
        """(lowest, highest addressable element from the aligned pointer, empty?) of the strided memref `m`."""
        rank = ir.MemRefType(m.type).rank
        meta = memref.ExtractStridedMetadataOp(m).results
        offset, sizes, strides = meta[1], meta[2: 2 + rank], meta[2 + rank: 2 + 2 * rank]
        lo, hi, empty = offset, offset, arith.ConstantOp(ir.IntegerType.get_signless(1), 0).result
        for size, stride in zip(sizes, strides):
            step = arith.MulIOp(arith.SubIOp(size, self.c(1)).result, stride).result
            lo = arith.AddIOp(lo, arith.MinSIOp(step, self.c(0)).result).result
            hi = arith.AddIOp(hi, arith.MaxSIOp(step, self.c(0)).result).result
            zero = arith.CmpIOp(arith.CmpIPredicate.sle, size, self.c(0)).result
            empty = arith.OrIOp(empty, zero).result
        return lo, hi, empty

    def cast_inside(self, op: ir.Operation) -> ir.Value:
        source = op.operands[0]
        owner = getattr(source.owner, "operation", None)
        if owner is not None and owner.name == "memref.extract_strided_metadata" and source == owner.results[0]:
            source = owner.operands[0]  # the base buffer stands for the memref its metadata came from
        slo, shi, sempty = self.extent(source)
        rlo, rhi, rempty = self.extent(op.results[0])
        inside = arith.AndIOp(arith.CmpIOp(arith.CmpIPredicate.sge, rlo, slo).result,
                              arith.CmpIOp(arith.CmpIPredicate.sle, rhi, shi).result).result
        inside = arith.AndIOp(inside, arith.XOrIOp(sempty, arith.ConstantOp(
            ir.IntegerType.get_signless(1), 1).result).result).result
        return arith.OrIOp(rempty, inside).result

    def view_inside(self, op: ir.Operation) -> ir.Value:
        source, shift, sizes = op.operands[0], op.operands[1], list(op.operands)[2:]
        rtype = ir.MemRefType(op.results[0].type)
        n, k = self.c(type_bytes(rtype.element_type)), 0
        for d in rtype.shape:
            if ir.ShapedType.is_dynamic_size(d):
                size, k = sizes[k], k + 1
            else:
                size = self.c(d)
            n = arith.MulIOp(n, size).result
        avail = memref.DimOp(source, self.c(0)).result
        end = arith.AddIOp(shift, n).result
        return arith.AndIOp(arith.CmpIOp(arith.CmpIPredicate.sge, shift, self.c(0)).result,
                            arith.CmpIOp(arith.CmpIPredicate.sle, end, avail).result).result

