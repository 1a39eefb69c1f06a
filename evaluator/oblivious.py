"""Whether a kernel's memory behaviour is data-oblivious: the addresses it touches, the branches it takes, the
loops' trip counts and the sizes it allocates follow from its loop indices and constants alone, never from a
value it read (an element of an argument, or a scalar argument).

Such a kernel does the same accesses and allocations on every input of its shapes, so a bounds check, a guard
page or a leak count that passes on one pair of arguments in a placement passes on all of them (equivalence.py
then runs the checked build on a few pairs instead of every one; the normal build still runs every pair). A
kernel that branches, indexes or sizes by a value (a gather, a data-dependent early exit, a select between two
buffers) is not oblivious, and every pair runs in the checked build as before: a conditional cheat's unsafe
access lives behind exactly such a dependence.

A taint analysis on the kernel as the lowering receives it (after its schedule; memref, vector, scf, affine,
linalg or tensor ops): values read from memory, scalar arguments and a structured op's element arguments are
data; data flows through every op's results (through loops' carried values and the results of region ops by
position) to a fixed point. It is conservative: an op it does not know, a call, an op of the llvm dialect or a
block reached by a branch makes the kernel not oblivious."""

from __future__ import annotations

from mlir import ir

from neurojit.compiler.kernel import walk

# reads: their results are data; every operand but the ones listed as values is an address, a mask or a bound
_READS = {
    "memref.load": (), "affine.load": (), "vector.load": (), "affine.vector_load": (), "tensor.extract": (),
    "vector.transfer_read": ("padding",), "vector.maskedload": (-1,), "vector.gather": (-1,),
    "vector.expandload": (-1,), "memref.atomic_rmw": (0,), "memref.generic_atomic_rmw": (),
    "memref.extract_aligned_pointer_as_index": (),  # a pointer's value differs between placements
}
# writes and other accesses: every operand but the stored value (by position) must not be data
_WRITES = {
    "memref.store": (0,), "affine.store": (0,), "vector.store": (0,), "affine.vector_store": (0,),
    "vector.transfer_write": (0,), "vector.maskedstore": (-1,), "vector.scatter": (-1,),
    "vector.compressstore": (-1,), "tensor.insert": (0,), "memref.prefetch": (), "memref.copy": (),
    "memref.dealloc": (), "memref.alloc": (), "memref.alloca": (), "memref.realloc": (),
    "memref.subview": (), "memref.view": (), "memref.reinterpret_cast": (), "memref.expand_shape": (),
    "memref.collapse_shape": (), "memref.cast": (), "memref.transpose": (), "memref.memory_space_cast": (),
    "memref.assume_alignment": (), "memref.extract_strided_metadata": (), "memref.dim": (), "memref.rank": (),
    "memref.get_global": (), "tensor.empty": (), "tensor.extract_slice": (), "tensor.insert_slice": (),
    "tensor.parallel_insert_slice": (), "tensor.dim": (), "tensor.cast": (), "tensor.collapse_shape": (),
    "tensor.expand_shape": (), "tensor.splat": (0,), "tensor.concat": (), "tensor.bitcast": (),
    "bufferization.to_tensor": (), "bufferization.to_buffer": (), "bufferization.alloc_tensor": (),
    "bufferization.materialize_in_destination": (), "bufferization.dealloc_tensor": (),
    "bufferization.clone": (),
    "vector.extract": (0,), "vector.insert": (0, 1),  # dynamic positions are the other operands
    "vector.type_cast": (),
}
_VALUES_ONLY = {"tensor.from_elements", "scf.yield", "affine.yield", "linalg.yield", "tensor.yield",
                "scf.reduce", "scf.reduce.return", "scf.forall.in_parallel", "func.return", "vector.yield",
                "memref.atomic_yield", "memref.alloca_scope.return", "cf.br"}
