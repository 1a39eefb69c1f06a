"""Static safety checks on a parsed candidate (run inside a sandboxed worker, never in the host; the one
exception is `kernel_writes_inputs`, on the user's own kernel, trusted and preflighted).

Each check is a function `(module, signature) -> None` that raises `Rejected` with the MLIR location.

What is proved here, and what is left to the dynamic checks:
- foreign_call: every op, LLVM intrinsic and external declaration is on the platform allowlist
  (platform.py: the baseline's lowering, MLIR's runtime helpers, pure scalar libm, print hooks where the
  baseline prints); every call names a callee the module defines or the allowlist admits; no indirect
  calls, inline assembly or addresses of undefined symbols. Proved for the whole module. `check_lowered`
  re-checks ops and external symbols after lowering.
- writes_input: no write into an input argument or any view of one (subview, cast, reshape,
  reinterpret_cast, transpose, vector.type_cast...), nor into a memref.global. Any op that takes such a
  memref counts as writing it unless it is known to only read it (READS) or only pass it on (FLOWS, views).
  Views are followed through view ops and through region arguments fed by aliasing values. Escapes to
  raw pointers (extract_aligned_pointer_as_index, unrealized casts, llvm ops on memrefs) are refused
  outright, because aliasing cannot be followed through them; so is every `!llvm.ptr` a candidate makes
  itself (LLVM-dialect alloca, addressof, inttoptr, null): memory behind a raw pointer has no bounds to
  check (a GEP walks anywhere: the stack, the arguments), and a mutable llvm.mlir.global written through
  one is state kept between calls. The LLVM escape hatch is for values (arithmetic, intrinsics, calls).
- unsafe_memory: every memref.alloc is freed exactly once on every path through the structured regions
  and never used after (ownership.py: a dealloc in one branch of an scf.if or inside a loop is refused;
  what the walk cannot follow, such as cf branches, is refused for not being proved); no dealloc of an
  argument, a view, a global or stack memory. An allocation its block hands out (scf.yield, func.return)
  is explicitly left to the counting allocator (leak, double free) and runtime verification (bounds).
- memory_limit: every allocation whose size folds to a constant (sizes.py: MLIR's sccp on a clone; heap,
  stack, globals, llvm.alloca) is refused above the configured limit before anything runs, whatever the
  optimiser would do with it. The stack is bounded before anything runs too, as no allocator sees it: each
  alloca's size times the trip counts of the loops between it and its function or `memref.alloca_scope`
  (every iteration takes it again), summed; an alloca with no such bound (a size or a trip count that does not
  fold) is refused.
"""

from __future__ import annotations

import math
import re

from mlir import ir

from neurojit.compiler.kernel import walk as _walk

from . import ownership, platform, sizes
from .record import Reason, Rejected

