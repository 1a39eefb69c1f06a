"""Poison fresh memory in the checked build, so that reading memory nobody wrote shows in the result.

A candidate that reads a buffer before writing it (an uninitialised accumulator, a scratch tile used before
it is filled) is correct only when the garbage happens to be harmless, often zero. In the checked build every
`memref.alloca` is filled right after it is created, and the counting allocator fills every fresh heap block:
floats with NaN, integers with all-one bits. The checked build's outputs are then compared with the baseline
like the normal build's; a difference that only the poisoned build shows is a read of uninitialised memory.
Allocas whose elements are not scalars (vectors, index) are left alone and stay a gap of this check.
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, linalg

from .static import _walk


def poison_allocas(module: ir.Module) -> int:
    """Insert a fill after every scalar-element `memref.alloca` in `module`; return how many."""
    count = 0
    with module.context, ir.Location.unknown():
        for op in list(_walk(module.operation)):
            if op.name != "memref.alloca":
                continue
            buf = op.results[0]
            elem = ir.MemRefType(buf.type).element_type
            if isinstance(elem, ir.FloatType):
                value = ir.FloatAttr.get(elem, float("nan"))
            elif isinstance(elem, ir.IntegerType):
                value = ir.IntegerAttr.get(elem, -1)
            else:
                continue
            with ir.InsertionPoint.after(op):
                linalg.fill(arith.ConstantOp(elem, value).result, outs=[buf])
            count += 1
    return count
