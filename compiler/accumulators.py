"""Sums kept in an array element inside a loop, as the values the loop carries.

PolyBench's solvers sum into an element of the array they read: cholesky's `A[i][j] -= A[i][k] * A[j][k]`
over k < j, trisolv's `x[i] -= L[i][j] * x[j]` over j < i. Every iteration loads and stores that element, so
the naive loop is one dependent chain through memory (LLVM cannot keep it in a register: it cannot tell the
element from the others the loop reads), and the super-vectoriser takes no loop that carries its sum in memory.
Where no other access in the loop can touch the element, it is the loop's own sum: loaded into a one-element
buffer before the loop, the loop's load and store of it made loads and stores of that buffer, stored back after
it; compiler/scalars.py then makes the buffer the value the loop carries (`iter_args`), which the
super-vectoriser takes as a reduction (masked where the trip count is not a multiple of the width: a
triangular one). The same values are computed; only the order of a reduction's terms can change, and only
where a schedule vectorises it.

No other access can touch the element when, for every other load or store of the same memref in the loop,
the system "subscripts equal" is infeasible over the iteration space: the bounds of every loop around both
accesses (affine maps of outer indices and constants) and the subscripts as linear constraints, solved as a
linear program (scipy's HiGHS). Infeasible over the reals is infeasible over the integers, so the proof is
sound; anything it cannot read (floordiv, mod, a bound or subscript from a non-loop value, a view of the
memref) leaves the loop as it is. The copy in and out also runs where the loop has no trip, so the element
must be within the memref's shape there too (`_in_bounds`, the same kind of proof).
"""

from __future__ import annotations

import re

from mlir import ir

from .iteration_space import LOOP, feasible, linear, loops_around, row, system
from .kernel import walk
from .scalars import defined_above, promote_scalars

ACCESSES = ("affine.load", "affine.store")


def promote_accumulators(module: ir.Module) -> int:
    """Make each provable array-element sum the value its innermost loop carries (see above), in place; how
    many were."""
    done = 0
    for loop in [o for o in walk(module.operation) if o.name == LOOP]:
        if any(o.name == LOOP for o in walk(loop)):
            continue  # innermost loops only
        done += _promote(loop)
    if done:
        promote_scalars(module)
    return done


def _memref(op: ir.Operation) -> ir.Value:
    return op.operands[1] if op.name == "affine.store" else op.operands[0]


def _indices(op: ir.Operation) -> list[ir.Value]:
    return list(op.operands)[2:] if op.name == "affine.store" else list(op.operands)[1:]


def _promote(loop: ir.Operation) -> int:
    body = loop.regions[0].blocks[0]
    ops = [o.operation for o in body.operations]
    if not _contiguous(loop):
        return 0
    for load in [o for o in ops if o.name == "affine.load"]:
        m = _memref(load)
        stores = [o for o in ops if o.name == "affine.store" and _memref(o) == m and _same(o, load)]
        if len(stores) != 1 or not all(defined_above(v, loop) for v in _indices(load)):
            continue
        if not isinstance(m, ir.BlockArgument) and m.owner.name not in ("memref.alloc", "memref.alloca"):
            continue  # a view may alias another memref
        if any(not isinstance(v, ir.BlockArgument) and v.owner.name not in ("memref.alloc", "memref.alloca")
               for v in {_memref(o) for o in walk(loop) if o.name in ACCESSES}):
            continue
        others = [o for o in walk(loop) if o.name in ACCESSES and _memref(o) == m and o != load and o != stores[0]]
        if any(o.name not in ACCESSES for u in m.uses for o in [u.owner] if _inside(o, loop)):
            continue
        if not all(_disjoint(load, o) for o in others) or not _in_bounds(load, loop):
            continue
        _rewrite(loop, load, stores[0])
        return 1
    return 0


def _contiguous(loop: ir.Operation) -> bool:
    """Whether some load in the loop reads along its index (the index in its last subscript): the sum is then
    one the vectoriser takes with whole-vector loads. Along a column only (trmm's B[i][j] += A[k][i] * B[k][j]
    over k), the sum stays in memory: the vectoriser then takes the loop around it along its rows, contiguous
    (measured here: trmm 8.9x its naive loops so, 1.07x with the sum carried and vectorised down columns)."""
    iv = loop.regions[0].blocks[0].arguments[0]
    for o in walk(loop):
        if o.name != "affine.load":
            continue
        amap = ir.AffineMapAttr(o.attributes["map"]).value
        if not amap.results:
            continue
        names = [f"d{i}" if i < amap.n_dims else f"s{i - amap.n_dims}" for i in range(len(_indices(o)))]
        last = str(amap.results[-1])
        if any(v == iv and re.search(rf"\b{n}\b", last) for n, v in zip(names, _indices(o))):
            return True
    return False


