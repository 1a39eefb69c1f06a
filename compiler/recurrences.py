"""Recurrences: what one iteration of a loop hands the next joins each sum last.

A Gauss-Seidel sweep (PolyBench's seidel-2d) computes each point from the point just before it in its row, which
the previous iteration stored: A[i][j] = (A[i-1][j-1] + A[i-1][j] + A[i-1][j+1] + A[i][j-1] + ...) / 9, summed
left to right as written. The carried term A[i][j-1] enters fourth, so the five additions after it and the
division wait on it, and the loop runs at the latency of that chain, not at its throughput. Summed with the
carried term last, one addition and the division are left on the chain (measured on znver4, 400 x 400 in f64,
two sweeps: 1.81x). The same holds for a value carried in iter_args (an IIR filter's previous outputs), and for
an unrolled sweep, whose second copy's carried term is the first copy's result.

The rewrite: in the body of each innermost affine loop marked `MARK` (a schedule's `transform.annotate`), every
value gets an arrival depth: 0 where it depends on nothing carried, 1 for a carried value (an iter_arg, or a load
of an element an earlier iteration of the loop stores: the same subscripts but the loop's index at a lower
offset), one more than its latest operand for an op. Each maximal tree of one associative op (`arith.addf`,
`mulf`, `addi`, `muli`, every inner node used once, in the body's block) whose leaves arrive at different depths
is rebuilt as a left-to-right chain in order of arrival (stable: equal depths keep their order), where that
shortens its deepest path. The terms are the same; a float sum's rounding can change, as a vectorised
reduction's does, within the evaluator's tolerance, which judges every such candidate.

A sum (product) of floats the loop carries in iter_args, its new value yielded, is a reduction LLVM's loop
vectoriser would take with partial sums, but only where its additions may be reordered: they are flagged
`reassoc` (PolyBench's durbin, whose triangular sum over a reversed operand no affine pass vectorises: 2.9x
its naive loops at N = 1000 on znver4). Integer sums LLVM reorders on its own.

A loop also marked `RECIPROCAL` with a non-zero value has each division by a value defined outside it flagged
`arcp` (LLVM then multiplies by the reciprocal, computed once: a Seidel point's chain loses the division's
latency; measured on znver4 as above, 3.4x over the naive loops with the reordering, 1.8x without it). x * (1/y)
can differ from x / y in the last bit, and where 1/y is subnormal (|y| above 2^1022) by more: the evaluator's
huge-value inputs judge that.
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith

from .iteration_space import offset
from .kernel import walk
from .scalars import defined_above

MARK = "neurojit.reassociate"
RECIPROCAL = "neurojit.reciprocal"
ASSOCIATIVE = {"arith.addf": arith.AddFOp, "arith.mulf": arith.MulFOp, "arith.addi": arith.AddIOp,
               "arith.muli": arith.MulIOp}


def reassociate(module: ir.Module) -> int:
    """Rebuild the associative trees of every marked innermost affine loop (see above), in place; how many."""
    done = 0
    for loop in [op for op in walk(module.operation) if op.name == "affine.for" and MARK in op.attributes]:
        if not any(o.name == "affine.for" for o in walk(loop)):
            for _ in range(len(list(walk(loop)))):  # each rebuild shortens a path: at most one per op
                plans = _plan(loop)  # (found again after each: a rebuilt tree's root may be another's leaf)
                if not plans:
                    break
                _rebuild(*plans[0])
                done += 1
            for op in reductions(loop):
                op.attributes["fastmath"] = ir.Attribute.parse("#arith.fastmath<reassoc>")
                done += 1
            if RECIPROCAL in loop.attributes and ir.IntegerAttr(loop.attributes[RECIPROCAL]).value:
                _reciprocals(loop)
    return done


def _reciprocals(loop: ir.Operation) -> None:
    """Flag `arcp` on each float division in the loop's body by a value defined outside the loop."""
    for op in loop.regions[0].blocks[0].operations:
        op = op.operation
        if op.name == "arith.divf" and defined_above(op.operands[1], loop):
            op.attributes["fastmath"] = ir.Attribute.parse("#arith.fastmath<arcp>")


def carried_chains(module: ir.Module) -> int:
    """How many trees `reassociate` would rebuild or reductions free, were every innermost affine loop marked."""
    return sum(len(_plan(loop)) + len(reductions(loop)) for loop in walk(module.operation)
               if loop.name == "affine.for" and not any(o.name == "affine.for" for o in walk(loop)))