VIEW_OPS = {
    "memref.subview", "memref.cast", "memref.reinterpret_cast", "memref.collapse_shape", "memref.expand_shape",
    "memref.view", "memref.transpose", "memref.reshape", "memref.memory_space_cast", "memref.assume_alignment",
    "bufferization.to_tensor", "bufferization.to_buffer", "memref.extract_strided_metadata", "vector.type_cast",
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


# Ops that only read the memrefs they are given, and ops through which a memref only flows (views, regions,
# branches, calls: followed by `_alias_closure` and `_check_helper_writes`). Any other op that takes a memref
# may write it: the write check is an allowlist of readers, not a list of writers (affine.store, a DMA...).
READS = frozenset({
    "memref.load", "affine.load", "affine.vector_load", "vector.load", "vector.maskedload", "vector.gather",
    "vector.expandload", "vector.transfer_read", "memref.dim", "memref.rank", "memref.prefetch",
    "affine.prefetch", "memref.dealloc", "memref.realloc",  # frees: check_memory's business
})
FLOWS = frozenset({
    "func.call", "func.return", "scf.for", "scf.while", "scf.if", "scf.forall", "scf.parallel",
    "scf.execute_region", "scf.index_switch", "scf.yield", "scf.condition", "scf.reduce", "scf.reduce.return",
    "cf.br", "cf.cond_br", "cf.switch", "arith.select", "memref.alloca_scope", "memref.alloca_scope.return",
    "affine.for", "affine.if", "affine.parallel", "affine.yield",
})
_FIRST_WRITTEN = frozenset({"vector.maskedstore", "vector.scatter", "vector.compressstore",
                            "memref.generic_atomic_rmw"})  # the memref is their first operand
_STORES = frozenset({"memref.store", "affine.store", "affine.vector_store", "vector.store", "vector.transfer_write",
                     "memref.atomic_rmw"})  # the memref is their second operand


def _memrefs(values) -> list[ir.Value]:
    return [v for v in values if isinstance(v.type.maybe_downcast(), ir.MemRefType)]


def _written_operands(op: ir.Operation) -> list[ir.Value]:
    """The memref operands an op writes into (or may write into)."""
    name = op.name
    ops = list(op.operands)
    if name in READS or name in FLOWS or name in VIEW_OPS:
        return []
    if name.startswith("linalg."):
        if "operandSegmentSizes" in op.attributes:
            sizes = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))
            return _memrefs(ops[sizes[0]: sizes[0] + sizes[1]])
        return _memrefs(ops)[-1:]  # input(s), then the one init (linalg.transpose, broadcast, copy)
    if name in ("memref.copy", "bufferization.materialize_in_destination"):
        return _memrefs(ops[1:2])
    if name in _FIRST_WRITTEN:
        return _memrefs(ops[:1])
    if name in _STORES:
        return _memrefs(ops[1:2])  # the value stored comes first (a vector or scalar, never a memref)
    return _memrefs(ops)  # unknown: it may write every memref it is given


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
            elif op.name == "func.call":  # a memref a helper returns may be one it was passed
                new = [r for r in op.results if isinstance(r.type.maybe_downcast(), ir.MemRefType)]
            elif op.name in FLOWS and op.name != "func.return":
                new = [r for r in op.results if isinstance(r.type.maybe_downcast(), ir.MemRefType)]
                for region in op.regions:
                    for block in region.blocks:
                        new += [a for a in block.arguments if isinstance(a.type.maybe_downcast(), ir.MemRefType)]
                if op.name in ("scf.yield", "scf.condition", "cf.br", "cf.cond_br", "cf.switch", "affine.yield",
                               "scf.reduce", "scf.reduce.return", "memref.alloca_scope.return"):
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


_RAW_POINTER = re.compile(r"\bptr\b")  # `!llvm.ptr`, also nested: `!llvm.struct<(ptr, i64)>`, `vector<2x!llvm.ptr>`


def check_raw_pointers(module: ir.Module) -> None:
    """No op of the candidate takes, makes or binds a raw LLVM pointer (see the module's docstring)."""
    for op in _walk(module.operation):
        values = [*op.operands, *op.results, *(a for r in op.regions for b in r.blocks for a in b.arguments)]
        if any(_RAW_POINTER.search(str(v.type)) for v in values):
            raise Rejected(Reason.UNSAFE_MEMORY, f"{op.name} works on a raw LLVM pointer ({_loc(op)}); memory "
                                                 "behind one has no bounds to check and may be state kept "
                                                 "between calls: use memrefs")


def check_alignment(module: ir.Module) -> None:
    """No claim that an argument is aligned beyond its element: a caller's buffer (a numpy view, the exported C
    ABI's `const float *`) is aligned to its element only, and aligned vector moves on a misaligned one fault
    or read the wrong bytes. `memref.assume_alignment`, or an `alignment` on a load or store, of a view of an
    argument, or an argument's `llvm.align` attribute, larger than its element's size is refused (the evaluator's arguments happen to be 32-aligned or
    more, so no run would show it)."""
    for fn in module.body.operations:  # helpers too: their memref arguments may be the kernel's
        fn = fn.operation
        if fn.name == "func.func" and fn.regions[0].blocks:
            _check_alignment(fn)


