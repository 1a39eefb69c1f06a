"""Memory a kernel call gets is zero, in every build that runs: what the evaluator verified is what runs.

A kernel's heap blocks (`malloc`, `aligned_alloc`: memref.alloc lowered) and stack slots (`llvm.alloca`) hold,
when a call gets them, whatever was there before: in a user's process, often what the kernel's own last call
left. A candidate that reads such memory before writing it can keep state between calls there (a call counter
behind a tag, a cache of results) and behave under the evaluator, whose calls get freshly filled blocks (glibc's
M_PERTURB: evaluator/fresh.py) at random stack depths (compiler/jit.py), and not after N calls in a user's process;
or tell the evaluator's fill from a user's garbage (one repeated byte, the tenth red team) and be exact only under
it. Here every such block and slot is zeroed right after it is made, in the lowered module, so that a read of
memory the call did not write gives the same zeros in the evaluator's builds, the live JIT and an exported library.

Not in the checked build (`runtime_checks`): there the evaluator poisons allocations (NaN, all-ones) to find
reads of uninitialised memory (evaluator/poison.py, allocator.py), which a zero fill would hide. LLVM folds a
`malloc` then zeroing into `calloc`, and may drop the zeroing of a slot written whole before it is read.
"""

from __future__ import annotations

from mlir import ir

from .kernel import walk

# allocation functions a lowered kernel calls, and the operand that is the block's size in bytes
ALLOCATORS = {"malloc": 0, "aligned_alloc": 1}


def zero_fresh_memory(module: ir.Module) -> int:
    """Zero every heap block and stack slot right after the lowered `module` (LLVM dialect) makes it, in place;
    how many were found."""
    found = []
    for op in walk(module.operation):
        if op.name == "llvm.call" and "callee" in op.attributes:
            callee = ir.FlatSymbolRefAttr(op.attributes["callee"]).value
            if callee in ALLOCATORS and len(op.results) == 1:
                found.append((op, op.operands[ALLOCATORS[callee]], None))
        elif op.name == "llvm.alloca":
            found.append((op, op.operands[0], ir.TypeAttr(op.attributes["elem_type"]).value))
    for op, count, elem in found:
        with ir.InsertionPoint.after(op), op.location:
            size = count if elem is None else _bytes(count, elem)
            zero = _op("llvm.mlir.constant", [], ir.IntegerType.get_signless(8),
                       {"value": ir.IntegerAttr.get(ir.IntegerType.get_signless(8), 0)})
            ir.Operation.create("llvm.intr.memset", operands=[op.results[0], zero, size],
                                attributes={"isVolatile": ir.BoolAttr.get(False)})
    return len(found)


def _op(name: str, operands, result: ir.Type, attributes: dict | None = None) -> ir.Value:
    return ir.Operation.create(name, results=[result], operands=operands, attributes=attributes or {}).results[0]


def _bytes(count: ir.Value, elem: ir.Type) -> ir.Value:
    """`count` elements of `elem` in bytes, as i64: the size of one from a GEP off null (LLVM folds it)."""
    i64, ptr = ir.IntegerType.get_signless(64), ir.Type.parse("!llvm.ptr")
    null = _op("llvm.mlir.zero", [], ptr)
    one = _op("llvm.getelementptr", [null], ptr, {"elem_type": ir.TypeAttr.get(elem),
                                                  "rawConstantIndices": ir.DenseI32ArrayAttr.get([1])})
    size = _op("llvm.ptrtoint", [one], i64)
    width = ir.IntegerType(count.type).width
    n = count if width == 64 else _op("llvm.sext" if width > 1 else "llvm.zext", [count], i64)
    return _op("llvm.mul", [size, n], i64)
