"""`scf.for` loops with constant bounds raised to `affine.for`, so that MLIR's affine passes can see them.

MLIR has no pass that raises `scf.for` to `affine.for` (its `affine-raise-from-memref` raises loads and
stores, inside affine loops only). A hand-written kernel's `scf.for %i = %c0 to %c512 step %c1` is an
affine loop in all but name: the same iterations, in the same order, with the same values carried. Raised,
its loads and stores become affine where their indices are (`affine-raise-from-memref`), and the affine
schedule (`agent/schedules/affine_loops.py`) can hoist, spread, vectorise and unroll it, as it does
PolyBench's loops. A schedule asks for it with `neurojit.payload = "affine"` (compiler/schedule.py); the
kernel the user wrote is left as it is.

Raised: every `scf.for` whose induction variable is an `index` and whose bounds and step are constants
(step > 0), innermost first, its body moved as it is and its `scf.yield` become an `affine.yield`; then
`index` sums, differences and products by a constant (`arith.subi %j, %c1`: `affine-raise-from-memref` reads
only `addi`) become the `affine.apply` they are. Other loops (bounds from a load, a `while`) stay; the affine
passes leave what is not affine alone.
"""

from __future__ import annotations

from mlir import ir, passmanager

from .flops import loop_bounds
from .tasks import constant
from .kernel import walk
from .accumulators import promote_accumulators
from .split_loops import split_loops


def raise_scf_loops(module: ir.Module) -> int:
    """Raise the constant-bound `scf.for` loops of `module` to `affine.for`, in place; how many were raised."""
    loops = [op for op in walk(module.operation) if op.name == "scf.for"]
    count = 0
    for op in reversed(loops):  # innermost first: an outer loop's body then holds its raised inner loops
        if _raise(op):
            count += 1
    if count:
        for op in [o for o in walk(module.operation) if o.name in _INDEX_ARITH]:
            _to_apply(op)
    return count


_INDEX_ARITH = ("arith.addi", "arith.subi", "arith.muli")


def _to_apply(op: ir.Operation) -> None:
    """An `index` add, subtract, or multiply by a constant as the `affine.apply` it is (the same value)."""
    from mlir.dialects import affine

    if not isinstance(op.results[0].type, ir.IndexType):
        return
    x, y = op.operands
    d0, d1 = ir.AffineDimExpr.get(0), ir.AffineDimExpr.get(1)
    if op.name == "arith.muli":
        factor, other = (constant(y), x) if constant(y) is not None else (constant(x), y)
        if factor is None:
            return
        operands, expr = [other], d0 * factor
    else:
        operands, expr = [x, y], (d0 + d1 if op.name == "arith.addi" else d0 - d1)
    with ir.InsertionPoint(op), op.location:
        new = affine.AffineApplyOp(ir.AffineMap.get(len(operands), 0, [expr]), operands)
    op.results[0].replace_all_uses_with(new.result)
    op.erase()


def _raise(op: ir.Operation) -> bool:
    from mlir.dialects import affine

    bounds = loop_bounds(op)
    block = op.regions[0].blocks[0]
    iv = block.arguments[0]
    if bounds is None or not isinstance(iv.type, ir.IndexType) or not bounds[2] or bounds[2] <= 0:
        return False
    if "unsignedCmp" in op.attributes:  # `scf.for unsigned`: its bounds compare as unsigned (affine's do not)
        return False
    lb, ub, step = bounds
    inits = list(op.operands)[3:]
    with ir.InsertionPoint(op), op.location:
        new = affine.AffineForOp(lb, ub, step, inits or None)
    body = new.regions[0].blocks[0]
    for old, arg in zip(block.arguments, body.arguments):
        old.replace_all_uses_with(arg)
    ops = [o.operation for o in block.operations]
    for o in ops[:-1]:
        body.append(o)
    yielded = list(ops[-1].operands)
    with ir.InsertionPoint(body), op.location:
        affine.AffineYieldOp(yielded)
    for old, res in zip(op.results, new.results):
        old.replace_all_uses_with(res)
    op.erase()
    return True


def affine_form(module: ir.Module) -> tuple[int, int]:
    """The kernel as the payload "affine" gives it to a schedule, in place: constant-bound `scf.for` loops
    raised, loads and stores with affine indices made affine (`affine-raise-from-memref`, as the affine
    schedule's first step), sums kept in an array element made the values their loops carry
    (compiler/accumulators.py), and loops no vector width divides split (compiler/split_loops.py).
    (loops raised, sums promoted plus loops split)."""
    raised = affine_form_unsplit(module)
    return raised, promote_accumulators(module) + split_loops(module)


