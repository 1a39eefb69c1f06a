"""Buffers of booleans stored as bytes: every memref of i1 in a bufferized kernel becomes a memref of i8 holding 0 or 1.

MLIR 22 cannot lower a store into a memref of i1 (MemRefToLLVM asserts that a stored integer is at least a byte
wide), and where it could, a vector of i1 is packed bits in memory while a memref of i1 has a byte per element, so a
vectorised schedule would read one as the other. A kernel on tensors leaves such buffers wherever an i1 tensor is
not fused away: a reduction's accumulator (torch.any), a mask two reductions read, a mask that goes through a
concat, a pad or a transpose, a generic with a bool result beside another (convention.py widens only the
function's own arguments and results). A kernel on memrefs may allocate one itself.

Here, on the kernel after bufferization, in place:
  1. named linalg ops with an i1 operand (a fill of `false`, a copy, a transpose) become generics;
  2. every memref value of i1 (allocations, views of them, arguments) is retyped to i8, same shape and layout;
  3. a generic reads each such operand as `byte != 0` at the top of its body and writes `extui` of what it
     yields; `memref.load`/`affine.load` compare the byte they read with 0, `memref.store`/`affine.store`
     extend the bit they store; copies move bytes as they are.
Anything else that touches such a buffer (a vector transfer written by hand) is refused, naming the op.
"""

from __future__ import annotations

import numpy as np
from mlir import ir
from mlir.dialects import arith

from .errors import KernelError
from .kernel import apply_script, as_bytes, as_operation, holds_bools, inputs_of, location_of, walk

MARK = "neurojit.widen_bools"
GENERALIZE_MARKED = f"""module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: !transform.any_op {{transform.readonly}}) {{
    %ops = transform.structured.match attributes{{{MARK}}} in %root : (!transform.any_op) -> !transform.any_op
    %g = transform.structured.generalize %ops : (!transform.any_op) -> !transform.any_op
    transform.yield
  }}
}}"""
# ops that take a memref of i1 as it is once both sides are bytes
BYTE_MOVES = ("memref.copy", "memref.dealloc", "memref.alloc", "memref.alloca", "memref.subview", "memref.cast",
              "memref.get_global",
              "memref.collapse_shape", "memref.expand_shape", "memref.reinterpret_cast", "memref.dim", "linalg.generic",
              "memref.load", "memref.store", "affine.load", "affine.store", "func.return", "func.call")


def _bits(t: ir.Type) -> bool:
    return holds_bools(t, ir.MemRefType)


def has_bool_buffers(module: ir.Module) -> bool:
    return any(_bits(v.type) for op in walk(module.operation) for v in _values(op))


def _values(op: ir.Operation) -> list[ir.Value]:
    vals = list(op.results)
    for region in op.regions:
        for block in region.blocks:
            vals.extend(block.arguments)
    return vals


def widen(module: ir.Module, origin: str = "<string>") -> list[int]:
    """Store every memref of i1 in `module` as i8 (see above); return the indices of the public function's
    arguments that were memrefs of i1 (to be marked bool)."""
    marked = False
    for op in walk(module.operation):
        if (op.name.startswith("linalg.") and op.name not in ("linalg.generic", "linalg.yield", "linalg.index")
                and any(_bits(v.type) for v in op.operands)):
            op.attributes[MARK] = ir.UnitAttr.get()
            marked = True
    if marked:
        apply_script(module, GENERALIZE_MARKED)
        for op in walk(module.operation):
            if MARK in op.attributes:
                del op.attributes[MARK]
    for op in walk(module.operation):
        if op.name not in BYTE_MOVES and any(_bits(v.type) for v in op.operands):
            raise KernelError(f"{origin}: {op.name} reads or writes a buffer of i1; NeuroJIT stores booleans as i8 "
                              "(0 or 1) and cannot convert this op: use i8", location_of(op.location, origin))
    args: list[int] = []
    for op in walk(module.operation):
        if op.name == "func.func" and len(op.regions[0].blocks):
            widened = _retype_function(op)
            if "sym_visibility" not in op.attributes:  # (the public function's: helpers are inlined before)
                args += widened
        elif op.name == "memref.global" and _bits(ir.TypeAttr(op.attributes["type"]).value):
            _global(op)
    for op in walk(module.operation):
        for v in op.results:
            if _bits(v.type):
                v.set_type(as_bytes(v.type))
    for op in list(walk(module.operation)):
        if op.name == "linalg.generic":
            _generic(op)
        elif op.name in ("memref.load", "affine.load") and str(op.results[0].type) == "i1":
            _load(op)
        elif op.name in ("memref.store", "affine.store") and str(op.operands[0].type) == "i1":
            _store(op)
    return args


