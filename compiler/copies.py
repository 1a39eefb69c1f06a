"""Large `memref.copy` ops as loops of row-sized copies, before a schedule runs.

A schedule vectorises what its function holds (`transform.structured.vectorize_children_and_apply_patterns`),
and MLIR's CopyVectorizationPattern turns a `memref.copy` of static shape into one transfer of the whole
buffer: a 256x512 copy beside a kernel's op became a `vector<256x512xf32>`, which LLVM did not finish
compiling in the evaluator's 120 s (a probe of public-style kernels: every proposal for a "copy the input to
the output, then scale it in place" kernel timed out). The schedules tile the linalg ops they match; a copy is
no linalg op, so here, before the schedule, a copy of more than `CHUNK` elements between two contiguous
buffers becomes a loop over `CHUNK`-element pieces of both, seen flat (and a last, shorter piece): the same
bytes copied in the same order, each piece vectorised at a size LLVM compiles at once, or lowered to memcpy
where nothing vectorises it. Copies between strided views are left as they are (their lowering calls the
runtime's `memrefCopy`, which the vectoriser does not see differently).
"""

from __future__ import annotations

import math

from mlir import ir
from mlir.dialects import arith, memref, scf

CHUNK = 256  # elements a piece: 1 KiB of f32, 32 AVX2 loads and stores


def chunk_copies(module: ir.Module) -> int:
    """Rewrite the module's large contiguous `memref.copy` ops as above, in place; how many were rewritten."""
    found = []

    def visit(op):
        if op.name == "memref.copy" and _contiguous_pair(op):
            found.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    for op in found:
        _chunked(op)
    return len(found)


def _static_identity(t: ir.Type) -> ir.MemRefType | None:
    t = t.maybe_downcast() if hasattr(t, "maybe_downcast") else t
    if not isinstance(t, ir.MemRefType) or not t.has_static_shape or not isinstance(t.layout, ir.AffineMapAttr):
        return None
    strides, offset = t.get_strides_and_offset()
    row_major = [math.prod(t.shape[d + 1:]) for d in range(t.rank)]
    return t if offset == 0 and list(strides) == row_major else None


def _contiguous_pair(op: ir.Operation) -> bool:
    src, dst = (_static_identity(v.type) for v in op.operands)
    return (src is not None and dst is not None and list(src.shape) == list(dst.shape)
            and src.element_type == dst.element_type and math.prod(src.shape) > CHUNK)


def _chunked(op: ir.Operation) -> None:
    t = _static_identity(op.operands[0].type)
    n, elem = math.prod(t.shape), t.element_type
    idx = ir.IndexType.get()
    with op.location, ir.InsertionPoint(op):
        flat = []
        for v in op.operands:
            vt = _static_identity(v.type)
            if vt.rank > 1:
                reassoc = ir.ArrayAttr.get([ir.ArrayAttr.get(
                    [ir.IntegerAttr.get(ir.IntegerType.get_signless(64), d) for d in range(vt.rank)])])
                v = memref.CollapseShapeOp(ir.MemRefType.get([n], elem, memory_space=vt.memory_space), v,
                                           reassoc).result
            flat.append(v)
        full = n // CHUNK * CHUNK
        c0, cend, cstep = (arith.ConstantOp(idx, v).result for v in (0, full, CHUNK))
        loop = scf.ForOp(c0, cend, cstep)
        with ir.InsertionPoint(loop.body):
            _piece(flat, loop.induction_variable, CHUNK, elem)
            scf.YieldOp([])
        if n > full:
            _piece(flat, arith.ConstantOp(idx, full).result, n - full, elem)
    op.erase()


def _piece(flat: list, offset: ir.Value, size: int, elem: ir.Type) -> None:
    """memref.copy of `size` elements from `offset` of the first flat buffer to the same place in the second."""
    dyn = ir.ShapedType.get_dynamic_stride_or_offset()
    layout = ir.StridedLayoutAttr.get(dyn, [1])
    views = []
    for v in flat:
        t = ir.MemRefType.get([size], elem, layout=layout, memory_space=ir.MemRefType(v.type).memory_space)
        views.append(memref.SubViewOp(t, v, [offset], [], [], static_offsets=[dyn], static_sizes=[size],
                                      static_strides=[1]).result)
    memref.CopyOp(views[0], views[1])
