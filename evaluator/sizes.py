"""Allocation sizes that fold to constants, folded by MLIR itself (sparse conditional constant propagation).

Why: the memory limit must not depend on the optimiser. A `memref.alloc(%n)` of 100 GB that is never read
passes every run, because the O3 build deletes it; a build without optimisation would fail. So every
allocation (heap, stack, global; memref or LLVM dialect) whose size folds to a constant is sized before
anything is compiled, and refused above the limit whatever the optimiser would do. The folding is MLIR's
`sccp` on a clone of the module: it folds through arith, index, affine.apply, casts, `memref.dim` of static
shapes, constant branches and (interprocedurally) constant arguments of private helpers, and it keeps
allocations it could delete; integer reads at constant indices of a `memref.global constant` table are
folded in between, as sccp does not look into globals. Sizes that depend on data or loop indices stay dynamic: the counting allocator
limits those at run time.
"""

from __future__ import annotations

import re

from mlir import ir, passmanager
from mlir.dialects import arith

from neurojit.compiler.kernel import walk

ALLOCATIONS = frozenset({"memref.alloc", "memref.alloca", "memref.realloc", "llvm.alloca"})
STACK = frozenset({"memref.alloca", "llvm.alloca"})
GLOBALS = {"memref.global": "type", "llvm.mlir.global": "global_type"}
_TAG = "neurojit.allocation"
_CONSTANTS = frozenset({"arith.constant", "llvm.mlir.constant", "index.constant"})


def constant_sizes(module: ir.Module) -> list[tuple[ir.Operation, int]]:
    """Every allocation of `module` whose size in bytes folds to a constant, with that size (negative where
    the count folds to a negative number), in program order."""
    ops = [op for op in walk(module.operation) if op.name in ALLOCATIONS or op.name in GLOBALS]
    clone = module.operation.clone()  # the folded ops live in it: keep it alive while they are read
    folded = _fold(clone, ops)
    out = []
    for i, op in enumerate(ops):
        size = _global_bytes(op) if op.name in GLOBALS else _allocation_bytes(folded.get(i, op))
        if size is not None:
            out.append((op, size))
    del folded, clone
    return out


def _fold(clone: ir.Operation, ops: list[ir.Operation], names=ALLOCATIONS | GLOBALS.keys(),
          pipeline: str = "builtin.module(sccp)") -> dict[int, ir.Operation]:
    """The ops of `clone` (of the module holding `ops`, every op named in `names`) after sccp (or `pipeline`), by
    their index in `ops`; empty where it fails (then only what is already constant counts)."""
    tagged = [op for op in walk(clone) if op.name in names]
    if len(tagged) != len(ops):
        return {}
    i64 = ir.IntegerType.get_signless(64, clone.context)
    for i, op in enumerate(tagged):
        op.attributes[_TAG] = ir.IntegerAttr.get(i64, i)
    sccp = passmanager.PassManager.parse(pipeline, clone.context)
    try:
        sccp.run(clone)
        if _fold_table_reads(clone):  # a size read from a constant table is a constant too: fold on from it
            sccp.run(clone)
    except ir.MLIRError:
        return {}
    return {ir.IntegerAttr(op.attributes[_TAG]).value: op for op in walk(clone) if _TAG in op.attributes}


# ops whose regions run at most once each time the op runs (or hand the stack back: they end the walk)
_ONCE = frozenset({"scf.if", "scf.execute_region", "scf.index_switch", "affine.if", "scf.reduce", "scf.in_parallel",
                   "async.execute"})
_SCOPES = frozenset({"memref.alloca_scope", "func.func", "llvm.func", "builtin.module"})


