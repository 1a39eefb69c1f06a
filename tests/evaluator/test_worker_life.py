"""A worker's life between jobs (evaluator/pool.py, worker.py): it ends after a candidate that ran and was
rejected, so nothing that candidate left in its memory meets the next job; and a job whose worker died before
it began is sent again, to a fresh worker, instead of being judged a crash."""

import os
import pathlib
import signal

import pytest

from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.pool import WorkerPool

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASE = ROOT / "examples" / "kernels" / "matmul_256.mlir"
TILE = (ROOT / "examples" / "schedules" / "tile_matmul.mlir").read_text()
CASES = ROOT / "tests" / "evaluator" / "adversarial" / "cases"
WRONG = CASES / "123_reject_tiny_shortcut_elementwise"  # runs, then is rejected: wrong_result
STATIC = CASES / "110_reject_schedule_injects_inline_asm"  # rejected before any of its code runs


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(EvalConfig(workers=1, bench=False, random_sets=1)) as p:
        yield p


def _pid(pool):
    w = pool.workers[0]
    return None if w.proc is None or w.proc.poll() is not None else w.proc.pid


def test_a_worker_ends_after_a_candidate_that_ran_and_was_rejected(pool):
    ev = Evaluator(pool.config, pool=pool)
    assert ev.evaluate(BASE, TILE, {"ti": 32, "tj": 32, "tk": 32}).accepted
    kept = _pid(pool)
    assert kept is not None
    static = ev.evaluate(STATIC / "base.mlir", STATIC / "cand.mlir")
    assert static.reason.value == "foreign_call", static.detail
    assert _pid(pool) == kept  # nothing of it ran: the same worker goes on
    wrong = ev.evaluate(WRONG / "base.mlir", WRONG / "cand.mlir")
    assert (wrong.verdict.value, wrong.reason.value) == ("reject", "wrong_result"), wrong.detail
    assert _pid(pool) is None  # ended with its result
    again = ev.evaluate(BASE, TILE, {"ti": 16, "tj": 32, "tk": 8})
    assert again.accepted, again.detail
    assert _pid(pool) not in (None, kept)


def test_a_worker_killed_between_jobs_costs_no_verdict(pool):
    ev = Evaluator(pool.config, pool=pool)
    assert ev.evaluate(BASE, TILE, {"ti": 32, "tj": 32, "tk": 32}).accepted
    for tiles in ({"ti": 16, "tj": 32, "tk": 8}, {"ti": 8, "tj": 64, "tk": 16}, {"ti": 32, "tj": 16, "tk": 32}):
        pid = _pid(pool)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)  # the host has not seen it die when the next job is sent
        v = ev.evaluate(BASE, TILE, tiles)
        assert v.accepted, v.detail
        assert _pid(pool) != pid
