"""The differential build's second rewrite: every parallel loop's iterations in reverse order.

A parallel loop (`scf.forall`, `scf.parallel`) promises that its iterations may run in any order, at the same
time or not; the lowering runs a loop no schedule marked for threads serially, in order, so a task that reads
what an earlier task wrote (a one-pass scan whose block b starts from block b - 1's last element) is right in
every run and every timing, and wrong once the tasks run otherwise (another lowering, an export called from a
program that runs it on threads). The race check (races.py) sees tasks writing one place; a read of another
task's write needs the indices compared across tasks. Instead the unoptimised (O0) build, which runs on a few
pairs and must agree with the references by the same rules, sees each iteration's induction variables mapped
to the mirror iteration (lb + (n - 1 - k) step for the k-th of n): the same set of iterations, run last to
first. Independent tasks give the same bits; tasks combining a float reduction (`scf.reduce`, atomics) round
in another order, within the comparison's tolerance like any reassociation; a result that depends on the order
is refused (`undefined_behaviour`). `affine.parallel` is left in order (the lowering turns it into
`scf.parallel` later; no schedule emits one).
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith

from neurojit.compiler.kernel import walk

DYNAMIC = ir.ShapedType.get_dynamic_size


def _index(value: int) -> ir.Value:
    return arith.constant(ir.IndexType.get(), value)


def _forall_bounds(op: ir.Operation) -> list[tuple[ir.Value, ir.Value, ir.Value]]:
    """(lower bound, upper bound, step) of each dim of an scf.forall, as index values at the insertion point."""
    sizes = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))
    operands = list(op.operands)
    dynamic = {"lb": operands[:sizes[0]], "ub": operands[sizes[0]:sizes[0] + sizes[1]],
               "step": operands[sizes[0] + sizes[1]:sizes[0] + sizes[1] + sizes[2]]}
    out = {}
    for key, attr in (("lb", "staticLowerBound"), ("ub", "staticUpperBound"), ("step", "staticStep")):
        values, pending = [], iter(dynamic[key])
        for v in ir.DenseI64ArrayAttr(op.attributes[attr]):
            values.append(next(pending) if v == DYNAMIC() else _index(v))
        out[key] = values
    return list(zip(out["lb"], out["ub"], out["step"]))


def _parallel_bounds(op: ir.Operation) -> list[tuple[ir.Value, ir.Value, ir.Value]]:
    """(lower bound, upper bound, step) of each dim of an scf.parallel."""
    n = len(op.regions[0].blocks[0].arguments)
    operands = list(op.operands)
    return list(zip(operands[:n], operands[n:2 * n], operands[2 * n:3 * n]))


def reverse_parallel_loops(module: ir.Module) -> int:
    """Map every scf.forall's and scf.parallel's induction variables to the mirror iteration (in place); return
    how many loops were rewritten."""
    loops = [op for op in walk(module.operation) if op.name in ("scf.forall", "scf.parallel")]
    for op in loops:
        body = op.regions[0].blocks[0]
        n_ivs = len(body.arguments) - (len(op.results) if op.name == "scf.forall" else 0)
        ivs = list(body.arguments)[:n_ivs]
        with op.location, ir.InsertionPoint.at_block_begin(body):
            bounds = _forall_bounds(op) if op.name == "scf.forall" else _parallel_bounds(op)
            for iv, (lb, ub, step) in zip(ivs, bounds):
                trips = arith.ceildivsi(arith.subi(ub, lb), step)
                offset = arith.subi(iv, lb)
                k = arith.divsi(offset, step)
                last = arith.subi(trips, _index(1))
                mirror = arith.addi(lb, arith.muli(arith.subi(last, k), step))
                # every use but the ones computing the mirror itself
                iv.replace_all_uses_except(mirror, offset.owner.operation)
    return len(loops)
