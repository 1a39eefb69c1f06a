"""The search loop end to end: the graph, the tuner, the store, budgets and resume after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import optuna
import pytest
from support.loop import LOOP_SCRIPT, TileProvider, quick_options
from support.paths import MATMUL

from neurojit.agent.run import tune
from neurojit.agent.store import ResultStore, RunStatus

KERNEL = str(MATMUL)


def test_loop_tunes_and_finds_a_faster_variant(tmp_path):
    db = f"sqlite:///{tmp_path}/runs.db"
    s = tune(KERNEL, quick_options(db, "t1", 6), progress=None, provider=TileProvider())
    assert s.status == RunStatus.FINISHED and s.candidates == 6 and s.accepted >= 1
    assert s.speedup is not None and s.speedup > 1.0  # tiled beats the naive loop nest
    store = ResultStore(db)
    assert store.get_run("t1").stop_reason.startswith("candidate budget reached")
    study = optuna.load_study(study_name="t1/tile", storage=db)
    assert len(study.trials) >= 5  # the tuner ran; its trials live in the same database


def test_a_single_proposal_is_evaluated_beside_the_tuners_first_trial(tmp_path):
    # one proposal and two workers: the tuner's first suggestion runs with it, not after it (a worker stood idle
    # through a 1024 matmul's first evaluation, references and baseline samples included)
    db = f"sqlite:///{tmp_path}/runs.db"
    s = tune(KERNEL, quick_options(db, "w", 5, workers=2), progress=None, provider=TileProvider())
    assert s.status == RunStatus.FINISHED and s.candidates == 5
    cands = ResultStore(db).candidates("w")
    assert [c.sampler for c in cands[:2]] == [None, "tpe"] and len({c.identity for c in cands}) == 5
    assert (cands[1].created_at - cands[0].created_at).total_seconds() < 0.5  # recorded as one batch
    study = optuna.load_study(study_name="w/tile", storage=db)
    first = {t.user_attrs["slot"]: t.params for t in study.trials if t.user_attrs["batch"] == 0}
    assert first[0] == {"ti": 16, "tj": 16, "tk": 16} and first[1] == {k: cands[1].knobs[k] for k in first[1]}
    assert len(first) == 4  # the defaults and that trial cost nothing in the tuner's first batch: 2 more in it


def test_finished_run_is_not_rerun_and_a_new_run_reuses_verdicts(tmp_path):
    db = f"sqlite:///{tmp_path}/runs.db"
    tune(KERNEL, quick_options(db, "a", 3), progress=None, provider=TileProvider())
    again = tune(KERNEL, quick_options(db, "a", 3), progress=None, provider=TileProvider())
    assert again.candidates == 3
    store = ResultStore(db)
    first = {c.identity: c.verdict for c in store.candidates("a")}
    tune(KERNEL, quick_options(db, "b", 1), progress=None, provider=TileProvider())
    (cand,) = store.candidates("b")
    assert cand.identity in first and cand.verdict == first[cand.identity]  # from the cache, not re-run


@pytest.mark.slow
def test_killed_tune_resumes_without_evaluating_twice(tmp_path):
    db = f"sqlite:///{tmp_path}/runs.db"
    proc = subprocess.Popen([sys.executable, str(LOOP_SCRIPT), KERNEL, db, "k", "10"],
                            stderr=subprocess.DEVNULL, start_new_session=True)
    store = ResultStore(db)
    deadline = time.time() + 240
    done_before = {}
    while time.time() < deadline:
        if store.get_run("k") is not None:
            done_before = {c.identity: c.verdict for c in store.candidates("k") if c.verdict}
            if len(done_before) >= 3:
                break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(done_before) >= 3, "the run did not get far enough to be killed mid-way"
    assert store.get_run("k").status == RunStatus.RUNNING
    s = tune(KERNEL, quick_options(db, "k", 10), progress=None, provider=TileProvider())
    assert s.status == RunStatus.FINISHED and s.candidates == 10
    after = {c.identity: c.verdict for c in store.candidates("k")}
    for ident, verdict in done_before.items():
        assert after[ident] == verdict  # finished evaluations were kept, not redone
    assert len(after) == 10 and all(v is not None for v in after.values())
