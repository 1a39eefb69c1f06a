"""Read candidates out of a model's text, whatever shape the model chose to answer in.

We ask for JSON (`{"kind", "code", "rationale"}`, a list of them, or `{"candidates": [...]}`), but models
also answer with a fenced code block, wrap the JSON in a ```json fence, or emit JSON that does not parse.
Anything that yields code is used; nothing usable gives an empty list, never an exception.
"""

from __future__ import annotations

import json
import re

from .base import Answer

_ANSWER = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": ["module", "schedule"],
                 "description": "module: a full replacement kernel; schedule: a transform.named_sequence module"},
        "code": {"type": "string", "description": "the complete MLIR text"},
        "rationale": {"type": "string", "description": "one or two sentences: why this should be faster"},
    },
    "required": ["kind", "code", "rationale"],
}
# The JSON schema of the answer we ask for, for models that take one (structured output).
ANSWER_SCHEMA = {"type": "object", "properties": {"candidates": {"type": "array", "items": _ANSWER}},
                 "required": ["candidates"]}

_FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_JSON_FENCE = re.compile(r"```[ \t]*json[^\n]*\n", re.IGNORECASE)


def parse_answer(text: str) -> list[Answer]:
    """The candidates in `text`, in order, duplicates (same code) dropped."""
    answers = _from_json(text) or _from_fences(text) or _from_bare(text)
    seen: set[str] = set()
    unique = []
    for a in answers:
        if a.code not in seen:
            seen.add(a.code)
            unique.append(a)
    return unique


def _from_json(text: str) -> list[Answer]:
    # Where a JSON document may start: the answer itself, inside each ```json fence (decoded up to the end of
    # the document, so fences inside its strings do not cut it short), and the first brace after some prose.
    starts = [0] + [m.end() for m in _JSON_FENCE.finditer(text)]
    starts += [i for i in (text.find("{"), text.find("[")) if i >= 0]
    decoder = json.JSONDecoder()
    for start in dict.fromkeys(starts):
        try:
            value, _ = decoder.raw_decode(text[start:].lstrip())
        except ValueError:
            continue
        answers = _answers(value)
        if answers:
            return answers
    return []


def _answers(value: object) -> list[Answer]:
    if isinstance(value, dict) and isinstance(value.get("candidates"), list):
        value = value["candidates"]
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            continue
        code = _unfence(item["code"])
        if not code:
            continue
        rationale, declared = item.get("rationale"), item.get("kind")
        out.append(Answer(code, rationale if isinstance(rationale, str) else "",
                          declared if isinstance(declared, str) else None))
    return out


def _from_fences(text: str) -> list[Answer]:
    # A ```json fence that did not parse is not code; every other fence (mlir, none, anything) may be.
    return [Answer(body) for lang, body in _fences(text) if lang != "json" and _looks_like_ir(body)]


def _from_bare(text: str) -> list[Answer]:
    code = text.strip()
    return [Answer(code)] if code.startswith(("module", "func.func", "#")) and _looks_like_ir(code) \
        else []


def _fences(text: str) -> list[tuple[str, str]]:
    return [(m.group(1).lower(), m.group(2).strip()) for m in _FENCE.finditer(text)]


def _unfence(code: str) -> str:
    """Models sometimes put a fenced block inside the JSON string; keep what is inside the fence."""
    fences = _fences(code)
    return fences[0][1] if fences and code.lstrip().startswith("```") else code.strip()


def _looks_like_ir(code: str) -> bool:
    return "{" in code and any(word in code for word in ("func.func", "module", "transform."))
