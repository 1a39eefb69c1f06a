"""VerifyLinearity: every value of a linear type is consumed exactly once on every path, never inside a loop.

TensorLang's tensor type is linear, as the seeds define it: a value is consumed by its one use (an op, or
the function's return), so no tensor is read after it was handed on, and none is consumed again on each
iteration of a loop it was defined outside of. `tensorlang.copy` is the way to use a value twice: it
consumes one and gives two.

Path-sensitive, because a count over the whole function is wrong both ways once there are branches: a value
used once in each branch of an `scf.if` is consumed once on every run (not twice), and one used in only one
branch is never consumed when the other runs. The check follows structured control flow: within a block ops
run in sequence (their uses add up); the regions of a branch op (`scf.if`, `scf.index_switch`, `affine.if`;
an absent else is a region with no uses) are alternatives, of which exactly one runs, so every branch must
consume a value the same number of times, and the path that consumes it most is the one counted; a loop's
body is checked as a body of its own (its block arguments and the values it defines are linear within one
iteration), and a use in it of a value from outside is a violation. A region of any other op counts as
running once, after the op's operands.

Every violation is reported, in one `LinearityError`, with the location of the value (where MLIR puts it:
the argument, or the op that defines it) and of each use, as file:line:col.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlir import ir

from ..errors import LinearityError
from ..kernel import location_of
from .dialect import is_tensor

LOOPS = frozenset({"scf.for", "scf.while", "scf.parallel", "scf.forall", "affine.for", "affine.parallel"})
BRANCHES = frozenset({"scf.if", "scf.index_switch", "affine.if"})  # regions: alternatives, one of them runs


@dataclass(frozen=True)
class Violation:
    value: str  # the value as written, e.g. %a
    location: str  # where it is defined
    uses: tuple[str, ...]  # where it is used
    problem: str  # one clause: "is never used", "is used 2 times, at ...", "is used at ..., inside the body of ..."

    def sentence(self) -> str:
        return f"{self.value} ({self.location}) {self.problem}"


def verify_linearity(module: ir.Module, origin: str, text: str) -> None:
    """Raise LinearityError naming every linear value not consumed exactly once on every path, or consumed
    inside a loop body it was defined outside of."""
    found: list[Violation] = []
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and len(op.regions[0].blocks):
            found.extend(_check(op, origin, text.splitlines()))
    if found:
        clauses = "; ".join(v.sentence() for v in found)
        raise LinearityError(f"linear tensor misused: {clauses}. A linear tensor is used exactly once on every "
                             "path (each branch of an scf.if uses it as often as the others) and never inside a "
                             "loop body; \"tensorlang.copy\" gives a second use", found[0].location)


@dataclass(frozen=True)
class _Use:
    owner: ir.Operation  # the op whose operand it is
    operand: int  # which operand
    where: str  # the op's location, file:line:col
    loop: ir.Operation | None  # the outermost loop between the value's block and the use, if any


@dataclass(frozen=True)
class _Disagreement:
    op: ir.Operation  # the branch op
    counts: tuple[tuple[str, int, tuple[_Use, ...]], ...]  # (branch name, uses on its worst path, those uses)


def _check(func: ir.Operation, origin: str, lines: list[str]) -> list[Violation]:
    found = []
    for value, block, where in _linear_values(func, origin):
        name = _name_at(value, where, lines)
        split: list[_Disagreement] = []
        path = _path(block, value, origin, None, split)
        at = tuple(u.where for u in path)
        if len(set(at)) < len(at):  # one op using it twice: say which operands
            at = tuple(f"{u.where} (operand {u.operand})" for u in path)
        if not path and not split:
            found.append(Violation(name, where, at, "is never used"))
        elif len(path) > 1:
            found.append(Violation(name, where, at, f"is used {len(path)} times, at {_and(at)}"))
        for d in split:
            found.append(Violation(name, where, tuple(u.where for _, _, us in d.counts for u in us),
                                   _disagreement(d, origin)))
        for u, loc in zip(path, at):
            if u.loop is not None:
                loop_at = location_of(u.loop.location, origin) or "unknown location"
                found.append(Violation(name, where, (loc,),
                                       f"is used at {loc}, inside the body of the {u.loop.name} at {loop_at}"))
    return found


def _path(block: ir.Block, value: ir.Value, origin: str, loop: ir.Operation | None,
          split: list[_Disagreement]) -> list[_Use]:
    """The uses of `value` on the path through `block` that uses it most (in program order), appending to
    `split` every branch op whose branches use it a different number of times. `loop`: the loop the block
    sits in, between it and the value's own block (uses there run on every iteration)."""
    uses: list[_Use] = []
    for op in block.operations:
        op = op.operation
        where = location_of(op.location, origin) or "unknown location"
        uses.extend(_Use(op, i, where, loop) for i, operand in enumerate(op.operands) if operand == value)
        if not len(op.regions):
            continue
        inner = loop if loop is not None or op.name not in LOOPS else op
        arms = [_region_path(r, value, origin, inner, split) for r in op.regions]
        if op.name in BRANCHES:
            if len({len(a) for a in arms}) > 1:
                split.append(_Disagreement(op, tuple((_branch(op, i), len(a), tuple(a)) for i, a in enumerate(arms))))
            uses.extend(max(arms, key=len))
        else:
            uses.extend(u for a in arms for u in a)
    return uses


