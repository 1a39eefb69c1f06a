"""Rewrite a memref-form kernel into tensor form, and bufferize it back after a schedule.

Some transforms only work on tensors: hoisting a loop-invariant subset (keeping a C micro-tile in
registers across the k loop) does not happen on `memref.subview`, and packing (`linalg.pack`) and
producer/consumer fusion are tensor-level rewrites. A schedule opts in with the module attribute
`neurojit.payload = "tensor"` (see `schedule.py`); the kernel is then handed to it as:

    %a = bufferization.to_tensor %A restrict : memref<..> to tensor<..>          (every memref argument)
    %c = bufferization.to_tensor %C restrict writable : memref<..> to tensor<..> (outputs)
    %r0 = linalg.fill ins(%zero) outs(%c) -> tensor<..>
    %r1 = linalg.matmul ins(%a, %w) outs(%r0) -> tensor<..>      # the chain writing one memref is
    %r2 = linalg.generic ins(%bias) outs(%r1) -> tensor<..>      # one SSA dataflow chain, fusable
    bufferization.materialize_in_destination %r2 in restrict writable %C

Local `memref.alloc`s used only by linalg ops (and their dealloc) become `tensor.empty`. A static
`memref.subview` (the interior of a padded buffer that an input is copied into) becomes a slice: read with
`tensor.extract_slice`, written back with `tensor.insert_slice`. An argument seen only through a reshape
(unit dims folded away) is that reshape's memref. Only
straight-line bodies of linalg ops are rewritten; anything else (loops, loads, calls) is refused with a
`ScheduleError`, since its memory effects cannot be threaded through values.

`bufferize` is the way back after the schedule: one-shot bufferization (writing into the destination
memrefs where the analysis allows), then allocations are hoisted out of loops and each one is freed at
the end of its block, so the result passes the evaluator's static leak check.
"""

from __future__ import annotations

from mlir import ir

from .errors import ScheduleError
from .kernel import apply_script, public_funcs, walk
from .pipeline import Pipeline

# Copies as linalg.copy: a strided memref.copy lowers to an opaque call of the runtime's memrefCopy
# (compiler/runtime.py), an element at a time;
# linalg.copy lowers to loops the optimiser can see through. (The pass has no such option; the transform
# op has.)
BUFFERIZE = """module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
    %b = transform.bufferization.one_shot_bufferize %root {memcpy_op = "linalg.copy"} : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}"""
# Allocations are hoisted out of loops before their deallocs are placed.
HOIST = Pipeline("hoist-buffers", ("canonicalize", "cse", "func.func(buffer-hoisting,buffer-loop-hoisting)"))
TIDY = Pipeline("tidy", ("canonicalize", "cse"))
SKIP = {"memref.dealloc", "func.return", "arith.constant"}


def _static_window(op: ir.Operation) -> bool:
    """A subview with static offsets, sizes and strides, used by linalg ops only (the interior of a padded
    buffer that the input is copied into): in tensor form a slice of its source's current contents."""
    if op.name != "memref.subview" or len(op.operands) != 1:
        return False
    src = op.operands[0].owner  # of an argument or a local buffer (a root), not of another view
    if not (isinstance(src, ir.Block) or _name(src) == "memref.alloc"):
        return False
    return all(_name(u.owner).startswith("linalg.") for u in op.result.uses)


def _slice(name: str, operands: list[ir.Value], view: ir.Operation, result: ir.Type) -> ir.Value:
    """tensor.extract_slice (operands: source) or tensor.insert_slice (operands: source, dest) at `view`'s
    static offsets, sizes and strides."""
    attrs = {k: view.attributes[k] for k in ("static_offsets", "static_sizes", "static_strides")}
    attrs["operandSegmentSizes"] = ir.DenseI32ArrayAttr.get([1] * len(operands) + [0, 0, 0])
    return ir.Operation.create(name, results=[result], operands=operands, attributes=attrs).result


_RESHAPES = ("memref.collapse_shape", "memref.expand_shape")


