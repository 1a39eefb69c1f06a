"""Ownership of one heap allocation, on every path: freed exactly once and never used after, or handed out.

Why a walk of its own: counting deallocs is not enough. A dealloc in one branch of an `scf.if` leaks on the
inputs that take the other branch, and a dealloc inside a loop of a buffer allocated outside it frees it once
per iteration; the inputs we try may never reach those paths. So the paths from a `memref.alloc` to the end
of its block are followed through the structured regions (scf/affine if, for, while, forall, parallel,
index_switch, execute_region, alloca_scope), tracking one state, live or freed:
- a branch op must leave the same state on every branch (an absent else branch leaves it as it was);
- a loop may not free it (zero or several trips would leak or double free); using it inside is fine;
- any use while freed is a use after free; a second free is a double free;
- at the end of its block it must be freed, unless the block's terminator hands it out (scf.yield,
  func.return): then ownership moves to whoever receives it (`Path.MOVED`), and the receiver (the result
  of the branch, loop or region op, or of every call of the helper: `receivers`) is followed the same way
  in its own block, so a buffer yielded out of an `scf.if` or returned by a helper and then freed on one
  path only is refused like any other; a hand-off the walk cannot follow (scf.while, scf.forall) is not
  proved. Per-iteration hand-offs of a loop are left to the counting allocator;
- a dealloc counts only if it frees a value that is this allocation on every path (`origin`), not one
  that merely may be (a loop result that may carry another buffer).
Whatever the walk cannot follow (branches of the `cf` dialect, multi-block regions, a dealloc inside an
op whose regions' control flow is unknown, a dealloc outside the allocating block) is not proved, and the
candidate is refused for that: a correct kernel can always be written in the structured form.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from mlir import ir

from neurojit.compiler.kernel import walk

BRANCHES = frozenset({"scf.if", "affine.if", "scf.index_switch"})
LOOPS = frozenset({"scf.for", "scf.while", "scf.forall", "scf.parallel", "affine.for", "affine.parallel"})
ONCE = frozenset({"scf.execute_region", "memref.alloca_scope"})
# loops whose iter_args map one to one onto their results: (results, body block arguments after the ivs)
_ITER_LOOPS = frozenset({"scf.for", "affine.for"})
FREES = frozenset({"memref.dealloc", "memref.realloc"})  # realloc frees its operand (and allocates anew)


class Path(enum.Enum):
    """What following an allocation's paths found: two proofs, or why none was found."""
    FREED = "freed exactly once on every path"
    MOVED = "handed out through its block's terminator; the counting allocator checks it at run time"
    LEAK = "never deallocated: leak"
    SOME_PATHS = "deallocated on some branches only"
    IN_LOOP = "deallocated inside a loop it is allocated outside of"
    DOUBLE_FREE = "deallocated twice: double free"
    USE_AFTER_FREE = "used after its deallocation"
    MAY_ALIAS = "a dealloc frees a value that is this allocation on some paths only"
    HANDED_OFF = "handed out through a terminator whose receiver the walk cannot follow"
    UNSTRUCTURED = "unstructured control flow (cf branches or a multi-block region)"
    UNKNOWN_REGION = "deallocated inside an op whose control flow is unknown"
    OUTSIDE = "deallocated outside the block that allocates it"

    @property
    def proved(self) -> bool:
        return self in (Path.FREED, Path.MOVED)


@dataclass(frozen=True)
class Ownership:
    """The outcome for one allocation, and the op where it shows (the alloc itself, or the offending op)."""
    path: Path
    at: ir.Operation


class _Unproved(Exception):
    def __init__(self, path: Path, at: ir.Operation):
        super().__init__(path.value)
        self.ownership = Ownership(path, at)


_LIVE, _FREED = "live", "freed"


def follow(alloc: ir.Operation, aliases: list[ir.Value], function: ir.Operation,
           value: ir.Value | None = None) -> Ownership:
    """Follow `value` (by default `alloc`'s result; or a receiver, a result of the op `alloc`) on every path
    from `alloc` to the end of its block. `aliases` are the values that may be it (views, region arguments
    and results it flows into: static._alias_closure); `function` is the func.func that holds it (to find
    deallocs the walk never reaches)."""
    walker = _Walker(alloc.result if value is None else value, set(aliases))
    try:
        return walker.run(alloc, function)
    except _Unproved as e:
        return e.ownership


