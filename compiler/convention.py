"""A public function that returns its results, brought into the kernel convention (DESIGN §2).

The function as torch-mlir, IREE or StableHLO users write it, `@f(%x: tensor<..>, ...) -> (tensor<..>, ...)`,
becomes `@f(%x: memref<..>, ..., %result0: memref<..> {neurojit.output, neurojit.result = 0}, ...)`:
  1. private helpers are inlined (a kernel calls nothing external, and bufferizing calls is not needed);
  2. every dynamic dimension is refused, naming it;
  3. each result becomes an output argument: `return %r` turns into
     `bufferization.materialize_in_destination %r in restrict writable %result0`;
     every tensor argument is marked `bufferization.writable = false`, so that an op the function applies
     in place to an argument (a bufferization choice, not the user's intent) copies it instead of writing
     into an input;
  4. a 2-D transpose that only feeds a matmul is read through the matmul's indexing map (`_fold_transposes`);
     a function whose ops index an operand by a constant (keepdim reductions) has its unit dims folded
     away (`_keeps_dims`); a reduction over several trailing dims reduces them collapsed into one
     (`collapse.py`: the schedule library's row reductions then take it); aggregate ops (linalg.softmax) are decomposed into linalg.generic; then one-shot bufferization with function boundaries and identity layouts (copies as `linalg.copy`);
  5. a buffer whose last use is its copy into an output becomes that output (no copy): the result is
     computed in place. (MLIR's own `eliminate-empty-tensors` does this before bufferizing, but wrongly
     when one result is computed from another: seen, `return %r, %m` with %r = %m + bias, %m lost.)
  6. buffers are hoisted and freed at the end of their block (as after a tensor-payload schedule), so the
     result passes the evaluator's static leak check.
A function on memrefs is in the convention already but for views (`_views_to_buffers`), memrefs of i1 (stored as
bytes) and scalar arguments (0-d memrefs read at entry, `_scalars_to_buffers`: PolyBench's alpha and beta).
"""

from __future__ import annotations

import re

from mlir import ir
from mlir.dialects import arith, memref

from .bool_storage import has_bool_buffers, widen
from .collapse import collapse_reductions
from .errors import CompileError, KernelError, ScheduleError
from .dtypes import BOOL, DTYPE_ATTR, DTYPES
from .kernel import (OUTPUT_ATTR, RESULT_ATTR, apply_script, arg_names, as_bytes, as_operation, holds_bools,
                     identity_layout, location_of, the_public_function, walk)
from .pipeline import FOLD_UNIT_DIMS, FUSE_ELEMENTWISE, INLINE_HELPERS, TOSA_TO_LINALG
from .tensorize import free_buffers

# Ops that are an aggregate of others (linalg.softmax, as IREE users write it) have no lowering of their
# own: they are decomposed into linalg.generic first.
AGGREGATES = ("linalg.softmax",)


def _on_each(names: tuple[str, ...], transform: str) -> str:
    """A script that applies `transform` (a transform op taking and giving one handle) to every op named in `names`."""
    return f"""module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: !transform.any_op {{transform.readonly}}) {{
    %m = transform.structured.match ops{{[{", ".join(f'"{n}"' for n in names)}]}} in %root : (!transform.any_op) -> !transform.any_op
    %d = {transform} %m : (!transform.any_op) -> !transform.any_op
    transform.yield
  }}
}}"""