# control: which operands decide what runs (the rest are carried values)
_BOUNDS = {"scf.if": 1, "scf.condition": 1, "scf.index_switch": 1, "cf.cond_br": 1, "cf.switch": 1,
           "cf.assert": 1, "scf.for": 3, "vector.mask": 1}
_ALL_BOUNDS = {"scf.forall", "scf.parallel", "affine.if", "affine.parallel", "tensor.pad", "tensor.generate"}
# pure value ops: data in, data out, no access
_PURE_DIALECTS = {"arith", "math", "index", "complex", "ub", "vector"}
_PURE = {"affine.apply", "affine.min", "affine.max", "affine.delinearize_index", "affine.linearize_index",
         "builtin.unrealized_conversion_cast", "linalg.index", "vector.create_mask", "memref.alloca_scope",
         "scf.execute_region", "scf.while"}
# vector ops that touch memory or the outside world and are not listed above
_VECTOR_OTHER = {"vector.print"}


def why_not(module: ir.Module) -> str | None:
    """None where every function of `module` is data-oblivious (the module docstring), else the first reason
    it is not: which op, and what of it depends on the data."""
    for op in module.body.operations:
        name = op.operation.name
        if name == "memref.global":
            continue
        if name != "func.func":
            return f"the module holds {name}"
        why = _function(op.operation)
        if why is not None:
            return why
    return None


def _is_shaped_tensor(v: ir.Value) -> bool:
    return isinstance(v.type.maybe_downcast(), (ir.RankedTensorType, ir.UnrankedTensorType))


def _is_buffer(v: ir.Value) -> bool:
    return isinstance(v.type.maybe_downcast(), (ir.MemRefType, ir.UnrankedMemRefType))


def _function(func: ir.Operation) -> str | None:
    if not func.regions or not func.regions[0].blocks:
        return None  # a declaration (the static checks judge what it is)
    if len(func.regions[0].blocks) > 1:
        return "a function body of several blocks (branches between blocks)"
    data: set = set()

    def mark(v: ir.Value) -> bool:
        if _is_shaped_tensor(v) or v in data:  # a tensor's elements are data; its shape is static or bounded
            return False
        data.add(v)
        return True

    for a in func.regions[0].blocks[0].arguments:
        if not _is_buffer(a) and not _is_shaped_tensor(a):
            data.add(a)  # a scalar argument is data
    ops = list(walk(func))
    for op in ops:
        why = _known(op)
        if why is not None:
            return why
    changed = True
    while changed:  # to a fixed point: loops carry data around their back edges
        changed = False
        for op in ops:
            changed |= _propagate(op, data, mark)
    for op in ops:
        why = _sinks(op, data)
        if why is not None:
            return why
    return None


def _dialect(name: str) -> str:
    return name.partition(".")[0]


def _known(op: ir.Operation) -> str | None:
    name = op.name
    if (name in _READS or name in _WRITES or name in _VALUES_ONLY or name in _BOUNDS or name in _ALL_BOUNDS
            or name in _PURE or name in ("scf.for", "affine.for")):
        return None
    if _dialect(name) == "linalg":
        return None
    if _dialect(name) in _PURE_DIALECTS and name not in _VECTOR_OTHER and not op.regions:
        return None
    return f"{name} (an op whose memory behaviour is not analysed)"


def _yields(op: ir.Operation) -> list[list[ir.Value]]:
    """The operands of each region's terminator (the values a region op hands back, by position)."""
    out = []
    for region in op.regions:
        for block in region.blocks:
            ops = list(block.operations)
            if ops:
                out.append(list(ops[-1].operation.operands))
    return out


