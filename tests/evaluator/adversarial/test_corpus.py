"""The adversarial corpus: each case is a baseline, a candidate and the expected verdict and reason."""

import json
import pathlib
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from neurojit.evaluator import EvalConfig, Evaluator

CASES = sorted(p for p in (pathlib.Path(__file__).parent / "cases").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def verdicts(trusted_baselines):  # the baselines are the corpus's own: no preflight child each
    by_base: dict[str, list[pathlib.Path]] = {}
    for case in CASES:
        by_base.setdefault((case / "base.mlir").read_text(), []).append(case)
    out = {}
    config = EvalConfig(workers=2, bench=False, run_timeout_floor_s=3.0, random_sets=2)
    with Evaluator(config) as ev, ThreadPoolExecutor(4) as batches:  # one baseline's references computing
        # while the workers judge another's candidates (the reference process computes one baseline at a time)
        def judge(cases):
            return zip(cases, ev.evaluate_batch(cases[0] / "base.mlir", [c / "cand.mlir" for c in cases]))

        for done in batches.map(judge, by_base.values()):
            out.update({c.name: v for c, v in done})
    return out


def test_corpus_size():
    expects = [json.loads((c / "expect.json").read_text()) for c in CASES]
    assert len(CASES) >= 40
    assert sum(e["verdict"] == "accept" for e in expects) >= 10


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, verdicts):
    expect = json.loads((case / "expect.json").read_text())
    v = verdicts[case.name]
    if "known_gap" in expect and not (v.verdict == expect["verdict"]):
        pytest.xfail(expect["known_gap"])
    allowed = {expect["reason"], *expect.get("also_ok", [])}
    assert v.verdict == expect["verdict"] and v.reason.value in allowed, (
        f"{case.name}: got {v.verdict}/{v.reason.value} ({v.detail}); expected {expect['verdict']}/{sorted(allowed)}")


RUN_REASONS = {"wrong_result", "nonfinite", "caches_result", "nondeterministic"}
PAIR = re.compile(r"inputs '\w+'( #\d+| for input #\d+ and '\w+' for the others)?, output state '\w+', seed \d+")


@pytest.mark.slow
def test_rejections_from_running_name_the_pair_and_seed(verdicts):
    """Every rejection found by running the candidate says on which input set, output state and seed."""
    ran = [(name, v) for name, v in verdicts.items() if not v.accepted and {"checked_run", "equivalence"} & set(v.timings or ())
           and (v.reason.value in RUN_REASONS or "'checked_run'" in v.detail or "'equivalence'" in v.detail)]
    assert len(ran) >= 30
    for name, v in ran:
        assert PAIR.search(v.detail), f"{name}: {v.reason.value}: {v.detail}"