def _same(a: ir.Operation, b: ir.Operation) -> bool:
    return str(a.attributes["map"]) == str(b.attributes["map"]) and _indices(a) == _indices(b)


def _inside(op: ir.Operation, loop: ir.Operation) -> bool:
    p = op.parent
    while p is not None:
        if p == loop:
            return True
        p = p.parent
    return False


def _rewrite(loop: ir.Operation, load: ir.Operation, store: ir.Operation) -> None:
    """The element through a one-element buffer: copied in before the loop, out after it. A running
    difference (`x = x - t`, cholesky's) becomes the running sum `x = x + (-t)`: the vectoriser takes a sum, not
    a difference, as a reduction, and x - t is x + (-t) exactly in IEEE arithmetic (signed zeros too), so
    unvectorised the loop computes what it did. (Not the terms summed from zero and subtracted once after the
    loop: x - (t0 + t1) rounds differently from (x - t0) - t1, and -0.0 - (0.0 + -0.0) is -0.0 where
    -0.0 - -0.0 is 0.0: LU's pivots then change sign, its infinities with them.)"""
    from mlir.dialects import affine, arith, memref

    func = loop.parent
    while func.name != "func.func":
        func = func.parent
    elem = load.results[0].type
    uses = list(load.results[0].uses)
    sub = uses[0].owner if len(uses) == 1 and uses[0].owner.name == "arith.subf" and uses[0].operand_number == 0 \
        else None
    if sub is not None and [u.owner for u in sub.results[0].uses] != [store]:
        sub = None
    entry = func.regions[0].blocks[0]
    with ir.InsertionPoint.at_block_begin(entry), loop.location:
        buf = memref.AllocaOp(ir.MemRefType.get([], elem), [], []).result
    empty = ir.AffineMapAttr.get(ir.AffineMap.get(0, 0, []))
    with ir.InsertionPoint(loop), loop.location:
        first = load.clone()
        affine.AffineStoreOp(first.results[0], buf, [], empty)
    with ir.InsertionPoint(load), loop.location:
        inside = affine.AffineLoadOp(elem, buf, [], empty)
    load.results[0].replace_all_uses_with(inside.result)
    load.erase()
    if sub is not None:
        with ir.InsertionPoint(sub), loop.location:
            negated = arith.NegFOp(sub.operands[1]).result
            added = arith.AddFOp(sub.operands[0], negated, fastmath=sub.attributes["fastmath"])
        sub.results[0].replace_all_uses_with(added.result)
        sub.erase()
    with ir.InsertionPoint(store), loop.location:
        affine.AffineStoreOp(store.operands[0], buf, [], empty)
    value_back = store.clone(ir.InsertionPoint.after(loop))
    with ir.InsertionPoint(value_back), loop.location:
        back = affine.AffineLoadOp(elem, buf, [], empty).result
    value_back.operands[0] = back
    store.erase()


# --- the dependence test ---------------------------------------------------------------------------------

def _subscripts(op: ir.Operation, var) -> list | None:
    amap = ir.AffineMapAttr(op.attributes["map"]).value
    subs = [linear(str(e), _indices(op), amap.n_dims, var) for e in amap.results]
    return None if any(x is None for x in subs) else subs


def _in_bounds(load: ir.Operation, loop: ir.Operation) -> bool:
    """Whether the element's subscripts are within the memref's shape for every iteration of the loops around
    `loop`, an empty trip of it too: the copy in before the loop and out after it run then as well (a loop
    `for j = c to 8` inside `for c = 0 to 9` runs no trip at c = 8, where x[i, c] is past the row's end)."""
    space = system(loops_around(loop))
    if space is None:
        return False
    ivs, var, rows, rhs = space
    subs = _subscripts(load, var)
    if subs is None:
        return False
    if not ivs:  # at the function's top level: constant subscripts
        return all(0 <= lin[1] < size for lin, size in zip(subs, ir.MemRefType(_memref(load).type).shape))
    shape = list(ir.MemRefType(_memref(load).type).shape)
    for lin, size in zip(subs, shape):
        r, c = row(lin, len(ivs)), lin[1]
        if feasible(len(ivs), rows + [r], rhs + [-1 - c]) or feasible(len(ivs), rows + [-r],
                                                                               rhs + [c - size]):
            return False  # some iteration has the subscript below 0, or at the size or past it
    return True