def _check_alignment(func: ir.Operation) -> None:
    # an `llvm.align` argument attribute: the lowering puts it on the pointers the function receives
    if "arg_attrs" in func.attributes:
        params = list(func.regions[0].blocks[0].arguments)
        for i, attrs in enumerate(ir.ArrayAttr(func.attributes["arg_attrs"])):
            d = ir.DictAttr(attrs)
            if "llvm.align" in d and i < len(params) and isinstance(params[i].type.maybe_downcast(), ir.MemRefType):
                size = _element_bytes(ir.MemRefType(params[i].type).element_type)
                claim = ir.IntegerAttr(d["llvm.align"]).value
                if claim > size:
                    raise Rejected(Reason.UNSAFE_MEMORY, f"argument {i} of @{ir.StringAttr(func.attributes['sym_name']).value}"
                                                         f" claims {claim}-byte alignment (llvm.align); a caller's "
                                                         f"buffer is aligned to its element only ({size} bytes)")
    args = _alias_closure(func, list(func.regions[0].blocks[0].arguments))
    for op in _walk(func):
        if op.name == "vector.type_cast" and any(v == a for v in op.operands for a in args):
            size = _element_bytes(ir.MemRefType(op.operands[0].type).element_type)
            whole = _element_bytes(ir.MemRefType(op.results[0].type).element_type)
            if whole > size:  # its loads and stores are of the whole vector, aligned to it
                raise Rejected(Reason.UNSAFE_MEMORY, f"vector.type_cast reads an argument as {whole}-byte vectors "
                                                     f"({_loc(op)}), which claims it is aligned to them; a caller's "
                                                     f"buffer is aligned to its element only ({size} bytes)")
        if "alignment" not in op.attributes:
            continue
        try:
            claim = ir.IntegerAttr(op.attributes["alignment"]).value
        except (TypeError, ValueError):
            continue
        for v in op.operands:
            t = v.type.maybe_downcast()
            if isinstance(t, ir.MemRefType) and any(v == a for a in args):
                size = _element_bytes(t.element_type)
                if claim > size:
                    raise Rejected(Reason.UNSAFE_MEMORY, f"{op.name} claims an argument is {claim}-byte aligned "
                                                         f"({_loc(op)}); a caller's buffer is aligned to its "
                                                         f"element only ({size} bytes)")


