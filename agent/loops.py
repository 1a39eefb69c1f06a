"""A kernel written as plain affine loops, seen by what MLIR's affine passes may safely do to it.

The vectoriser (`affine-super-vectorize`) turns a loop whose iterations touch consecutive elements into
vector steps of the virtual vector size, and lets the memref's bounds, not the loop's, mask the last step:
a loop that stops short of its memref's end (`for j = 1 to 249` on a 250-wide row) would have its last
vector write past the loop's end. `vector_widths` is the widths for which that cannot happen, judged on the
loops the vectoriser does vectorise at each width (not on every loop: in PolyBench's symm it vectorises the
columns, whose trip count 16 divides, around a triangular sum it leaves scalar): each of them is one whose
index is the fastest-varying index of no access, or whose trip count the width divides, or that covers the
accessed dimension exactly (from 0 to its size, the index used as it is) and carries no value from one
iteration to the next; and at that width the vectoriser finds some loop to vectorise (on a Floyd-Warshall or
Gauss-Seidel sweep it finds none, and a schedule that changes nothing is a wasted candidate).
`spread_loops`: the loops MLIR's dependence analysis (`affine-parallelize`) proves parallel, outermost ones
only, and which of them a schedule may spread over cores (not one dispatched again on every trip of a
sequential loop around it for less work than `WORK_PER_DISPATCH`).
`row_jams`: the parallel loops whose copies may be fused into their one inner loop, where the copies share
what they read (a stencil's rows: the row below one copy's point is the next copy's own row) or carry sums
LLVM may pack into vectors (see the function).
"""

from __future__ import annotations

import json
import logging
import sys

from mlir import ir, passmanager

from neurojit.compiler import errors, preflight
from neurojit.compiler.flops import loop_bounds
from neurojit.compiler.iteration_space import offset, range_never_negative, trip_count
from neurojit.compiler.kernel import public_funcs, walk
from neurojit.compiler.recurrences import carried_chains
from neurojit.compiler.scalars import defined_above
from neurojit.compiler.split_loops import restricts_widths
from neurojit.compiler.tasks import UNKNOWN_TRIPS, WORK_PER_DISPATCH, work

log = logging.getLogger(__name__)

WIDTHS = (4, 8, 16, 32, 64)


def affine_facts(text: str, origin: str) -> dict:
    """What the affine schedules need to know of the kernel `text`: its affine form as the payload "affine"
    gives it (`text`; `changed`: sums promoted plus loops split, compiler/raise_loops.affine_form), on that
    form the vectoriser's safe `widths` and whether they are `inner` only (`vector_widths`), the loops worth
    `spread` over cores (`spread_loops`), and whether some loop `rotates` (`rotates`). Found in a child
    process: MLIR's vectoriser aborts the process on some nests (an assertion, "Cannot destroy a value that
    still has uses", where an inner loop's bound is the index of the loop it vectorises), and rewriting IR
    through the Python bindings can crash it; a CompileError then, as for an MLIRError. Where the first child
    fails, a second finds the facts without the vectoriser (no safe widths): the loops may still be spread over
    the cores and jammed (an online softmax's rows, whose loop carrying its max and sum the vectoriser asserted on,
    had no schedule at all)."""
    try:
        reply = preflight.run_child("neurojit.agent.loops", {"text": text, "origin": origin}, origin,
                                    "analysing the affine loops of")
        if not reply["ok"]:
            raise errors.rebuild(reply)
        return reply
    except errors.NeuroJITError as first:  # (a crash is raised, an error in the child replied)
        try:
            again = preflight.run_child("neurojit.agent.loops", {"text": text, "origin": origin, "vectorise": False},
                                        origin, "analysing the affine loops (without the vectoriser) of")
        except errors.NeuroJITError:
            raise first from None
        if not again["ok"]:
            raise first from None
        log.warning("MLIR's vectoriser fails on the loops of %s (%s): no vector width is proposed for them", origin,
                    str(first)[:200])
        return again


