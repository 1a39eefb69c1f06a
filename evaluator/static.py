"""Static safety checks on a parsed candidate (run inside a sandboxed worker, never in the host).

Each check is a function `(module, signature) -> None` that raises `Rejected` with the MLIR location.

What is proved here, and what is left to the dynamic checks:
- foreign_call: every op, LLVM intrinsic and external declaration is on the platform allowlist
  (platform.py: the baseline's lowering, MLIR's runtime helpers, pure scalar libm, print hooks where the
  baseline prints); every call names a callee the module defines or the allowlist admits; no indirect
  calls, inline assembly or addresses of undefined symbols. Proved for the whole module. `check_lowered`
  re-checks ops and external symbols after lowering.
- writes_input: no write (store, linalg output, copy target, vector write, atomic) into an input argument
  or any view of one (subview, cast, reshape, reinterpret_cast, transpose...), nor into a memref.global.
  Views are followed through view ops and through region arguments fed by aliasing values. Escapes to
  raw pointers (extract_aligned_pointer_as_index, unrealized casts, llvm ops on memrefs) are refused
  outright, because aliasing cannot be followed through them.
- unsafe_memory: every memref.alloc is deallocated exactly once, in the block that allocates it, after
  the allocation, with no use of it (or its views) after the dealloc; no dealloc of an argument, a view
  or a global. Allocations whose ownership flows through region results or calls are not proved here:
  the counting allocator (leak, double free) and runtime verification (bounds) cover them at run time.
- memory_limit: static allocation sizes above the configured limit are refused before anything runs.
"""

from __future__ import annotations

import re

from mlir import ir

from neurojit.compiler.kernel import walk as _walk

from . import platform
from .record import Reason, Rejected

VIEW_OPS = {
    "memref.subview", "memref.cast", "memref.reinterpret_cast", "memref.collapse_shape", "memref.expand_shape",
    "memref.view", "memref.transpose", "memref.reshape", "memref.memory_space_cast", "memref.assume_alignment",
    "bufferization.to_tensor", "bufferization.to_buffer", "memref.extract_strided_metadata",
}
ESCAPE_OPS = {"memref.extract_aligned_pointer_as_index", "builtin.unrealized_conversion_cast"}


def _loc(op: ir.Operation) -> str:
    m = re.search(r'loc\("[^"]*":(\d+):(\d+)\)', str(op.location))
    return f"line {m.group(1)}:{m.group(2)}" if m else "unknown location"




def _sym(op: ir.Operation) -> str:
    return ir.StringAttr(op.attributes["sym_name"]).value


def _defined_functions(module: ir.Module) -> set[str]:
    return {
        _sym(op.operation) for op in module.body.operations
        if op.operation.name in ("func.func", "llvm.func") and len(op.operation.regions[0].blocks) > 0
    }


def _scalar_signature(op: ir.Operation) -> bool:
    """Whether a declared function takes and returns scalars only (a libm function's shape)."""
    attr = op.attributes["function_type"]
    if op.name == "func.func":
        ftype = ir.FunctionType(ir.TypeAttr(attr).value)
        types = list(ftype.inputs) + list(ftype.results)
    else:  # llvm.func: !llvm.func<ret (args)>; pointers and aggregates show in the text
        text = str(ir.TypeAttr(attr).value)
        return not any(k in text for k in ("ptr", "struct", "array", "vec", "..."))
    return all(isinstance(t.maybe_downcast(), (ir.F32Type, ir.F64Type, ir.IntegerType)) for t in types)