def _disjoint(a: ir.Operation, b: ir.Operation) -> bool:
    """Whether `a` (outside every loop `b` is in but those around both) and `b` can never touch one same
    element: the system of their loops' bounds and equal subscripts is infeasible."""
    loops_a, loops_b = loops_around(a), loops_around(b)
    loops = loops_b + [lp for lp in loops_a if not any(lp == x for x in loops_b)]
    if not loops_b:
        return False
    space = system(loops)
    if space is None:
        return False
    ivs, var, rows, rhs = space
    sa, sb = _subscripts(a, var), _subscripts(b, var)
    if sa is None or sb is None:
        return False
    eqs = [row(x, len(ivs)) - row(y, len(ivs)) for x, y in zip(sa, sb)]
    eq_rhs = [y[1] - x[1] for x, y in zip(sa, sb)]
    return not feasible(len(ivs), rows, rhs, eqs, eq_rhs)


def negative_zero_starts(module: ir.Module) -> int:
    """Vector sums that start from +0.0 start from -0.0 instead, in place; how many. The affine super-vectoriser
    carries a vectorised sum in a vector started at its neutral element, +0.0, and adds the reduced vector to the
    value the loop started from after it. But the neutral element of IEEE addition is -0.0: a sum over no terms
    (a triangle's first row: cholesky's A[0][0] -= nothing) gave +0.0 + x0, which is +0.0 where x0 is -0.0, and
    the sqrt of it then divided the next row into -inf where the loop gave +inf. -0.0 + x is x for every x, so the
    change is exact; only vector-typed starts are changed (the vectoriser's: a sum the kernel itself starts at 0.0
    is its own). Run on the affine payload after its script (compiler/schedule.py)."""
    count = 0
    for loop in [o for o in walk(module.operation) if o.name == "affine.for" and len(o.results)]:
        block = loop.regions[0].blocks[0]
        inits = list(loop.operands)[-len(loop.results):]
        yielded = list([o.operation for o in block.operations][-1].operands)
        for k, (init, carried, out) in enumerate(zip(inits, block.arguments[1:], yielded)):
            if not (isinstance(init.type, ir.VectorType) and _positive_zero(init)):
                continue
            adder = out.owner.operation if isinstance(out.owner, ir.OpView) else out.owner
            if not (isinstance(adder, ir.Operation) and adder.name == "arith.addf" and carried in list(adder.operands)):
                continue
            with loop.context, ir.InsertionPoint(loop), loop.location:
                from mlir.dialects import arith

                vec = ir.VectorType(init.type)
                neg = arith.ConstantOp(vec, ir.DenseElementsAttr.get_splat(vec, ir.FloatAttr.get(vec.element_type, -0.0)))
            loop.operands[len(list(loop.operands)) - len(loop.results) + k] = neg.result
            count += 1
    # and its reductions of such a vector to a scalar, which the lowering starts from +0.0 where they have no
    # accumulator (`llvm.vector.reduce.fadd(0.0, v)`), start from -0.0 too
    for red in [o for o in walk(module.operation) if o.name == "vector.reduction" and len(list(o.operands)) == 1]:
        if "add" not in str(red.attributes["kind"]) or not isinstance(red.results[0].type, ir.FloatType):
            continue
        with red.context, ir.InsertionPoint(red), red.location:
            from mlir.dialects import arith

            zero = arith.ConstantOp(red.results[0].type, ir.FloatAttr.get(red.results[0].type, -0.0)).result
            new = ir.Operation.create("vector.reduction", results=[red.results[0].type],
                                      operands=[red.operands[0], zero],
                                      attributes={k: red.attributes[k] for k in ("kind", "fastmath") if k in red.attributes})
        red.results[0].replace_all_uses_with(new.results[0])
        red.erase()
        count += 1
    return count


def _positive_zero(v: ir.Value) -> bool:
    owner = v.owner.operation if isinstance(v.owner, ir.OpView) else v.owner
    if not isinstance(owner, ir.Operation) or owner.name != "arith.constant":
        return False
    attr = owner.attributes["value"]
    if not isinstance(attr, ir.DenseElementsAttr) or not ir.DenseElementsAttr(attr).is_splat:
        return False
    value = ir.DenseElementsAttr(attr).get_splat_value()
    return isinstance(value, ir.FloatAttr) and ir.FloatAttr(value).value == 0.0 and \
        str(ir.FloatAttr(value)).lstrip().startswith("0")