def _root_reshape(op: ir.Operation) -> bool:
    """A reshape (collapse_shape, expand_shape) of an argument or a local buffer (a root), or of such a
    reshape (a GroupNorm's channels split into groups, then its group's dims collapsed), used by linalg ops
    and reshapes only (a reduction over several trailing dims, collapsed at the front door, reading an input
    the kernel also reads as it is): in tensor form the same reshapes of its root's current contents, and a
    write through it the inverse reshapes of the result back into the root."""
    if op.name not in _RESHAPES or len(op.operands) != 1:
        return False
    src = op.operands[0].owner
    if not (isinstance(src, ir.Block) or _name(src) == "memref.alloc"
            or (_name(src) in _RESHAPES and _root_reshape(src))):
        return False
    return all(_name(u.owner).startswith("linalg.") or _name(u.owner) in _RESHAPES for u in op.result.uses)


def _reshaped(kind: str, value: ir.Value, like: ir.Operation, result: ir.Type) -> ir.Value:
    """tensor.collapse_shape / tensor.expand_shape (`kind`) of `value` into `result`, with `like`'s
    reassociation (a memref reshape, or its inverse)."""
    attrs = {"reassociation": like.attributes["reassociation"]}
    if kind == "tensor.expand_shape":
        attrs["static_output_shape"] = ir.DenseI64ArrayAttr.get(ir.RankedTensorType(result).shape)
    return ir.Operation.create(kind, results=[result], operands=[value], attributes=attrs).result


def _whole_view(op: ir.Operation, block: ir.Block) -> bool:
    """A reshape (collapse_shape, expand_shape) of an argument that nothing else uses, used by linalg ops only."""
    if op.name not in ("memref.collapse_shape", "memref.expand_shape") or len(op.operands) != 1:
        return False
    src = op.operands[0]
    if not isinstance(src.owner, ir.Block) or src.owner != block or len(list(src.uses)) != 1:
        return False
    return all(_name(u.owner).startswith("linalg.") for u in op.result.uses)


def _public_func(module: ir.Module) -> ir.Operation:
    funcs = public_funcs(module)
    if not funcs:
        raise ScheduleError("tensor payload: the kernel has no public function")
    return funcs[0]


def _is_memref(v: ir.Value) -> bool:
    return isinstance(v.type.maybe_downcast(), ir.MemRefType)


def _tensor_type(v: ir.Value) -> ir.RankedTensorType:
    t = ir.MemRefType(v.type)
    return ir.RankedTensorType.get(t.shape, t.element_type)


def _dps_split(op: ir.Operation) -> tuple[int, int]:
    """(number of ins, number of outs) of a destination-style linalg op."""
    if "operandSegmentSizes" in op.attributes:
        sizes = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))
        return sizes[0], sizes[1]
    n = len(op.operands)
    if op.name == "linalg.reduce" and n % 2 == 0:  # as many inits as inputs
        return n // 2, n // 2
    if op.name in ("linalg.transpose", "linalg.broadcast") and n == 2:
        return 1, 1
    if op.name == "linalg.map" and n >= 1:  # its inputs, then its one init (a padded buffer's fill: no inputs)
        return n - 1, 1
    raise ScheduleError(f"tensor payload: cannot tell the inputs from the outputs of {op.name}")


