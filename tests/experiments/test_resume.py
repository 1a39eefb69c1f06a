"""An experiment killed mid-grid finishes on a rerun with no finished evaluation redone; two processes on one
PostgreSQL store share the cells without running one twice. Real processes, real SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from support.grid import grid_config, neurojit

from neurojit.agent.store import ResultStore, RunStatus
from neurojit.experiments import build_report, load_experiment

pytestmark = pytest.mark.slow


def _verdicts(db):
    with ResultStore(db) as store:
        return {(r.id, c.identity): c.verdict for r in store.runs() for c in store.candidates(r.id) if c.verdict}


def test_a_killed_experiment_finishes_on_a_rerun_without_evaluating_twice(tmp_path):
    config = grid_config(tmp_path / "k.toml", experiment="killed", replay=False)
    db = f"sqlite:///{tmp_path}/k.db"
    exp = load_experiment(config)
    proc = subprocess.Popen([sys.executable, "-m", "neurojit", "experiment", str(config), "--db", db],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    before: dict = {}
    deadline = time.time() + 240
    try:
        while time.time() < deadline and proc.poll() is None:  # kill inside the second cell, after a verdict
            if (tmp_path / "k.db").exists():
                before = _verdicts(db)
                if len({run for run, _ in before}) >= 2:
                    break
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert len({run for run, _ in before}) >= 2, "the grid did not get far enough to be killed mid-way"
    with ResultStore(db) as store:
        unfinished = [c for c in exp.cells if (r := store.get_run(c.run_id(exp.id))) is None
                      or r.status != RunStatus.FINISHED]
    assert unfinished, "the kill came after the last cell"
    with ResultStore(db) as store:  # a report of the interrupted grid shows what is finished, lists the rest
        text = build_report(store, experiment=exp.id).text()
    finished = len(exp.cells) - len(unfinished)
    assert f"{finished} of {len(exp.cells)} cell(s) finished" in text and "Cells not finished" in text
    done = neurojit("experiment", config, "--db", db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    after = _verdicts(db)
    assert {k: after[k] for k in before} == before  # every verdict of the killed process kept, none redone
    with ResultStore(db) as store:
        for cell in exp.cells:
            s = store.summary(cell.run_id(exp.id))
            assert s.status == RunStatus.FINISHED and s.candidates == cell.budget and s.pending == 0


@pytest.mark.soak  # two processes on one PostgreSQL store: test_store's writers, test_tuner's shared study
def test_two_processes_share_the_cells_of_one_postgresql_store(tmp_path, fresh_postgres_url):
    config = grid_config(tmp_path / "p.toml", experiment="shared", replay=False)
    exp = load_experiment(config)
    procs = [subprocess.Popen([sys.executable, "-m", "neurojit", "experiment", str(config), "--db",
                               fresh_postgres_url], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in outs]
    ran = [re.findall(r"\): run (\S+)", err) for _, err in outs]
    every = ran[0] + ran[1]
    assert sorted(every) == sorted(c.run_id(exp.id) for c in exp.cells)  # each cell run once, by one process
    assert ran[0] and ran[1], "one process ran every cell: nothing was shared"
    with ResultStore(fresh_postgres_url) as store:
        for cell in exp.cells:
            s = store.summary(cell.run_id(exp.id))
            assert s.status == RunStatus.FINISHED and s.candidates == cell.budget
    assert all("4 of 4 cell(s) finished" in out for out, _ in outs)  # each reports the whole grid
