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
position) to a fixed point; an undefined value (ub.poison, a vector lane out of range) is data too, since lowered
it is whatever a register held. It is conservative: an op it does not know, a call, an op of the llvm dialect or
a region of several blocks (branches) makes the kernel not oblivious.

The checked build also poisons fresh memory, and a read of it must show in its outputs on the few pairs as it
would on any: where the kernel allocates, a second taint follows what may be poison (reads of its own memory, of
an output it stored such a value to) and refuses an op that could show it on some inputs and hide it on others
(a select on the data, a comparison, a maxnum, an integer product: `_poison_shows`)."""

from __future__ import annotations

from mlir import ir

from neurojit.compiler.kernel import OUTPUT_ATTR, walk

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
# Memory the checked build poisons (a fresh heap block, an alloca: NaN for floats, -1 for integers), read before it
# is written; and views, whose memory is their first operand's
_FRESH = {"memref.alloc", "memref.alloca", "memref.realloc", "tensor.empty", "bufferization.alloc_tensor"}
_VIEWS = {"memref.subview", "memref.cast", "memref.reinterpret_cast", "memref.expand_shape", "memref.collapse_shape",
          "memref.transpose", "memref.view", "memref.memory_space_cast", "memref.assume_alignment",
          "memref.extract_strided_metadata", "vector.type_cast", "bufferization.to_buffer", "bufferization.to_tensor",
          "tensor.cast", "tensor.extract_slice", "tensor.expand_shape", "tensor.collapse_shape", "tensor.bitcast"}
# ops after which a poisoned operand shows whatever the others hold (NaN stays NaN, -1 moves a sum by as much on
# every input), or that place it beside them lane by lane
_SHOWS = {"arith.addf", "arith.subf", "arith.mulf", "arith.divf", "arith.remf", "arith.maximumf", "arith.minimumf",
          "arith.negf", "arith.addi", "arith.subi", "arith.xori", "index.add", "index.sub", "index.xor", "math.fma",
          "vector.fma", "vector.broadcast", "vector.shuffle", "vector.from_elements", "vector.interleave",
          "vector.insert_strided_slice"}
# ops that combine the lanes of one operand (or two) by a kind
_LANES = {"vector.reduction", "vector.multi_reduction", "vector.contract", "vector.outerproduct", "vector.scan"}
_SHOWING_KINDS = {"add", "maximumf", "minimumf", "xor"}  # (and mul, of floats)
_SHOWING_ATOMIC = {"assign", "addf", "addi", "mulf", "maximumf", "minimumf"}
# not values: unreachable code (undefined behaviour the optimiser may act on anywhere)
_NOT_PURE = {"ub.unreachable"}


def why_not(module: ir.Module) -> str | None:
    """None where every function of `module` is data-oblivious (the module docstring), else the first reason
    it is not: which op, and what of it depends on the data."""
    constants = set()  # the constant globals (initialised memory, never poisoned nor written)
    for op in module.body.operations:
        if op.operation.name == "memref.global" and "constant" in op.operation.attributes:
            constants.add(ir.StringAttr(op.operation.attributes["sym_name"]).value)
    for op in module.body.operations:
        name = op.operation.name
        if name == "memref.global":
            continue
        if name != "func.func":
            return f"the module holds {name}"
        why = _function(op.operation, constants)
        if why is not None:
            return why
    return None


def _is_shaped_tensor(v: ir.Value) -> bool:
    return isinstance(v.type.maybe_downcast(), (ir.RankedTensorType, ir.UnrankedTensorType))


def _is_buffer(v: ir.Value) -> bool:
    return isinstance(v.type.maybe_downcast(), (ir.MemRefType, ir.UnrankedMemRefType))


def _function(func: ir.Operation, constants: frozenset | set = frozenset()) -> str | None:
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
        if why is None and any(len(region.blocks) > 1 for region in op.regions):
            # (a branch's operands become its successor's block arguments, which no rule here follows)
            why = f"{op.name} holds a region of several blocks (branches between blocks)"
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
    if any(op.name in _FRESH for op in ops):
        return _poison_shows(func, ops, data, constants)
    return None


def _poison_shows(func: ir.Operation, ops: list, data: set, constants) -> str | None:
    """Whether a read of poisoned memory (what the checked build fills fresh memory with) may show in the outputs on
    some inputs only: a select on the data between it and a value, a comparison, a maxnum, a product of integers
    (x 0)... The checked build's outputs on a few pairs would then miss a read of uninitialised memory that the
    others show. Memory that may hold poison: the kernel's own (fresh), an output a value that may be poison is
    stored to, and anything not traced to an argument or a constant global."""
    body = func.regions[0].blocks[0]
    attrs = func.attributes["arg_attrs"] if "arg_attrs" in func.attributes else None
    outs = [attrs is not None and OUTPUT_ATTR in ir.DictAttr(attrs[k]) for k in range(len(body.arguments))]
    if outs and not any(outs):
        outs[-1] = True  # (the kernel convention: else the last argument is the output)
    inputs = {a for k, a in enumerate(body.arguments) if not outs[k]}
    outputs = {a for k, a in enumerate(body.arguments) if outs[k]}
    tainted: set = set()  # outputs a value that may be poison is stored to

    def root(v: ir.Value) -> ir.Value:  # where memory `v` comes from (through views)
        for _ in range(10000):
            owner = v.owner
            if isinstance(owner, ir.Block):
                return v
            op = owner.operation if hasattr(owner, "operation") else owner
            if op.name not in _VIEWS or not len(op.operands):
                return v
            v = op.operands[0]
        return v

    def fresh(v: ir.Value) -> bool:  # may memory `v` hold poison
        r = root(v)
        if r in inputs:
            return False
        if r in outputs:
            return r in tainted
        owner = r.owner
        if not isinstance(owner, ir.Block):
            op = owner.operation if hasattr(owner, "operation") else owner
            if op.name == "memref.get_global":
                return ir.FlatSymbolRefAttr(op.attributes["name"]).value not in constants
        return True

    def taint(dest: ir.Value) -> bool:  # poison stored to `dest`: which outputs may now hold it
        r = root(dest)
        if r in inputs or r in tainted:
            return False
        owner = r.owner
        if r not in outputs and not isinstance(owner, ir.Block):
            op = owner.operation if hasattr(owner, "operation") else owner
            if op.name in _FRESH or op.name == "memref.get_global":
                return False  # (memory that is fresh already)
        new = {r} if r in outputs else outputs - tainted  # (memory of unknown origin: any output)
        tainted.update(new)
        return bool(new)

    poison: set = set()

    def mark(v: ir.Value) -> bool:
        if _is_shaped_tensor(v) or v in poison:
            return False
        poison.add(v)
        return True

    changed = True
    while changed:
        changed = False
        for op in ops:
            changed |= _propagate(op, poison, mark, fresh)
        for op in ops:
            for dest in _stores_poison(op, poison, fresh):
                changed |= taint(dest)
    for op in ops:
        if _hides(op, poison, data, fresh):
            return (f"{op.name} may hide a value read from memory the checked build poisons depending on the data "
                    f"(its reads of uninitialised memory would show on some inputs only; {op.location})")
    return None


def _stores_poison(op: ir.Operation, poison: set, fresh) -> list:
    """The buffers `op` may store a poisoned value to."""
    name = op.name
    operands = list(op.operands)
    if name in ("memref.store", "affine.store", "vector.store", "affine.vector_store", "vector.transfer_write",
                "memref.atomic_rmw"):
        return [operands[1]] if operands[0] in poison else []
    if name in ("vector.maskedstore", "vector.scatter", "vector.compressstore"):
        return [operands[0]] if operands[-1] in poison else []
    if name in ("memref.copy", "bufferization.materialize_in_destination"):
        return [operands[1]] if fresh(operands[0]) else []
    if name == "memref.generic_atomic_rmw" or (_dialect(name) == "linalg" and op.regions):
        args = list(op.regions[0].blocks[0].arguments) if op.regions and op.regions[0].blocks else []
        ys = [y for yields in _yields(op) for y in yields]
        if any(v in poison for v in args + ys + operands) or any(
                (_is_buffer(v) or _is_shaped_tensor(v)) and fresh(v) for v in operands):
            return [v for v in operands if _is_buffer(v)]
        return []
    if _dialect(name) == "linalg" and (any(v in poison for v in operands) or any(
            (_is_buffer(v) or _is_shaped_tensor(v)) and fresh(v) for v in operands)):  # (no body: pack, softmax ...)
        return [v for v in operands if _is_buffer(v)]
    return []


def _kind(op: ir.Operation) -> str:
    if op.name == "memref.atomic_rmw":  # (an enum stored as an integer: its name is in the op's text)
        words = str(op).split()
        return words[words.index("memref.atomic_rmw") + 1] if "memref.atomic_rmw" in words else "?"
    text = str(op.attributes["kind"]) if "kind" in op.attributes else "?"
    return text.partition("<")[2].rstrip(">") or "?"


def _no_nans(op: ir.Operation) -> bool:
    """Whether the op promises no NaN (fastmath nnan or fast) or no wrap (overflow nsw or nuw): a poisoned operand
    (NaN, -1) may then make its result LLVM's poison, on some inputs only."""
    if "overflowFlags" in op.attributes and "<none>" not in str(op.attributes["overflowFlags"]):
        return True
    if "fastmath" not in op.attributes:
        return False
    flags = str(op.attributes["fastmath"])
    return "nnan" in flags or "fast>" in flags or "fast," in flags


