"""MLIR's own tunables in a schedule's text: `transform.tune.knob` and `transform.tune.alternatives`.

    %ts = transform.tune.knob<"ts"> = 8 from options = [4, 8, 16] -> !transform.param<i64>
    %h = transform.tune.alternatives<"how"> selected_region = 0 -> !transform.any_op { ... }, { ... }

A knob's value is one of its integer `options`; an alternatives' value is the index of a region. Either may
be written without a selection (MLIR then refuses to interpret it): the tuner's value decides. Like the
`${name:default}` placeholders these are read and set in the text, never by parsing it (candidate text is
untrusted, and MLIR asserts on some input), so a schedule is valid MLIR before and after substitution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ScheduleError

KNOB_OP = re.compile(r'transform\.tune\.knob<"(?P<name>[^"]+)">(?P<sel>\s*=\s*(?P<value>-?\d+)(?:\s*:\s*i\d+)?\s+from)?'
                     r'(?P<opts>\s*options\s*=\s*\[(?P<list>[^\]]*)\])')
ALTERNATIVES_OP = re.compile(r'transform\.tune\.alternatives<"(?P<name>[^"]+)">'
                             r'(?P<sel>\s*selected_region\s*=\s*(?P<value>\d+))?')
INT = re.compile(r"\s*(-?\d+)(?:\s*:\s*i\d+)?\s*")


@dataclass(frozen=True)
class Tunable:
    """One of MLIR's tunables in a schedule: its name, selected value (None: none written) and choices."""
    name: str
    default: int | None
    choices: tuple[int, ...]


def tunables_of(schedule: str) -> dict[str, Tunable]:
    """The integer tune.knob ops and the tune.alternatives ops of a schedule's text, by name, in order of
    appearance (a knob whose options are not integers is not one the tuner can set: left out)."""
    found: dict[str, Tunable] = {}
    for m in KNOB_OP.finditer(schedule):
        items = [x for x in m.group("list").split(",") if x.strip()]
        ints = [INT.fullmatch(x) for x in items]
        if items and all(ints):
            value = int(m.group("value")) if m.group("value") is not None else None
            found.setdefault(m.group("name"), Tunable(m.group("name"), value, tuple(int(x.group(1)) for x in ints)))
    for m in ALTERNATIVES_OP.finditer(schedule):
        n = _regions(schedule, m.end())
        value = int(m.group("value")) if m.group("value") is not None else None
        if n:
            found.setdefault(m.group("name"), Tunable(m.group("name"), value, tuple(range(n))))
    return found


def select(schedule: str, values: dict[str, int]) -> str:
    """The schedule with each named tunable's selection set to `values[name]` (one of its choices)."""
    have = tunables_of(schedule)
    for name, v in values.items():
        t = have.get(name)
        if t is not None and int(v) not in t.choices:
            raise ScheduleError(f"tunable {name} takes one of {list(t.choices)}, not {v}")

    def knob(m: re.Match) -> str:
        name = m.group("name")
        if name not in values or name not in have:
            return m.group(0)
        return f'transform.tune.knob<"{name}"> = {int(values[name])} from{m.group("opts")}'

    def alternatives(m: re.Match) -> str:
        name = m.group("name")
        if name not in values or name not in have:
            return m.group(0)
        return f'transform.tune.alternatives<"{name}"> selected_region = {int(values[name])}'

    return ALTERNATIVES_OP.sub(alternatives, KNOB_OP.sub(knob, schedule))


def _regions(text: str, start: int) -> int:
    """How many regions (`{...}, {...}`) follow the alternatives header that ends at `start` (0 if none
    is found): the first `{` after it opens the first region."""
    i = text.find("{", start)
    if i < 0:
        return 0
    n = 0
    while i < len(text) and text[i] == "{":
        end = _close(text, i)
        if end < 0:
            return n
        n += 1
        j = end + 1
        while j < len(text) and text[j].isspace():
            j += 1
        if j < len(text) and text[j] == ",":
            j += 1
            while j < len(text) and text[j].isspace():
                j += 1
            i = j
        else:
            break
    return n


def _close(text: str, i: int) -> int:
    """Index of the `}` matching the `{` at i (strings and `//` comments skipped), -1 if unbalanced."""
    depth, in_string = 0, False
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif text.startswith("//", i):
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
            continue
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1