class _Walker:
    def __init__(self, value: ir.Value, aliases: set[ir.Value]):
        self.value = value
        self.aliases = aliases | {value}
        self.seen: list[ir.Operation] = []  # the frees the walk reached

    def run(self, alloc: ir.Operation, function: ir.Operation) -> Ownership:
        block = alloc.block
        if len(block.region.blocks) > 1:
            raise _Unproved(Path.UNSTRUCTURED, alloc)
        ops = [o.operation for o in block.operations]
        start = next(i for i, o in enumerate(ops) if o == alloc) + 1
        term = ops[-1]
        state = self._ops(ops[start:-1], _LIVE)
        moved = self._uses(term)
        if moved:
            if term.name in ("cf.br", "cf.cond_br", "cf.switch"):
                raise _Unproved(Path.UNSTRUCTURED, term)
            if state == _FREED:
                raise _Unproved(Path.USE_AFTER_FREE, term)
        elif state == _LIVE:
            raise _Unproved(Path.LEAK, alloc)
        for op in walk(function):
            if op.name in FREES and op.operands[0] in self.aliases and not any(op == s for s in self.seen):
                # handed out: whoever receives it frees it (checked at run time)
                if not moved and self._frees_this(op) is not False:
                    raise _Unproved(Path.OUTSIDE, op)
        return Ownership(Path.MOVED if moved else Path.FREED, term if moved else alloc)

    def _ops(self, ops: list[ir.Operation], state: str) -> str:
        for op in ops:
            state = self._op(op, state)
        return state

    def _region(self, region: ir.Region, state: str) -> str:
        blocks = list(region.blocks)
        if not blocks:
            return state
        if len(blocks) > 1:
            raise _Unproved(Path.UNSTRUCTURED, region.owner)
        return self._ops([o.operation for o in blocks[0].operations], state)

    def _op(self, op: ir.Operation, state: str) -> str:
        if op.name in FREES and op.operands[0] in self.aliases:
            self.seen.append(op)
            frees = self._frees_this(op)
            if frees is False:
                return state  # frees another allocation, one this may flow beside (a sibling iter_arg)
            if state == _FREED:
                raise _Unproved(Path.DOUBLE_FREE, op)
            if frees is None:
                raise _Unproved(Path.MAY_ALIAS, op)
            return _FREED
        if not self._uses(op) and not any(self._uses(inner) for inner in walk(op)):
            return state
        if state == _FREED:
            first = op if self._uses(op) else next(i for i in walk(op) if self._uses(i))
            raise _Unproved(Path.USE_AFTER_FREE, first)
        if not any(inner.name in FREES and inner.operands[0] in self.aliases for inner in walk(op)):
            return state  # only used, while live
        if op.name in BRANCHES:
            after = {self._region(r, state) for r in op.regions}  # an absent else leaves it as it was
            if len(after) > 1:
                raise _Unproved(Path.SOME_PATHS, op)
            return after.pop()
        if op.name in LOOPS:
            raise _Unproved(Path.IN_LOOP, op)
        if op.name in ONCE:
            return self._region(op.regions[0], state)
        raise _Unproved(Path.UNKNOWN_REGION, op)

    def _frees_this(self, free: ir.Operation) -> bool | None:
        """Whether a free of one of the aliases frees this allocation: on every path (True), on none (False:
        its operand is on every path another value that cannot be this one), or on some only (None)."""
        if free.operands[0] == self.value:
            return True
        found = origin(free.operands[0])
        if found is None:
            return None
        if found == self.value:
            return True
        return None if found in self.aliases else False

    def _uses(self, op: ir.Operation) -> bool:
        return any(v in self.aliases for v in op.operands)


def receivers(term: ir.Operation, aliases: set[ir.Value], module: ir.Operation) -> list[tuple[ir.Operation, ir.Value]] | None:
    """Where a terminator that hands out one of `aliases` delivers it: (the op whose result receives it, that
    result), for every position it is handed out at; None where the walk cannot follow the hand-off."""
    positions = [i for i, v in enumerate(term.operands) if v in aliases]
    parent = term.parent
    if term.name == "func.return":
        callee = ir.StringAttr(parent.attributes["sym_name"]).value
        calls = [op for op in walk(module) if op.name == "func.call"
                 and str(op.attributes["callee"]).lstrip("@") == callee]
        return [(c, c.results[i]) for c in calls for i in positions]
    if term.name in ("scf.yield", "affine.yield", "memref.alloca_scope.return") and (
            parent.name in BRANCHES or parent.name in ONCE or parent.name in _ITER_LOOPS):
        return [(parent, parent.results[i]) for i in positions]
    return None


def origin(value: ir.Value) -> ir.Value | None:
    """The one value `value` is on every path, looking through the results and iteration arguments of
    structured ops (a branch result every branch yields alike, a loop-carried value the loop passes on
    unchanged); `value` itself where it is not such a result; None where paths disagree."""
    found = _origin(value, frozenset())
    return None if found is _CYCLE else found


_CYCLE = object()  # a loop-carried value met again while resolving it: says nothing either way


def _merge(found: list) -> object:
    known = [f for f in found if f is not _CYCLE]
    if any(f is None for f in known):
        return None
    if not known:
        return _CYCLE
    return known[0] if all(f == known[0] for f in known) else None


def _origin(value: ir.Value, opened: frozenset) -> object:
    if isinstance(value, ir.BlockArgument):
        owner = value.owner.owner
        if owner is not None and owner.name in _ITER_LOOPS and value.arg_number >= 1:
            return _carried(owner, value.arg_number - 1, opened)
        return value
    result = ir.OpResult(value)
    op = result.owner
    if op.name in BRANCHES or op.name == "scf.execute_region":
        i = result.result_number
        return _merge([_origin(_terminator(r).operands[i], opened) for r in op.regions if list(r.blocks)])
    if op.name in _ITER_LOOPS:
        return _carried(op, result.result_number, opened)
    return value


def _carried(loop: ir.Operation, i: int, opened: frozenset) -> object:
    """Iteration value i of a loop: its init on the first trip (and with no trip), then what it yields."""
    key = loop.results[i]
    if key in opened:
        return _CYCLE
    opened = opened | {key}
    inits = list(loop.operands)[len(loop.operands) - len(loop.results):]
    return _merge([_origin(inits[i], opened), _origin(_terminator(loop.regions[0]).operands[i], opened)])


def _terminator(region: ir.Region) -> ir.Operation:
    ops = region.blocks[0].operations
    return ops[len(ops) - 1].operation
