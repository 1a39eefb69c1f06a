"""An output stays `noalias` inside the functions MLIR outlines for parallel tasks.

`outputs_noalias` (build.py) marks each output pointer of the kernel's public function. `async-parallel-for`
moves a parallel loop's body into `parallel_compute_fn` (and its dispatch into `async_dispatch_fn`), which get
the kernel's pointers as plain parameters: there LLVM must assume again that a store to the output may change
what the next load from an input reads, so the loops a task runs keep their stores in place and are not
vectorised without checks (a 4096x512 column sum split over 2 cores took 126 us against 90 us for the unsplit
loops on one core, znver4).

After lowering to the LLVM dialect, `propagate` follows each pointer parameter of a private function back through
its call sites (through `llvm.extractvalue`/`llvm.insertvalue` of the memref descriptors, `llvm.getelementptr`
and the parameters of the callers, to a fixed point) to the kernel arguments it can be. A parameter is marked
`llvm.noalias` when it can only be one output, and no other parameter the function uses can be that output or a
pointer of unknown origin (a descriptor's allocated and aligned pointers are both the output: only one of them
may be used). Inputs are distinct memory from every output (every call path checks it). Not marked: a coroutine
(its frame outlives the call, and with it the caller's accesses), a function whose address is taken (its call
sites are not all known) and the public function (its attributes are the source).
"""

from __future__ import annotations

from mlir import ir

from .kernel import walk

UNKNOWN = ("unknown",)
ALLOC = ("alloc",)  # memory the kernel allocated: no argument's
_THROUGH = {"llvm.getelementptr", "llvm.bitcast", "llvm.addrspacecast"}


def _functions(module: ir.Module) -> dict[str, ir.Operation]:
    return {ir.StringAttr(op.operation.attributes["sym_name"]).value: op.operation
            for op in module.body.operations
            if op.operation.name == "llvm.func" and len(op.operation.regions[0].blocks)}


def _params(fn: ir.Operation):
    return fn.regions[0].blocks[0].arguments


def _is_ptr(value: ir.Value) -> bool:
    return str(value.type).startswith("!llvm.ptr")


def _origins(value: ir.Value, fn: ir.Operation, roots: dict, depth: int = 0) -> frozenset:
    """The kernel arguments `value` (a pointer in `fn`) can be: ("out", i), ("in", i) or UNKNOWN."""
    if depth > 256:
        return frozenset({UNKNOWN})
    owner = value.owner
    if isinstance(owner, ir.Block):
        entry = fn.regions[0].blocks[0]
        if owner == entry:
            return roots[fn][ir.BlockArgument(value).arg_number]
        return frozenset({UNKNOWN})  # a loop-carried or joined pointer
    op = owner.operation if hasattr(owner, "operation") else owner
    if op.name in _THROUGH:
        return _origins(op.operands[0], fn, roots, depth + 1)
    if op.name == "llvm.extractvalue":
        return _extracted(op.operands[0], list(ir.DenseI64ArrayAttr(op.attributes["position"])), fn, roots, depth + 1)
    if op.name == "llvm.call" and _allocates(op):
        return frozenset({ALLOC})  # fresh memory: no argument's
    if op.name == "llvm.inttoptr":  # a pointer aligned by integer arithmetic on one pointer (an allocation's)
        base = _int_base(op.operands[0], depth + 1)
        return frozenset({UNKNOWN}) if base is None else _origins(base, fn, roots, depth + 1)
    return frozenset({UNKNOWN})


def _int_base(value: ir.Value, depth: int) -> ir.Value | None:
    """The one pointer an integer is computed from by `llvm.ptrtoint` and adds, subtracts, masks and remainders
    with values not computed from a pointer (an allocation's address rounded up to an alignment), or None."""
    if depth > 64 or isinstance(value.owner, ir.Block):
        return None
    op = value.owner.operation if hasattr(value.owner, "operation") else value.owner
    if op.name == "llvm.ptrtoint":
        return op.operands[0]
    if op.name in ("llvm.add", "llvm.sub", "llvm.and", "llvm.urem", "llvm.or"):
        bases = [_int_base(v, depth + 1) for v in op.operands]
        found = [b for b in bases if b is not None]
        others = [v for v, b in zip(op.operands, bases) if b is None]
        if found and all(f == found[0] for f in found) and all(not _from_pointer(v, depth + 1) for v in others):
            return found[0]  # (p + 63 - (p + 63) % 64: both operands from the one pointer)
    return None


def _from_pointer(value: ir.Value, depth: int) -> bool:
    """Whether an integer may be computed from a pointer (conservatively: anything but constants and arithmetic
    on them, and parameters)."""
    if isinstance(value.owner, ir.Block):
        return False
    op = value.owner.operation if hasattr(value.owner, "operation") else value.owner
    if op.name == "llvm.mlir.constant":
        return False
    if depth > 64 or op.name == "llvm.ptrtoint":
        return True
    return any(_from_pointer(v, depth + 1) for v in op.operands) if op.name.startswith("llvm.") else True


