"""f16 (and bf16) sums kept in f32: a contraction into such an output accumulates in f32, rounded once.

A half-precision model's linear layer is a `linalg.matmul` on f16 operands into an f16 output. Lowered as
written, every product and every partial sum is rounded to f16 (x86 without AVX512-FP16 computes each in f32
and converts back), which is both the least accurate order and the slowest: the packed micro-kernel ran a
256x384x512 f16 matmul in 3.9 ms with its sums in f16 and in 1.0 ms with them in f32. f16 BLAS libraries
accumulate in f32 (cuBLAS's CUBLAS_COMPUTE_32F, oneDNN's f16 matmul); the result is closer to the exact one than
the f16 sums', and the evaluator holds it to the exact result like any other reordering.

`widen_sums(func)`: each matmul-family named op (matmul, batch_matmul, matvec, vecmat, dot, batch_matvec; their
`indexing_maps` kept) with f16 operands and an f16 output (or all bf16) of static shape writes into a fresh f32 buffer
instead: a `linalg.fill` of the output right before it fills the buffer (extended), else the output's values
are copied in extended (C += A B); after it, the buffer is rounded into the output and freed. The named ops cast
their operands to the output's type, so the new op multiplies and sums in f32. A schedule asks for this with
`neurojit.accumulate = "f32"` (compiler/schedule.py); the library's analysis sees every f16 kernel so
(agent/analyze.py) and its structured schedules ask for it where it changed something.
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, linalg, memref

from .kernel import walk

# named ops whose region casts each operand to the output's element type: re-created with an f32 output they
# multiply and sum in f32 (those that take `indexing_maps` keep them: a transposed operand)
SUMS = ("linalg.matmul", "linalg.batch_matmul", "linalg.matvec", "linalg.vecmat", "linalg.dot", "linalg.batch_matvec")
WITH_MAPS = ("linalg.matmul", "linalg.batch_matmul")


def widen_sums(func: ir.Operation) -> int:
    """Rewrite `func`'s f16 contractions to sum in f32 (see the module's docstring); how many were."""
    done = 0
    for op in [o for o in walk(func) if o.name in SUMS]:
        if _widen(op):
            done += 1
    return done


def _half(value: ir.Value) -> bool:
    t = value.type.maybe_downcast()
    return isinstance(t, ir.ShapedType) and isinstance(t.element_type, (ir.F16Type, ir.BF16Type))


def _static_plain(t: ir.Type) -> bool:
    t = t.maybe_downcast()
    return isinstance(t, ir.MemRefType) and t.has_static_shape and t.layout.value == ir.AffineMap.get_identity(t.rank)


def _widen(op: ir.Operation) -> bool:
    n_in = len(op.operands) - 1
    ins, out = list(op.operands)[:n_in], op.operands[n_in]
    if len(op.results) or not all(_half(v) for v in (*ins, out)) or not _static_plain(out.type):
        return False  # (tensor form, mixed types, a strided view: left as written)
    shape = out.type.maybe_downcast().shape
    f32 = ir.F32Type.get(op.context)
    prev = _previous(op)
    fill = prev if (prev is not None and prev.name == "linalg.fill" and prev.operands[1] == out) else None
    with op.location, ir.InsertionPoint(op):
        acc = memref.alloc(ir.MemRefType.get(shape, f32), [], [])
        if fill is not None:
            linalg.fill(_extended(fill.operands[0], f32), outs=[acc])
        else:
            _map(out, acc, lambda v: arith.extf(f32, v))
        maps = op.attributes["indexing_maps"] if op.name in WITH_MAPS and "indexing_maps" in op.attributes else None
        kwargs = {"indexing_maps": [ir.AffineMapAttr(a).value for a in maps]} if maps is not None else {}
        getattr(linalg, op.name.split(".")[1])(*ins, outs=[acc], **kwargs)
        _map(acc, out, lambda v: arith.truncf(out.type.maybe_downcast().element_type, v))
        memref.dealloc(acc)
    op.erase()
    if fill is not None:
        fill.erase()  # (the output is written whole by the rounding)
    return True


def _extended(value: ir.Value, f32: ir.Type) -> ir.Value:
    """`value` in f32: a constant as a constant (a kernel of linalg ops and constants stays one), else extended."""
    owner = getattr(value.owner, "operation", None)  # (None for a block argument)
    if owner is not None and owner.name == "arith.constant":
        return arith.constant(f32, ir.FloatAttr.get(f32, ir.FloatAttr(owner.attributes["value"]).value))
    return arith.extf(f32, value)


def _previous(op: ir.Operation) -> ir.Operation | None:
    """The op right before `op` in its block, or None."""
    before = None
    for o in op.block.operations:
        if o.operation == op:
            return before
        before = o.operation
    return None


def _map(src: ir.Value, dst: ir.Value, body) -> None:
    """`dst[...] = body(src[...])`, elementwise, as a linalg.generic."""
    rank = src.type.maybe_downcast().rank
    ident = ir.AffineMapAttr.get(ir.AffineMap.get_identity(rank))
    par = ir.Attribute.parse("#linalg.iterator_type<parallel>")
    g = linalg.GenericOp([], [src], [dst], ir.ArrayAttr.get([ident, ident]), ir.ArrayAttr.get([par] * rank))
    block = g.regions[0].blocks.append(src.type.maybe_downcast().element_type, dst.type.maybe_downcast().element_type)
    with ir.InsertionPoint(block):
        linalg.YieldOp([body(block.arguments[0])])