def tensorize(module: ir.Module) -> None:
    """Rewrite the public function's linalg ops on memrefs into one tensor dataflow (in place)."""
    func = _public_func(module)
    block = func.regions[0].blocks[0]
    ops = [o.operation for o in block.operations]
    local_allocs: list[ir.Operation] = []
    views: list[ir.Operation] = []
    windows: dict[ir.Value, ir.Operation] = {}  # static subviews (a padded input's interior): slices of a root
    reshapes: dict[ir.Value, ir.Operation] = {}  # reshapes of a root the kernel also uses otherwise
    tables: list[tuple[ir.Operation, ir.Attribute]] = []  # constant globals read (a filter torch-mlir inlined)
    for op in ops:
        if op.name.startswith("linalg.") or op.name in SKIP:
            continue
        if op.name in ("memref.alloc", "memref.alloca") and len(op.operands) == 0:  # scratch: a tensor.empty
            local_allocs.append(op)
            continue
        if _whole_view(op, block):
            views.append(op)
            continue
        if _static_window(op):
            windows[op.result] = op
            continue
        if _root_reshape(op):
            reshapes[op.result] = op
            continue
        if op.name == "memref.get_global" and (value := _constant_value(module, op)) is not None:
            tables.append((op, value))
            continue
        raise ScheduleError(f"tensor payload: the kernel body has {op.name}; only straight-line linalg "
                            "ops can be put in tensor form")
    # an argument seen only through a reshape (unit dims folded away, convention.py) is that view's memref:
    # the view goes first, and is put in tensor form as an argument is
    for v in views:
        v.move_before(ops[0])
    ops = [o.operation for o in block.operations]
    for op in ops:
        if op.name.startswith("linalg.") and (len(op.results) or not any(_is_memref(v) for v in op.operands)):
            raise ScheduleError(f"tensor payload: {op.name} is not on memrefs")
    args = [a for a in block.arguments if not any(a == v.operands[0] for v in views)] + [v.result for v in views]
    first = ops[len(views)]
    current: dict[int, ir.Value] = {}  # index into `roots` -> tensor value holding its contents now
    roots: list[ir.Value] = []
    written: set[int] = set()

    def key(v: ir.Value) -> int:
        for i, r in enumerate(roots):
            if r == v:
                return i
        roots.append(v)
        return len(roots) - 1

    def root_of(v: ir.Value) -> ir.Value:
        while v in reshapes:
            v = reshapes[v].operands[0]
        return v

    def read_view(v: ir.Value) -> ir.Value:
        """The tensor a reshape chain of a root holds now: the same reshapes of the root's contents."""
        r = reshapes[v]
        src = r.operands[0]
        inner = read_view(src) if src in reshapes else current[key(src)]
        return _reshaped(r.name.replace("memref.", "tensor."), inner, r, _tensor_type(v))

    def write_view(v: ir.Value, value: ir.Value) -> tuple[ir.Value, ir.Value]:
        """(the root, its new contents) after `value` is written through the reshape chain `v`."""
        while v in reshapes:
            view = reshapes[v]
            inverse = "tensor.expand_shape" if view.name == "memref.collapse_shape" else "tensor.collapse_shape"
            v = view.operands[0]
            value = _reshaped(inverse, value, view, _tensor_type(v))
        return v, value

    with ir.InsertionPoint(first), func.location:
        for alloc in local_allocs:
            for use in alloc.result.uses:
                if (_name(use.owner) not in ("memref.dealloc", "memref.subview", "memref.collapse_shape", "memref.expand_shape")
                        and not _name(use.owner).startswith("linalg.")):
                    raise ScheduleError(f"tensor payload: a local buffer is used by {_name(use.owner)}")
            empty = ir.Operation.create("tensor.empty", results=[_tensor_type(alloc.result)])
            current[key(alloc.result)] = empty.result
        for table, value in tables:  # the tensor constant it was before bufferization (its values visible again)
            if any(_name(u.owner).startswith("linalg.") and u.operand_number >= _dps_split(u.owner.operation)[0]
                   for u in table.result.uses):
                raise ScheduleError("tensor payload: a linalg op writes a constant global")
            const = ir.Operation.create("arith.constant", results=[_tensor_type(table.result)],
                                        attributes={"value": value})
            current[key(table.result)] = const.result
        for i, a in enumerate(args):
            if not _is_memref(a) or not any(True for _ in a.uses):
                continue
            through = [r.result for r in reshapes.values() if root_of(r.result) == a]
            writes = any(_name(u.owner).startswith("linalg.") and
                         u.operand_number >= _dps_split(u.owner.operation)[0] for v in [a, *through] for u in v.uses)
            attrs = {"restrict": ir.UnitAttr.get()}
            if writes:
                attrs["writable"] = ir.UnitAttr.get()
            t = ir.Operation.create("bufferization.to_tensor", results=[_tensor_type(a)], operands=[a],
                                    attributes=attrs)
            current[key(a)] = t.result

    for op in ops:
        if not op.name.startswith("linalg."):
            continue
        attributes = {n: op.attributes[n] for n in op.attributes}
        dropped = _read_outputs_in_place(op, attributes)
        n_in, n_out = _dps_split(op)
        operands = list(op.operands)
        new_operands = []
        outs = operands[n_in:n_in + n_out]
        with ir.InsertionPoint(op), op.location:
            for i, v in enumerate(operands):
                if i in dropped:
                    continue
                if _is_memref(v) and v in windows:  # a slice of its root's current contents
                    w = windows[v]
                    new_operands.append(_slice("tensor.extract_slice", [current[key(w.operands[0])]], w,
                                               _tensor_type(v)))
                elif _is_memref(v) and v in reshapes:  # the same reshapes of its root's current contents
                    new_operands.append(read_view(v))
                else:
                    new_operands.append(current[key(v)] if _is_memref(v) else v)
            new = ir.Operation.create(op.name, results=[_tensor_type(v) for v in outs], operands=new_operands,
                                      attributes=attributes, regions=len(op.regions))
            for old_region, new_region in zip(op.regions, new.regions):
                for b in list(old_region.blocks):
                    b.append_to(new_region)
            _loads_as_extracts(new, lambda m: current.get(key(m)) if _is_memref(m) and m in args else None)
            for v, r in zip(outs, new.results):
                if v in windows:  # written through a slice: put back into its root
                    w = windows[v]
                    root = w.operands[0]
                    r = _slice("tensor.insert_slice", [r, current[key(root)]], w, current[key(root)].type)
                    v = root
                elif v in reshapes:  # written through reshapes: their inverses are the root's contents
                    v, r = write_view(v, r)
                current[key(v)] = r
                written.add(key(v))
        op.erase()

    ret = block.operations[len(block.operations) - 1].operation
    with ir.InsertionPoint(ret), ret.location:
        for i, a in enumerate(args):
            if _is_memref(a) and key(a) in written:
                ir.Operation.create("bufferization.materialize_in_destination",
                                    operands=[current[key(a)], a],
                                    attributes={"restrict": ir.UnitAttr.get(), "writable": ir.UnitAttr.get()})
    for w in [*windows.values(), *reversed(list(reshapes.values())), *(t for t, _ in tables)]:
        w.erase()  # (a view before the view it is of)
    for alloc in local_allocs:
        for use in list(alloc.result.uses):
            use.owner.operation.erase()  # only deallocs are left
        alloc.erase()
    try:
        module.operation.verify()
    except ir.MLIRError as e:
        raise ScheduleError(f"tensor payload: the tensor form does not verify: {e.message}") from None