def _hides(op: ir.Operation, poison: set, data: set, fresh) -> bool:
    """Whether `op` may show a poisoned operand on some inputs and hide it on others."""
    name = op.name
    operands = list(op.operands)
    if name == "memref.atomic_rmw":  # (value, memref, indices): combines the value with what the memory held
        return (operands[0] in poison or fresh(operands[1])) and _kind(op) not in _SHOWING_ATOMIC
    if (_dialect(name) == "linalg" and not op.regions and name not in ("linalg.pack", "linalg.unpack")
            and any(_is_buffer(v) or _is_shaped_tensor(v) for v in operands)):
        # (softmax, winograd transforms: their arithmetic is not in the IR, a softmax's max may be a maxnum)
        return any(v in poison or ((_is_buffer(v) or _is_shaped_tensor(v)) and fresh(v)) for v in operands)
    if not any(v in poison for v in operands):
        return False
    if _no_nans(op):
        return True
    if name == "arith.select":
        cond, values = operands[0], operands[1:]
        return ((cond in data and any(v in poison for v in values))
                or (cond in poison and any(v in data for v in values)))
    if name in _LANES:
        kind = _kind(op)
        floats = isinstance(ir.VectorType(op.results[0].type).element_type if isinstance(
            op.results[0].type.maybe_downcast(), ir.VectorType) else op.results[0].type, ir.FloatType)
        return name == "vector.scan" or not (kind in _SHOWING_KINDS or (kind == "mul" and floats)) or (
            name in ("vector.contract", "vector.outerproduct") and not floats)  # (a product of integers: x 0)
    if (op.regions or name in _READS or name in _WRITES or name in _VALUES_ONLY or name in _SHOWS
            or _dialect(name) == "linalg"):
        return False  # it moves values (its regions' ops are judged one by one)
    return sum(v in data for v in operands) > 1  # the poison meets another value that varies