DECOMPOSE = _on_each(AGGREGATES, "transform.structured.decompose_interface")
# linalg.pack / linalg.unpack (data tiling, as IREE writes it) do not bufferize: they are lowered first into
# the pad, reshape and transpose they stand for (MLIR's own lower_pack / lower_unpack)
PACKS = ("linalg.pack", "linalg.unpack")
LOWER_PACKS = """module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %p = transform.structured.match ops{["linalg.pack"]} in %root : (!transform.any_op) -> !transform.op<"linalg.pack">
    %p1, %p2, %p3 = transform.structured.lower_pack %p : (!transform.op<"linalg.pack">)
      -> (!transform.op<"tensor.pad">, !transform.op<"tensor.expand_shape">, !transform.op<"linalg.transpose">)
    %u = transform.structured.match ops{["linalg.unpack"]} in %root : (!transform.any_op) -> !transform.op<"linalg.unpack">
    %u1, %u2, %u3, %u4 = transform.structured.lower_unpack %u : (!transform.op<"linalg.unpack">)
      -> (!transform.op<"tensor.empty">, !transform.op<"linalg.transpose">, !transform.op<"tensor.collapse_shape">,
          !transform.op<"tensor.extract_slice">)
    transform.yield
  }
}"""
# named maps and elementwise ops (StableHLO's lowering, and torch-mlir's newer one, emit them): generalized, then
# fused (`_fuse_maps`); fills, copies and contractions stay named (the schedule library reads them by name)
NAMED_MAPS = ("linalg.map", "linalg.broadcast", "linalg.reduce", "linalg.elementwise", "linalg.add", "linalg.sub",
              "linalg.mul", "linalg.div", "linalg.div_unsigned", "linalg.max", "linalg.min", "linalg.powf",
              "linalg.exp", "linalg.log", "linalg.abs", "linalg.ceil", "linalg.floor", "linalg.negf",
              "linalg.reciprocal", "linalg.round", "linalg.sqrt", "linalg.rsqrt", "linalg.square", "linalg.tanh",
              "linalg.erf", "linalg.select")
GENERALIZE_MAPS = _on_each(NAMED_MAPS, "transform.structured.generalize")
BUFFERIZE = """module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
    %b = transform.bufferization.one_shot_bufferize %root {bufferize_function_boundaries = true,
      function_boundary_type_conversion = 1 : i32, memcpy_op = "linalg.copy"} : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}"""


def _is_shaped(t: ir.Type) -> bool:
    t = t.maybe_downcast()
    return isinstance(t, (ir.RankedTensorType, ir.MemRefType, ir.UnrankedTensorType, ir.UnrankedMemRefType))


def _dynamic(t: ir.Type) -> list[int] | None:
    """Dynamic dimensions of a shaped type ([] if none); None for an unranked one."""
    t = t.maybe_downcast()
    if isinstance(t, (ir.UnrankedTensorType, ir.UnrankedMemRefType)):
        return None
    return [i for i, d in enumerate(t.shape) if ir.ShapedType.is_dynamic_size(d)]


def _check_static(fname: str, names: list[str], inputs, results, where: str | None) -> None:
    problems, hints = [], []
    for label, types in (("argument", inputs), ("result", results)):
        for i, t in enumerate(types):
            if not _is_shaped(t):
                continue
            dyn = _dynamic(t)
            who = f"{label} {i}" + (f" (%{names[i]})" if label == "argument" else "")
            if dyn is None:
                problems.append(f"{who} is unranked ({t})")
            elif dyn:
                which = ", ".join(map(str, dyn))
                problems.append(f"{who} has dynamic dimension{'s' if len(dyn) > 1 else ''} {which} ({t})")
                if label == "argument":
                    hints.append(f"--shape {names[i]}=" + "x".join("N" if d in dyn else str(n)
                                                                  for d, n in enumerate(t.shape)))
    if problems:
        hint = f" (on the command line: {' '.join(hints)}, each N a size)" if hints else ""
        raise KernelError(f"@{fname}: {'; '.join(problems)}; NeuroJIT compiles for static shapes: give every "
                          f"dimension a size{hint}", where)