def _loads_as_extracts(op: ir.Operation, tensor_of) -> None:
    """A linalg body's `memref.load` of an argument (a gather: torch-mlir's embedding lookup or a loss's
    `x[i, target[i]]`, a `tensor.extract` before bufferization) as a `tensor.extract` of the argument's tensor
    now (`tensor_of(memref)`, None for other memrefs): the vectoriser takes an extract (as a gather), never a
    load from a memref inside a tensor op (the row-wise schedules of a cross-entropy failed to apply)."""
    for load in [o for o in walk(op) if o.name == "memref.load"]:
        source = tensor_of(load.operands[0])
        if source is None:
            continue
        with ir.InsertionPoint(load), load.location:
            extract = ir.Operation.create("tensor.extract", results=[load.results[0].type],
                                          operands=[source, *list(load.operands)[1:]])
        load.results[0].replace_all_uses_with(extract.results[0])
        load.erase()


def _constant_value(module: ir.Module, op: ir.Operation) -> ir.Attribute | None:
    """The initial value of the constant `memref.global` that `op` (a memref.get_global) reads, or None (a
    global that may be written, or none found)."""
    name = ir.FlatSymbolRefAttr(op.attributes["name"]).value
    for g in module.body.operations:
        g = g.operation
        if (g.name == "memref.global" and ir.StringAttr(g.attributes["sym_name"]).value == name
                and "constant" in g.attributes and "initial_value" in g.attributes):
            return g.attributes["initial_value"]
    return None


