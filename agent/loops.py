"""A kernel written as plain affine loops, seen by what MLIR's affine passes may safely do to it.

The vectoriser (`affine-super-vectorize`) turns a loop whose iterations touch consecutive elements into
vector steps of the virtual vector size, and lets the memref's bounds, not the loop's, mask the last step:
a loop that stops short of its memref's end (`for j = 1 to 249` on a 250-wide row) would have its last
vector write past the loop's end. `vector_widths` is the widths for which that cannot happen: for every
loop whose index is the fastest-varying index of some access, the width divides the trip count, or the loop
covers the accessed dimension exactly (from 0 to its size, the index used as it is) and carries no value
from one iteration to the next; and the vectoriser finds a loop to vectorise at that width (`vectorises`: on
a Floyd-Warshall or Gauss-Seidel sweep it finds none, and a schedule that changes nothing is a wasted
candidate). `spread_loops`: the loops MLIR's dependence analysis (`affine-parallelize`) proves parallel,
outermost ones only, and which of them a schedule may spread over cores (not one dispatched again on every
trip of a sequential loop around it for less work than `WORK_PER_DISPATCH`).
"""

from __future__ import annotations

from mlir import ir, passmanager

from neurojit.compiler.flops import loop_bounds
from neurojit.compiler.kernel import walk
from neurojit.compiler.split_loops import restricts_widths
from neurojit.compiler.tasks import UNKNOWN_TRIPS, WORK_PER_DISPATCH, work

WIDTHS = (4, 8, 16, 32, 64)


def vector_widths(func: ir.Operation) -> tuple[int, ...]:
    """Vector sizes the super-vectoriser may use on this function without writing past a loop's end."""
    ok = set(WIDTHS)
    for loop in walk(func):
        if loop.name != "affine.for":
            continue
        restricts = restricts_widths(loop)
        if restricts is None:  # bounds that depend on other loops (triangular nests): not checked
            return ()
        if restricts:
            lb, ub, step = loop_bounds(loop)
            ok = {w for w in ok if ((ub - lb) // step) % w == 0}
    return tuple(sorted(ok))


def _after(text: str, passes: str) -> ir.Module:
    """The kernel (MLIR text, parsed in the current context) with `passes`, a func.func pipeline, run on it."""
    module = ir.Module.parse(text)
    passmanager.PassManager.parse(f"builtin.module(func.func({passes}))").run(module.operation)
    return module


def raised(text: str) -> ir.Module:
    """The kernel with its memref.load/store in affine loops made affine.load/store where their indices are
    affine (`affine-raise-from-memref`): what the affine passes, and the checks here, can see."""
    return _after(text, "affine-raise-from-memref")


def vectorises(text: str, width: int) -> bool:
    """Whether MLIR's super-vectoriser turns any loop of the kernel into vector steps of `width` lanes."""
    module = _after(text, f"affine-super-vectorize{{virtual-vector-size={width} vectorize-reductions=true}}")
    return any(op.name.startswith("vector.") for op in walk(module.operation))




def spread_loops(text: str) -> tuple[bool, ...]:
    """For each loop `affine-parallelize` proves parallel (the outermost of each nest), in program order:
    whether spreading it over cores pays. A loop at the function's top level is dispatched once (held to
    `WORK_PER_DISPATCH` only where its trip counts are known); one inside a sequential loop (a stencil's rows inside its time loop, LU's pivot loop, atax's rows) is dispatched
    again on every trip of it, and pays only with `WORK_PER_DISPATCH` or more a trip (the lowering decides
    again on the loops a schedule leaves: compiler/tasks.py)."""
    module = _after(text, "affine-parallelize{max-nested=1}")
    return tuple(work(op, UNKNOWN_TRIPS if op.parent.name == "func.func" else 1) >= WORK_PER_DISPATCH
                 for op in walk(module.operation) if op.name == "affine.parallel")