def to_convention(module: ir.Module, origin: str, text: str) -> list[str]:
    """Rewrite `module` in place so its public function follows the convention; return the argument names
    (the user's, then result0, result1, ...). A function already in the convention is left as it is, but for
    its private helpers, inlined."""
    func = the_public_function(module, origin)
    if any(op.operation.name == "func.func" and op.operation != func and len(op.operation.regions[0].blocks)
           for op in module.body.operations):
        INLINE_HELPERS.run(module)
        func = the_public_function(module, origin)
    if any(op.name.startswith("tosa.") for op in walk(func)):  # TOSA: linalg on tensors first (MLIR's passes)
        try:
            TOSA_TO_LINALG.run(module)
        except (ir.MLIRError, ValueError, CompileError) as e:
            raise KernelError(f"{origin}: its TOSA ops could not be lowered to linalg (MLIR's tosa-to-linalg "
                              f"passes): {_first(e)}", location_of(func.location, origin)) from None
        func = the_public_function(module, origin)
    fname = ir.StringAttr(func.attributes["sym_name"]).value
    ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
    names = arg_names(func, text, len(ftype.inputs))
    where = location_of(func.location, origin)
    ftype = _views_to_buffers(func, ftype, names, fname, where)
    has_tensors = any(isinstance(t.maybe_downcast(), ir.RankedTensorType) for t in ftype.inputs)
    if not len(ftype.results) and not has_tensors:
        ftype = _scalars_to_buffers(func, ftype)
        if has_bool_buffers(module):  # (memrefs of i1: stored as bytes, arguments marked bool)
            _mark_bools(func, widen(module, origin))
        return names
    if not len(ftype.results):
        raise KernelError(f"@{fname} takes tensors but returns nothing; a function on tensors returns its results",
                          where)
    for i, t in enumerate(ftype.results):
        if not _is_shaped(t):
            raise KernelError(f"@{fname} returns values of type {t} (result {i}); a kernel returns statically "
                              "shaped tensors (or memrefs), or writes its results into output memref arguments",
                              where)
    _check_static(fname, names, list(ftype.inputs), list(ftype.results), where)
    ftype = _scalars_to_tensors(func, ftype)
    ftype, bools = _bools_to_bytes(func, ftype)
    taken = set(names)
    for i in range(len(ftype.results)):
        name = f"result{i}"
        while name in taken:
            name += "_"
        taken.add(name)
        names.append(name)
    _results_to_outputs(func, ftype)
    _mark_bools(func, bools)
    _fold_transposes(func)
    try:
        if _keeps_dims(func):
            FOLD_UNIT_DIMS.run(module)
            func = the_public_function(module, origin)
        if any(op.name in NAMED_MAPS or _on_tensors(op) for op in walk(func)):
            _fuse_maps(module)
            func = the_public_function(module, origin)
        collapse_reductions(func)
        if any(op.name in AGGREGATES for op in walk(func)):
            apply_script(module, DECOMPOSE)
        if any(op.name in PACKS for op in walk(func)):
            apply_script(module, LOWER_PACKS)
        apply_script(module, BUFFERIZE)
        # what fusion left of i1 tensors (a reduction's accumulator, a mask two ops read), and memrefs of i1 the
        # function took or returned (then arguments: marked bool)
        widened = widen(module, origin) if has_bool_buffers(module) else []
    except (ir.MLIRError, ValueError) as e:
        raise KernelError(f"{origin}: @{fname} could not be bufferized into the kernel convention: {_first(e)}",
                          where) from None
    func = the_public_function(module, origin)
    _mark_bools(func, widened)
    _drop_bufferization_attrs(func)
    _elide_result_copies(func, len(ftype.inputs))
    try:
        free_buffers(module)
    except ScheduleError as e:
        raise KernelError(f"{origin}: @{fname}: {str(e).removeprefix('tensor payload: ')}", where) from None
    return names


