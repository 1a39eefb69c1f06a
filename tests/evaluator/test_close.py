"""Closing an evaluator while it evaluates (what a tune does on Ctrl-C): no verdict for what was cut short."""

from __future__ import annotations

import threading
import time

import pytest
from support.paths import ROOT
from support.spin import SPIN

from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.record import EvaluationLost

BASE = ROOT / "tests" / "evaluator" / "adversarial" / "cases" / "01_accept_tiled_matmul_subview" / "base.mlir"


@pytest.mark.slow
def test_an_evaluation_cut_short_by_close_is_lost_not_a_crash_verdict():
    # the tuner's trials run in threads of their own, which a Ctrl-C does not stop: the tune closed the
    # evaluator, its workers died, and their crashes were stored as the candidates' verdicts
    ev = Evaluator(EvalConfig(workers=1, bench=False, random_sets=1, run_timeout_floor_s=120.0,
                              run_timeout_cap_s=120.0))
    out = {}

    def go():
        try:
            out["verdict"] = ev.evaluate(BASE, SPIN)
        except EvaluationLost as e:
            out["lost"] = e

    t = threading.Thread(target=go)
    t.start()
    time.sleep(8)  # references, compiles and the first checked call: the candidate is running by now
    ev.close()
    t.join(60)
    assert not t.is_alive() and "verdict" not in out, out.get("verdict")
    assert out["lost"].verdicts == [None]