def _dialect(name: str) -> str:
    return name.partition(".")[0]


def _known(op: ir.Operation) -> str | None:
    name = op.name
    if (name in _READS or name in _WRITES or name in _VALUES_ONLY or name in _BOUNDS or name in _ALL_BOUNDS
            or name in _PURE or name in ("scf.for", "affine.for")):
        return None
    if _dialect(name) == "linalg":
        return None
    if _dialect(name) in _PURE_DIALECTS and name not in _VECTOR_OTHER and name not in _NOT_PURE and not op.regions:
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


def _propagate(op: ir.Operation, data: set, mark, seed=None) -> bool:
    """One step of the fixed point. `seed` is None to follow the data (every read's result is data, and so is
    every structured op's element argument); else the set is the values that may hold poisoned memory
    (`_poison_shows`), and `seed(buffer)` says whether what a read of `buffer` returns may be poison."""
    name, changed = op.name, False
    operands = list(op.operands)
    if name in _READS:
        source = operands[1 if name == "memref.atomic_rmw" else 0] if operands else None
        if seed is None or (source is not None and name != "memref.extract_aligned_pointer_as_index"
                            and seed(source)) or any(v in data for v in operands):
            for r in op.results:
                changed |= mark(r)
        if name == "memref.generic_atomic_rmw" and (seed is None or seed(source)):
            for a in op.regions[0].blocks[0].arguments:
                changed |= mark(a)
        return changed
    if seed is None and _makes_poison(op):  # an undefined value: whatever a register held (the data, maybe)
        for r in op.results:
            changed |= mark(r)
    if _dialect(name) == "linalg" and op.regions:  # a structured op's body arguments are elements
        for k, a in enumerate(op.regions[0].blocks[0].arguments):
            if seed is None:
                changed |= mark(a)
            elif k < len(operands):  # (ins then outs, by position)
                v = operands[k]
                if v in data or ((_is_buffer(v) or _is_shaped_tensor(v)) and seed(v)):
                    changed |= mark(a)
            elif any((_is_buffer(v) or _is_shaped_tensor(v)) and seed(v) for v in operands):
                changed |= mark(a)
    if name in ("scf.for", "affine.for"):
        n = len(op.results)  # values carried around the back edge
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
        if name == "scf.parallel":  # its reductions' block arguments combine data, and start from its inits
            for inner in walk(op):
                if inner.name == "scf.reduce":
                    for region in inner.regions:
                        for a in region.blocks[0].arguments:
                            changed |= mark(a)
            rank = len(op.regions[0].blocks[0].arguments)
            for k, init in enumerate(operands[3 * rank:]):
                if init in data and k < len(op.results):
                    changed |= mark(op.results[k])
        if name in ("scf.if", "scf.index_switch", "scf.execute_region", "vector.mask", "memref.alloca_scope"):
            return changed
        if name in ("tensor.pad", "tensor.generate", "scf.forall", "scf.parallel", "affine.parallel"):
            return changed  # their block arguments are indices (or a forall's shared tensors)
    if any(v in data for v in operands):
        for r in op.results:
            changed |= mark(r)
    return changed