def _propagate(op: ir.Operation, data: set, mark) -> bool:
    name, changed = op.name, False
    operands = list(op.operands)
    if name in _READS:
        for r in op.results:
            changed |= mark(r)
        if name == "memref.generic_atomic_rmw":
            for a in op.regions[0].blocks[0].arguments:
                changed |= mark(a)
        return changed
    if _dialect(name) == "linalg" and op.regions:  # a structured op's body arguments are elements
        for a in op.regions[0].blocks[0].arguments:
            changed |= mark(a)
    if name in ("scf.for", "affine.for"):
        n = _carried(op)
        inits = operands[len(operands) - n:] if n else []
        body = op.regions[0].blocks[0]
        carried = list(body.arguments)[1:]
        ys = _yields(op)[0] if _yields(op) else []
        for k in range(n):
            if inits[k] in data or (k < len(ys) and ys[k] in data):
                changed |= mark(carried[k])
                changed |= mark(op.results[k])
        return changed
    if name == "scf.while":
        before, after = op.regions[0].blocks[0], op.regions[1].blocks[0]
        cond = list(list(before.operations)[-1].operation.operands)[1:]
        back = list(list(after.operations)[-1].operation.operands)
        for k, a in enumerate(before.arguments):
            if operands[k] in data or (k < len(back) and back[k] in data):
                changed |= mark(a)
        for k, c in enumerate(cond):
            if c in data:
                changed |= mark(list(after.arguments)[k])
                changed |= mark(op.results[k])
        return changed
    if op.regions and (name in _BOUNDS or name in _ALL_BOUNDS or name in _PURE or name == "vector.mask"):
        # results by position from what the regions yield (scf.if, scf.parallel's reductions, vector.mask ...)
        for ys in _yields(op):
            for k, y in enumerate(ys):
                if y in data and k < len(op.results):
                    changed |= mark(op.results[k])
        if name == "scf.parallel":  # its reductions' block arguments combine data
            for inner in walk(op):
                if inner.name == "scf.reduce":
                    for region in inner.regions:
                        for a in region.blocks[0].arguments:
                            changed |= mark(a)
        if name in ("scf.if", "scf.index_switch", "scf.execute_region", "vector.mask", "memref.alloca_scope"):
            return changed
        if name in ("tensor.pad", "tensor.generate", "scf.forall", "scf.parallel", "affine.parallel"):
            return changed  # their block arguments are indices (or a forall's shared tensors)
    if any(v in data for v in operands):
        for r in op.results:
            changed |= mark(r)
    return changed


def _carried(op: ir.Operation) -> int:
    """How many values an scf.for or affine.for carries around its back edge."""
    return len(op.results)


def _sinks(op: ir.Operation, data: set) -> str | None:
    name = op.name
    operands = list(op.operands)
    free: set[int] = set()
    if name in _READS or name in _WRITES:
        spec = _READS.get(name, _WRITES.get(name, ()))
        for s in spec:
            if s == "padding":  # transfer_read: (base, indices..., padding, mask?)
                sizes = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))
                free.add(sizes[0] + sizes[1])
            else:
                free.add(s % len(operands) if operands else 0)
        checked = [k for k in range(len(operands)) if k not in free]
    elif name in _BOUNDS:
        checked = list(range(min(_BOUNDS[name], len(operands))))
    elif name in _ALL_BOUNDS:
        checked = [k for k, v in enumerate(operands) if not _is_shaped_tensor(v)]
        if name == "scf.parallel":  # (lower bounds, upper bounds, steps, then the reductions' initial values)
            rank = len(op.regions[0].blocks[0].arguments)
            checked = list(range(3 * rank))
    elif name == "affine.for":
        checked = list(range(len(operands) - _carried(op)))
    elif name == "arith.select" and op.results and (_is_buffer(op.results[0]) or _is_shaped_tensor(op.results[0])):
        checked = [0]  # a buffer or a tensor chosen by the data (a tensor's buffer, once bufferized)
    elif _dialect(name) == "linalg":  # its buffers (scalars among its inputs are values)
        checked = [k for k, v in enumerate(operands) if _is_buffer(v)]
    else:
        checked = []
    for k in checked:
        if operands[k] in data:
            what = "a buffer chosen by the data" if _is_buffer(operands[k]) else "a value computed from the data"
            return f"{name} takes {what} as its operand #{k} (an address, a mask, a bound or a size; {op.location})"
    return None
