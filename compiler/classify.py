"""What a candidate's text is, decided from the text alone: a full module or a transform schedule.

Candidate text is untrusted and MLIR is built with assertions, so nothing here parses it: the decision is
textual, made once (by `Candidate.of`, the evaluator's one constructor) and carried with the candidate.
A model's own word on the kind is never used. Comments are ignored, so a module that mentions a named
sequence in a comment is still a module; string literals are kept whole (`"a//b"` is not a comment). The
text is scanned as MLIR's lexer scans it (lines, comments, strings, whitespace), never as Python splits
lines: where the two disagreed, a cheat could hide code that MLIR compiles but the identity ignores.
"""

from __future__ import annotations

import enum

from .kernel import ir_hash

SCHEDULE_MARKERS = ("transform.named_sequence", "transform.with_named_sequence")


class CandidateKind(enum.StrEnum):
    MODULE = "module"  # a full replacement module with the baseline's signature
    SCHEDULE = "schedule"  # a transform-dialect script applied to the baseline


def code_lines(text: str) -> list[str]:
    """The text's lines of code, read the way MLIR's lexer reads them: lines end at `\\n` only; a `//`
    comment runs to the next `\\n` or `\\r`; a string literal runs to its closing quote (escapes kept),
    whatever it holds; whitespace is `' '`, `\\t`, `\\r` and is collapsed to one space outside strings.
    Empty lines are dropped. Every other character is code, kept as it is: a character MLIR rejects stays
    in the identity, so text that does not parse never shares one with text that does."""
    lines: list[str] = []
    cur: list[str] = []
    space = in_string = escaped = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if in_string:
            cur.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            elif ch == "\n":  # MLIR ends the (invalid) string here: so does the line
                cur.pop()
                in_string = False
                lines.append("".join(cur))
                cur, space = [], False
        elif ch == "\n":
            lines.append("".join(cur))
            cur, space = [], False
        elif ch == "/" and text.startswith("//", i):
            while i < n and text[i] not in "\n\r":
                i += 1
            continue
        elif ch in " \t\r":
            space = True
        else:
            if space and cur:
                cur.append(" ")
            space = False
            cur.append(ch)
            in_string = ch == '"'
        i += 1
    lines.append("".join(cur))
    return [line for line in lines if line]


def classify(text: str) -> CandidateKind:
    """A text holding a transform named sequence (outside comments) is a schedule; anything else a module."""
    code = "\n".join(code_lines(text))
    return CandidateKind.SCHEDULE if any(m in code for m in SCHEDULE_MARKERS) else CandidateKind.MODULE


def identity_of(text: str, knobs: dict | None = None) -> str:
    """A candidate's identity: the hash of its code lines (layout and comments do not count) and its knobs."""
    return ir_hash("\n".join(code_lines(text)), sorted((knobs or {}).items()))
