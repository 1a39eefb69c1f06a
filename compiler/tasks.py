"""How a module's parallel loops become tasks, before `async-parallel-for` lowers them (pipeline.py).

- An `scf.parallel` a schedule did not mark (`neurojit.threads`) in a module that has marked ones runs as
  plain loops: `async-parallel-for` would otherwise spread every parallel loop, the ones a schedule left
  serial (too little work to pay for the tasks) too.
- A marked loop with T threads that sits inside another loop (a stencil's rows inside its time loop) runs as
  T tasks of contiguous iterations: it is dispatched again on every trip of the loop around it, and
  `async-parallel-for`'s own split (up to 8 blocks per worker) costs a few microseconds a block each time.
  Contiguous chunks also keep each core on the same rows from one trip to the next (its cache holds them).
  A loop at the function's top level is dispatched once and keeps MLIR's split, which balances uneven
  iterations (a triangular nest's rows).
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, scf

# the mark a schedule puts on a parallel loop: the tasks it runs as (pipeline.py reads it for the module)
THREADS_ATTR = "neurojit.threads"
_LOOPS = ("scf.for", "scf.while", "scf.parallel", "scf.forall", "affine.for", "affine.parallel")


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
        if threads <= 1:
            _serial(op)
        elif _nested(op) and len(op.regions[0].blocks[0].arguments) == 1:
            _chunks(op, threads)


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