def check_foreign_calls(module: ir.Module, signature=None, baseline_symbols: frozenset[str] = frozenset()) -> None:
    """Every op, call and external declaration is on the platform allowlist (platform.py)."""
    defined = _defined_functions(module)
    for op in module.body.operations:
        op = op.operation
        if op.name in ("func.func", "llvm.func") and len(op.regions[0].blocks) == 0:
            sym = _sym(op)
            if not platform.symbol_allowed(sym, baseline_symbols):
                raise Rejected(Reason.FOREIGN_CALL, f"declares external function @{sym} ({_loc(op)}), which is "
                                                    "not on the platform allowlist; a candidate may only call "
                                                    "functions it defines and the math library")
            if sym in platform.LIBM and not _scalar_signature(op):
                raise Rejected(Reason.FOREIGN_CALL, f"declares math function @{sym} with non-scalar arguments "
                                                    f"({_loc(op)})")
    for op in _walk(module.operation):
        name = op.name
        if not platform.op_allowed(name):
            raise Rejected(Reason.FOREIGN_CALL, f"uses {name} ({_loc(op)}), which is not on the platform "
                                                "allowlist (it may call outside the kernel)")
        if name in ("func.call", "llvm.call"):
            if "callee" not in op.attributes:
                raise Rejected(Reason.FOREIGN_CALL, f"indirect call ({_loc(op)})")
            callee = str(op.attributes["callee"]).lstrip("@")
            if callee not in defined and not platform.symbol_allowed(callee, baseline_symbols):
                raise Rejected(Reason.FOREIGN_CALL, f"calls @{callee}, which the module does not define ({_loc(op)})")
        if name == "llvm.mlir.addressof":
            target = str(op.attributes["global_name"]).lstrip("@")
            if target in defined or _is_global(module, target):
                continue
            raise Rejected(Reason.FOREIGN_CALL, f"takes the address of undefined symbol @{target} ({_loc(op)})")


def _is_global(module: ir.Module, name: str) -> bool:
    return any(op.operation.name in ("memref.global", "llvm.mlir.global") and _sym(op.operation) == name
               for op in module.body.operations)


def _public_func(module: ir.Module) -> ir.Operation:
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and "sym_visibility" not in op.attributes:
            return op
    raise Rejected(Reason.SIGNATURE_MISMATCH, "has no public function")


def _written_operands(op: ir.Operation) -> list[ir.Value]:
    """The memref operands an op writes into (or may write into)."""
    name = op.name
    ops = list(op.operands)
    if name in ("memref.store", "vector.store", "vector.maskedstore", "vector.transfer_write", "vector.scatter",
                "vector.compressstore", "memref.atomic_rmw", "memref.generic_atomic_rmw"):
        memrefs = [v for v in ops if isinstance(v.type.maybe_downcast(), ir.MemRefType)]
        return memrefs[:1] if name != "memref.store" else [ops[1]]
    if name == "memref.copy":
        return [ops[1]]
    if name == "bufferization.materialize_in_destination":
        return [ops[1]]
    if name.startswith("linalg."):
        if "operandSegmentSizes" in op.attributes:
            sizes = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))
            return ops[sizes[0]: sizes[0] + sizes[1]]
        return [v for v in ops if isinstance(v.type.maybe_downcast(), ir.MemRefType)][-1:]
    if name in ("memref.dealloc",):
        return []
    return []


def _alias_closure(func: ir.Operation, roots: list[ir.Value]) -> list[ir.Value]:
    """Values that may alias `roots`: through view ops and through region arguments and results."""
    aliases = list(roots)
    changed = True
    while changed:
        changed = False
        for op in _walk(func):
            uses_alias = any(any(v == a for a in aliases) for v in op.operands)
            if not uses_alias:
                continue
            new: list[ir.Value] = []
            if op.name in VIEW_OPS:
                new = list(op.results)
            elif op.name in ("scf.for", "scf.while", "scf.if", "scf.forall", "scf.parallel", "scf.execute_region",
                             "scf.yield", "scf.condition", "cf.br", "cf.cond_br", "arith.select", "memref.alloca_scope"):
                new = [r for r in op.results if isinstance(r.type.maybe_downcast(), ir.MemRefType)]
                for region in op.regions:
                    for block in region.blocks:
                        new += [a for a in block.arguments if isinstance(a.type.maybe_downcast(), ir.MemRefType)]
                if op.name in ("scf.yield", "scf.condition", "cf.br", "cf.cond_br"):
                    parent = op.parent
                    new += [r for r in parent.results if isinstance(r.type.maybe_downcast(), ir.MemRefType)]
                    for region in parent.regions:
                        for block in region.blocks:
                            new += [a for a in block.arguments if isinstance(a.type.maybe_downcast(), ir.MemRefType)]
            for v in new:
                if not any(v == a for a in aliases):
                    aliases.append(v)
                    changed = True
    return aliases


