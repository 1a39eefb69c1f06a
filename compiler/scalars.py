"""Scalar accumulators kept in memory, as the values loops carry.

C code lowered by hand or by a C front end (Polygeist) keeps a local `sum` in a one-element buffer:
`%acc = memref.alloca() : memref<f32>`, zeroed before a loop, loaded and stored at every iteration, loaded
after it. LLVM promotes it to a register in the naive build, but the loop nest is then no statement the
linalg raising (`raise_linalg.py`) reads: a matmul written so got no proposal at all, where the same matmul
with its sum in `iter_args` raises to `linalg.matmul` (the packed matmul: tens of times its naive loops).
MLIR's `mem2reg` promotes only in unstructured control flow. Here, for a buffer of one element that nothing
but loads and stores (and its dealloc) use, so that nothing else can read or write it:

* within a block, a load after a store of the buffer (nothing between them touching it) is the stored
  value, and a store followed by another store before any load is dead;
* the innermost loop whose body block holds accesses to it (and no op nested in the body does) carries its
  value instead: loaded once before the loop, the loop's new `iter_args` value standing for it inside (each
  load the value as it stands, each store the new value), stored once after the loop.

Repeated until nothing changes; a buffer left with no load is erased with its stores. Every load still
reads the value the last store wrote in program order, so the kernel computes the same values in the same
order. `affine.for` loops (any affine bounds) and `scf.for` loops are rebuilt; others stop the promotion.
"""

from __future__ import annotations

import math

from mlir import ir

from .kernel import walk

LOADS = ("affine.load", "memref.load")
STORES = ("affine.store", "memref.store")
LOOPS = ("affine.for", "scf.for")


def promote_scalars(module: ir.Module) -> int:
    """Promote the module's one-element buffers as above, in place; how many were erased altogether."""
    erased = 0
    for op in [o for o in walk(module.operation) if o.name in ("memref.alloca", "memref.alloc")]:
        if _scalar(op.results[0]):
            erased += _promote(op)
    return erased


def _memref_of(op: ir.Operation) -> ir.Value | None:
    if op.name in LOADS:
        return op.operands[0]
    if op.name in STORES:
        return op.operands[1]
    return None


def _scalar(buf: ir.Value) -> bool:
    t = buf.type
    if not isinstance(t.maybe_downcast(), ir.MemRefType):
        return False
    t = ir.MemRefType(t)
    if not t.has_static_shape or math.prod(t.shape) != 1:
        return False
    for use in buf.uses:
        o = use.owner
        if o.name == "memref.dealloc":
            continue
        if o.name in LOADS and use.operand_number == 0:
            continue
        if o.name in STORES and use.operand_number == 1:
            continue
        return False  # a view, a copy, a call, stored as a value: it may be read or written elsewhere
    return True


def _accesses(buf: ir.Value) -> list[ir.Operation]:
    return [u.owner for u in buf.uses if u.owner.name in LOADS + STORES]


def _is(m: ir.Value | None, buf: ir.Value) -> bool:
    return m is not None and m == buf


def _touches(op: ir.Operation, buf: ir.Value) -> bool:
    """Whether `op` (or an op nested in it) loads or stores `buf`."""
    return any(_is(_memref_of(o), buf) for o in [op, *walk(op)])


def _promote(alloc: ir.Operation) -> int:
    buf = alloc.results[0]
    while True:
        changed = _forward(buf)
        if not any(a.name in LOADS for a in _accesses(buf)):
            for a in _accesses(buf):
                a.erase()
            for u in list(buf.uses):
                u.owner.erase()  # its dealloc
            alloc.erase()
            return 1
        loop = _innermost_loop(buf)
        if loop is not None and _carry(loop, buf):
            changed = True
        if not changed:
            return 0