def _views_to_buffers(func: ir.Operation, ftype: ir.FunctionType, names: list[str], fname: str,
                      where: str | None) -> ir.FunctionType:
    """A memref argument with a static strided layout (a view of a row-padded buffer, `strided<[256, 1]>`, as
    bufferization and hand-written MLIR tests pass them) becomes the buffer it views, the view taken at entry:
    rows padded to their stride where the strides are those of a padded row-major array and the offset is 0
    (memref<127x255xf32, strided<[256, 1]>> is a 127x256 buffer, `memref.subview`), else the 1-D span from the
    buffer's start to the view's highest element (`memref.reinterpret_cast`; a negative stride runs backwards
    from the offset, which must keep the lowest element in the buffer). The caller passes the whole buffer;
    the kernel reads and writes the view's elements only, and an output's padding keeps what it held (the
    evaluator compares whole buffers: a candidate that writes there is wrong). Returns the new function type."""
    block = func.regions[0].blocks[0]
    inputs = list(ftype.inputs)
    attrs = list(ir.ArrayAttr(func.attributes["arg_attrs"])) if "arg_attrs" in func.attributes else []
    outputs = {i for i, a in enumerate(attrs) if OUTPUT_ATTR in ir.DictAttr(a)} or {len(inputs) - 1}
    for i, t in enumerate(inputs):
        if not isinstance(t.maybe_downcast(), ir.MemRefType):
            continue
        mt = ir.MemRefType(t)
        if identity_layout(mt) or mt.memory_space is not None or not mt.has_static_shape:
            continue  # (signature_of refuses what is left, naming it)
        try:
            strides, offset = mt.get_strides_and_offset()
        except (ValueError, RuntimeError):
            continue
        if any(mt.is_dynamic_stride_or_offset(v) for v in (*strides, offset)):
            raise KernelError(f"argument {i} (%{names[i]}) of @{fname} is a view with a dynamic stride or offset ({t}); "
                              "give its layout static strides and offset, or pass a contiguous memref", where)
        shape = list(mt.shape)
        padded = _padded(shape, strides) if offset == 0 and min(strides, default=1) > 0 and all(shape) else None
        # the view's lowest and highest elements (a negative stride runs backwards from the offset: torch.flip)
        lo = offset + sum((n - 1) * st for n, st in zip(shape, strides) if st < 0)
        hi = offset + sum((n - 1) * st for n, st in zip(shape, strides) if st > 0)
        if lo < 0 and all(shape):
            raise KernelError(f"argument {i} (%{names[i]}) of @{fname} is a view ({t}) whose elements start {-lo} before "
                              "its buffer's first; give it an offset that keeps every element in the buffer", where)
        if i in outputs and not _one_place_each(shape, strides):
            raise KernelError(f"output argument {i} (%{names[i]}) of @{fname} is a view ({t}) in which elements share a "
                              "place (a stride of 0, or overlapping rows): what it holds would depend on the order the "
                              "kernel writes them; give each element a place of its own", where)
        span = [hi + 1] if all(shape) else [0]
        buffer = ir.MemRefType.get(padded or span, mt.element_type)
        arg = block.arguments[i]
        arg.set_type(buffer)
        inputs[i] = buffer
        i64s = ir.DenseI64ArrayAttr.get
        with ir.InsertionPoint.at_block_begin(block), func.location:
            view = ir.Operation.create(
                "memref.subview" if padded else "memref.reinterpret_cast", results=[mt], operands=[arg],
                attributes={"static_offsets": i64s([0] * len(shape) if padded else [offset]),
                            "static_sizes": i64s(shape), "static_strides": i64s([1] * len(shape) if padded else strides),
                            "operandSegmentSizes": ir.DenseI32ArrayAttr.get([1, 0, 0, 0])})
        arg.replace_all_uses_except(view.result, view)
    ftype = ir.FunctionType.get(inputs, list(ftype.results))
    func.attributes["function_type"] = ir.TypeAttr.get(ftype)
    return ftype


def _one_place_each(shape: list[int], strides: list[int]) -> bool:
    """Whether a strided view gives every element its own place: taken from the smallest stride up, each stride
    passes beyond everything the smaller ones reach (so a stride of 0, or rows longer than their stride, fail)."""
    reach = 0
    for st, n in sorted((abs(st), n) for n, st in zip(shape, strides) if n > 1):
        if st <= reach:
            return False
        reach += st * (n - 1)
    return True