def _facts(source: str, vectorise: bool = True) -> dict:
    from neurojit.compiler.raise_loops import affine_form

    form = ir.Module.parse(source)
    _, changed = affine_form(form)
    text = str(form)
    if aliased(ir.Module.parse(source)) or aliased(form):  # MLIR's affine dependence analysis takes two memrefs
        # for two buffers (seen as written too: the affine form's canonicalisation merges two get_global of one)
        return {"text": text, "changed": changed, "widths": [], "inner": False, "spread": [], "rotates": False,
                "jams": [], "affine_loops": 0, "jam_sums": False, "jam_most": 0, "recurrences": 0, "alias_splits": 0,
                "alias_spread": 0, "mirrored": 0, "mirror_spread": 0, "column_blocks": 0, "block_spread": 0}
    spread = spread_loops(str(raised(text)))
    widths, inner = vector_widths(text, any(spread)) if vectorise else ((), False)
    # the loops to jam as the schedule that jams them sees them: the affine form where the kernel's loops had to
    # be raised to it, else the kernel as written (loops not split)
    as_written = text if _raised_any(source) else source
    jams, count, sums, most = row_jams(as_written)
    splits, split_spread = alias_splits(as_written)
    mirrored, mirror_spread = mirrored_columns(text)
    blocked, block_spread = column_blocks(text)
    return {"text": text, "changed": changed, "widths": list(widths), "inner": inner, "spread": list(spread),
            "rotates": rotates(text), "jams": list(jams), "affine_loops": count, "jam_sums": sums,
            "jam_most": most, "recurrences": carried_chains(raised(as_written)), "alias_splits": splits,
            "alias_spread": split_spread, "mirrored": mirrored, "mirror_spread": mirror_spread,
            "column_blocks": blocked, "block_spread": block_spread}


def alias_splits(text: str) -> tuple[int, int]:
    """The loops split where one iteration writes what every iteration reads (compiler/alias_split.py) on the
    kernel as `text` has it, raised as the split raises it; and of the loops MLIR's dependence analysis then
    proves parallel, how many are worth spreading (`spread_loops`)."""
    from neurojit.compiler.alias_split import split_at_aliases

    module = raised(text)
    count = split_at_aliases(module)
    return count, (sum(spread_loops(str(module))) if count else 0)


def column_blocks(text: str) -> tuple[int, int]:
    """The column loops run a block at a time inside one loop over the blocks (compiler/column_blocks.py) on the
    kernel's affine form `text`; and of the loops MLIR's dependence analysis then proves parallel, how many are
    worth spreading (`spread_loops`: the loop over the blocks, where it is)."""
    from neurojit.compiler.column_blocks import block_columns

    module = raised(text)
    count = block_columns(module)
    return count, (sum(spread_loops(str(module))) if count else 0)


def mirrored_columns(text: str) -> tuple[int, int]:
    """The loads of arrays read down a column beside a row that a transposed copy would serve
    (compiler/mirror.py) on the kernel's affine form `text`, as the payload "affine" gives it; and of the loops
    MLIR's dependence analysis then proves parallel, how many are worth spreading (`spread_loops`)."""
    from neurojit.compiler.mirror import mirror_columns

    module = raised(text)
    count = mirror_columns(module)
    return count, (sum(spread_loops(str(module))) if count else 0)