def _makes_poison(op: ir.Operation) -> bool:
    """An op whose result is (or holds lanes that are) poison, or may be: ub.poison, a vector.extract or
    vector.insert at the poison position -1 or at a dynamic position (poison where out of range), a
    vector.shuffle taking lane -1. Lowered, poison is whatever a register held."""
    name = op.name
    if name == "ub.poison":
        return True
    if (name == "vector.extract" and len(op.operands) > 1) or (name == "vector.insert" and len(op.operands) > 2):
        return True
    key = {"vector.extract": "static_position", "vector.insert": "static_position", "vector.shuffle": "mask"}.get(name)
    if key is None or key not in op.attributes:
        return False
    return -1 in list(ir.DenseI64ArrayAttr(op.attributes[key]))


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
        checked = list(range(len(operands) - len(op.results)))  # (bounds, then carried inits)
    elif name == "arith.select" and op.results and (_is_buffer(op.results[0]) or _is_shaped_tensor(op.results[0])):
        checked = [0]  # a buffer or a tensor chosen by the data (a tensor's buffer, once bufferized)
    elif name in ("linalg.pack", "linalg.unpack"):  # (source, dest, padding value?, inner tile sizes...)
        checked = list(range(len(operands)))
        if name == "linalg.pack" and list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))[2]:
            checked.remove(2)  # the padding value is a value; a tile size is a size
    elif _dialect(name) == "linalg":  # its buffers (scalars among its inputs are values)
        checked = [k for k, v in enumerate(operands) if _is_buffer(v)]
    else:
        checked = []
    for k in checked:
        if operands[k] in data:
            what = ("a buffer chosen by the data" if _is_buffer(operands[k])
                    else "a value computed from the data (or undefined)")
            return f"{name} takes {what} as its operand #{k} (an address, a mask, a bound or a size; {op.location})"
    return None