def _read_outputs_in_place(op: ir.Operation, attributes: dict) -> set[int]:
    """A generic that reads a buffer it also writes, element for element (`ins(%C, %bias) outs(%C)` with one
    map for both: what bufferizing a torch-mlir epilogue whose init shares the matmul's `tensor.empty`
    gives), reads it from its output's block argument instead. In tensor form the input and the init would
    be two uses of the producer's result, and fusing the producer into a tile of the op makes a copy of it
    per use (the fused epilogue schedule then finds two matmuls). Returns the inputs to leave out (their
    block arguments are gone; `attributes`, the new op's, are updated)."""
    if op.name != "linalg.generic":
        return set()
    n_in, n_out = _dps_split(op)
    operands, maps = list(op.operands), list(ir.ArrayAttr(op.attributes["indexing_maps"]))
    body = op.regions[0].blocks[0]
    drop = []
    for i in range(n_in):
        j = next((j for j in range(n_in, n_in + n_out) if operands[i] == operands[j] and str(maps[i]) == str(maps[j])),
                 None)
        if j is not None:
            body.arguments[i].replace_all_uses_with(body.arguments[j])
            drop.append(i)
    for i in reversed(drop):
        body.erase_argument(i)
    if drop:
        attributes["indexing_maps"] = ir.ArrayAttr.get([m for k, m in enumerate(maps) if k not in drop])
        attributes["operandSegmentSizes"] = ir.DenseI32ArrayAttr.get([n_in - len(drop), n_out])
    return set(drop)


def has_tensors(module: ir.Module) -> bool:
    return any(isinstance(r.type.maybe_downcast(), ir.RankedTensorType)
               for op in walk(module.operation) for r in op.results)


def bufferize(module: ir.Module) -> None:
    """Tensors back to memrefs (if the schedule left any), then free every allocation it made."""
    if has_tensors(module):
        try:
            apply_script(module, BUFFERIZE)
        except (ir.MLIRError, ValueError) as e:
            raise ScheduleError(f"tensor payload: bufferization after the schedule failed: {e}") from None
    free_buffers(module)


def free_buffers(module: ir.Module) -> None:
    """Hoist the buffers bufferization made out of loops and free each at the end of its block."""
    try:
        HOIST.run(module)
    except Exception as e:
        raise ScheduleError(f"tensor payload: after bufferization: {e}") from None
    TIDY.run(module)  # identical subviews must be one value before self-copies can be seen
    _erase_self_copies(module)
    _free_allocs(module)


def _erase_self_copies(module: ir.Module) -> None:
    """Drop copies of a buffer onto itself: in-place insert_slices bufferize to them, and with
    `memcpy-op=linalg.copy` (needed: a strided `memref.copy` lowers to a runtime call) nothing folds them."""
    for op in list(walk(module.operation)):
        if op.name in ("linalg.copy", "memref.copy") and len(op.operands) == 2 and op.operands[0] == op.operands[1]:
            op.erase()


def _free_allocs(module: ir.Module) -> None:
    """Free each `memref.alloc` at the end of its block, unless it already has a dealloc."""
    escaping = ("scf.yield", "func.return", "func.call", "cf.br", "cf.cond_br", "scf.condition")
    for op in list(walk(module.operation)):
        if op.name != "memref.alloc":
            continue
        users = [u.owner.operation for u in op.result.uses]
        if any(u.name == "memref.dealloc" for u in users):
            continue
        if any(u.name in escaping for u in users):
            raise ScheduleError("tensor payload: a buffer allocated by the schedule leaves its block; "
                                "cannot place its deallocation")
        term = op.block.operations[len(op.block.operations) - 1].operation
        with ir.InsertionPoint(term), op.location:
            ir.Operation.create("memref.dealloc", operands=[op.result])


def _name(owner) -> str:
    return owner.operation.name