def check_writes(module: ir.Module, signature) -> None:
    func = _public_func(module)
    args = list(func.regions[0].blocks[0].arguments)
    inputs = [args[i] for i, a in enumerate(signature.args) if a.role == "in"]
    for fn in module.body.operations:
        fn = fn.operation
        if fn.name != "func.func" or not fn.regions[0].blocks:
            continue
        for op in _walk(fn):
            if op.name in ESCAPE_OPS or (op.name.startswith("llvm.") and any(
                    isinstance(v.type.maybe_downcast(), ir.MemRefType) for v in op.operands)):
                raise Rejected(Reason.UNSAFE_MEMORY, f"{op.name} turns a memref into a raw pointer ({_loc(op)}); "
                                                     "accesses through it cannot be checked")
        globals_ = [op.result for op in _walk(fn) if op.name == "memref.get_global"]
        roots = globals_ + (inputs if fn == func else [])
        # private helpers receive arguments we cannot track per call site: treat all their memref
        # arguments as protected unless they only ever receive outputs (checked at call sites below)
        aliases = _alias_closure(fn, roots)
        for op in _walk(fn):
            for v in _written_operands(op):
                if any(v == a for a in aliases):
                    what = "a memref.global" if any(v == g for g in _alias_closure(fn, globals_)) else "an input"
                    raise Rejected(Reason.WRITES_INPUT, f"{op.name} writes into {what} ({_loc(op)})")
            if op.name == "func.call":
                for v in op.operands:
                    if any(v == a for a in aliases):
                        callee = str(op.attributes["callee"]).lstrip("@")
                        _check_helper_writes(module, callee, [i for i, x in enumerate(op.operands) if x == v])


def _check_helper_writes(module: ir.Module, callee: str, protected: list[int]) -> None:
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and _sym(op) == callee and op.regions[0].blocks:
            args = list(op.regions[0].blocks[0].arguments)
            aliases = _alias_closure(op, [args[i] for i in protected])
            for inner in _walk(op):
                for v in _written_operands(inner):
                    if any(v == a for a in aliases):
                        raise Rejected(Reason.WRITES_INPUT, f"helper @{callee} writes into an input it is "
                                                            f"passed ({inner.name}, {_loc(inner)})")


