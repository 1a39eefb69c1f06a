"""Arrays read down a column beside a row, read through a transposed copy kept in step with them.

PolyBench's nussinov takes, over k, the best of table[i][k] + table[k + 1][j]: one term walks row i, the other
column j. A loop that walks a row beside a column reads one cache line per term of the column and cannot load
either in vectors (a naive i-j-k matrix product reads B the same way). A transposed copy of the array
(mirror[c][r] = table[r][c]), filled where the function starts and written right after every store to the
array, with the same value, holds the array's values at every point of the function; the column's load
table[f(k)][g] becomes mirror[g][f(k)], along k like the row's. The same values are read in the same order:
the result is exact. A float sum (product) such a loop carries is flagged `reassoc`, as compiler/recurrences.py
flags one (LLVM vectorises it then, with partial sums: the order of its terms changes, as any vectorised
reduction's does, within the evaluator's tolerance; an integer one, nussinov's max, it reorders on its own). The
copy costs one pass over the array and a second store per store: it pays where the column is read in a loop
inside the loops that store (nussinov on 500 x 500: 5.9-7.4x its naive loops on znver3, the best over k carried in
a register, compiler/accumulators.py, and vectorised by LLVM).

Which arrays: a rank-2 memref argument of the public function, of static shape and the identity layout, whose
every use in the function is an `affine.load` or `affine.store` (no view of it, no call taking it: then every
write to it is one this pass sees). Which loads: an `affine.load` of it in an innermost `affine.for` whose index
appears in the load's first subscript and not in its last (a column), where another load in that loop has the
index in its last subscript (a row: the loop then reads only along its index once mirrored; a loop reading only
columns is vectorised better across the loop around it).
"""

from __future__ import annotations

import re

from mlir import ir
from mlir.dialects import affine, memref

from .kernel import public_funcs, walk
from .recurrences import reductions

MIRRORED = "neurojit.mirror"  # on the copy's allocation


def mirror_columns(module: ir.Module) -> int:
    """Read every column load (see above) through a transposed copy, in place; how many loads were redirected."""
    func = public_funcs(module)[0]
    if len(func.regions[0].blocks) != 1:
        return 0
    entry = func.regions[0].blocks[0]
    done = 0
    for arg in entry.arguments:
        loads = column_loads(arg)
        if loads:
            _mirror(func, arg, loads)
            done += len(loads)
    return done


def column_loads(arg: ir.Value) -> list[ir.Operation]:
    """The loads of `arg` to redirect (see above); none where `arg` is not an array this pass may mirror."""
    t = arg.type
    if not isinstance(t, ir.MemRefType) or t.rank != 2 or not t.has_static_shape \
            or str(t) != f"memref<{t.shape[0]}x{t.shape[1]}x{t.element_type}>":  # (a layout or a memory space)
        return []
    uses = [u.owner.operation for u in arg.uses]
    if any(op.name not in ("affine.load", "affine.store") or (op.name == "affine.store" and op.operands[0] == arg)
           for op in uses):
        return []
    return [op for op in uses if op.name == "affine.load" and _walks(op, column=True) and any(
        o.name == "affine.load" and _walks(o, column=False) for o in walk(op.parent) if o != op)]


def _walks(load: ir.Operation, column: bool) -> bool:
    """Whether `load`, in an innermost affine.for, has the loop's index in its first subscript and not its last
    (column), or in its last (not column)."""
    loop = load.parent
    if loop.name != "affine.for" or any(o.name == "affine.for" for o in walk(loop) if o != loop):
        return False
    iv = loop.regions[0].blocks[0].arguments[0]
    amap = ir.AffineMapAttr(load.attributes["map"]).value
    operands = list(load.operands)[1:]
    names = [f"d{n}" if n < amap.n_dims else f"s{n - amap.n_dims}" for n in range(len(operands))]
    uses = [any(v == iv and re.search(rf"\b{name}\b", str(r)) for name, v in zip(names, operands))
            for r in amap.results]
    if len(uses) < 2:
        return False
    return uses[0] and not uses[-1] if column else uses[-1]


def _swapped(op: ir.Operation) -> ir.AffineMapAttr:
    amap = ir.AffineMapAttr(op.attributes["map"]).value
    return ir.AffineMapAttr.get(ir.AffineMap.get(amap.n_dims, amap.n_symbols, list(amap.results)[::-1]))


def _mirror(func: ir.Operation, arg: ir.Value, loads: list[ir.Operation]) -> None:
    t = ir.MemRefType(arg.type)
    rows, cols = t.shape
    entry = func.regions[0].blocks[0]
    with func.context, func.location:
        first = entry.operations[0]
        ip = ir.InsertionPoint(first)
        copy = memref.AllocOp(ir.MemRefType.get([cols, rows], t.element_type), [], [], ip=ip).result
        copy.owner.attributes[MIRRORED] = ir.UnitAttr.get()
        outer = affine.AffineForOp(0, rows, 1, ip=ip)
        with ir.InsertionPoint(outer.body):
            inner = affine.AffineForOp(0, cols, 1)
            with ir.InsertionPoint(inner.body):
                r, c = outer.induction_variable, inner.induction_variable
                ident = ir.AffineMapAttr.get(ir.AffineMap.get_identity(2))
                v = affine.AffineLoadOp(t.element_type, arg, [r, c], ident).result
                affine.AffineStoreOp(v, copy, [c, r], ident)
                affine.AffineYieldOp([])
            affine.AffineYieldOp([])
        for op in [u.owner.operation for u in arg.uses if u.owner.name == "affine.store"]:
            with ir.InsertionPoint.after(op):
                affine.AffineStoreOp(op.operands[0], copy, list(op.operands)[2:], _swapped(op))
        loops = []
        for op in loads:
            if op.parent not in loops:
                loops.append(op.parent)
        for loop in loops:
            for op in reductions(loop):
                op.attributes["fastmath"] = ir.Attribute.parse("#arith.fastmath<reassoc>")
        for op in loads:
            with ir.InsertionPoint(op):
                again = affine.AffineLoadOp(t.element_type, copy, list(op.operands)[1:], _swapped(op))
            op.results[0].replace_all_uses_with(again.result)
            op.erase()
        ends = [o.operation for o in entry.operations if o.operation.name == "func.return"]
        for end in ends:
            memref.DeallocOp(copy, ip=ir.InsertionPoint(end))