def _element_bytes(t) -> int:
    """Bytes of a memref's element: a scalar's width, an index's 8, a vector's elements together."""
    t = t.maybe_downcast()
    if isinstance(t, ir.VectorType):
        return _element_bytes(t.element_type) * math.prod(t.shape)
    if isinstance(t, ir.IndexType):
        return 8
    return max(1, getattr(t, "width", 8) // 8)


def check_writes(module: ir.Module, signature) -> None:
    check_raw_pointers(module)
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


def kernel_writes_inputs(kernel) -> None:
    """The user's own kernel (trusted and preflighted, so parsed here in the host) must not write an argument the
    convention makes an input: every candidate would be refused for doing what it does (writes_input). Raises
    KernelError naming the argument and the op, and saying how to mark it an output. Only ops known to write
    count here (linalg outputs, copies, stores): an op the candidates' check merely cannot prove read-only does
    not make the user's kernel an error."""
    from neurojit.compiler.errors import KernelError
    from neurojit.compiler.kernel import parse_module

    with ir.Context() as ctx, ir.Location.unknown():
        module = parse_module(kernel.source or kernel.text, kernel.origin, ctx)  # as written: its line numbers
        func = _public_func(module)
        args = list(func.regions[0].blocks[0].arguments)
        for i, a in enumerate(kernel.signature.args):
            if a.role != "in":
                continue
            op = _writer(module, func, [args[i]], known=True)
            if op is not None:
                where = "" if _parent_func(op) == func else f" in @{_sym(_parent_func(op))}"
                raise KernelError(
                    f"{kernel.origin}, {_loc(op)}: @{kernel.signature.name} writes its argument %{a.name} "
                    f"({op.name}{where}), which is an input under the kernel convention (the outputs are the arguments marked "
                    f"{{neurojit.output}}, else the last one); mark %{a.name} {{neurojit.output}} too, or make it "
                    "a buffer of the kernel's own (memref.alloc)")


def _known_writer(op: ir.Operation) -> bool:
    return (op.name.startswith("linalg.") or op.name in _STORES or op.name in _FIRST_WRITTEN
            or op.name in ("memref.copy", "bufferization.materialize_in_destination"))


def _parent_func(op: ir.Operation) -> ir.Operation:
    op = op.operation
    while op.name != "func.func":
        op = op.parent.operation
    return op


def _writer(module: ir.Module, fn: ir.Operation, roots: list[ir.Value], known: bool = False,
            seen: set | None = None) -> ir.Operation | None:
    """The first op that writes (or may write) a value aliasing `roots` in `fn`, or in a function of the module
    it passes one to, at any depth; None if none does. `known`: count only ops known to write. `seen`: the
    (callee, arguments) already followed, once each (a chain calling each next function twice stays linear)."""
    seen = set() if seen is None else seen
    aliases = _alias_closure(fn, roots)
    for op in _walk(fn):
        written = _written_operands(op) if not known or _known_writer(op) else []
        if any(any(v == a for a in aliases) for v in written):
            return op
        if op.name == "func.call":
            callee = str(op.attributes["callee"]).lstrip("@")
            passed = tuple(i for i, x in enumerate(op.operands) if any(x == a for a in aliases))
            helper = next((f.operation for f in module.body.operations if f.operation.name == "func.func"
                           and _sym(f.operation) == callee and f.operation.regions[0].blocks), None)
            if passed and helper is not None and (callee, passed) not in seen:
                seen.add((callee, passed))
                args = list(helper.regions[0].blocks[0].arguments)
                found = _writer(module, helper, [args[i] for i in passed], known, seen)
                if found is not None:
                    return found
    return None


def _check_helper_writes(module: ir.Module, callee: str, protected: list[int]) -> None:
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and _sym(op) == callee and op.regions[0].blocks:
            args = list(op.regions[0].blocks[0].arguments)
            inner = _writer(module, op, [args[i] for i in protected], seen={(callee, tuple(protected))})
            if inner is not None:
                where = "" if _parent_func(inner) == op else f" in @{_sym(_parent_func(inner))}"
                raise Rejected(Reason.WRITES_INPUT, f"helper @{callee} writes into an input it is "
                                                    f"passed ({inner.name}{where}, {_loc(inner)})")


def check_memory(module: ir.Module, signature=None, alloc_limit: int = 2 << 30, stack_limit: int = 256 << 10) -> None:
    """memory_limit for every allocation whose size folds to a constant (sizes.py), and for stack allocations
    (allocas) whose sizes, each times the trip counts of the loops it sits in, sum past `stack_limit` or have no
    bound (a size or a trip count that is not a constant: sizes.stack_uses); then unsafe_memory for frees of memory the function
    does not own and for allocations not proved freed on every path."""
    for op, size in sizes.constant_sizes(module):
        if size < 0 or size > alloc_limit:
            what = (f"has a size that folds to {size} bytes (negative: the allocator reads it as about 2^64)"
                    if size < 0 else f"of {size / 2**30:.1f} GiB exceeds the {alloc_limit / 2**30:.1f} GiB limit")
            raise Rejected(Reason.MEMORY_LIMIT, f"{op.name} {what} ({_loc(op)}); its size is a constant, so it is "
                                                "refused whatever the optimiser would make of it")
    # the stack: bounded before anything runs, as no allocator sees it (a thread's stack may be small: 512 KiB on
    # macOS, 128 KiB with musl; the worker's own is large and would hide an overrun)
    stack, why = 0, "a thread's stack may be small: 512 KiB on macOS, 128 KiB with musl"
    for op, size, times in sizes.stack_uses(module):
        if size is None:
            raise Rejected(Reason.MEMORY_LIMIT, f"{op.name} at {_loc(op)} takes a size from the stack that is not a "
                                                f"constant, so its stack use has no bound before it runs ({why}); "
                                                "give it a static size or use memref.alloc")
        if times is None:
            raise Rejected(Reason.MEMORY_LIMIT, f"{op.name} at {_loc(op)} sits in a loop whose trip count is not a "
                                                "constant, with no memref.alloca_scope between them: every iteration "
                                                f"takes {size} more bytes of stack until the function returns ({why})"
                                                "; allocate it before the loop, put the loop body in a "
                                                "memref.alloca_scope, or use memref.alloc")
        stack += size * times
        if stack > stack_limit:
            each = f" ({times} live at once: it sits in loops with no memref.alloca_scope, and every iteration " \
                   "takes it again)" if times > 1 else ""
            raise Rejected(Reason.MEMORY_LIMIT, f"its stack allocations (allocas) take {stack / 1024:.0f} KiB by "
                                                f"{op.name} at {_loc(op)}{each}, past the {stack_limit // 1024} KiB a "
                                                f"kernel may take from its caller's stack ({why}); use memref.alloc")
    for fn in module.body.operations:
        fn = fn.operation
        if fn.name != "func.func" or not fn.regions[0].blocks:
            continue
        args = list(fn.regions[0].blocks[0].arguments)
        globals_ = [op.result for op in _walk(fn) if op.name == "memref.get_global"]
        not_owned = set(_alias_closure(fn, args + globals_))
        stack = set(_alias_closure(fn, [op.result for op in _walk(fn) if op.name == "memref.alloca"]))
        for op in _walk(fn):
            if op.name in ownership.FREES:
                v = op.operands[0]
                if v in not_owned:
                    raise Rejected(Reason.UNSAFE_MEMORY, f"deallocates memory it does not own (an argument, "
                                                         f"a global or a view of one) ({_loc(op)})")
                if v in stack:
                    raise Rejected(Reason.UNSAFE_MEMORY, f"deallocates stack memory (memref.alloca) ({_loc(op)})")
                owner = getattr(v.owner, "operation", None)
                if owner is not None and owner.name in VIEW_OPS:
                    raise Rejected(Reason.UNSAFE_MEMORY, f"deallocates a view, not an allocation ({_loc(op)})")
        for op in _walk(fn):
            if op.name in ("memref.alloc", "memref.realloc"):
                _check_linear(module, fn, op)


def _aliases(fn: ir.Operation, value: ir.Value) -> list[ir.Value]:
    aliases = _alias_closure(fn, [value])
    # a helper may return what it is passed: the memref results of a call that takes it may be it too
    while extra := [r for op in _walk(fn) if op.name == "func.call" and any(v in aliases for v in op.operands)
                    for r in op.results if isinstance(r.type.maybe_downcast(), ir.MemRefType) and r not in aliases]:
        aliases = _alias_closure(fn, aliases + extra)
    return aliases


def _function_of(op: ir.Operation) -> ir.Operation:
    while op.name != "func.func":
        op = op.parent
    return op


def _check_linear(module: ir.Module, fn: ir.Operation, alloc: ir.Operation) -> None:
    """Freed exactly once on every path with no use after; where it is handed out (scf.yield, func.return),
    its receivers are held to the same, each in its own block (ownership.py)."""
    pending, followed = [(fn, alloc, alloc.result)], []
    while pending:
        f, start, value = pending.pop()
        aliases = _aliases(f, value)
        found = ownership.follow(start, aliases, f, value)
        if found.path is ownership.Path.MOVED:
            received = ownership.receivers(found.at, set(aliases), module.operation)
            if received is None:
                found = ownership.Ownership(ownership.Path.HANDED_OFF, found.at)
            else:
                for op, r in received:
                    if not any(r == v for v in followed):  # a recursive helper hands the same result on
                        followed.append(r)
                        pending.append((_function_of(op), op, r))
                continue
        if found.path.proved:
            continue
        where = "" if found.at == alloc else f" ({found.at.name}, {_loc(found.at)})"
        via = "" if value == alloc.result else f", handed out to the result of {start.name} ({_loc(start)})"
        raise Rejected(Reason.UNSAFE_MEMORY, f"cannot prove that {alloc.name} ({_loc(alloc)}){via} is freed "
                                             f"exactly once with no use after on every path: "
                                             f"{found.path.value}{where}")


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
        if not platform.op_allowed(op.name, lowered=True):
            raise Rejected(Reason.FOREIGN_CALL, f"after lowering, the kernel uses {op.name} ({_loc(op)}), "
                                                "which is not on the platform allowlist")
    extra = sorted(s for s in lowered_symbols(module) - set(baseline_symbols)
                   if not platform.symbol_allowed(s, baseline_symbols, lowered=True))
    if extra:
        raise Rejected(Reason.FOREIGN_CALL, f"after lowering, the kernel calls external symbol(s) "
                                            f"{', '.join('@' + s for s in extra)}, which are not on the "
                                            "platform allowlist and which the baseline does not use")