def affine_form_unsplit(module: ir.Module) -> int:
    """`affine_form` without the split: constant-bound `scf.for` loops raised and affine accesses made affine,
    in place (how many loops were raised). What `raise_linalg` reads loop nests from."""
    raised = raise_scf_loops(module)
    passmanager.PassManager.parse("builtin.module(func.func(affine-raise-from-memref))", module.context).run(
        module.operation)
    return raised


PARALLEL = ("affine.parallel", "scf.parallel")


def sequential_form(module: ir.Module) -> bool:
    """The kernel's parallel loops as the sequential loops they may run as, in place; whether it had any.

    A parallel loop leaves the order of its iterations open, so nested `scf.for` loops in index order are one
    of its executions (the naive lowering runs it so too): `lower-affine` where an `affine.parallel` is (the
    other affine loops become `scf.for` with it, which the affine payload raises again), then
    `scf-parallel-for-to-nested-fors`. A kernel written with `scf.parallel` (or `affine.parallel`) had no
    schedule at all; every schedule now sees it this way (compiler/schedule.py, agent/analyze.py). A parallel
    loop with reductions (which that pass does not take) becomes the `scf.for` loops with `iter_args` the naive
    lowering runs it as (`_reducing_to_fors`): Polygeist's `affine.parallel ... reduce ("addf")` row sum of squares
    had no proposal; raised, the row reduction schedule: 9.3x its naive loops (one-off, 2048x1024)."""
    found = {o.name for o in walk(module.operation) if o.name in PARALLEL}
    if not found:
        return False
    if "affine.parallel" in found:
        passmanager.PassManager.parse("builtin.module(lower-affine)", module.context).run(module.operation)
    for op in reversed([o for o in walk(module.operation) if o.name == "scf.parallel" and len(o.results)]):
        _reducing_to_fors(op)  # innermost first
    passmanager.PassManager.parse("builtin.module(func.func(scf-parallel-for-to-nested-fors), canonicalize)",
                                  module.context).run(module.operation)
    return True


def _reducing_to_fors(par: ir.Operation) -> None:
    """An `scf.parallel` with reductions (`affine.parallel ... reduce ("addf")`, as Polygeist writes a sum) as the
    nested `scf.for` loops the naive lowering runs it as (SCFToControlFlow's ParallelLowering): its values carried
    in `iter_args` from the inits, each step's value folded in by the `scf.reduce` region with the carried value
    as its first argument and the step's as its second: the same operations in the same order."""
    from mlir.dialects import scf

    block = par.regions[0].blocks[0]
    n = len(block.arguments)
    lbs, ubs, steps = (list(par.operands)[k * n:(k + 1) * n] for k in range(3))
    inits = list(par.operands)[3 * n:]
    ops = [o.operation for o in block.operations]
    reduce_op = ops[-1]
    loops = []
    with par.location:
        ip, carried = ir.InsertionPoint(par), inits
        for d in range(n):
            with ip:
                loop = scf.ForOp(lbs[d], ubs[d], steps[d], carried)
            loops.append(loop)
            carried = list(loop.inner_iter_args)
            ip = ir.InsertionPoint(loop.body)
        for d, iv in enumerate(block.arguments):
            iv.replace_all_uses_with(loops[d].induction_variable)
        inner = loops[-1].body
        for o in ops[:-1]:
            inner.append(o)
        folded = []  # each reduction's region moved in, its arguments the carried value and the step's
        for k, (value, region) in enumerate(zip(reduce_op.operands, reduce_op.regions)):
            rblock = region.blocks[0]
            rblock.arguments[0].replace_all_uses_with(carried[k])
            rblock.arguments[1].replace_all_uses_with(value)
            *combine, ret = [x.operation for x in rblock.operations]
            for o in combine:
                inner.append(o)
            folded.append(ret.operands[0])
        with ir.InsertionPoint(inner):
            scf.YieldOp(folded)
        for d in range(n - 1, 0, -1):  # each outer loop yields what the loop inside it ends with
            with ir.InsertionPoint(loops[d - 1].body):
                scf.YieldOp(list(loops[d].results))
    for old, new in zip(par.results, loops[0].results):
        old.replace_all_uses_with(new)
    reduce_op.erase()
    par.erase()


def scf_form(module: ir.Module) -> None:
    """The kernel as the payload "scf" gives it to a schedule, in place: its affine loops lowered to `scf.for`
    (`lower-affine`), then canonicalised, which moves the constants the lowering puts in each loop's body (an
    inner loop's bounds) to the function's entry, where unroll-and-jam needs them: defined outside the loop."""
    passmanager.PassManager.parse("builtin.module(lower-affine, canonicalize)", module.context).run(module.operation)


__all__ = ["raise_scf_loops", "affine_form", "affine_form_unsplit", "scf_form", "sequential_form"]
