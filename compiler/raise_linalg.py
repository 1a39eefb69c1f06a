"""Loop nests raised to the `linalg.generic` ops they are, so that the structured schedules can see them.

A PolyBench-style matrix product (`affine.for i, j { D[i][j] = 0; affine.for k { D[i][j] += A[i][k] * B[k][j] } }`)
or a hand-written one with its sum in `iter_args` is a fill and a contraction in all but name. MLIR raises
nothing of the kind upstream (Polygeist's raising is not in it), so the affine and scf schedules were all such
a kernel got: 1.6x over its naive loops where the packed matmul gets 40x. This module rewrites each loop nest
of a loops-only function into one linalg op per statement, when that is exact:

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
* Distribution is legal: every memref a nest writes is read and written at one index expression throughout the
  nest, which uses every loop the accessing statements share. Each element is then touched only by the
  iterations of those shared loops that name it, in program order, as the distributed ops run them. Memrefs
  are function arguments, allocations or globals: arguments do not alias (every call path refuses an output
  that aliases another argument, the convention the schedules rely on already).
* The linalg ops' loops are the nest's loops in order, so their naive lowering runs the same iterations in
  the same order: only a schedule reassociates a reduction, within the evaluator's tolerance, as it does for
  any linalg kernel.

Anything else (a time loop around two sweeps, a loop bound read from data, a call, `affine.if`) leaves the
module unchanged. Then MLIR's `linalg-specialize-generic-ops` names the ops it recognises (fill, matmul, ...).
A schedule asks for the raised kernel with `neurojit.loops = "linalg"` (compiler/schedule.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir import ir, passmanager

from .kernel import public_funcs, walk

PURE_PREFIXES = ("arith.", "math.")
SOURCES = ("memref.alloc", "memref.alloca", "memref.get_global")  # memrefs that alias nothing else here
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
    from .raise_loops import affine_form_unsplit
    affine_form_unsplit(trial)
    tfunc = public_funcs(trial)[0]
    try:
        plans = _plan(tfunc)
        made = sum(_build(nest, stmts, extra) for nest, stmts, extra in plans)
    except NotRaised:
        return 0
    passmanager.PassManager.parse("builtin.module(func.func(linalg-specialize-generic-ops), canonicalize)",
                                  module.context).run(trial.operation)
    try:
        trial.operation.verify()
    except ir.MLIRError:
        return 0
    # the raised function replaces the original (same name, same signature)
    with ir.InsertionPoint(func), func.location:
        new = public_funcs(trial)[0].clone()
    func.erase()
    del new
    return made


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
            if inner.regions and len(inner.regions):
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
        return [_Stmt(loops, mem, form, value)]
    rloop = next(lp for lp in every if lp.op == red)
    body = _body(red)
    acc, init = body.arguments[1], list(red.operands)[-1]
    yielded = list(body.operations)[-1].operation.operands[0]
    stmts = []
    if not _is_load_of(init, mem, form, loops):
        stmts.append(_Stmt(loops, mem, form, init))
    stmts.append(_Stmt(loops + (rloop,), mem, form, yielded, acc))
    return stmts


def _is_load_of(v: ir.Value, mem: ir.Value, form: Form, loops: tuple[_Loop, ...]) -> bool:
    owner = v.owner
    if isinstance(owner, ir.Block) or owner.name != "affine.load" or owner.operands[0] != mem:
        return False
    return _form(owner.operation, list(owner.operands)[1:], loops) == form


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


def _slice(stmt: _Stmt, nest: ir.Operation) -> tuple[list[ir.Operation], list[ir.Operation]]:
    """The ops inside the nest the statement's value is computed from, defs before uses, and its loads."""
    order, loads, seen = [], [], []

    def visit(v: ir.Value) -> None:
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
    used = {n for terms, _ in stmt.form for n, _ in terms}
    return any(lp.number not in used for lp in stmt.loops)


def _source_ok(mem: ir.Value) -> bool:
    owner = mem.owner
    if isinstance(owner, ir.Block):
        return owner.owner.operation.name == "func.func"
    return owner.name in SOURCES


