"""What a candidate's text is, decided from the text alone: a full module or a transform schedule.

Candidate text is untrusted and MLIR is built with assertions, so nothing here parses it: the decision is
textual, made once (by `Candidate.of`, the evaluator's one constructor) and carried with the candidate.
A model's own word on the kind is never used. Comments are ignored, so a module that mentions a named
sequence in a comment is still a module; string literals are kept whole (`"a//b"` is not a comment).
"""

from __future__ import annotations

import enum

from .kernel import ir_hash

SCHEDULE_MARKERS = ("transform.named_sequence", "transform.with_named_sequence")


class CandidateKind(enum.StrEnum):
    MODULE = "module"  # a full replacement module with the baseline's signature
    SCHEDULE = "schedule"  # a transform-dialect script applied to the baseline


def code_lines(text: str) -> list[str]:
    """The text's lines without `//` comments, whitespace outside string literals collapsed to one space,
    empty lines dropped."""
    out = []
    for line in text.splitlines():
        code = _code_of(line)
        if code:
            out.append(code)
    return out


def _code_of(line: str) -> str:
    parts: list[str] = []
    in_string = escaped = False
    space = False
    i = 0
    while i < len(line):
        ch = line[i]
        if in_string:
            parts.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            if space and parts:
                parts.append(" ")
            space = False
            parts.append(ch)
            in_string = True
        elif line.startswith("//", i):
            break
        elif ch.isspace():
            space = True
        else:
            if space and parts:
                parts.append(" ")
            space = False
            parts.append(ch)
        i += 1
    return "".join(parts)


def classify(text: str) -> CandidateKind:
    """A text holding a transform named sequence (outside comments) is a schedule; anything else a module."""
    code = "\n".join(code_lines(text))
    return CandidateKind.SCHEDULE if any(m in code for m in SCHEDULE_MARKERS) else CandidateKind.MODULE


def identity_of(text: str, knobs: dict | None = None) -> str:
    """A candidate's identity: the hash of its code lines (layout and comments do not count) and its knobs."""
    return ir_hash("\n".join(code_lines(text)), sorted((knobs or {}).items()))