def _nbytes(t: ir.MemRefType) -> int | None:
    if not t.has_static_shape:
        return None
    elem = t.element_type
    bits = getattr(elem.maybe_downcast(), "width", None) or 64
    n = 1
    for d in t.shape:
        n *= d
    return n * max(1, bits // 8)


def check_memory(module: ir.Module, signature=None, alloc_limit: int = 2 << 30) -> None:
    for fn in module.body.operations:
        fn = fn.operation
        if fn.name != "func.func" or not fn.regions[0].blocks:
            continue
        args = list(fn.regions[0].blocks[0].arguments)
        globals_ = [op.result for op in _walk(fn) if op.name == "memref.get_global"]
        not_owned = _alias_closure(fn, args + globals_)
        for op in _walk(fn):
            if op.name in ("memref.alloc", "memref.alloca"):
                size = _nbytes(op.result.type.maybe_downcast())
                if size is not None and size > alloc_limit:
                    raise Rejected(Reason.MEMORY_LIMIT, f"{op.name} of {size / 2**30:.1f} GiB exceeds the "
                                                        f"{alloc_limit / 2**30:.1f} GiB limit ({_loc(op)})")
            if op.name == "memref.dealloc":
                v = op.operands[0]
                if any(v == a for a in not_owned):
                    raise Rejected(Reason.UNSAFE_MEMORY, f"deallocates memory it does not own (an argument, "
                                                         f"a global or a view of one) ({_loc(op)})")
                owner = getattr(v.owner, "operation", None)
                if owner is not None and owner.name in VIEW_OPS:
                    raise Rejected(Reason.UNSAFE_MEMORY, f"deallocates a view, not an allocation ({_loc(op)})")
        for op in _walk(fn):
            if op.name == "memref.alloc":
                _check_linear(fn, op)


def _users(fn: ir.Operation, values: list[ir.Value]):
    for op in _walk(fn):
        if any(any(v == x for x in values) for v in op.operands):
            yield op


def _check_linear(fn: ir.Operation, alloc: ir.Operation) -> None:
    value = alloc.result
    views = _alias_closure(fn, [value])
    deallocs = [op for op in _users(fn, views) if op.name == "memref.dealloc"]
    escapes = any(op.name in ("scf.yield", "func.return", "func.call", "cf.br", "cf.cond_br", "scf.condition")
                  for op in _users(fn, views))
    if not deallocs:
        if escapes:
            return  # ownership moves; the counting allocator decides at run time
        raise Rejected(Reason.UNSAFE_MEMORY, f"memref.alloc is never deallocated: leak ({_loc(alloc)})")
    same_block = [d for d in deallocs if _same_block(d, alloc)]
    if len(deallocs) > 1 and len(same_block) >= 2:
        raise Rejected(Reason.UNSAFE_MEMORY, f"memref.alloc is deallocated twice: double free ({_loc(same_block[1])})")
    if len(same_block) == 1:
        d = same_block[0]
        after = _ops_after(d)
        for op in after:
            for user in [op] + list(_walk(op)):
                if any(any(v == x for x in views) for v in user.operands):
                    kind = "double free" if user.name == "memref.dealloc" else "use after free"
                    raise Rejected(Reason.UNSAFE_MEMORY, f"{user.name} after memref.dealloc: {kind} ({_loc(user)})")
        if d.is_before_in_block(alloc):
            raise Rejected(Reason.UNSAFE_MEMORY, f"memref.dealloc before its allocation ({_loc(d)})")


def _same_block(a: ir.Operation, b: ir.Operation) -> bool:
    try:
        return a.block == b.block
    except AttributeError:
        return False


def _ops_after(op: ir.Operation) -> list[ir.Operation]:
    ops = [o.operation for o in op.block.operations]
    idx = next(i for i, o in enumerate(ops) if o == op)
    return ops[idx + 1:]


def lowered_symbols(module: ir.Module) -> set[str]:
    """External symbols an LLVM-dialect module declares (functions without a body)."""
    return {
        _sym(op.operation) for op in module.body.operations
        if op.operation.name == "llvm.func" and len(op.operation.regions[0].blocks) == 0
    }


def check_lowered(module: ir.Module, baseline_symbols: set[str]) -> None:
    """After lowering: every op and intrinsic is on the platform allowlist, and every external symbol is
    on it or is one the trusted baseline's own lowering declares."""
    for op in _walk(module.operation):
        if not platform.op_allowed(op.name):
            raise Rejected(Reason.FOREIGN_CALL, f"after lowering, the kernel uses {op.name} ({_loc(op)}), "
                                                "which is not on the platform allowlist")
    extra = sorted(s for s in lowered_symbols(module) - set(baseline_symbols)
                   if not platform.symbol_allowed(s, baseline_symbols, lowered=True))
    if extra:
        raise Rejected(Reason.FOREIGN_CALL, f"after lowering, the kernel calls external symbol(s) "
                                            f"{', '.join('@' + s for s in extra)}, which are not on the "
                                            "platform allowlist and which the baseline does not use")