def _extracted(container: ir.Value, position: list, fn, roots, depth: int) -> frozenset:
    """What the field at `position` of the aggregate `container` can be, through its chain of insertvalues."""
    while depth <= 256:
        owner = container.owner
        if isinstance(owner, ir.Block):
            return frozenset({UNKNOWN})
        op = owner.operation if hasattr(owner, "operation") else owner
        if op.name != "llvm.insertvalue":
            return frozenset({UNKNOWN})
        at = list(ir.DenseI64ArrayAttr(op.attributes["position"]))
        if at == position:
            return _origins(op.operands[1], fn, roots, depth + 1)
        if at == position[:len(at)] or position == at[:len(position)]:
            return frozenset({UNKNOWN})  # a part or a whole of the field: not followed
        container = op.operands[0]
        depth += 1
    return frozenset({UNKNOWN})


def propagate(module: ir.Module, public: str) -> None:
    """Mark the parameters of the private functions of `module` (LLVM dialect) that can only be one output of the
    public function `public` as `llvm.noalias` (see the module's docstring)."""
    funcs = _functions(module)
    kernel = funcs.get(public)
    if kernel is None:
        return
    calls: dict[str, list] = {name: [] for name in funcs}  # callee -> [(caller, call op)]
    taken: set[str] = set()

    others = [op.operation for op in module.body.operations if op.operation.name != "llvm.func"]
    for caller in [*funcs.values(), *others]:  # (a global's initializer may take an address too)
        for op in walk(caller):
            if op.name == "llvm.call" and "callee" in op.attributes:
                callee = ir.FlatSymbolRefAttr(op.attributes["callee"]).value
                if callee in calls:
                    calls[callee].append((caller, op))
            elif op.name == "llvm.mlir.addressof":
                taken.add(ir.FlatSymbolRefAttr(op.attributes["global_name"]).value)

    roots: dict = {fn: [frozenset()] * len(_params(fn)) for fn in funcs.values()}
    attrs = list(ir.ArrayAttr(kernel.attributes["arg_attrs"])) if "arg_attrs" in kernel.attributes else []
    for i, _ in enumerate(_params(kernel)):
        noalias = i < len(attrs) and "llvm.noalias" in ir.DictAttr(attrs[i])
        roots[kernel][i] = frozenset({("out", i) if noalias else ("in", i)})
    for name, fn in funcs.items():
        if name != public and (name in taken or not calls[name]):
            roots[fn] = [frozenset({UNKNOWN})] * len(_params(fn))

    changed = True
    while changed:
        changed = False
        for name, fn in funcs.items():
            if name == public or name in taken:
                continue
            for caller, call in calls[name]:
                for i, arg in enumerate(list(call.operands)[:len(_params(fn))]):
                    if not _is_ptr(arg):
                        continue
                    new = roots[fn][i] | _origins(arg, caller, roots)
                    if new != roots[fn][i]:
                        roots[fn][i], changed = new, True

    for name, fn in funcs.items():
        if name == public or name in taken or "passthrough" in fn.attributes or _makes_pointers(fn):
            continue
        params = _params(fn)
        used = [i for i, p in enumerate(params) if _is_ptr(p) and _has_uses(p)]
        marks = []
        for i in used:
            if len(roots[fn][i]) != 1 or next(iter(roots[fn][i]))[0] != "out":
                continue
            out = next(iter(roots[fn][i]))
            if all(out not in roots[fn][j] and UNKNOWN not in roots[fn][j] for j in used if j != i):
                marks.append(i)
        if marks:
            mark(fn, marks)


def _makes_pointers(fn: ir.Operation) -> bool:
    """Whether `fn` makes a pointer from something other than a parameter's: an integer (`llvm.inttoptr`: an
    output's address as an index, `memref.extract_aligned_pointer_as_index`), a load, or a call's result (other
    than an allocation's): it could reach the output without being based on the parameter."""
    return any(op.name == "llvm.inttoptr" or op.name in ("llvm.load", "llvm.call") and any(
        _is_ptr(r) for r in op.results) and not (op.name == "llvm.call" and _allocates(op)) for op in walk(fn))


def _allocates(call: ir.Operation) -> bool:
    return "callee" in call.attributes and ir.FlatSymbolRefAttr(call.attributes["callee"]).value in (
        "malloc", "aligned_alloc", "_mlir_memref_to_llvm_alloc", "_mlir_memref_to_llvm_aligned_alloc")


def _has_uses(value: ir.Value) -> bool:
    return any(True for _ in value.uses)


def mark(fn: ir.Operation, marks: list[int]) -> None:
    """Give the parameters `marks` (by position) of the function `fn` (func.func or llvm.func) `llvm.noalias`."""
    n = len(_params(fn))
    old = list(ir.ArrayAttr(fn.attributes["arg_attrs"])) if "arg_attrs" in fn.attributes else [ir.DictAttr.get({})] * n
    new = []
    for i, attrs in enumerate(old):
        d = {x.name: x.attr for x in ir.DictAttr(attrs)}
        if i in marks:
            d["llvm.noalias"] = ir.UnitAttr.get()
        new.append(ir.DictAttr.get(d))
    fn.attributes["arg_attrs"] = ir.ArrayAttr.get(new)