def _padded(shape: list[int], strides: list[int]) -> list[int] | None:
    """The row-major buffer whose strides these are, each dimension past the first padded to its stride's
    ratio (shape 127x255, strides [256, 1]: 127x256), or None where they are not such a buffer's."""
    if not shape or strides[-1] != 1:
        return None
    dims = [shape[0]]
    for d in range(1, len(shape)):
        if strides[d] <= 0 or strides[d - 1] % strides[d] or strides[d - 1] // strides[d] < shape[d]:
            return None
        dims.append(strides[d - 1] // strides[d])
    return dims


def _scalars_to_tensors(func: ir.Operation, ftype: ir.FunctionType) -> ir.FunctionType:
    """A scalar argument (torch.add's alpha) becomes a 0-d tensor read at entry (`tensor.extract`), so that it is
    a 0-d memref in the convention, as every argument is a memref there. Returns the new function type."""
    return _scalars_to_0d(func, ftype, ir.RankedTensorType.get, "tensor.extract", DTYPES.keys() | {"i1"})


def _scalars_to_buffers(func: ir.Operation, ftype: ir.FunctionType) -> ir.FunctionType:
    """A scalar argument of a function on memrefs (PolyBench's alpha and beta, as C front ends pass them) becomes
    a 0-d memref read at entry (`memref.load`), as a tensor function's does: an input that the evaluator draws and
    the caller passes as a 0-d array. Returns the new function type."""
    return _scalars_to_0d(func, ftype, ir.MemRefType.get, "memref.load", DTYPES.keys())


def _scalars_to_0d(func: ir.Operation, ftype: ir.FunctionType, shaped, read_op: str, types) -> ir.FunctionType:
    """Each argument of one of `types` (element type names) made `shaped([], t)`, read at entry by `read_op`."""
    block = func.regions[0].blocks[0]
    inputs = list(ftype.inputs)
    for i, t in enumerate(inputs):
        if _is_shaped(t) or str(t) not in types:  # (the element types the convention takes)
            continue
        arg = block.arguments[i]
        inputs[i] = shaped([], t)
        arg.set_type(inputs[i])
        with ir.InsertionPoint.at_block_begin(block), func.location:
            read = ir.Operation.create(read_op, results=[t], operands=[arg])
        arg.replace_all_uses_except(read.result, read)
    ftype = ir.FunctionType.get(inputs, list(ftype.results))
    func.attributes["function_type"] = ir.TypeAttr.get(ftype)
    return ftype


def _bools_to_bytes(func: ir.Operation, ftype: ir.FunctionType) -> tuple[ir.FunctionType, list[int]]:
    """i1 tensor arguments and results (a mask, torch.gt's answer) become i8 ones holding 0 or 1, numpy's bool
    (see `dtypes.DTYPE_ATTR`): each reader of an argument compares it with 0, a result is extended at its return,
    and an i1 tensor that several ops read is stored as i8 too (`_bytes_between`). All of it is arith on whole
    tensors, which `_fuse_maps` makes generics and fuses into their neighbours: no buffer of i1 is left (a
    vectorised schedule would store its vectors as packed bits). Returns the new function type and the indices
    of the arguments to mark, results' counted from the end of the inputs (as `_results_to_outputs` appends
    them)."""
    block = func.regions[0].blocks[0]
    inputs, results = list(ftype.inputs), list(ftype.results)
    bool_in = [i for i, t in enumerate(inputs) if _is_bool(t)]
    bool_out = [k for k, t in enumerate(results) if _is_bool(t)]
    compares = {}  # a comparison made here -> the i8 tensor it compares
    for i in bool_in:
        arg, inputs[i] = block.arguments[i], as_bytes(inputs[i])
        arg.set_type(inputs[i])
        compares.update(_compare_at_each_use(arg, block))
    _bytes_between(func, block, compares)
    for ret in [op for op in walk(func) if op.name == "func.return"]:
        for k in bool_out:
            v = ret.operands[k]
            if isinstance(v.owner, ir.Operation | ir.OpView) and as_operation(v.owner) in compares:
                ret.operands[k] = compares[as_operation(v.owner)]  # (an input or a value stored as i8 already)
                continue
            with ir.InsertionPoint(ret), ret.location:
                ret.operands[k] = arith.ExtUIOp(as_bytes(results[k]), v).result
    results = [as_bytes(t) if k in bool_out else t for k, t in enumerate(results)]
    ftype = ir.FunctionType.get(inputs, results)
    func.attributes["function_type"] = ir.TypeAttr.get(ftype)
    return ftype, bool_in + [len(inputs) + k for k in bool_out]


def _is_bool(t: ir.Type) -> bool:
    return holds_bools(t, ir.RankedTensorType)


def _compare_at_each_use(v: ir.Value, block: ir.Block) -> dict:
    """Each op that reads the i8 tensor `v` reads its own `v != 0` instead (a producer with one reader is fused).
    Returns {each comparison: v}."""
    with ir.InsertionPoint.at_block_begin(block), block.owner.location:
        zero = arith.ConstantOp(v.type, ir.DenseElementsAttr.get_splat(
            v.type, ir.IntegerAttr.get(ir.IntegerType.get_signless(8), 0))).result
    made = {}
    # each comparison right after `v` is defined (or after the zero, for an argument), not before its reader: a
    # reader inside a loop (a tensor.extract of one element) would compare the whole tensor on every trip
    at = zero.owner if isinstance(v.owner, ir.Block) else as_operation(v.owner)
    for use in list(v.uses):
        user = use.owner
        if user == zero.owner:
            continue
        with ir.InsertionPoint.after(at), block.owner.location:
            cmp = arith.CmpIOp(arith.CmpIPredicate.ne, v, zero)
        user.operands[use.operand_number] = cmp.result
        made[cmp.operation] = v
    return made


def _bytes_between(func: ir.Operation, block: ir.Block, compares: dict) -> None:
    """An i1 tensor that more than one op reads is extended to i8 once, each reader comparing that with 0
    (`compares` gets the comparisons)."""
    for v in [r for op in walk(func) for r in op.results if _is_bool(r.type)]:
        if len(list(v.uses)) < 2:
            continue
        owner = as_operation(v.owner)
        with ir.InsertionPoint.after(owner), owner.location:
            ext = arith.ExtUIOp(as_bytes(v.type), v)
        v.replace_all_uses_except(ext.result, ext.operation)
        compares.update(_compare_at_each_use(ext.result, block))


def _mark_bools(func: ir.Operation, indices: list[int]) -> None:
    """The arguments at `indices` hold booleans (DTYPE_ATTR = "bool", read by `kernel.signature_of`)."""
    if not indices:
        return
    n = len(func.regions[0].blocks[0].arguments)
    attrs = ([{a.name: a.attr for a in ir.DictAttr(d)} for d in ir.ArrayAttr(func.attributes["arg_attrs"])]
             if "arg_attrs" in func.attributes else [{} for _ in range(n)])
    for i in indices:
        attrs[i][DTYPE_ATTR] = ir.StringAttr.get(BOOL)
    func.attributes["arg_attrs"] = ir.ArrayAttr.get([ir.DictAttr.get(d) for d in attrs])


def _on_tensors(op: ir.Operation) -> bool:
    """An arith op (not a constant) on whole tensors: bufferization takes it only as a generic."""
    return (op.name.startswith("arith.") and op.name != "arith.constant"
            and any(isinstance(r.type.maybe_downcast(), ir.RankedTensorType) for r in op.results))


def _fuse_maps(module: ir.Module) -> None:
    """Named maps, broadcasts and reductions as generics, each elementwise producer fused into its consumers (MLIR's
    `linalg-fuse-elementwise-ops`: the producer's body inlined, the same ops in the same order on each element). A
    StableHLO-style RMSNorm (map, reduce, map, two broadcasts, two maps: seven passes over the rows) becomes the
    two generics torch-mlir writes, which the row-wise schedule takes (1.3x naive before, as seven ops)."""
    apply_script(module, GENERALIZE_MAPS)
    FUSE_ELEMENTWISE.run(module)


def _fold_transposes(func: ir.Operation) -> None:
    """A matmul operand that is a 2-D transpose of a tensor used nowhere else reads that tensor through its
    indexing map instead (torch-mlir's Linear transposes its weight first: the transpose was a copy, and the
    kernel no matmul schedule took; as `linalg.matmul indexing_maps = [A, B^T, C]` the packed and fused
    matmuls take it). The same products and sums in the same order: the values are unchanged."""
    from mlir.dialects import linalg

    for mm in [op for op in walk(func) if op.name == "linalg.matmul" and "indexing_maps" in op.attributes]:
        if len(mm.operands) != 3 or len(mm.results) != 1:
            continue
        operands = list(mm.operands)
        maps = [list(ir.AffineMapAttr(m).value.results) for m in ir.ArrayAttr(mm.attributes["indexing_maps"])]
        if any(len(m) != 2 for m in maps):
            continue
        folded = []
        for k in (0, 1):
            t = as_operation(operands[k].owner)
            if (isinstance(t, ir.Operation) and t.name == "linalg.transpose"
                    and list(ir.DenseI64ArrayAttr(t.attributes["permutation"])) == [1, 0]
                    and len(list(t.results[0].uses)) == 1):
                operands[k] = t.operands[0]
                maps[k] = maps[k][::-1]
                folded.append(t)
        if not folded:
            continue
        with ir.InsertionPoint(mm), mm.location:
            new = linalg.matmul(operands[0], operands[1], outs=[operands[2]],
                                indexing_maps=[ir.AffineMap.get(3, 0, m) for m in maps])
        mm.results[0].replace_all_uses_with(new)
        mm.erase()
        for t in folded:
            init = as_operation(t.operands[1].owner)
            t.erase()
            if isinstance(init, ir.Operation) and init.name == "tensor.empty" and not list(init.results[0].uses):
                init.erase()


def _keeps_dims(func: ir.Operation) -> bool:
    """Whether a linalg op indexes an operand by a constant (torch-mlir's keepdim reductions, (d0, d1) ->
    (d0, 0)): the schedules' reduction tiling cannot take such maps (MLIR asserts), so such a function's unit
    dims are folded away (MLIR's linalg-fold-unit-extent-dims: views of rank-reduced buffers) first."""
    for op in walk(func):
        if op.name.startswith("linalg.") and "indexing_maps" in op.attributes:
            for m in ir.ArrayAttr(op.attributes["indexing_maps"]):
                if any(isinstance(e.maybe_downcast(), ir.AffineConstantExpr) for e in ir.AffineMapAttr(m).value.results):
                    return True
    return False


def _first(e: Exception) -> str:
    """MLIR's first diagnostic, or the interpreter's message with the diagnostic it names (`Failed to apply
    named transform sequence` alone says nothing of what failed)."""
    diags = getattr(e, "error_diagnostics", None)
    if diags:
        return diags[0].message
    lines = [x.strip() for x in str(e).splitlines() if x.strip()]
    said = next((x for x in lines[1:] if x.startswith("Diagnostic message") or "error:" in x), None)
    return f"{lines[0]} {said}" if lines and said else (lines[0] if lines else type(e).__name__)


def _results_to_outputs(func: ir.Operation, ftype: ir.FunctionType) -> None:
    block = func.regions[0].blocks[0]
    n_in = len(ftype.inputs)
    old_attrs = (list(ir.ArrayAttr(func.attributes["arg_attrs"])) if "arg_attrs" in func.attributes
                 else [ir.DictAttr.get({}) for _ in range(n_in)])
    attrs = []
    for t, a in zip(ftype.inputs, old_attrs):
        d = {n.name: n.attr for n in ir.DictAttr(a)}
        if isinstance(t.maybe_downcast(), ir.RankedTensorType):
            d["bufferization.writable"] = ir.BoolAttr.get(False)
        attrs.append(ir.DictAttr.get(d))
    res_attrs = list(ir.ArrayAttr(func.attributes["res_attrs"])) if "res_attrs" in func.attributes else []
    outs = []
    for i, t in enumerate(ftype.results):
        shaped = ir.ShapedType(t)
        mt = ir.MemRefType.get(list(shaped.shape), shaped.element_type)
        outs.append(block.add_argument(mt, func.location))
        d = {OUTPUT_ATTR: ir.UnitAttr.get(), RESULT_ATTR: ir.IntegerAttr.get(ir.IntegerType.get_signless(64), i)}
        if i < len(res_attrs) and DTYPE_ATTR in ir.DictAttr(res_attrs[i]):  # (a TensorLang bool result)
            d[DTYPE_ATTR] = ir.DictAttr(res_attrs[i])[DTYPE_ATTR]
        attrs.append(ir.DictAttr.get(d))
    for ret in [op for op in walk(func) if op.name == "func.return"]:
        with ir.InsertionPoint(ret), ret.location:
            for v, out in zip(list(ret.operands), outs):
                if isinstance(v.type.maybe_downcast(), ir.RankedTensorType):
                    ir.Operation.create("bufferization.materialize_in_destination", operands=[v, out],
                                        attributes={"restrict": ir.UnitAttr.get(), "writable": ir.UnitAttr.get()})
                else:
                    ir.Operation.create("memref.copy", operands=[v, out])
            ir.Operation.create("func.return")
        ret.erase()
    inputs = list(ftype.inputs) + [o.type for o in outs]
    func.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(inputs, []))
    func.attributes["arg_attrs"] = ir.ArrayAttr.get(attrs)
    if "res_attrs" in func.attributes:
        del func.attributes["res_attrs"]