def _retype_function(func: ir.Operation) -> list[int]:
    ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
    inputs = list(ftype.inputs)
    block = func.regions[0].blocks[0]
    widened = [i for i, t in enumerate(inputs) if _bits(t)]
    for i in widened:
        inputs[i] = as_bytes(inputs[i])
        block.arguments[i].set_type(inputs[i])
    if widened:
        func.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(inputs, list(ftype.results)))
    return widened


def _global(op: ir.Operation) -> None:
    """A constant buffer of i1 (a folded mask): its type and its initial value as bytes, 0 or 1."""
    mt = ir.MemRefType(ir.TypeAttr(op.attributes["type"]).value)
    op.attributes["type"] = ir.TypeAttr.get(as_bytes(mt))
    if "initial_value" not in op.attributes or not isinstance(op.attributes["initial_value"].maybe_downcast(),
                                                              ir.DenseIntElementsAttr):
        return
    value = ir.DenseIntElementsAttr(op.attributes["initial_value"])
    t = ir.RankedTensorType.get(list(mt.shape), ir.IntegerType.get_signless(8))
    if value.is_splat:
        bit = ir.IntegerAttr(value.get_splat_value()).value != 0
        op.attributes["initial_value"] = ir.DenseElementsAttr.get_splat(t, ir.IntegerAttr.get(t.element_type, int(bit)))
    else:
        bits = np.array([int(value[i]) != 0 for i in range(len(value))], np.int8)
        op.attributes["initial_value"] = ir.DenseElementsAttr.get(bits.reshape(mt.shape), type=t)


def _zero_i8() -> ir.Value:
    return arith.ConstantOp(ir.IntegerType.get_signless(8), 0).result


def _generic(op: ir.Operation) -> None:
    """Body block arguments of i1 whose operands are now bytes: read as `byte != 0`; an output's yield extended."""
    block = op.regions[0].blocks[0]
    n_in = inputs_of(op)
    yield_ = as_operation(list(block.operations)[-1])
    for k, (operand, arg) in enumerate(zip(op.operands, block.arguments)):
        if str(arg.type) != "i1" or not isinstance(operand.type.maybe_downcast(), ir.MemRefType):
            continue
        if str(ir.MemRefType(operand.type).element_type) != "i8":
            continue
        arg.set_type(ir.IntegerType.get_signless(8))
        with ir.InsertionPoint.at_block_begin(block), op.location:
            bit = arith.CmpIOp(arith.CmpIPredicate.ne, arg, _zero_i8())
        arg.replace_all_uses_except(bit.result, bit.operation)
        if k >= n_in:
            j = k - n_in
            with ir.InsertionPoint(yield_), op.location:
                yield_.operands[j] = arith.ExtUIOp(ir.IntegerType.get_signless(8), yield_.operands[j]).result


def _load(op: ir.Operation) -> None:
    r = op.results[0]
    r.set_type(ir.IntegerType.get_signless(8))
    with ir.InsertionPoint.after(op), op.location:
        bit = arith.CmpIOp(arith.CmpIPredicate.ne, r, _zero_i8())
    r.replace_all_uses_except(bit.result, bit.operation)


def _store(op: ir.Operation) -> None:
    with ir.InsertionPoint(op), op.location:
        op.operands[0] = arith.ExtUIOp(ir.IntegerType.get_signless(8), op.operands[0]).result