def stack_uses(module: ir.Module) -> list[tuple[ir.Operation, int | None, int | None]]:
    """Every stack allocation of `module` (memref.alloca, llvm.alloca), its size in bytes (None where it is not a
    constant) and how many of it may be live at once (None: no bound known). An alloca's stack is handed back
    when its function returns or its `memref.alloca_scope` ends, not when a loop's iteration does: one inside a
    loop takes its size again on every iteration (LLVM places an alloca outside the entry block where it is). So
    each counts times the trip counts of the loops between it and its function or scope; a loop whose trip count
    does not fold to a constant (after MLIR's lower-affine and sccp on a clone), a `scf.while`, an unstructured
    cycle of blocks, or any other op that may run a region more than once leaves it unbounded."""
    ops = [op for op in walk(module.operation) if op.name in STACK]
    if not ops:
        return []
    clone = module.operation.clone()
    folded = _fold(clone, ops, STACK, "builtin.module(lower-affine, sccp)")
    if not folded:  # (lower-affine failed: sccp alone, on a fresh clone)
        clone = module.operation.clone()
        folded = _fold(clone, ops, STACK)
    out = []
    for i, op in enumerate(ops):
        f = folded.get(i)
        out.append((op, _allocation_bytes(f or op), _times(f) if f is not None else _times(op)))
    del folded, clone
    return out


def _times(op: ir.Operation) -> int | None:
    times, at = 1, op
    while True:
        if _in_cycle(at):
            return None
        parent = at.parent
        if parent is None or parent.name in _SCOPES:
            return times
        if parent.name not in _ONCE:
            trips = _trips(parent)
            if trips is None:
                return None
            times *= max(trips, 0)
        at = parent


def _in_cycle(op: ir.Operation) -> bool:
    """Whether the block holding `op` can branch back to itself (a loop of blocks: cf.br, cf.cond_br)."""
    block = op.block
    seen, todo = set(), list(block.successors)
    while todo:
        b = todo.pop()
        if b == block:
            return True
        if b not in seen:
            seen.add(b)
            todo.extend(b.successors)
    return False


def _trips(loop: ir.Operation) -> int | None:
    """The iterations of an scf loop whose bounds fold to constants (a parallel loop's over all its dimensions);
    None for any other op with a region, or bounds that do not fold."""
    operands = list(loop.operands)
    if loop.name == "scf.for":
        bounds = [[_constant(v) for v in operands[:3]]]
    elif loop.name == "scf.parallel":
        n = list(ir.DenseI32ArrayAttr(loop.attributes["operandSegmentSizes"]))[0]
        bounds = [[_constant(operands[d + k * n]) for k in range(3)] for d in range(n)]
    elif loop.name == "scf.forall":
        dynamic = iter(operands)
        static = [list(ir.DenseI64ArrayAttr(loop.attributes[a])) for a in
                  ("staticLowerBound", "staticUpperBound", "staticStep")]
        cols = [[_constant(next(dynamic)) if ir.ShapedType.is_dynamic_size(x) else x for x in row] for row in static]
        bounds = [list(b) for b in zip(*cols)]
    else:
        return None
    trips = 1
    for lb, ub, step in bounds:
        if None in (lb, ub, step) or step <= 0:
            return None
        trips *= max(0, -(-(ub - lb) // step))
    return trips


def _fold_table_reads(clone: ir.Operation) -> int:
    """Replace every integer `memref.load` at constant indices from a `memref.global constant` by the element
    it reads (sccp does not look into globals); return how many."""
    tables = {ir.StringAttr(op.attributes["sym_name"]).value: op for op in walk(clone)
              if op.name == "memref.global" and "constant" in op.attributes and "initial_value" in op.attributes}
    count = 0
    for op in [o for o in walk(clone) if o.name == "memref.load"]:
        source = getattr(op.operands[0].owner, "operation", None)
        if source is None or source.name != "memref.get_global":
            continue
        table = tables.get(ir.FlatSymbolRefAttr(source.attributes["name"]).value)
        index = [_constant(v) for v in list(op.operands)[1:]]
        if table is None or None in index:
            continue
        init = table.attributes["initial_value"]
        if not isinstance(init.maybe_downcast(), ir.DenseIntElementsAttr):
            continue
        values = ir.DenseIntElementsAttr(init)
        shape = ir.MemRefType(op.operands[0].type).shape
        flat = 0
        for i, n in zip(index, shape):
            if not 0 <= i < n:
                break
            flat = flat * n + i
        else:
            value = values.get_splat_value() if values.is_splat else values[flat]
            value = ir.IntegerAttr(value).value if isinstance(value, ir.Attribute) else int(value)
            with op.context, op.location, ir.InsertionPoint(op):
                folded = arith.ConstantOp(op.results[0].type, value)
            op.results[0].replace_all_uses_with(folded.result)
            count += 1
    return count


def _allocation_bytes(op: ir.Operation) -> int | None:
    if op.name == "llvm.alloca":
        count = _constant(op.operands[0])
        elem = ir.TypeAttr(op.attributes["elem_type"]).value
        return None if count is None else count * type_bytes(elem)
    mtype = ir.MemRefType(op.results[0].type)
    operands = list(op.operands)
    if op.name == "memref.realloc":
        dynamic = operands[1:]
    else:
        dynamic = operands[:list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))[0]]
    count, k = 1, 0
    for d in mtype.shape:
        if ir.ShapedType.is_dynamic_size(d):
            if k >= len(dynamic) or (d := _constant(dynamic[k])) is None:
                return None
            k += 1
        count *= d
    return count * type_bytes(mtype.element_type)


