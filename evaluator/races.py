"""Parallel tasks that all write the same place: a data race, refused before anything runs.

A parallel loop (`scf.forall`, `scf.parallel`, `affine.parallel`) runs its iterations as tasks at the same
time. A write inside it to memory shared by the tasks (a buffer defined outside the loop) is a race unless
where it writes depends on the task: the view it writes through or the indices of a store must be computed
from the loop's induction variables (or an inner loop's counter whose bounds are), or a branch around it
must decide by them (one task writes). Otherwise every task
read-modify-writes the same elements and updates are lost whenever two overlap, which the runs see only when
the threads happen to collide (a matmul tiled along its reduction dimension with `tile_using_forall`, which
MLIR itself warns "is not thread safe"; a task-count loop storing partial sums into out[0]). Calls a task makes
are followed: the callee's writes to the shared buffers it is passed must be placed by the arguments the task's
place flows into. Atomic updates
(`memref.atomic_rmw`, `memref.generic_atomic_rmw`) and `scf.reduce` are how tasks combine safely.

The rule is one-sided: a write that depends on the task may still overlap another task's (out[t / 2]);
those are left to the runs (a wrong or nondeterministic result). Values the analysis cannot follow (loop-
carried values of an inner loop) count as depending on the task. One correct kind of kernel is refused: every
task writing the same value to a shared place (each filling out[0] with 0), a benign race, written once instead.
"""

from __future__ import annotations

from mlir import ir

from .record import Reason, Rejected
from .static import _FIRST_WRITTEN, _STORES, VIEW_OPS, _loc, _sym, _walk, _written_operands

PARALLEL = ("scf.forall", "scf.parallel", "affine.parallel")
ATOMIC = frozenset({"memref.atomic_rmw", "memref.generic_atomic_rmw"})
LOOPS = ("scf.for", "affine.for")
BRANCHES = ("scf.if", "affine.if", "scf.index_switch")
LOCAL = frozenset({"memref.alloc", "memref.alloca", "memref.realloc", "bufferization.alloc_tensor"})
MAX_CALLS = 4  # calls followed from a task, deep


def check_races(module: ir.Module) -> None:
    funcs = {_sym(op.operation): op.operation for op in module.body.operations
             if op.operation.name == "func.func" and op.operation.regions[0].blocks}
    for loop in _walk(module.operation):
        if loop.name in PARALLEL:
            body = loop.regions[0].blocks[0]
            n_ivs = len(body.arguments) - (len(loop.results) if loop.name == "scf.forall" else 0)
            _check(loop, list(body.arguments)[:n_ivs], None, loop, funcs, 0)


def _inside(op: ir.Operation, scope: ir.Operation) -> bool:
    p = op.parent
    while p is not None:
        p = p.operation
        if p == scope:
            return True
        if p.name in ("func.func", "builtin.module"):
            return False
        p = p.parent
    return False


def _check(scope: ir.Operation, seeds: list, shared_args: list | None, loop: ir.Operation, funcs: dict,
           depth: int) -> None:
    """The rule over `scope`: the parallel loop itself (its induction variables the `seeds`, shared what is
    defined outside it), or a function a task calls (the `seeds` its arguments the task's place flows into,
    shared the `shared_args` the task passed it a shared buffer in)."""
    memo: dict[int, bool] = {}

    def depends(v: ir.Value) -> bool:
        """Whether `v` is computed from the seeds (or cannot be followed)."""
        key = hash(v)
        if key in memo:
            return memo[key]
        memo[key] = True  # a cycle (a loop-carried value): assume it does
        if any(v == x for x in seeds):
            out = True
        elif isinstance(v.maybe_downcast(), ir.BlockArgument):
            arg = v.maybe_downcast()
            owner = arg.owner.owner.operation
            if owner == scope or not _inside(owner, scope):
                out = False  # the loop's shared outputs, the function's other arguments; anything from outside
            elif owner.name in LOOPS and arg.arg_number == 0:  # an inner loop's counter: its bounds decide
                out = any(depends(x) for x in owner.operands)
            else:
                out = True  # loop-carried values and the like: cannot tell
        else:
            op = v.owner.operation
            out = _inside(op, scope) and any(depends(x) for x in op.operands)
        memo[key] = out
        return out

    def shared(v: ir.Value) -> bool:
        """Whether memref `v` is (a view of) a buffer every task sees."""
        while True:
            if isinstance(v.maybe_downcast(), ir.BlockArgument):
                owner = v.owner.owner.operation
                if shared_args is not None and owner == scope:
                    return any(v == a for a in shared_args)
                return owner == scope or not _inside(owner, scope)
            op = v.owner.operation
            if not _inside(op, scope):
                return True
            if op.name == "arith.select":  # either buffer
                return shared(op.operands[1]) or shared(op.operands[2])
            if op.name in VIEW_OPS and op.operands:
                v = op.operands[0]
                continue
            return op.name not in LOCAL  # made inside: the task's own; a buffer out of a region: cannot tell

    def controlled(op: ir.Operation) -> bool:
        """Whether a branch between `op` and the scope decides by the task (one task writes: `if t == 0`). A
        loop bounded by the task does not count: it repeats the write, which its counter must place."""
        p = op.parent.operation
        while p != scope:
            if p.name in BRANCHES and any(depends(x) for x in p.operands):
                return True
            p = p.parent.operation
        return False

    for op in _walk(scope):
        if op == scope or op.name in ATOMIC:
            continue
        if op.name == "func.call" and depth < MAX_CALLS:
            callee = funcs.get(str(op.attributes["callee"]).lstrip("@"))
            if callee is not None and not controlled(op):
                args, operands = list(callee.regions[0].blocks[0].arguments), list(op.operands)
                passed = [args[i] for i, x in enumerate(operands) if _is_memref(x) and shared(x) and not depends(x)]
                if passed:
                    _check(callee, [args[i] for i, x in enumerate(operands) if not _is_memref(x) and depends(x)],
                           passed, loop, funcs, depth + 1)
            continue
        for w in _written_operands(op):
            if not shared(w):
                continue
            indices = (list(op.operands)[2:] if op.name in _STORES else
                       list(op.operands)[1:] if op.name in _FIRST_WRITTEN else [])
            if depends(w) or any(depends(x) for x in indices) or controlled(op):
                continue
            where = "" if scope == loop else f" in @{_sym(scope)}, which a task calls"
            raise Rejected(Reason.NONDETERMINISTIC,
                           f"data race: every task of the {loop.name} ({_loc(loop)}) writes the same part of a "
                           f"buffer shared by the tasks ({op.name}, {_loc(op)}{where}): where it writes does not "
                           "depend on the task (a reduction dimension split over tasks?). Split a parallel "
                           "dimension, or combine the tasks' results with scf.reduce or memref.atomic_rmw")


def _is_memref(v: ir.Value) -> bool:
    return isinstance(v.type.maybe_downcast(), ir.MemRefType)
