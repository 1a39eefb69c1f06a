"""How a module's parallel loops become tasks, before `async-parallel-for` lowers them (pipeline.py).

- An `scf.parallel` a schedule did not mark (`neurojit.threads`) in a module that has marked ones runs as
  plain loops: `async-parallel-for` would otherwise spread every parallel loop, the ones a schedule left
  serial (too little work to pay for the tasks) too.
- A marked loop with T threads that sits inside another loop (a stencil's rows inside its time loop) is
  dispatched again on every trip of the loop around it. With fewer than `WORK_PER_DISPATCH` operations a
  dispatch it runs serially: the tasks would cost more than the cores give (measured on znver4, 2 cores,
  against the naive loops: Jacobi-1d's 4K points a step 0.06x, atax's 900 columns 0.13x). Otherwise a 1-D
  one runs as T tasks of contiguous iterations (one of more dimensions keeps MLIR's split): MLIR's split
  (up to 8 blocks per worker) costs a few microseconds a block each time (a small fdtd-2d 0.53x its naive
  loops; as T chunks 1.45x, heat-3d 1.87x), and
  contiguous chunks keep each core on the same rows from one trip to the next (its cache holds them).
  A loop at the function's top level is dispatched once and keeps MLIR's split, which balances uneven
  iterations (a triangular nest's rows); it runs serially only where its work is known and small.
The decision is made here, on the loops as the schedule left them (unrolled, hoisted, vectorised), not on
the kernel a schedule was written for.
"""

from __future__ import annotations

import math

from mlir import ir
from mlir.dialects import arith, scf

# the mark a schedule puts on a parallel loop: the tasks it runs as (pipeline.py reads it for the module)
THREADS_ATTR = "neurojit.threads"
# operations (`work`) a dispatch must hold: 2^17, e.g. 32K points of a 4-op stencil. A loop at the top level is
# dispatched once, and is held to it only where every trip count is known (a triangle's rows are not): atax's
# top-level loop zeroing 900 elements, spread, cost 3-4% on 2 cores
WORK_PER_DISPATCH = 1 << 17
UNKNOWN_TRIPS = 1 << 20  # what `work` counts a top-level loop's unknown trip counts as
_LOOPS = ("scf.for", "scf.while", "scf.parallel", "scf.forall", "affine.for", "affine.parallel")
_COUNTED = ("scf.for", "scf.parallel", "affine.for", "affine.parallel")  # loops whose trips `work` counts


def prepare(module: ir.Module) -> None:
    """Rewrite the module's scf.parallel loops as above (in place, in the module's context)."""
    loops = []

    def visit(op):
        if op.name == "scf.parallel" and len(op.results) == 0:
            loops.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    for op in loops:
        threads = ir.IntegerAttr(op.attributes[THREADS_ATTR]).value if THREADS_ATTR in op.attributes else 1
        nested = _nested(op)
        if threads <= 1 or work(op, 1 if nested else UNKNOWN_TRIPS) < WORK_PER_DISPATCH:
            _serial(op)
        elif nested and len(op.regions[0].blocks[0].arguments) == 1:
            _chunks(op, threads)


def work(loop: ir.Operation, unknown: int = 1) -> int:
    """The operations one run of `loop` executes (affine, scf; each op counted as many times as the loops
    inside `loop` around it turn, times the lanes of its vector result): unrolling or vectorising a loop
    leaves it as it was. A loop whose trip count is not a constant counts as `unknown` trips."""
    total = 0

    def count(block_ops, times: int) -> None:
        nonlocal total
        for op in block_ops:
            op = op.operation
            if op.name in _LOOPS:
                inner = times * ((trips(op) or unknown) if op.name in _COUNTED else 1)
                for region in op.regions:
                    for block in region.blocks:
                        count(block.operations, inner)
                continue
            if op.name in _TERMINATORS:
                continue
            lanes = max([math.prod(ir.VectorType(r.type).shape) for r in op.results
                         if isinstance(r.type, ir.VectorType)] or [1])
            total += times * lanes
            for region in op.regions:
                for block in region.blocks:
                    count(block.operations, times)

    for region in loop.regions:
        for block in region.blocks:
            count(block.operations, trips(loop) or unknown)
    return total


_TERMINATORS = ("scf.yield", "scf.reduce", "affine.yield", "scf.condition", "scf.in_parallel")