def aliased(module: ir.Module) -> bool:
    """Whether the public function reaches one buffer through two memref values: a view (collapse_shape,
    subview, cast, ...: an op making a memref of a memref) used beside its source or beside another view of it.
    MLIR's affine dependence analysis (`affine-parallelize`, the vectoriser, loop-invariant code motion) takes
    two memref values for two buffers: a row loop reading row i + 1 through a flat view of the array it writes
    row i of is "parallel" to it, and its jammed or spread copies read rows already written. (Two get_global of
    one global are two values too.)"""
    func = _public(module)
    roots: dict = {}
    for op in walk(func):
        results = [r for r in op.results if isinstance(r.type, ir.MemRefType)]
        sources = [v for v in op.operands if isinstance(v.type, ir.MemRefType)]
        if results and sources:
            continue  # a view: its uses count, not it
        for v in sources:
            root = v
            while not isinstance(root.owner, ir.Block) and any(
                    isinstance(x.type, ir.MemRefType) for x in root.owner.operands):
                root = next(x for x in root.owner.operands if isinstance(x.type, ir.MemRefType))  # its source
            if not isinstance(root.owner, ir.Block) and root.owner.operation.name == "memref.get_global":
                root = str(root.owner.operation.attributes["name"])  # every get_global of one global: one buffer
            roots.setdefault(root, set()).add(v)
    return any(len(vs) > 1 for vs in roots.values())


def _public(module: ir.Module) -> ir.Operation:
    """The kernel's public function: the analyses below look at its loops only (a private helper it calls is
    lowered as written)."""
    return public_funcs(module)[0]


def _raised_any(source: str) -> bool:
    """Whether the kernel has loops other than affine.for (scf loops the affine form raises)."""
    return any(op.name in ("scf.for", "scf.parallel", "affine.parallel")
               for op in walk(ir.Module.parse(source).operation))


def rotates(text: str) -> bool:
    """Whether some affine loop yields one of its own iter_args as it came in (a value passed on from one
    iteration to the next, as deriche's filters pass theirs), or its own index: MLIR's `affine-loop-unroll` then
    has the second copy yield the stale one (seen: deriche wrong at any unroll factor above 1; a loop yielding
    its index, a red team's); or an iter_arg starts from a value the loop also takes as a bound or as another
    iter_arg's start (MLIR replaces that value's every use in the rest loop after the unrolled one by the
    unrolled loop's result: two running sums from one zero started from one result, a count started at the
    loop's bound made its bound: a red team's)."""
    module = ir.Module.parse(text)
    for loop in walk(_public(module)):
        if loop.name == "affine.for" and len(loop.results):
            args = list(loop.regions[0].blocks[0].arguments)  # (its index too, yielded: as wrong)
            block = loop.regions[0].blocks[0]
            yielded = list(list(block.operations)[-1].operands)
            operands = list(loop.operands)
            inits = operands[len(operands) - len(loop.results):]
            if any(v in args for v in yielded) or any(v in operands[:len(operands) - len(inits) + k]
                                                      for k, v in enumerate(inits)):
                return True
    return False


def vector_widths(text: str, spread: bool = False) -> tuple[tuple[int, ...], bool]:
    """Vector sizes at which the super-vectoriser turns some loop of the kernel into vector steps, none of
    them writing past its loop's end: each loop it vectorises at that size (its step multiplied) either has a
    trip count the size divides or no access that restricts it (`restricts_widths`; a triangular loop that
    does restrict is never safe). The loops are the vectoriser's own choice, seen as the schedule runs it:
    after hoisting, and with `spread` both with `affine-parallelize` before it (a loop made parallel is not
    vectorised, so it may pick another) and without (the schedule at one task): a width must be safe in both.
    With the widths, whether every loop it vectorises, at any of them, is an innermost loop that carries
    nothing (a stencil's, a map's): one LLVM's loop vectoriser takes as well."""
    found, inner = None, True
    for parallel in (False, True) if spread else (False,):
        widths, alike = _widths(text, "affine-raise-from-memref,affine-loop-invariant-code-motion" + (
            ",affine-parallelize{max-nested=1}" if parallel else ""))
        found = widths if found is None else tuple(w for w in found if w in widths)
        inner = inner and alike
    return found, inner and bool(found)