def reductions(loop: ir.Operation) -> list[ir.Operation]:
    """The float additions (multiplications) of the loop's reductions, not yet free to be reordered: for each
    iter_arg, the tree of one such op whose root the loop yields in its place and which takes the iter_arg."""
    block = loop.regions[0].blocks[0]
    yielded = list(list(block.operations)[-1].operands)
    found = []
    for arg, out in zip(list(block.arguments)[1:], yielded):
        root = out.owner
        if isinstance(root, ir.Block) or root.name not in ("arith.addf", "arith.mulf") or root.operation.parent != loop:
            continue
        tree = _tree(root.operation, block)
        if any(arg in list(op.operands) for op in tree) and any(
                "reassoc" not in str(op.attributes["fastmath"]) for op in tree):
            found += tree
    return found


def _tree(root: ir.Operation, block: ir.Block) -> list[ir.Operation]:
    """The ops of the tree of `root`'s kind at `root` (see `_inner`), root first."""
    found = [root]
    for v in root.operands:
        if _inner(v, root.name, block):
            found += _tree(v.owner.operation, block)
    return found


def _plan(loop: ir.Operation) -> list[tuple[ir.Operation, list[ir.Value]]]:
    """The trees of the loop's body to rebuild: (root, leaves in their new order)."""
    block = loop.regions[0].blocks[0]
    ops = [o.operation for o in block.operations]
    depth: dict = {}
    for v in list(block.arguments)[1:]:
        depth[v] = 1
    carried = _carried_loads(loop, ops)
    for op in ops:
        if op in carried:
            depth[op.results[0]] = 1
            continue
        d = max((depth.get(v, 0) for v in op.operands), default=0)
        for r in op.results:
            depth[r] = d + 1 if d else 0
    plans = []
    for op in ops:
        if op.name not in ASSOCIATIVE or _inner(op.results[0], op.name, block):
            continue  # not a tree's root
        leaves, old = _leaves(op, block, depth)
        if len({depth.get(v, 0) for v, _ in leaves}) < 2:
            continue
        order = [v for v, _ in sorted(leaves, key=lambda x: depth.get(x[0], 0))]
        new = max(depth[v] + len(order) - max(k, 1) for k, v in enumerate(order) if depth.get(v, 0))
        if new < old:
            plans.append((op, order))
    return plans


def _inner(v: ir.Value, name: str, block: ir.Block) -> bool:
    """Whether `v` is an inner node of a tree of `name` ops in `block`: such an op's result there, used once,
    by another."""
    owner, uses = v.owner, list(v.uses)
    return (not isinstance(owner, ir.Block) and owner.name == name and owner.operation.parent == block.owner
            and len(uses) == 1 and uses[0].owner.name == name)


def _leaves(root: ir.Operation, block: ir.Block, depth: dict) -> tuple[list, int]:
    """The tree's leaves in program order, each with its distance to the root; and the longest path from what
    the loop carries (a carried leaf's arrival depth plus its distance: the others are ready ahead of it)."""
    leaves = []

    def visit(op: ir.Operation, dist: int) -> None:
        for v in op.operands:
            if _inner(v, root.name, block):
                visit(v.owner.operation, dist + 1)
            else:
                leaves.append((v, dist))

    visit(root, 1)
    return leaves, max((depth[v] + d for v, d in leaves if depth.get(v, 0)), default=0)


def _carried_loads(loop: ir.Operation, ops: list[ir.Operation]) -> list[ir.Operation]:
    """The body's loads of an element an earlier iteration stores: a store to the same memref with the same
    operands and map but for one subscript, the loop's index plus a larger constant there."""
    iv = loop.regions[0].blocks[0].arguments[0]
    stores = [o for o in ops if o.name == "affine.store"]
    found = []
    for load in (o for o in ops if o.name == "affine.load"):
        at = list(load.operands)[1:]
        if iv not in at:
            continue
        pos = at.index(iv)
        lmap = ir.AffineMapAttr(load.attributes["map"]).value
        for store in stores:
            if store.operands[1] != load.operands[0] or list(store.operands)[2:] != at:
                continue
            smap = ir.AffineMapAttr(store.attributes["map"]).value
            diff = [(a, b) for a, b in zip(lmap.results, smap.results) if str(a) != str(b)]
            if len(lmap.results) == len(smap.results) and len(diff) == 1:
                lo, hi = (offset(e, pos) for e in diff[0])
                if lo is not None and hi is not None and lo < hi:
                    found.append(load)
                    break
    return found


def _rebuild(root: ir.Operation, order: list[ir.Value]) -> None:
    """Replace the tree at `root` by a left-to-right chain of its op over `order`, and erase the old tree."""
    make = ASSOCIATIVE[root.name]
    old = _tree(root, root.parent.regions[0].blocks[0])
    with ir.InsertionPoint(root), root.location:
        acc = order[0]
        for v in order[1:]:
            acc = make(acc, v).result
    root.results[0].replace_all_uses_with(acc)
    for op in old:  # root first: each op's users are gone before it
        op.erase()
