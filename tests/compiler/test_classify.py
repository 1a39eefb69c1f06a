"""The one classifier of candidate text, the identity, and the Candidate record built from them."""

from __future__ import annotations

import dataclasses

import pytest

from neurojit.compiler.classify import CandidateKind, classify, identity_of
from neurojit.evaluator.record import Candidate

MODULE = """// a full module; it mentions transform.named_sequence only in this comment
func.func @k(%a: memref<4xf32>, %b: memref<4xf32>) {
  return
}
"""
SCHEDULE = """module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    transform.yield
  }
}
"""


def test_the_text_decides_the_kind_comments_do_not():
    assert classify(MODULE) is CandidateKind.MODULE
    assert classify(SCHEDULE) is CandidateKind.SCHEDULE
    assert classify(SCHEDULE.replace("module attributes {transform.with_named_sequence}", "module")) \
        is CandidateKind.SCHEDULE
    assert classify('func.func @k() attributes {note = "transform.named_sequence"} { return }') \
        is CandidateKind.SCHEDULE  # conservative: a string that names it routes to the schedule path


def test_identity_ignores_layout_and_comments_but_not_strings_or_knobs():
    relaid = "\n\n// header\n" + MODULE.replace("  return", "      return   // done").replace("\n", "\n\n")
    assert identity_of(relaid) == identity_of(MODULE)
    assert identity_of(MODULE) != identity_of(MODULE, {"t": 4}) != identity_of(MODULE, {"t": 8})
    assert identity_of(MODULE, {"a": 1, "b": 2}) == identity_of(MODULE, {"b": 2, "a": 1})
    # inside a string literal, "//" and runs of spaces are part of the value (a cheat could hide code after it)
    a = 'func.func @k() attributes {s = "x//y"} { return }'
    b = 'func.func @k() attributes {s = "x//z"} { return }'
    assert identity_of(a) != identity_of(b)
    assert identity_of('%0 = "a  b"') != identity_of('%0 = "a b"')
    assert identity_of('%0 = "a\\"//"  // c') == identity_of('%0 = "a\\"//"')  # escaped quote stays in the string


def test_candidate_is_built_once_and_frozen():
    c = Candidate.of(SCHEDULE, {"b": 2, "a": 1})
    assert (c.kind, list(c.knobs), c.identity) == (CandidateKind.SCHEDULE, ["a", "b"], identity_of(SCHEDULE, {"a": 1, "b": 2}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.kind = CandidateKind.MODULE  # type: ignore[misc]
    with pytest.raises(TypeError):
        c.knobs["a"] = 3  # type: ignore[index]
    assert c.with_knobs({"a": 5}).identity != c.identity and c.with_knobs({"a": 5}).kind is c.kind
    # read back from JSON, a stored kind or identity is never trusted: the text decides
    forged = {**c.to_json(), "kind": "module", "identity": "0" * 16}
    assert Candidate.from_json(forged) == c


@pytest.mark.parametrize("sep", ["\r", "\x85", "\u2028", "\u2029", "\x1c", "\x1d", "\x1e", "\x0b", "\x0c"])
def test_identity_reads_lines_as_mlir_does_not_as_python_does(sep):
    """Python's splitlines() breaks lines where MLIR does not: after `"<sep>// "` in a string, MLIR goes on
    reading code that a line-by-line comment stripper would drop, so a cheat could share the identity (and
    the cached accept verdict) of a correct candidate. Found in review; both texts below parse."""
    head = f'module attributes {{nj.x = "{sep}// "}} {{ '
    right = head + "func.func @k(%a: memref<4xf32>) { return } }"
    cheat = head + "func.func @k(%a: memref<4xf32>) { %c = arith.constant 0 : index return } }"
    assert identity_of(right) != identity_of(cheat)


def test_unusual_whitespace_is_code_not_layout():
    assert identity_of("func.func @k()\xa0{ return }") != identity_of("func.func @k() { return }")
    assert identity_of("func.func @k()\t{ return }\r\n") == identity_of("func.func @k() { return }")


def test_a_candidate_cannot_be_built_with_another_kind_or_identity_and_travels():
    import copy
    import pickle

    with pytest.raises(TypeError):
        Candidate(CandidateKind.MODULE, SCHEDULE, {}, "0" * 16)  # type: ignore[call-arg]
    c = Candidate(SCHEDULE, {"t": 4})
    assert c.kind is CandidateKind.SCHEDULE and c == Candidate.of(SCHEDULE, {"t": 4})
    assert pickle.loads(pickle.dumps(c)) == c == copy.deepcopy(c) and hash(c) == hash(Candidate(SCHEDULE, {"t": 4}))
    assert dataclasses.asdict(c)["knobs"] == {"t": 4}