def _elide_result_copies(func: ir.Operation, n_inputs: int) -> None:
    """Replace `alloc A ... linalg.copy A -> out` by computing into `out`, where that is safe: A (and every
    view of it) is not used after the copy, and `out` (an output this module added) not before it."""
    block = func.regions[0].blocks[0]
    outs = list(block.arguments)[n_inputs:]
    changed = True
    while changed:
        changed = False
        top = [op.operation for op in block.operations]
        for at, copy in enumerate(top):
            if copy.name not in ("linalg.copy", "memref.copy") or len(copy.operands) != 2:
                continue
            src, dst = copy.operands[0], copy.operands[1]
            if not any(dst == o for o in outs) or src.type != dst.type:
                continue
            # the buffer, or (unit dims folded away, convention step 4) its expand_shape to the output's shape
            view = as_operation(src.owner)
            if isinstance(view, ir.Operation) and view.name == "memref.expand_shape":
                if len(list(view.result.uses)) != 1:  # read elsewhere too (a keepdim sum fed to a matmul)
                    continue
                src = view.operands[0]
            else:
                view = None
            alloc = as_operation(src.owner)
            if not isinstance(alloc, ir.Operation) or alloc.name != "memref.alloc" or len(alloc.operands):
                continue
            if any(_top_index(top, u.owner) < at for u in dst.uses):
                continue
            mine = [copy] + ([view] if view is not None else [])
            if any(_top_index(top, u) > at for u in _alias_users(src) if not any(u == m for m in mine)):
                continue
            copy.erase()
            if view is not None:  # computed into the output, seen through the inverse reshape
                with ir.InsertionPoint(alloc), alloc.location:
                    into = memref.CollapseShapeOp(src.type, dst, view.attributes["reassociation"]).result
                view.erase()
            else:
                into = dst
            src.replace_all_uses_with(into)
            alloc.erase()
            changed = True
            break


