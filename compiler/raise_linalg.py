"""Loop nests raised to the `linalg.generic` ops they are, so that the structured schedules can see them.

A PolyBench-style matrix product (`affine.for i, j { D[i][j] = 0; affine.for k { D[i][j] += A[i][k] * B[k][j] } }`)
or a hand-written one with its sum in `iter_args` is a fill and a contraction in all but name. MLIR raises
nothing of the kind upstream (Polygeist's raising is not in it), so the affine and scf schedules were all such
a kernel got: 1.6x over its naive loops where the packed matmul gets 40x. This module rewrites each loop nest
of a loops-only function into one linalg op per statement, when that is exact:

* A sum kept in a one-element buffer is first made the value its loop carries (`scalars.py`).
* The kernel is first put in affine form (`raise_loops.affine_form`, without splitting): scf loops of constant
  bounds raised, loads and stores with affine indices made `affine.load`/`affine.store`.
* Every loop has constant bounds; every index is a sum of at most one induction variable times a positive
  constant plus a constant (`A[2 * i + 1][j - 1]`): the access is a strided `memref.subview` read at the loop
  indices, so each operand's map is a projected permutation (a constant index: a size-1 slice read at 0).
* A statement is a store and what its value is computed from: loads, pure `arith`/`math` ops, the induction
  variables (`linalg.index`), values defined before the nest. Its loops that the store's indices use are
  parallel; the others reduce, and then the value must be folded from the stored element's current value (a
  load of it, or the `iter_args` value of a loop whose result is stored: its initial value is a statement of
  its own, unless it is the stored element itself).
* Distribution is legal (the statements run one after the other, each whole, in the order of their stores): a
  statement reads the memref it writes only at the element it writes, in the block of its store; a read of a
  memref an earlier statement writes comes after that write in the kernel; and any two statements that touch
  a memref one of them writes index it the same way along every loop they share (PolyBench's gemm:
  `C[i][j] *= beta` in loops i, j and `C[i][j] += ...` in loops i, k, j share i only, and both name it first).
  Each element is then touched only within one iteration of the loops they share, in program order, as the
  distributed ops run them. Memrefs are function arguments, allocations or globals (read only: two
  `get_global`s of one global are one buffer); arguments do not alias (every call path refuses an output that
  aliases another argument, the convention the schedules rely on already).
* Each linalg op's loops are the statement's loops, parallel ones first and the reduced ones after, each in
  nesting order: every output element still takes its terms in the kernel's order, so the naive lowering
  gives the same bits; only a schedule reassociates a reduction, within the evaluator's tolerance, as it does
  for any linalg kernel. A statement with fast-math flags (`contract`, `reassoc`, ...) keeps its loops in
  their order and gets no prologue: LLVM may fuse or reorder such ops with whatever runs next to them.
* An op computing from one input element alone, where that input varies along fewer loops than the
  statement (`alpha * A[i][k]` in a product over i, j, k), is computed once per input element into a buffer
  the statement reads (a prologue), so a scaled contraction is left a plain multiply-add.
* A carried sum that starts from the stored element's own value reads it where the loop starts: nothing may
  write memory between that load and the loop.

Loops that only tile a linalg op by hand (subviews of every operand at the loops' indices, the op on the views)
are first folded into the op on the whole memrefs (untile.py); the other loops of such a function stay loops.
Anything else (a time loop around two sweeps, a loop bound read from data, a call, `affine.if`) leaves the
module unchanged. Then MLIR's `linalg-specialize-generic-ops` names the ops it recognises (fill, matmul, ...),
kept only where a named op, generalised back, has the generic's body op for op (operands, flags).
Found wrong and fixed by two red-team passes (each case now a test): swaps and other reads moved past a
sibling's write, outer-block reads of the written element, stale carried-sum starts, fast-math ops split or
renamed, an i1 prologue buffer.
A schedule asks for the raised kernel with `neurojit.loops = "linalg"` (compiler/schedule.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir import ir, passmanager

from .kernel import public_funcs, walk
from .raise_loops import affine_form_unsplit
from .scalars import promote_scalars
from .untile import untile

PURE_PREFIXES = ("arith.", "math.")
SOURCES = ("memref.alloc", "memref.alloca", "memref.get_global")  # memrefs that alias nothing else here
BUFFER_TYPES = ("f16", "f32", "f64", "i8", "i16", "i32", "i64")  # a prologue's buffer's element
Form = tuple[tuple[tuple[tuple[int, int], ...], int], ...]  # per index: ((loop number, coefficient), ...), const


class NotRaised(Exception):
    """Why a nest is left as loops (internal)."""


@dataclass(frozen=True)
class _Loop:
    op: ir.Operation
    number: int  # position among the nest's loops (program order)
    lb: int
    step: int
    trips: int


@dataclass(frozen=True)
class _Stmt:
    loops: tuple[_Loop, ...]  # enclosing loops, outermost first
    memref: ir.Value  # the memref written
    form: Form  # its index, over the loops' iteration numbers
    value: ir.Value  # the value stored
    store: ir.Operation  # the affine.store (for a reduction's initial value too: where that is stored)
    acc: ir.Value | None = None  # an iter_args value standing for the stored element's current value


def raise_to_linalg(module: ir.Module) -> int:
    """Raise the loop nests of `module`'s public function to linalg ops, in place, when every loop in it
    raises (else the module is left as it was); the number of linalg ops made (0: not raised)."""
    funcs = public_funcs(module)
    if not funcs:
        return 0
    func = funcs[0]
    if not any(o.name in ("affine.for", "scf.for") for o in walk(func)):
        return 0
    trial = ir.Module.parse(str(module), module.context)
    untiled = 0
    if any(o.name.startswith("linalg.") for o in walk(public_funcs(trial)[0])):  # loops that tile a linalg op
        passmanager.PassManager.parse("builtin.module(func.func(linalg-generalize-named-ops))", module.context).run(
            trial.operation)
        untiled = untile(public_funcs(trial)[0])  # by hand: the op on the whole memrefs (untile.py)
    promote_scalars(trial)  # a `sum` kept in a one-element buffer: the value its loop carries (scalars.py)
    affine_form_unsplit(trial)
    # an index written `%i - 1` in scf is an affine.apply beside the load; canonicalised, the load's map takes it
    passmanager.PassManager.parse("builtin.module(canonicalize)", module.context).run(trial.operation)
    tfunc = public_funcs(trial)[0]
    loops_left = any(o.name in ("affine.for", "scf.for") for o in walk(tfunc))
    try:  # (beside an op folded from tiles, other loops are not raised: _plan takes loops alone)
        plans = _plan(tfunc) if loops_left else []
        made = untiled + sum(_build(nest, stmts, extra) for nest, stmts, extra in plans)
    except NotRaised:
        return 0
    if not made:
        return 0
    try:
        trial.operation.verify()
    except ir.MLIRError:
        return 0
    trial = _specialized(trial)
    # the raised function replaces the original (same name, same signature)
    with ir.InsertionPoint(func), func.location:
        public_funcs(trial)[0].clone()
    func.erase()
    return made


def _specialized(module: ir.Module) -> ir.Module:
    """The module with MLIR's `linalg-specialize-generic-ops` naming the ops it recognises (fill, matmul, ...),
    where the named ops compute what the generics did: generalised back, every body has the same ops in the
    same order (the pass takes `uitofp` in a contraction's body for the signed cast a named matmul makes)."""
    def bodies(m: ir.Module) -> list[list[tuple]]:
        g = ir.Module.parse(str(m), m.context)
        passmanager.PassManager.parse("builtin.module(func.func(linalg-generalize-named-ops))", m.context).run(
            g.operation)
        return [_body_form(op.regions[0].blocks[0]) for op in walk(g.operation) if op.name == "linalg.generic"]

    canon = ir.Module.parse(str(module), module.context)
    passmanager.PassManager.parse("builtin.module(canonicalize)", module.context).run(canon.operation)
    named = ir.Module.parse(str(canon), module.context)
    passmanager.PassManager.parse("builtin.module(func.func(linalg-specialize-generic-ops), canonicalize)",
                                  module.context).run(named.operation)
    return named if bodies(named) == bodies(canon) else canon


def _body_form(block: ir.Block) -> list[tuple]:
    """A linalg body as plain data: per op its name, result types, fast-math flags and operands (a block argument
    by number, an earlier op's result by position, anything else by its text)."""
    ops = [o.operation for o in block.operations]
    args = list(block.arguments)
    form = []
    for o in ops:
        operands = []
        for x in o.operands:
            if any(x == a for a in args):
                operands.append(("arg", next(i for i, a in enumerate(args) if x == a)))
            elif not isinstance(x.owner, ir.Block) and any(x.owner.operation == p for p in ops):
                operands.append(("op", next(i for i, p in enumerate(ops) if x.owner.operation == p)))
            else:
                operands.append(("value", str(x.type)))
        flags = str(o.attributes["fastmath"]) if "fastmath" in o.attributes else ""
        form.append((o.name, tuple(str(r.type) for r in o.results), flags, tuple(operands)))
    return form


def _plan(func: ir.Operation) -> list[tuple[ir.Operation, list[_Stmt], list[ir.Operation]]]:
    """Per loop nest at the function's top: its statements, and the ops after it that go with it (the store of a
    top-level reduction loop's result)."""
    plans = []
    for op in func.regions[0].blocks[0].operations:
        op = op.operation
        if op.name == "affine.for":
            loops: list[_Loop] = []
            stmts: list[_Stmt] = []
            extra = []
            if len(op.results):  # a reduction at the top (a dot product into a 0-d memref): it and its store
                _reduction_loop(op, (), loops)
                extra = [next(iter(op.results[0].uses)).owner]
                between = _between(op, extra[0])
                if any(not o.name.startswith(PURE_PREFIXES) for o in between):
                    raise NotRaised("memory is touched between a reduction loop and the store of its result")
                stmts = _store(extra[0], (), loops)
            else:
                _visit(op, (), loops, stmts)
            _check_distribution(op, stmts)
            plans.append((op, stmts, extra))
        elif op.name in ("scf.for", "scf.while", "scf.parallel", "affine.parallel", "affine.if", "scf.if"):
            raise NotRaised(f"{op.name} at the top")
        elif op.name.startswith("linalg."):
            raise NotRaised("already has linalg ops")
    if not plans:
        raise NotRaised("no loops")
    return plans


def _between(first: ir.Operation, last: ir.Operation) -> list[ir.Operation]:
    """The ops of one block strictly between `first` and `last`."""
    ops, inside = [], False
    for o in first.parent.regions[0].blocks[0].operations:
        o = o.operation
        if o == last:
            break
        if inside:
            ops.append(o)
        inside = inside or o == first
    return ops


def _const_map(op: ir.Operation, attr: str) -> int:
    m = ir.AffineMapAttr(op.attributes[attr]).value
    if m.n_inputs != 0 or len(m.results) != 1 or not isinstance(m.results[0].maybe_downcast(), ir.AffineConstantExpr):
        raise NotRaised("a loop bound is not a constant")
    return ir.AffineConstantExpr(m.results[0]).value


def _loop(op: ir.Operation, number: int) -> _Loop:
    lb, ub = _const_map(op, "lowerBoundMap"), _const_map(op, "upperBoundMap")
    step = ir.IntegerAttr(op.attributes["step"]).value
    trips = -(-(ub - lb) // step) if step > 0 else 0
    if trips <= 0:
        raise NotRaised("a loop runs no iteration")
    return _Loop(op, number, lb, step, trips)


def _body(loop: ir.Operation) -> ir.Block:
    return loop.regions[0].blocks[0]


def _visit(op: ir.Operation, outer: tuple[_Loop, ...], loops: list[_Loop], stmts: list[_Stmt]) -> None:
    """Collect the statements under affine.for `op` (no results: a loop with iter_args is read at its store)."""
    loop = _loop(op, len(loops))
    loops.append(loop)
    here = outer + (loop,)
    if len(op.results):
        raise NotRaised("a loop's results are not stored where it ends")
    for inner in _body(op).operations:
        inner = inner.operation
        name = inner.name
        if name == "affine.for":
            if len(inner.results):
                _reduction_loop(inner, here, loops)  # its store makes the statements
            else:
                _visit(inner, here, loops, stmts)
        elif name == "affine.store":
            stmts.extend(_store(inner, here, loops))
        elif name in ("affine.load", "affine.yield", "affine.apply") or name.startswith(PURE_PREFIXES):
            if name == "affine.yield" and len(inner.operands):
                raise NotRaised("a loop yields values")
            if len(inner.regions):
                raise NotRaised(f"{name} has regions")
        else:
            raise NotRaised(f"{name} in a loop")


def _reduction_loop(op: ir.Operation, outer: tuple[_Loop, ...], loops: list[_Loop]) -> None:
    """Check an affine.for with iter_args: one value, folded in a body of loads and pure ops, its result stored
    once (the store is read by `_store`)."""
    if len(op.results) != 1 or len(list(op.results[0].uses)) != 1:
        raise NotRaised("a loop with more than one carried value, or its result used twice")
    use = next(iter(op.results[0].uses)).owner
    if use.name != "affine.store" or use.parent != op.parent:
        raise NotRaised("a carried value is not stored where its loop ends")
    for inner in _body(op).operations:
        inner = inner.operation
        if not (inner.name in ("affine.load", "affine.yield", "affine.apply") or inner.name.startswith(PURE_PREFIXES)):
            raise NotRaised(f"{inner.name} in a reduction loop")
    loops.append(_loop(op, len(loops)))


def _store(op: ir.Operation, loops: tuple[_Loop, ...], every: list[_Loop]) -> list[_Stmt]:
    value, mem = op.operands[0], op.operands[1]
    form = _form(op, list(op.operands)[2:], loops)
    owner = value.owner
    red = owner.operation if not isinstance(owner, ir.Block) and owner.name == "affine.for" else None
    if red is None:
        return [_Stmt(loops, mem, form, value, op)]
    rloop = next(lp for lp in every if lp.op == red)
    body = _body(red)
    acc, init = body.arguments[1], list(red.operands)[-1]
    yielded = list(body.operations)[-1].operation.operands[0]
    stmts = []
    if _is_load_of(init, mem, form, loops, op):
        # the sum starts from the element as the output holds it when the loop starts: nothing may write
        # memory between that load and the loop (else the raised op would start from the newer value)
        if any(not (o.name == "affine.load" or o.name.startswith(PURE_PREFIXES))
               for o in _between(init.owner.operation, red)):
            raise NotRaised("memory is written between a carried sum's initial load and its loop")
    else:
        stmts.append(_Stmt(loops, mem, form, init, op))
    stmts.append(_Stmt(loops + (rloop,), mem, form, yielded, op, acc))
    return stmts


def _is_load_of(v: ir.Value, mem: ir.Value, form: Form, loops: tuple[_Loop, ...], store: ir.Operation) -> bool:
    """Whether `v` is a load of the element `store` writes, in the store's block (read anew at every iteration of
    the loops around the store, as a linalg op's output element is)."""
    owner = v.owner
    if isinstance(owner, ir.Block) or owner.name != "affine.load" or owner.operands[0] != mem:
        return False
    return owner.operation.parent == store.parent and _form(owner.operation, list(owner.operands)[1:], loops) == form


def _form(op: ir.Operation, indices: list[ir.Value], loops: tuple[_Loop, ...]) -> Form:
    """An affine load's or store's index as linear forms over the enclosing loops' iteration numbers."""
    m = ir.AffineMapAttr(op.attributes["map"]).value
    if m.n_symbols:
        raise NotRaised("an index with symbols")
    ivs = []
    for v in indices:
        found = [lp for lp in loops if isinstance(v.owner, ir.Block) and v.owner == _body(lp.op)
                 and v == _body(lp.op).arguments[0]]
        if not found:
            raise NotRaised("an index is not an induction variable of an enclosing loop")
        ivs.append(found[0])
    form = []
    for expr in m.results:
        terms, const = _linear(expr)
        coeffs: dict[int, int] = {}
        for pos, a in terms.items():
            lp = ivs[pos]  # iv = lb + step * n
            coeffs[lp.number] = coeffs.get(lp.number, 0) + a * lp.step
            const += a * lp.lb
        form.append((tuple(sorted((n, a) for n, a in coeffs.items() if a)), const))
    return tuple(form)


def _named(form: Form) -> set[int]:
    """The loops (by number) an index names."""
    return {n for terms, _ in form for n, _ in terms}


def _linear(e: ir.AffineExpr) -> tuple[dict[int, int], int]:
    if isinstance(e.maybe_downcast(), ir.AffineConstantExpr):
        return {}, ir.AffineConstantExpr(e).value
    if isinstance(e.maybe_downcast(), ir.AffineDimExpr):
        return {ir.AffineDimExpr(e).position: 1}, 0
    if isinstance(e.maybe_downcast(), ir.AffineAddExpr):
        e = ir.AffineAddExpr(e)
        (a, c), (b, d) = _linear(e.lhs), _linear(e.rhs)
        return {k: a.get(k, 0) + b.get(k, 0) for k in a.keys() | b.keys()}, c + d
    if isinstance(e.maybe_downcast(), ir.AffineMulExpr):
        e = ir.AffineMulExpr(e)
        (a, c), (b, d) = _linear(e.lhs), _linear(e.rhs)
        if b:  # MLIR puts the constant on the right
            (a, c), (b, d) = (b, d), (a, c)
        if b:
            raise NotRaised("a product of induction variables")
        return {k: x * d for k, x in a.items()}, c * d
    raise NotRaised("an index that is not a sum of induction variables times constants")


def _inside(op: ir.Operation, nest: ir.Operation) -> bool:
    p = op
    while p is not None and p.name != "func.func":
        if p == nest:
            return True
        p = p.parent
    return False


def _slice(stmt: _Stmt, nest: ir.Operation, leaves: list[ir.Value] = ()
           ) -> tuple[list[ir.Operation], list[ir.Operation]]:
    """The ops inside the nest the statement's value is computed from (not looking past `leaves`), defs before
    uses, and its loads."""
    order, loads, seen = [], [], []

    def visit(v: ir.Value) -> None:
        if any(v == leaf for leaf in leaves):
            return
        owner = v.owner
        if isinstance(owner, ir.Block):
            if stmt.acc is not None and v == stmt.acc:
                loads.append(None)  # the stored element's current value, carried
                return
            if any(v == _body(lp.op).arguments[0] for lp in stmt.loops):
                return
            if owner.owner.operation.name == "func.func":
                return
            raise NotRaised("a value from a loop the statement is not in")
        op = owner.operation
        if not _inside(op, nest) or any(op == o for o in seen):
            return
        seen.append(op)
        if op.name == "affine.load":
            for idx in list(op.operands)[1:]:
                visit(idx)
            loads.append(op)
            return
        if op.name == "affine.for":
            raise NotRaised("a loop's result used other than by its store")
        if not (op.name.startswith(PURE_PREFIXES) or op.name == "affine.apply"):
            raise NotRaised(f"{op.name} computes a stored value")
        for x in op.operands:
            visit(x)
        order.append(op)

    visit(stmt.value)
    own = any(ld is None or ld.operands[0] == stmt.memref for ld in loads)
    if not own and _reduced(stmt):
        raise NotRaised("a reduced loop whose value does not fold the stored element's")
    return order, [ld for ld in loads if ld is not None]


def _reduced(stmt: _Stmt) -> bool:
    used = _named(stmt.form)
    return any(lp.number not in used for lp in stmt.loops)


def _source_ok(mem: ir.Value) -> bool:
    owner = mem.owner
    if isinstance(owner, ir.Block):
        return owner.owner.operation.name == "func.func"
    return owner.operation.name in SOURCES


def _global(mem: ir.Value) -> bool:
    """A memref.get_global: two of one global are one buffer, so none is written here (tables are read)."""
    owner = mem.owner
    return not isinstance(owner, ir.Block) and owner.operation.name == "memref.get_global"


def _check_distribution(nest: ir.Operation, stmts: list[_Stmt]) -> None:
    """Refuse unless the statements may run one after the other, each whole, in the order of their stores."""
    ops = [nest] + list(walk(nest))

    def pos(op: ir.Operation) -> int:  # program order within the nest (a top-level reduction's store: after it)
        return next((i for i, o in enumerate(ops) if o == op), len(ops))

    slices = [_slice(s, nest)[1] for s in stmts]
    for s, loads in zip(stmts, slices):
        if _global(s.memref):
            raise NotRaised("a store to a global")
        for ld in loads:
            if ld.operands[0] != s.memref:
                continue
            # its own element: read where a linalg op's output element is, at every iteration of its loops
            if s.acc is not None:
                raise NotRaised("a reduction's body reads the element its result is stored to")
            if ld.parent != s.store.parent:
                raise NotRaised("the written element is read outside the loop that writes it")
    for b, (sb, loads) in enumerate(zip(stmts, slices)):
        for a, sa in enumerate(stmts[:b]):
            # B runs after all of A: any read of what A writes must come after A's write in the kernel too
            for ld in loads:
                if ld.operands[0] == sa.memref and pos(ld) < pos(sa.store):
                    raise NotRaised("a statement reads a memref before another statement's write to it")
    accesses = []  # (memref, form, statement index)
    for i, (s, loads) in enumerate(zip(stmts, slices)):
        for ld in loads:
            loops = s.loops
            accesses.append((ld.operands[0], _form(ld, list(ld.operands)[1:], loops), i))
        accesses.append((s.memref, s.form, i))
    for mem, _, _ in accesses:
        if not _source_ok(mem):
            raise NotRaised("a memref that is a view of another")
        t = mem.type
        if not isinstance(t.maybe_downcast(), ir.MemRefType) or not ir.MemRefType(t).has_static_shape \
                or str(ir.MemRefType(t).layout) != str(ir.AffineMapAttr.get(
                    ir.AffineMap.get_identity(ir.MemRefType(t).rank))):
            raise NotRaised("a memref of dynamic shape or a layout")
    for w, s in enumerate(stmts):
        used = _named(s.form)
        if any(len(terms) > 1 for terms, _ in s.form) or len(used) != sum(len(t) for t, _ in s.form):
            raise NotRaised("a written memref's index mixes loops")
        for mem, form, i in accesses:
            if mem != s.memref:
                continue
            if i == w:  # the statement itself: only its own element (the linalg op's output)
                if form != s.form:
                    raise NotRaised("a statement reads the memref it writes at another index")
                continue
            # another statement: within each iteration of the loops the two share, in program order, as the
            # distributed ops run them; every shared loop must name the same index position the same way in
            # both, so that no element is touched by two of those iterations
            shared = {lp.number for lp in s.loops} & {lp.number for lp in stmts[i].loops}
            for n in shared:
                pos = [r for r, (terms, _) in enumerate(s.form) if any(k == n for k, _ in terms)]
                if len(pos) != 1 or form[pos[0]] != s.form[pos[0]]:
                    raise NotRaised("a written element is touched by iterations of a shared loop its index "
                                    "does not name")


def _view(mem: ir.Value, form: Form, loops: tuple[_Loop, ...]) -> tuple[ir.Value, list[ir.AffineExpr]]:
    """The memref as the linalg op reads it (a strided subview where the loops cover part of it), and the
    operand's map results over the statement's loops."""
    from mlir.dialects import memref

    t = ir.MemRefType(mem.type)
    where = {lp.number: d for d, lp in enumerate(loops)}
    offsets, sizes, strides, exprs = [], [], [], []
    for r, (terms, c) in enumerate(form):
        dim = t.shape[r]
        if not terms:
            if not 0 <= c < dim:
                raise NotRaised("an index out of its memref")
            offsets.append(c), sizes.append(1), strides.append(1)
            exprs.append(ir.AffineConstantExpr.get(0))
            continue
        if len(terms) != 1 or terms[0][1] <= 0:
            raise NotRaised("an index mixing loops or running backwards")
        (n, a), = terms
        trips = next(lp.trips for lp in loops if lp.number == n)
        if c < 0 or c + (trips - 1) * a >= dim:
            raise NotRaised("an index out of its memref")
        offsets.append(c), sizes.append(trips), strides.append(a)
        exprs.append(ir.AffineDimExpr.get(where[n]))
    used = [ir.AffineDimExpr(e).position for e in exprs if isinstance(e.maybe_downcast(), ir.AffineDimExpr)]
    if len(used) != len(set(used)):
        raise NotRaised("one loop indexes two dimensions of a memref")
    if offsets == [0] * t.rank and sizes == list(t.shape) and strides == [1] * t.rank:
        return mem, exprs
    return memref.subview(mem, offsets, sizes, strides), exprs


def _build(nest: ir.Operation, stmts: list[_Stmt], extra: list[ir.Operation]) -> int:
    """Insert the linalg ops of each statement before `nest` (in program order), then erase the nest (and the
    ops that go with it); how many ops were made."""
    made = 0
    with ir.InsertionPoint(nest), nest.location:
        for s in stmts:
            order, loads = _slice(s, nest)
            pro = _prologues(s, order, loads)
            every = loads
            if pro:
                order, loads = _slice(s, nest, [root.results[0] for root, _, _ in pro])
            temps = [_prologue(root, load, chain, s) for root, load, chain in pro]
            _statement(s, order, loads, temps, every)
            made += 1 + len(temps)
            for t, _, _, _ in temps:
                _dealloc(t)
    for op in extra:
        op.erase()
    nest.erase()
    return made


def _dealloc(buf: ir.Value) -> None:
    from mlir.dialects import memref
    memref.DeallocOp(buf)


def _prologues(s: _Stmt, order: list[ir.Operation], loads: list[ir.Operation]
               ) -> list[tuple[ir.Operation, ir.Operation, list[ir.Operation]]]:
    """The statement's ops that compute from one input element alone (and constants) where that input varies
    along fewer loops than the statement has (`alpha * A[i][k]` in a product over i, j, k): (the last such op,
    its load, the ops it is computed by). Each is computed once per input element, into a buffer the statement
    reads instead: the same operations on the same values, so the same bits, and the statement's body is left a
    plain multiply-add (a matmul) where it was one apart from such scalings."""
    def source(v: ir.Value) -> tuple[frozenset, bool]:  # (loads it is computed from, whether from a loop/acc)
        owner = v.owner
        if isinstance(owner, ir.Block):
            return frozenset(), owner.owner.operation.name != "func.func"
        op = owner.operation
        for i, ld in enumerate(loads):
            if ld == op:
                return frozenset({i}), ld.operands[0] == s.memref  # (the output's own element: carried)
        for j, o in enumerate(order):
            if o == op:
                return info[j]
        return frozenset(), False  # from before the nest

    info: list[tuple[frozenset, bool]] = []
    for op in order:
        parts = [source(x) for x in op.operands]
        info.append((frozenset().union(*(p for p, _ in parts)), any(t for _, t in parts)))
    if any(_flagged(op) for op in order):
        return []  # LLVM may contract or reassociate flagged ops across the split: kept together
    mine = {lp.number for lp in s.loops}
    found = []
    for j, op in enumerate(order):
        srcs, tainted = info[j]
        if tainted or len(srcs) != 1 or op.results[0] == s.value or str(op.results[0].type) not in BUFFER_TYPES:
            continue  # (an i1 or index buffer: not a memref element type the lowering takes)
        load = loads[next(iter(srcs))]
        used = _named(_form(load, list(load.operands)[1:], s.loops))
        if used >= mine:
            continue  # the input varies along every loop: nothing is computed twice
        users = [k for k, o in enumerate(order) if any(x == op.results[0] for x in o.operands)]
        if users and all(info[k] == info[j] for k in users):
            continue  # not the last op of its chain
        found.append((op, load, _chain(op, order)))
    return found


def _flagged(op: ir.Operation) -> bool:
    """An op with fast-math flags (contract, reassoc, ...): LLVM may fuse or reorder it with its neighbours."""
    if "fastmath" not in op.attributes:
        return False
    return str(op.attributes["fastmath"]) not in ("#arith.fastmath<none>",)


def _chain(root: ir.Operation, order: list[ir.Operation]) -> list[ir.Operation]:
    """The ops of `order` that `root` is computed by, root included, defs before uses."""
    keep, todo = [root], [root]
    while todo:
        op = todo.pop()
        for x in op.operands:
            owner = x.owner
            if isinstance(owner, ir.Block):
                continue
            o = owner.operation
            if any(o == k for k in order) and not any(o == k for k in keep):
                keep.append(o)
                todo.append(o)
    return [o for o in order if any(o == k for k in keep)]


def _prologue(root: ir.Operation, load: ir.Operation, chain: list[ir.Operation], s: _Stmt
              ) -> tuple[ir.Value, ir.Operation, tuple[_Loop, ...], ir.Operation]:
    """A buffer of the root's values over the loops its input varies along, computed by a linalg.generic; (the
    buffer, the root, those loops, the load)."""
    from mlir.dialects import memref

    form = _form(load, list(load.operands)[1:], s.loops)
    used = _named(form)
    loops = tuple(lp for lp in s.loops if lp.number in used)
    elem = root.results[0].type
    buf = memref.AllocOp(ir.MemRefType.get([lp.trips for lp in loops], elem), [], []).result
    view, exprs = _view(load.operands[0], form, loops)
    n = len(loops)
    ident = [ir.AffineDimExpr.get(d) for d in range(n)]
    _generic(n, set(range(n)), [(view, exprs, ir.MemRefType(load.operands[0].type).element_type)],
             (buf, ident, elem), [(load.results[0], 0)], chain, root.results[0], (), {})
    return buf, root, loops, load


def _statement(s: _Stmt, order: list[ir.Operation], loads: list[ir.Operation],
               temps: list[tuple[ir.Value, ir.Operation, tuple[_Loop, ...], ir.Operation]],
               every: list[ir.Operation]) -> None:
    """The statement's linalg.generic: its loads (in the order the kernel reads them; a prologue's buffer where
    its load was) as inputs, the written memref as its output."""
    n = len(s.loops)
    # parallel loops first, then the reduced ones, each in nesting order: every output element still takes
    # its terms in the kernel's order (the reduced loops keep theirs), and a contraction written i, k, j
    # (PolyBench's gemm) has the loops a matmul has
    named = _named(s.form)
    ordered = tuple(lp for lp in s.loops if lp.number in named) + tuple(lp for lp in s.loops if lp.number not in named)
    if any(_flagged(op) for op in order):  # a reassociating sum: LLVM may vectorise it in the order the loops run
        ordered = s.loops
    where = {lp.number: d for d, lp in enumerate(ordered)}
    parallel = {where[num] for num in named}
    ins: list[tuple[ir.Value, list, ir.Type]] = []
    keys: list[tuple[ir.Value, Form]] = []
    args: list[tuple[ir.Value, int | None]] = []  # (value in the nest, its block argument: None for the output's)
    for ld in every:
        for buf, root, loops, src in temps:  # a prologue's buffer, read along its loops, where its load was
            if src == ld:
                keys.append((buf, ()))
                ins.append((buf, [ir.AffineDimExpr.get(where[lp.number]) for lp in loops], root.results[0].type))
                args.append((root.results[0], len(ins) - 1))
        if not any(ld == x for x in loads):
            continue
        if ld.operands[0] == s.memref:
            args.append((ld.results[0], None))  # the output's current value
            continue
        form = _form(ld, list(ld.operands)[1:], s.loops)
        same = [i for i, (m, f) in enumerate(keys) if m == ld.operands[0] and f == form]
        if same:
            args.append((ld.results[0], same[0]))
            continue
        view, exprs = _view(ld.operands[0], form, ordered)
        keys.append((ld.operands[0], form))
        ins.append((view, exprs, ir.MemRefType(ld.operands[0].type).element_type))
        args.append((ld.results[0], len(ins) - 1))
    scalar = not order and not loads and not temps and s.acc is None and not isinstance(s.value.owner, ir.Block)
    if scalar:  # a value from before the nest, stored everywhere: a fill (an operand of rank 0)
        ins.append((s.value, [], s.value.type))
        args.append((s.value, len(ins) - 1))
    indexed = {ir.AffineDimExpr(e).position for _, exprs, _ in ins for e in exprs
               if isinstance(e.maybe_downcast(), ir.AffineDimExpr)}
    if not set(range(n)) - parallel <= indexed:
        raise NotRaised("a reduced loop no operand indexes")
    out, out_exprs = _view(s.memref, s.form, ordered)
    ivs = {lp.number: (lp, where[lp.number]) for lp in s.loops}
    _generic(n, parallel, ins, (out, out_exprs, ir.MemRefType(s.memref.type).element_type), args, order, s.value,
             tuple(ivs.values()), {"acc": s.acc})


def _generic(n: int, parallel: set[int], ins: list[tuple[ir.Value, list, ir.Type]],
             out: tuple[ir.Value, list, ir.Type], args: list[tuple[ir.Value, int | None]],
             ops: list[ir.Operation], value: ir.Value, ivs: tuple[tuple[_Loop, int], ...], extra: dict) -> None:
    """A linalg.generic of `n` loops over `ins` into `out` (each a value, its map's results, its element type)
    whose body clones `ops` with each of `args` read from its block argument (None: the output's) and each
    loop's induction variable rebuilt from `linalg.index`, and yields `value`."""
    from mlir.dialects import arith, linalg

    maps = [ir.AffineMapAttr.get(ir.AffineMap.get(n, 0, exprs)) for _, exprs, _ in ins]
    maps.append(ir.AffineMapAttr.get(ir.AffineMap.get(n, 0, out[1])))
    kinds = [ir.Attribute.parse(f"#linalg.iterator_type<{'parallel' if d in parallel else 'reduction'}>")
             for d in range(n)]
    gen = linalg.GenericOp([], [v for v, _, _ in ins], [out[0]], ir.ArrayAttr.get(maps), ir.ArrayAttr.get(kinds))
    block = gen.regions[0].blocks.append(*[t for _, _, t in ins], out[2])
    out_arg = block.arguments[len(ins)]
    mapping: list[tuple[ir.Value, ir.Value]] = []
    with ir.InsertionPoint(block):
        if extra.get("acc") is not None:
            mapping.append((extra["acc"], out_arg))
        for v, i in args:
            mapping.append((v, out_arg if i is None else block.arguments[i]))
        for lp, d in ivs:
            idx = linalg.IndexOp(ir.IntegerAttr.get(ir.IntegerType.get_signless(64), d)).result
            if lp.step != 1:
                idx = arith.muli(idx, arith.constant(ir.IndexType.get(), lp.step))
            if lp.lb != 0:
                idx = arith.addi(idx, arith.constant(ir.IndexType.get(), lp.lb))
            mapping.append((_body(lp.op).arguments[0], idx))
        for op in ops:
            new = op.clone()
            for k, x in enumerate(new.operands):
                for old, rep in mapping:
                    if x == old:
                        new.operands[k] = rep
                        break
            for old, rep in zip(op.results, new.results):
                mapping.append((old, rep))
        linalg.YieldOp([next((rep for old, rep in mapping if old == value), value)])


__all__ = ["raise_to_linalg"]