def _widths(text: str, prefix: str) -> tuple[tuple[int, ...], bool]:
    found, inner = [], True
    base = _after(text, prefix)  # (kept: its ops live as long as the module)
    before = [op for op in walk(_public(base)) if op.name == "affine.for"]
    vectors_before = sum(op.name.startswith("vector.") for op in walk(_public(base)))
    for width in WIDTHS:
        module = _after(text, f"{prefix},{vectorize(width)}")
        ops = list(walk(_public(module)))
        after = [op for op in ops if op.name == "affine.for"]
        if len(before) != len(after) or sum(op.name.startswith("vector.") for op in ops) <= vectors_before:
            continue
        taken = [a for a, b in zip(before, after) if _step(b) != _step(a)]
        if all(_safe(a, width) for a in taken):
            found.append(width)
            inner = inner and all(not a.results and not any(o.name == "affine.for" for o in walk(a))
                                  for a in taken)
    return tuple(found), inner


def _step(loop: ir.Operation) -> int:
    return ir.IntegerAttr(loop.attributes["step"]).value


def _safe(loop: ir.Operation, width: int) -> bool:
    """Whether vectorising the loop by `width` lanes writes nothing past its end (see `vector_widths`)."""
    restricts = restricts_widths(loop)
    if restricts is None:
        return False
    if not restricts:
        return True
    lb, ub, step = loop_bounds(loop)
    return ((ub - lb) // step) % width == 0


def vectorize(width: int) -> str:
    """The super-vectoriser's pass as the affine-loop schedule runs it."""
    return f"affine-super-vectorize{{virtual-vector-size={width} vectorize-reductions=true}}"


def _after(text: str, passes: str) -> ir.Module:
    """The kernel (MLIR text, parsed in the current context) with `passes`, a func.func pipeline, run on it."""
    module = ir.Module.parse(text)
    passmanager.PassManager.parse(f"builtin.module(func.func({passes}))").run(module.operation)
    return module


def raised(text: str) -> ir.Module:
    """The kernel with its memref.load/store in affine loops made affine.load/store where their indices are
    affine (`affine-raise-from-memref`): what the affine passes, and the checks here, can see."""
    return _after(text, "affine-raise-from-memref")


def spread_loops(text: str) -> tuple[bool, ...]:
    """For each loop `affine-parallelize` proves parallel (the outermost of each nest), in program order:
    whether spreading it over cores pays. A loop at the function's top level is dispatched once (held to
    `WORK_PER_DISPATCH` only where its trip counts are known); one inside a sequential loop (a stencil's rows inside its time loop, LU's pivot loop, atax's rows) is dispatched
    again on every trip of it, and pays only with `WORK_PER_DISPATCH` or more a trip (the lowering decides
    again on the loops a schedule leaves: compiler/tasks.py)."""
    module = _after(text, "affine-parallelize{max-nested=1}")
    return tuple(work(op, UNKNOWN_TRIPS if op.parent.name == "func.func" else 1) >= WORK_PER_DISPATCH
                 for op in walk(_public(module)) if op.name == "affine.parallel")


def row_jams(text: str) -> tuple[tuple[int, ...], int, bool, int]:
    """The affine loops to unroll and jam, as positions in the order `transform.structured.match` hands them
    out (MLIR's walk: inner loops before the loop around them); how many affine loops the public function has
    once its accesses are raised; whether some of them are jammed for their sums; and the smallest constant
    trip count among them (0: none constant), which a jam factor may not pass (MLIR refuses: "failed to unroll
    and jam"). A loop qualifies where:
    - `affine-parallelize` proves it parallel (at any depth; interleaving its iterations in any order is then
      legal: no dependence runs between two of them), it carries nothing, and
    - its range is never negative (`range_never_negative`: where the loop around it can put the lower bound
      past the upper, `for j = t + 1 to 20` at t = 20, MLIR's jammed loop computes its rest from a negative trip
      count and runs j = 19), each bound one map result (the rest of a min or max bound: MLIR refuses), and a
      constant trip count is at least 2, and
    - it holds exactly one loop, innermost, whose bounds do not depend on its index, and that inner loop either
      - reads some memref at more than one offset of the outer index (a stencil's rows i - 1, i, i + 1; it
        carries nothing): the jammed copies read each other's rows, which LLVM then loads once for several of
        them (measured on znver4, PolyBench's Jacobi-2d at 248 rows against its naive loops: 1.28x at one task
        and two copies, 2.2x at two tasks; a plain map gains nothing from it and gets no jam), or
      - sums into one value (its iter_args, or an element of a memref its index does not move): the copies'
        sums are independent chains over neighbouring elements, which LLVM packs into vectors (PolyBench's lu and
        ludcmp, the row loop of their upper part around a sum down a column: 1.5x and 1.6x at 8 copies; they
        had no proposal).
    """
    module = raised(text)
    pre = [op for op in walk(_public(module)) if op.name == "affine.for"]
    post = []
    _public(module).walk(lambda op: (post.append(op) if op.name == "affine.for" else None)
                          or ir.WalkResult.ADVANCE)
    parallel = _after(str(module), "affine-parallelize")
    kinds = [op.name for op in walk(_public(parallel)) if op.name in ("affine.for", "affine.parallel")]
    if len(kinds) != len(pre):
        return (), len(pre), False, 0
    found, sums, trips = [], False, []
    for loop, kind in zip(pre, kinds):
        why = _jam_kind(loop) if kind == "affine.parallel" else None
        if why:
            found.append(next(k for k, op in enumerate(post) if op == loop))
            sums = sums or why == "sums"
            trip = trip_count(loop)
            if trip is not None:
                trips.append(trip)
    return tuple(sorted(found)), len(pre), sums, min(trips, default=0)


def _jam_kind(loop: ir.Operation) -> str | None:
    """"rows" or "sums" where the loop qualifies for `row_jams` (for that reason), else None."""
    if len(loop.results) or not range_never_negative(loop):
        return None
    trip = trip_count(loop)
    if trip is not None and trip < 2:
        return None  # one trip (or none): nothing to jam
    iv = loop.regions[0].blocks[0].arguments[0]
    inner = [op for op in walk(loop) if op.name in ("affine.for", "affine.parallel", "affine.if", "scf.for",
                                                     "scf.while", "scf.if")]
    if len(inner) != 1 or inner[0].name != "affine.for":
        return None
    operands = list(inner[0].operands)
    if any(not defined_above(v, loop) for v in operands[:len(operands) - len(inner[0].results)]):  # (then its iter_args)
        return None  # its bounds move with the outer index (a triangle), directly or through affine.apply
    if iv in operands[len(operands) - len(inner[0].results):]:
        return None  # a sum started from the outer index itself: MLIR's jammed copies start from an index
        # computed after the inner loop ("operand does not dominate its use")
    if len(inner[0].results) or _sums_in_memory(inner[0]):
        return "sums"
    offsets: dict = {}
    for op in walk(inner[0]):
        if op.name != "affine.load":
            continue
        operands = list(op.operands)[1:]
        amap = ir.AffineMapAttr(op.attributes["map"]).value
        for k, expr in enumerate(amap.results):
            for pos, v in enumerate(operands):
                if v == iv:
                    off = offset(expr, pos)
                    if off is not None:
                        offsets.setdefault((str(op.operands[0].get_name()), k), set()).add(off)
    return "rows" if any(len(v) > 1 for v in offsets.values()) else None


def _sums_in_memory(loop: ir.Operation) -> bool:
    """Whether the loop loads and stores one element on every iteration: its index in none of the subscripts."""
    iv = loop.regions[0].blocks[0].arguments[0]
    ops = [op for op in walk(loop) if op.name in ("affine.load", "affine.store")]
    for store in (op for op in ops if op.name == "affine.store"):
        at = list(store.operands)[2:]
        if iv in at:
            continue
        if any(op.name == "affine.load" and op.operands[0] == store.operands[1] and list(op.operands)[1:] == at
               and str(op.attributes["map"]) == str(store.attributes["map"]) for op in ops):
            return True
    return False


def _child() -> int:
    req = json.loads(sys.stdin.read())
    with ir.Context():
        print(json.dumps(preflight.child_reply(req["origin"], lambda: _facts(req["text"], req.get("vectorise", True)))))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