def _check_distribution(nest: ir.Operation, stmts: list[_Stmt]) -> None:
    accesses = []  # (memref, form, statement index)
    for i, s in enumerate(stmts):
        _, loads = _slice(s, nest)
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
    for s in stmts:
        touching = [(f, i) for m, f, i in accesses if m == s.memref]
        if any(f != s.form for f, _ in touching):
            raise NotRaised("a written memref is accessed at two different indices")
        used = {n for terms, _ in s.form for n, _ in terms}
        if len({i for _, i in touching}) > 1:  # statements apart: each element's iterations must be theirs alone
            common = set.intersection(*({lp.number for lp in stmts[i].loops} for _, i in touching))
            if not common <= used:
                raise NotRaised("a written element is touched by iterations of a shared loop its index does not name")
        if any(len(terms) > 1 for terms, _ in s.form) or len(used) != sum(len(t) for t, _ in s.form):
            raise NotRaised("a written memref's index mixes loops")


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
    """Insert one linalg.generic per statement before `nest` (in program order), then erase the nest (and the
    ops that go with it)."""
    from mlir.dialects import arith, linalg

    plans = [(s, *_slice(s, nest)) for s in stmts]
    with ir.InsertionPoint(nest), nest.location:
        for s, order, loads in plans:
            n = len(s.loops)
            where = {lp.number: d for d, lp in enumerate(s.loops)}
            parallel = {where[num] for terms, _ in s.form for num, _ in terms}
            ins, maps, in_types, load_arg = [], [], [], []
            for ld in loads:
                if ld.operands[0] == s.memref:
                    load_arg.append((ld, None))  # the output's current value
                    continue
                form = _form(ld, list(ld.operands)[1:], s.loops)
                key = (ld.operands[0], form)
                for i, (m, f) in enumerate(k for k, _ in ins):
                    if m == key[0] and f == key[1]:
                        load_arg.append((ld, i))
                        break
                else:
                    view, exprs = _view(ld.operands[0], form, s.loops)
                    ins.append((key, view))
                    maps.append(ir.AffineMap.get(n, 0, exprs))
                    in_types.append(ir.MemRefType(ld.operands[0].type).element_type)
                    load_arg.append((ld, len(ins) - 1))
            scalar = not order and not loads and s.acc is None and not isinstance(s.value.owner, ir.Block)
            if scalar:  # a value from before the nest, stored everywhere: a fill (an operand of rank 0)
                ins.append(((s.value, None), s.value))
                maps.append(ir.AffineMap.get(n, 0, []))
                in_types.append(s.value.type)
            for d in range(n):
                if d not in parallel and not any(d in _dims(m) for m in maps):
                    raise NotRaised("a reduced loop no operand indexes")  # (checked before building: see _plan)
            out, out_exprs = _view(s.memref, s.form, s.loops)
            maps.append(ir.AffineMap.get(n, 0, out_exprs))
            kinds = [ir.Attribute.parse(f"#linalg.iterator_type<{'parallel' if d in parallel else 'reduction'}>")
                     for d in range(n)]
            gen = linalg.GenericOp([], [v for _, v in ins], [out], ir.ArrayAttr.get(
                [ir.AffineMapAttr.get(m) for m in maps]), ir.ArrayAttr.get(kinds))
            elem = ir.MemRefType(s.memref.type).element_type
            block = gen.regions[0].blocks.append(*in_types, elem)
            mapping: list[tuple[ir.Value, ir.Value]] = []
            with ir.InsertionPoint(block):
                out_arg = block.arguments[len(in_types)]
                if s.acc is not None:
                    mapping.append((s.acc, out_arg))
                if scalar:
                    mapping.append((s.value, block.arguments[0]))
                for ld, i in load_arg:
                    mapping.append((ld.results[0], out_arg if i is None else block.arguments[i]))
                for lp in s.loops:
                    iv = _body(lp.op).arguments[0]
                    idx = linalg.IndexOp(ir.IntegerAttr.get(ir.IntegerType.get_signless(64), where[lp.number])).result
                    if lp.step != 1:
                        idx = arith.muli(idx, arith.constant(ir.IndexType.get(), lp.step))
                    if lp.lb != 0:
                        idx = arith.addi(idx, arith.constant(ir.IndexType.get(), lp.lb))
                    mapping.append((iv, idx))
                for op in order:
                    new = op.clone()
                    for k, x in enumerate(new.operands):
                        for old, rep in mapping:
                            if x == old:
                                new.operands[k] = rep
                                break
                    for old, rep in zip(op.results, new.results):
                        mapping.append((old, rep))
                result = next((rep for old, rep in mapping if old == s.value), s.value)
                linalg.YieldOp([result])
    for op in extra:
        op.erase()
    nest.erase()
    return len(stmts)


def _dims(m: ir.AffineMap) -> set[int]:
    return {ir.AffineDimExpr(e).position for e in m.results if isinstance(e.maybe_downcast(), ir.AffineDimExpr)}


__all__ = ["raise_to_linalg"]