def _region_path(region: ir.Region, value: ir.Value, origin: str, loop, split) -> list[_Use]:
    """One region's worst path; a region of several blocks (unstructured control flow) counts every use."""
    return [u for b in region.blocks for u in _path(b, value, origin, loop, split)]


def _branch(op: ir.Operation, i: int) -> str:
    if op.name == "scf.index_switch":
        if i == 0:
            return "default"
        cases = ir.DenseI64ArrayAttr(op.attributes["cases"])
        return f"case {cases[i - 1]}"
    return ("then", "else")[i] if i < 2 else f"region {i}"


def _disagreement(d: _Disagreement, origin: str) -> str:
    at = location_of(d.op.location, origin) or "unknown location"
    parts = []
    for name, n, us in d.counts:
        where = f" (at {_and([u.where for u in us])})" if us else ""
        parts.append(f"{n} time{'s' if n != 1 else ''} in the {name} branch{where}")
    return (f"is not used the same number of times on every path through the {d.op.name} at {at}: used "
            f"{_and(parts)}; consume it in every branch (or once, before the {d.op.name})")


def _linear_values(func: ir.Operation, origin: str):
    """(value, the block it is defined in, its location) for every linear value of `func`, in program order."""
    for block in func.regions[0].blocks:
        yield from _block_values(block, origin)


def _block_values(block: ir.Block, origin: str):
    for arg in block.arguments:
        if is_tensor(arg.type):
            yield arg, block, location_of(arg.location, origin) or "unknown location"
    for op in block.operations:
        op = op.operation
        for r in op.results:
            if is_tensor(r.type):
                yield r, block, location_of(op.location, origin) or "unknown location"
        for region in op.regions:
            for inner in region.blocks:
                yield from _block_values(inner, origin)


def value_name(value: ir.Value, origin: str, lines: list[str]) -> str:
    """The value's name as the user wrote it (e.g. %a, or %c#1), read at its location in the text."""
    loc = value.location if isinstance(value, ir.BlockArgument) else value.owner.location
    return _name_at(value, location_of(loc, origin) or "", lines)


def _name_at(value: ir.Value, where: str, lines: list[str]) -> str:
    m = re.search(r":(\d+):(\d+)$", where)
    if m and int(m.group(1)) <= len(lines):
        line, col = lines[int(m.group(1)) - 1], int(m.group(2))
        if isinstance(value, ir.BlockArgument):
            hit = re.match(r"%[\w$.-]+", line[col - 1:])
            if hit:
                return hit.group(0)
        else:
            lhs = re.search(r"((?:%[\w$.-]+(?::\d+)?\s*,\s*)*%[\w$.-]+(?::\d+)?)\s*=\s*$", line[:col - 1])
            if lhs:
                names = [n.strip() for n in lhs.group(1).split(",")]
                idx = ir.OpResult(value).result_number
                if len(names) == 1 and ":" in names[0]:
                    return f"{names[0].split(':')[0]}#{idx}"
                if idx < len(names):
                    return names[idx]
    return value.get_name()


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