def _global_bytes(op: ir.Operation) -> int | None:
    t = ir.TypeAttr(op.attributes[GLOBALS[op.name]]).value.maybe_downcast()
    if isinstance(t, ir.MemRefType):
        if not t.has_static_shape:
            return None
        return _product(t.shape) * type_bytes(t.element_type)
    return type_bytes(t)


def _constant(value: ir.Value) -> int | None:
    owner = value.owner
    if isinstance(owner, ir.Block) or owner.name not in _CONSTANTS or "value" not in owner.attributes:
        return None
    try:
        return ir.IntegerAttr(owner.attributes["value"]).value
    except (ValueError, TypeError):
        return None


def _product(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def type_bytes(t: ir.Type) -> int:
    """Bytes of one value of type `t`: a lower bound (no padding counted; 1 where the type is unknown)."""
    known = _builtin_bytes(t)
    return known if known is not None else _llvm_bytes(str(t).removeprefix("!llvm."), t.context)


def _builtin_bytes(t: ir.Type) -> int | None:
    t = t.maybe_downcast()
    if isinstance(t, ir.IndexType):
        return 8
    if isinstance(t, ir.IntegerType):
        return max(1, (t.width + 7) // 8)
    if isinstance(t, ir.FloatType):
        return max(1, t.width // 8)
    if isinstance(t, ir.ComplexType):
        return 2 * type_bytes(t.element_type)
    if isinstance(t, ir.MemRefType):
        return 8  # a memref held as a value: at least a pointer
    if isinstance(t, (ir.VectorType, ir.RankedTensorType)):
        return _product(t.shape) * type_bytes(t.element_type) if t.has_static_shape else 1
    return None


def _llvm_bytes(text: str, context: ir.Context) -> int:
    """LLVM dialect types, from their text (nested ones print without the `!llvm.` prefix)."""
    if text == "ptr" or text.startswith("ptr<"):
        return 8
    m = re.fullmatch(r"array<(\d+) x (.+)>", text)
    if m:
        return int(m.group(1)) * _llvm_bytes(m.group(2), context)
    if text.startswith("struct<") and "(" in text:
        return sum(_llvm_bytes(f, context) for f in _fields(text[text.index("(") + 1: text.rindex(")")]))
    try:
        known = _builtin_bytes(ir.Type.parse(text, context))
    except (ir.MLIRError, ValueError):
        return 1
    return 1 if known is None else known


def _fields(text: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    return out + ([tail] if tail else [])
