"""Rejections name the input set, the output state and the seed, and `neurojit evaluate --seed S` reproduces them."""

import json
import re
import subprocess
import sys

import pytest
from support.paths import ROOT

from neurojit.evaluator import EvalConfig, Evaluator

CASES = ROOT / "tests" / "evaluator" / "adversarial" / "cases"
PAIR = re.compile(r"inputs '(\w+)'( #\d+)?, output state '(\w+)', seed (\d+)")


def _case(name):
    return CASES / name / "base.mlir", CASES / name / "cand.mlir"


@pytest.mark.slow
def test_the_cli_reproduces_a_rejection_from_its_seed():
    base, cand = _case("131_reject_zeroed_output_probe")
    with Evaluator(EvalConfig(workers=1, seed=5, bench=False)) as ev:
        v = ev.evaluate(base, cand)
    m = PAIR.search(v.detail)
    assert v.reason.value == "wrong_result" and m and m.group(1) == "sparse" and m.group(4) == "5", v.detail
    out = subprocess.run([sys.executable, "-m", "neurojit", "evaluate", str(base), str(cand), "--seed", "5", "--json"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stderr
    cli = json.loads(out.stdout)
    assert cli["reason"] == "wrong_result" and cli["detail"] == v.detail  # same pair, same elements, same numbers


@pytest.mark.slow
def test_a_timeout_names_the_input_set_that_triggers_it():
    base, cand = _case("137_reject_loop_never_ends_on_inf")
    config = EvalConfig(workers=1, bench=False, run_timeout_floor_s=1.0)  # a fresh seed, named in the detail
    with Evaluator(config) as ev:
        v = ev.evaluate(base, cand)
    assert v.reason.value == "timeout"
    m = PAIR.search(v.detail)
    assert m and m.group(1) == "infinite" and m.group(4) == str(config.seed), v.detail
