"""Poison fresh memory in the checked build, so that reading memory nobody wrote shows in the result.

A candidate that reads a buffer before writing it (an uninitialised accumulator, a scratch tile used before
it is filled) is correct only when the garbage happens to be harmless, often zero. In the checked build every
`memref.alloca` is filled right after it is created, and the counting allocator fills every fresh heap block:
floats with NaN, integers and indices with all-one bits (an index read from garbage is then out of bounds),
vectors of those with splats of the same. The checked build's outputs are then compared with the baseline
like the normal build's; a difference that only the poisoned build shows is a read of uninitialised memory.
Vector-typed allocas (`memref<vector<8xf32>>`, `memref<4xvector<16xf32>>`) matter most: an uninitialised
vector accumulator is the usual way a vectorised candidate reads the stack.
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, linalg, memref, scf

from .static import _walk


def _poison_attr(elem: ir.Type) -> ir.Attribute | None:
    """The poison value of an element type (scalar or vector of scalars), or None for anything else."""
    if isinstance(elem, ir.VectorType):
        vec = ir.VectorType(elem)
        scalar = _poison_attr(vec.element_type)
        return None if scalar is None else ir.DenseElementsAttr.get_splat(vec, scalar)
    if isinstance(elem, ir.FloatType):
        return ir.FloatAttr.get(elem, float("nan"))
    if isinstance(elem, (ir.IntegerType, ir.IndexType)):
        return ir.IntegerAttr.get(elem, -1)
    return None


def poison_allocas(module: ir.Module) -> int:
    """Insert a fill after every `memref.alloca` of scalars, indices or vectors of them; return how many."""
    count = 0
    with module.context, ir.Location.unknown():
        for op in list(_walk(module.operation)):
            if op.name != "memref.alloca":
                continue
            buf = op.results[0]
            elem = ir.MemRefType(buf.type).element_type
            value = _poison_attr(elem)
            if value is None:
                continue
            with ir.InsertionPoint.after(op):
                poison = arith.ConstantOp(elem, value).result
                if isinstance(elem, ir.VectorType):  # linalg.fill takes scalars only: a loop nest of stores
                    _store_everywhere(poison, buf)
                else:
                    linalg.fill(poison, outs=[buf])
            count += 1
    return count


def _store_everywhere(value: ir.Value, buf: ir.Value, ivs: tuple = ()) -> None:
    """`memref.store value` to every element of `buf` (a loop nest), at the current insertion point."""
    shape = ir.MemRefType(buf.type).shape
    if len(ivs) == len(shape):
        memref.StoreOp(value, buf, list(ivs))
        return
    index = ir.IndexType.get()
    d, n = len(ivs), shape[len(ivs)]
    upper = memref.DimOp(buf, arith.ConstantOp(index, d).result).result if n < 0 else arith.ConstantOp(index, n).result
    loop = scf.ForOp(arith.ConstantOp(index, 0).result, upper, arith.ConstantOp(index, 1).result)
    with ir.InsertionPoint(loop.body):
        _store_everywhere(value, buf, (*ivs, loop.induction_variable))
        scf.YieldOp([])