def trips(loop: ir.Operation) -> int | None:
    """A loop's trip count where its bounds and steps are constants (scf.for, scf.parallel, affine.for,
    affine.parallel; over every dimension of a parallel one), else None."""
    if loop.name in ("affine.for", "affine.parallel"):
        suffix = "s" if loop.name == "affine.parallel" else ""
        lo, hi = (ir.AffineMapAttr(loop.attributes[f"{k}Bound{suffix}Map"]).value for k in ("lower", "upper"))
        steps = ([ir.IntegerAttr(x).value for x in ir.ArrayAttr(loop.attributes["steps"])] if suffix
                 else [ir.IntegerAttr(loop.attributes["step"]).value])
        if lo.n_inputs or hi.n_inputs or len(lo.results) != len(steps) or len(hi.results) != len(steps):
            return None
        try:
            bounds = [(int(str(a)), int(str(b)), st) for a, b, st in zip(lo.results, hi.results, steps)]
        except ValueError:
            return None
    else:
        n = len(loop.regions[0].blocks[0].arguments) if loop.name == "scf.parallel" else 1
        ops = list(loop.operands)
        bounds = [tuple(constant(ops[k * n + d]) for k in range(3)) for d in range(n)]
    total = 1
    for lo_, hi_, st in bounds:
        if lo_ is None or hi_ is None or st is None or st <= 0:
            return None
        total *= max(0, -(-(hi_ - lo_) // st))
    return total


def constant(v: ir.Value) -> int | None:
    """The integer a value is, where an arith.constant defines it, or a `memref.dim`/`tensor.dim` of a static
    extent (`scf.for %j = %c0 to %n` with `%n = memref.dim %x, %c1` as hand-written kernels bound their loops)."""
    owner = v.owner
    if isinstance(owner, ir.Block):
        return None
    if owner.name in ("memref.dim", "tensor.dim"):
        src, index = owner.operands
        i, shaped = constant(index), ir.ShapedType(src.type)
        if i is None or not 0 <= i < shaped.rank or shaped.is_dynamic_dim(i):
            return None
        return shaped.get_dim_size(i)
    if owner.name != "arith.constant":
        return None
    try:
        return ir.IntegerAttr(owner.attributes["value"]).value
    except (ValueError, KeyError):
        return None


def _nested(op: ir.Operation) -> bool:
    p = op.parent
    while p is not None and p.name not in ("func.func", "builtin.module"):
        if p.name in _LOOPS:
            return True
        p = p.parent
    return False


def _body_ops(op: ir.Operation) -> list:
    return list(op.regions[0].blocks[0].operations)[:-1]  # all but the scf.reduce terminator


def _serial(par: ir.Operation) -> None:
    """scf.parallel (no reductions) -> a nest of scf.for over the same bounds, in the same order."""
    n = len(par.regions[0].blocks[0].arguments)
    lbs, ubs, steps = (list(par.operands)[k * n:(k + 1) * n] for k in range(3))
    ops = _body_ops(par)
    ip, loops = ir.InsertionPoint(par), []
    with par.location:
        for d in range(n):
            with ip:
                loop = scf.ForOp(lbs[d], ubs[d], steps[d])
            with ir.InsertionPoint(loop.body):
                yield_ = scf.YieldOp([])
            loops.append(loop)
            ip = ir.InsertionPoint(yield_)
    for op in ops:
        op.move_before(yield_)
    for d, iv in enumerate(par.regions[0].blocks[0].arguments):
        iv.replace_all_uses_with(loops[d].induction_variable)
    par.erase()


def _chunks(par: ir.Operation, t: int) -> None:
    """A 1-D scf.parallel -> t iterations, each a scf.for over a contiguous chunk of the original's."""
    body = par.regions[0].blocks[0]
    iv = body.arguments[0]
    lb, ub, step = par.operands[0], par.operands[1], par.operands[2]
    idx = ir.IndexType.get()
    ops = _body_ops(par)
    with par.location:
        with ir.InsertionPoint(par):
            c0, c1, ct = (arith.ConstantOp(idx, v).result for v in (0, 1, t))
            trip = arith.CeilDivSIOp(arith.SubIOp(ub, lb).result, step).result
            span = arith.MulIOp(arith.CeilDivSIOp(trip, ct).result, step).result
        with ir.InsertionPoint.at_block_begin(body):
            off = arith.MulIOp(iv, span)
            lo = arith.AddIOp(lb, off.result).result
            hi = arith.MinSIOp(arith.AddIOp(lo, span).result, ub).result
            loop = scf.ForOp(lo, hi, step)
            with ir.InsertionPoint(loop.body):
                yield_ = scf.YieldOp([])
    for op in ops:
        op.move_before(yield_)
    iv.replace_all_uses_except(loop.induction_variable, off.operation)
    par.operands[0], par.operands[1], par.operands[2] = c0, ct, c1