def _forward(buf: ir.Value) -> bool:
    """Store-to-load forwarding and dead stores within each block; whether anything changed."""
    blocks = []
    for a in _accesses(buf):
        b = a.operation.block
        if not any(b == x for x in blocks):
            blocks.append(b)
    changed = False
    for block in blocks:
        value, pending = None, None  # the value the buffer holds here (known), the store no load has read yet
        for op in [o.operation for o in block.operations]:
            m = _memref_of(op)
            if _is(m, buf) and op.name in STORES:
                if pending is not None:
                    pending.erase()
                    changed = True
                value, pending = op.operands[0], op
            elif _is(m, buf) and op.name in LOADS:
                if value is not None:
                    op.results[0].replace_all_uses_with(value)
                    op.erase()
                    changed = True
                else:
                    pending = None
                    value = op.results[0]
            elif len(op.regions) and _touches(op, buf):
                value, pending = None, None
    return changed


def _innermost_loop(buf: ir.Value) -> ir.Operation | None:
    """A loop whose body block holds accesses to `buf` and none nested deeper (innermost first)."""
    for a in _accesses(buf):
        p = a.parent
        if p is None or p.name not in LOOPS:
            continue
        body = p.regions[0].blocks[0]
        if any(len(o.operation.regions) and _touches(o.operation, buf) for o in body.operations):
            continue
        return p
    return None


def _carry(loop: ir.Operation, buf: ir.Value) -> bool:
    """Rebuild `loop` with one more carried value standing for `buf` (see the module's docstring)."""
    from mlir.dialects import affine, scf

    block = loop.regions[0].blocks[0]
    accesses = [o.operation for o in block.operations if _is(_memref_of(o.operation), buf)]
    load = next((a for a in _accesses(buf) if a.name in LOADS), None)
    store = next((a for a in _accesses(buf) if a.name in STORES), None)
    if load is None or store is None or not defined_above(buf, loop):
        return False  # (a buffer allocated inside the loop is a fresh one each iteration: nothing is carried)
    if not all(defined_above(x, loop) for a in (load, store) for x in list(a.operands)[1 if a.name in LOADS else 2:]):
        return False  # an index computed inside some loop: the clones before and after this one cannot use it
    inits = list(loop.operands)[3:]
    if loop.name == "affine.for":  # (its bounds: affine maps of operands, a triangular loop's outer index)
        seg = list(ir.DenseI32ArrayAttr(loop.attributes["operandSegmentSizes"]))
        operands = list(loop.operands)
        lbo, ubo, inits = operands[:seg[0]], operands[seg[0]:seg[0] + seg[1]], operands[seg[0] + seg[1]:]
        maps = [ir.AffineMapAttr(loop.attributes[k]).value for k in ("lowerBoundMap", "upperBoundMap")]
        if len(inits) != len(loop.results):
            return False
    with ir.InsertionPoint(loop), loop.location:
        before = load.clone()
        start = before.results[0]
        if loop.name == "affine.for":
            new = affine.AffineForOp(maps[0], maps[1], ir.IntegerAttr(loop.attributes["step"]).value,
                                     inits + [start], lower_bound_operands=lbo, upper_bound_operands=ubo)
        else:
            lo, hi, st = list(loop.operands)[:3]
            new = scf.ForOp(lo, hi, st, inits + [start])
    # the store after the loop, cloned now: `store` may be one of the body's accesses, erased below
    after = store.clone(ir.InsertionPoint.after(new.operation))
    body = new.regions[0].blocks[0]
    for old, arg in zip(block.arguments, body.arguments):
        old.replace_all_uses_with(arg)
    current = body.arguments[len(block.arguments)]
    ops = [o.operation for o in block.operations]
    for o in ops[:-1]:
        if any(o == a for a in accesses):
            if o.name in LOADS:
                o.results[0].replace_all_uses_with(current)
            else:
                current = o.operands[0]
            o.erase()
            continue
        body.append(o)
    yielded = list(ops[-1].operands) + [current]
    with ir.InsertionPoint(body), loop.location:
        (affine.AffineYieldOp if loop.name == "affine.for" else scf.YieldOp)(yielded)
    for old, res in zip(loop.results, new.results):
        old.replace_all_uses_with(res)
    after.operands[0] = new.results[len(loop.results)]
    loop.erase()
    return True


def defined_above(v: ir.Value, loop: ir.Operation) -> bool:
    """Whether `v` is defined outside `loop` (and so usable right before and after it)."""
    owner = v.owner
    op = owner.owner if isinstance(owner, ir.Block) else owner.operation
    while op is not None:
        if op == loop:
            return False
        op = op.parent
    return True
