"""VerifyLinearity: every value of a linear type is used exactly once, and never inside a loop body.

TensorLang's tensor type is linear, as the seeds define it: a value is consumed by its one use (an op, or
the function's return), so no tensor is read after it was handed on, and none is consumed again on each
iteration of a loop it was defined outside of. `tensorlang.copy` is the way to use a value twice: it
consumes one and gives two.

Every violation is reported, in one `LinearityError`, with the location of the value (where MLIR puts it:
the argument, or the op that defines it) and of each use, as file:line:col.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlir import ir

from ..errors import LinearityError
from ..kernel import location_of, walk
from .dialect import is_tensor

LOOPS = frozenset({"scf.for", "scf.while", "scf.parallel", "scf.forall", "affine.for", "affine.parallel"})


@dataclass(frozen=True)
class Violation:
    value: str  # the value as written, e.g. %a
    location: str  # where it is defined
    uses: tuple[str, ...]  # where it is used
    problem: str  # one clause: "is never used", "is used 2 times", "is used inside the loop body of ..."

    def sentence(self) -> str:
        return f"{self.value} ({self.location}) {self.problem}"


def verify_linearity(module: ir.Module, origin: str, text: str) -> None:
    """Raise LinearityError naming every linear value used other than exactly once, or inside a loop."""
    found: list[Violation] = []
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and len(op.regions[0].blocks):
            found.extend(_check(op, origin, text.splitlines()))
    if found:
        clauses = "; ".join(v.sentence() for v in found)
        raise LinearityError(f"linear tensor misused: {clauses}. A linear tensor is used exactly once and never "
                             "inside a loop body; \"tensorlang.copy\" gives a second use", found[0].location)


def _check(func: ir.Operation, origin: str, lines: list[str]) -> list[Violation]:
    found = []
    for value, defined_by, where in _linear_values(func, origin):
        name = _name_at(value, where, lines)
        uses = sorted(value.uses, key=lambda u: (_position(u.owner.location), u.operand_number))
        users = [u.owner.operation if hasattr(u.owner, "operation") else u.owner for u in uses]
        at = tuple(location_of(u.location, origin) or "unknown location" for u in users)
        if len(set(at)) < len(at):  # one op using it twice: say which operands
            at = tuple(f"{a} (operand {u.operand_number})" for a, u in zip(at, uses))
        if not users:
            found.append(Violation(name, where, at, "is never used"))
        elif len(users) > 1:
            found.append(Violation(name, where, at, f"is used {len(users)} times, at {_and(at)}"))
        outer = _ancestors(defined_by)
        for user, loc in zip(users, at):
            # the loop's own operands (its bounds, its iter_args' initial values) are outside its body
            enclosing = _ancestors(user)[1:]
            loop = next((a for a in enclosing if a.name in LOOPS and not any(a == o for o in outer)), None)
            if loop is not None:
                loop_at = location_of(loop.location, origin) or "unknown location"
                found.append(Violation(name, where, (loc,),
                                       f"is used at {loc}, inside the body of the {loop.name} at {loop_at}"))
    return found


def _linear_values(func: ir.Operation, origin: str):
    """(value, op or block owner that defines it, its location) for every linear value of `func`."""
    for block in func.regions[0].blocks:
        for arg in block.arguments:
            if is_tensor(arg.type):
                yield arg, func, location_of(arg.location, origin) or "unknown location"
    for op in walk(func):
        for region in op.regions:
            for block in region.blocks:
                for arg in block.arguments:
                    if is_tensor(arg.type):
                        yield arg, op, location_of(arg.location, origin) or "unknown location"
        for r in op.results:
            if is_tensor(r.type):
                yield r, _parent_of(r, op), location_of(op.location, origin) or "unknown location"


def _parent_of(result: ir.Value, op: ir.Operation) -> ir.Operation:
    """The op whose region holds `op` (a result is defined in the region its op sits in)."""
    parent = op.parent
    return parent.operation if hasattr(parent, "operation") else parent


def _position(loc: ir.Location) -> tuple[int, int]:
    m = re.search(r":(\d+):(\d+)\)", str(loc))
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def _ancestors(op) -> list[ir.Operation]:
    """`op` and every op enclosing it."""
    op = op.operation if hasattr(op, "operation") else op
    out = []
    while op is not None:
        out.append(op)
        parent = op.parent
        op = parent.operation if parent is not None and hasattr(parent, "operation") else parent
    return out


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
