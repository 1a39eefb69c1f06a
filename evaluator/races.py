"""Parallel tasks that all write the same place: a data race, refused before anything runs.

A parallel loop (`scf.forall`, `scf.parallel`, `affine.parallel`) runs its iterations as tasks at the same
time. A write inside it to memory shared by the tasks (a buffer defined outside the loop) is a race unless
where it writes depends on the task: the view it writes through or the indices of a store must be computed
from the loop's induction variables (or an inner loop's counter whose bounds are), or a branch around it
must decide by them (one task writes). Otherwise every task
read-modify-writes the same elements and updates are lost whenever two overlap, which the runs see only when
the threads happen to collide (a matmul tiled along its reduction dimension with `tile_using_forall`, which
MLIR itself warns "is not thread safe"; a task-count loop storing partial sums into out[0]). Atomic updates
(`memref.atomic_rmw`, `memref.generic_atomic_rmw`) and `scf.reduce` are how tasks combine safely.

The rule is one-sided: a write that depends on the task may still overlap another task's (out[t / 2]);
those are left to the runs (a wrong or nondeterministic result). Values the analysis cannot follow (loop-
carried values of an inner loop) count as depending on the task, so a correct kernel is never refused here.
"""

from __future__ import annotations

from mlir import ir

from .record import Reason, Rejected
from .static import _STORES, VIEW_OPS, _loc, _walk, _written_operands

PARALLEL = ("scf.forall", "scf.parallel", "affine.parallel")
ATOMIC = frozenset({"memref.atomic_rmw", "memref.generic_atomic_rmw"})
LOOPS = ("scf.for", "affine.for")
BRANCHES = ("scf.if", "affine.if", "scf.index_switch")


def check_races(module: ir.Module) -> None:
    for loop in _walk(module.operation):
        if loop.name in PARALLEL:
            _check_loop(loop)


def _inside(op: ir.Operation, loop: ir.Operation) -> bool:
    p = op.parent
    while p is not None:
        p = p.operation
        if p == loop:
            return True
        if p.name in ("func.func", "builtin.module"):
            return False
        p = p.parent
    return False


def _check_loop(loop: ir.Operation) -> None:
    body = loop.regions[0].blocks[0]
    n_ivs = len(body.arguments) if loop.name != "scf.forall" else len(body.arguments) - _shared_outs(loop)
    ivs = list(body.arguments)[:n_ivs]
    memo: dict[int, bool] = {}

    def depends(v: ir.Value) -> bool:
        """Whether `v` is computed from the loop's induction variables (or cannot be followed)."""
        key = hash(v)
        if key in memo:
            return memo[key]
        memo[key] = True  # a cycle (a loop-carried value): assume it does
        if any(v == iv for iv in ivs):
            out = True
        elif isinstance(v.maybe_downcast(), ir.BlockArgument):
            arg = v.maybe_downcast()
            owner = arg.owner.owner.operation
            if owner == loop or not _inside(owner, loop):
                out = False  # the loop's shared outputs; anything from outside the loop
            elif owner.name in LOOPS and arg.arg_number == 0:  # an inner loop's counter: its bounds decide
                out = any(depends(x) for x in owner.operands)
            else:
                out = True  # loop-carried values and the like: cannot tell
        else:
            op = v.owner.operation
            out = _inside(op, loop) and any(depends(x) for x in op.operands)
        memo[key] = out
        return out

    def controlled(op: ir.Operation) -> bool:
        """Whether a branch between `op` and the loop decides by the task (one task writes: `if t == 0`). A
        loop bounded by the task does not count: it repeats the write, which its counter must place."""
        p = op.parent.operation
        while p != loop:
            if p.name in BRANCHES and any(depends(x) for x in p.operands):
                return True
            p = p.parent.operation
        return False

    for op in _walk(loop):
        if op == loop or op.name in ATOMIC:
            continue
        for w in _written_operands(op):
            if not _shared(w, loop):
                continue
            indices = list(op.operands)[2:] if op.name in _STORES else []
            if depends(w) or any(depends(x) for x in indices) or controlled(op):
                continue
            raise Rejected(Reason.NONDETERMINISTIC,
                           f"data race: every task of the {loop.name} ({_loc(loop)}) writes the same part of a "
                           f"buffer shared by the tasks ({op.name}, {_loc(op)}): where it writes does not depend "
                           "on the task (a reduction dimension split over tasks?). Split a parallel dimension, "
                           "or combine the tasks' results with scf.reduce or memref.atomic_rmw")


def _shared_outs(loop: ir.Operation) -> int:
    return len(loop.results)  # scf.forall: one shared output (a tensor) per result


def _shared(v: ir.Value, loop: ir.Operation) -> bool:
    """Whether memref `v` is (a view of) a buffer defined outside the loop, which every task sees."""
    while True:
        if isinstance(v.maybe_downcast(), ir.BlockArgument):
            owner = v.owner.owner.operation
            return owner == loop or not _inside(owner, loop)
        op = v.owner.operation
        if not _inside(op, loop):
            return True
        if op.name in VIEW_OPS and op.operands:
            v = op.operands[0]
            continue
        return False  # allocated inside the loop: the task's own
