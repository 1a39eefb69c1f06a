"""Schedules with knobs: the evaluator fills the placeholders before parsing the schedule."""


import pytest

from support.paths import MATMUL

from neurojit.evaluator import EvalConfig, Evaluator

BASE = MATMUL
TILE = """module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l:2 = transform.structured.tile_using_for %mm tile_sizes [${ti}, ${tj:16}]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
"""


@pytest.fixture(scope="module")
def ev():
    with Evaluator(EvalConfig(workers=1, bench=False)) as e:
        yield e


def test_knob_values_fill_placeholders(ev):
    v = ev.evaluate(BASE, TILE, {"ti": 8})
    assert v.accepted, v.detail
    assert set(v.timings) >= {"parse", "schedule", "compile", "equivalence"}
    # the value reached the code: the scheduled kernel steps its outer loop by it
    from neurojit.compiler import compile_kernel

    steps = {ti: compile_kernel(BASE, schedule=TILE, knobs={"ti": ti}).mlir for ti in (8, 4)}
    assert "step %c8" in steps[8] and "step %c8" not in steps[4] and "step %c4" in steps[4]


def test_missing_knob_value_is_a_schedule_error(ev):
    v = ev.evaluate(BASE, TILE, None)
    assert v.reason.value == "schedule_error" and "ti" in v.detail


def test_unknown_knob_is_a_schedule_error(ev):
    v = ev.evaluate(BASE, TILE, {"ti": 8, "bogus": 3})
    assert v.reason.value == "schedule_error" and "bogus" in v.detail