def _alias_users(v: ir.Value) -> list[ir.Operation]:
    """Every op using `v` or a memref derived from it (views), transitively."""
    users, todo = [], [v]
    while todo:
        for use in todo.pop().uses:
            op = use.owner.operation if hasattr(use.owner, "operation") else use.owner
            users.append(op)
            todo.extend(r for r in op.results if isinstance(r.type.maybe_downcast(), ir.MemRefType))
    return users


def _top_index(top: list[ir.Operation], op) -> int:
    op = op.operation if hasattr(op, "operation") else op
    while True:
        for i, t in enumerate(top):
            if t == op:
                return i
        parent = op.parent
        if parent is None:
            return len(top)
        op = parent.operation if hasattr(parent, "operation") else parent


def _drop_bufferization_attrs(func: ir.Operation) -> None:
    if "arg_attrs" not in func.attributes:
        return
    kept = []
    for a in ir.ArrayAttr(func.attributes["arg_attrs"]):
        kept.append(ir.DictAttr.get({n.name: n.attr for n in ir.DictAttr(a)
                                     if not n.name.startswith("bufferization.")}))
    func.attributes["arg_attrs"] = ir.ArrayAttr.get(kept)


def print_with_names(module: ir.Module, names: list[str]) -> str:
    """MLIR's printing of `module`, with the public function's arguments named as the user named them
    (MLIR prints %arg0, %arg1, ...); a name that would clash with another value keeps MLIR's."""
    text = str(module)
    used = set(re.findall(r"%([\w$.-]+)", text))
    for i, name in reversed(list(enumerate(names))):
        if name == f"arg{i}" or name in used or not re.fullmatch(r"[A-Za-z_][\w$.]*", name):
            continue
        text = re.sub(rf"%arg{i}(?![\w$.-])", f"%{name}", text)
        used.add(name)
    return text
