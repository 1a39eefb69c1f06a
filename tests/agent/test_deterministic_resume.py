"""A run killed with SIGKILL several times and resumed ends where an uninterrupted run ends.

Timings are measurements, so two runs that each measure their own candidates may rank close ones
differently; what a kill must not change is the search itself. The search is a function of the seed and
the verdicts, so the check is: after the killed run K finishes, an uninterrupted run U of the same command
(another run id, same store) is answered entirely from K's stored verdicts. If the kills had changed any
choice (a tuner batch, a budget share, a round), U would propose a candidate K never evaluated. The test
asserts U proposes exactly K's candidates, in K's order, evaluates none of them afresh, and picks K's best
(by the stored verdicts: both runs without the final runoff, which is a fresh measurement of its own).
Both providers the issue names run: the offline heuristic, and replay of a cassette recorded from the real
google-genai client talking to a local server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from support.fake_gemini import FakeGemini, reply
from support.loop import KERNEL, TILE, answer, options

from neurojit.agent.run import tune
from neurojit.agent.store import ResultStore, RunStatus


def _cmd(db: str, run_id: str, model: str) -> list[str]:
    return [sys.executable, "-m", "neurojit", "tune", KERNEL, "--model", model, "--budget", "10", "--seed", "5",
            "--workers", "2", "--db", db, "--run-id", run_id, "--time-limit", "600",
            "--finalists", "0"]  # the runoff times afresh in each run: near-equals may swap (agent/runoff.py)


def _kill_when(cmd: list[str], cond, what: str, timeout: float = 240) -> None:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    end, reached = time.time() + timeout, False
    while time.time() < end and proc.poll() is None and not reached:
        try:
            reached = cond()
        except Exception:  # the store or the study may not exist yet
            pass
        time.sleep(0.05)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert reached, f"the run ended or stalled before it was {what}"


def _trials(db: str) -> int:
    import optuna

    return sum(s.n_trials for s in optuna.get_all_study_summaries(db))


def _check_kill_and_resume(db: str, model: str) -> None:
    store = ResultStore(db)

    def pending() -> bool:
        return any(c.verdict is None for c in store.candidates("k"))

    # 1: the first round's evaluation; 2: a tuner batch in flight; 3: later in the tuning
    _kill_when(_cmd(db, "k", model), pending, "evaluating its first candidates")
    kept = {c.identity: c.verdict for c in store.candidates("k") if c.verdict}
    _kill_when(_cmd(db, "k", model), lambda: _trials(db) >= 2 and pending(), "tuning")
    progress = (_trials(db), len([c for c in store.candidates("k") if c.verdict]))  # where the third run starts

    def further() -> bool:  # relative to the second kill: how far it got depends on the machine's pace
        return (_trials(db), len([c for c in store.candidates("k") if c.verdict])) > progress

    _kill_when(_cmd(db, "k", model), further, "further into the tuning")
    assert store.get_run("k").status == RunStatus.RUNNING
    done = subprocess.run(_cmd(db, "k", model) + ["--json"], capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-2000:]
    k = json.loads(done.stdout.strip().splitlines()[-1])
    assert k["status"] == "finished" and k["candidates"] == 10
    killed = store.candidates("k")
    assert all(c.verdict is not None for c in killed)
    for c in killed:  # an evaluation finished before a kill is kept, never redone (timings would differ)
        assert kept.get(c.identity, c.verdict) == c.verdict

    done = subprocess.run(_cmd(db, "u", model) + ["--json"], capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-2000:]
    u = json.loads(done.stdout.strip().splitlines()[-1])
    fresh = store.candidates("u")
    assert [c.identity for c in fresh] == [c.identity for c in killed], "the kills changed the search"
    assert [c.verdict for c in fresh] == [c.verdict for c in killed]  # all from K's store: nothing re-measured
    assert store.best("u").identity == store.best("k").identity and u["speedup"] == k["speedup"]


@pytest.mark.slow
@pytest.mark.soak  # 70 s; kills and resumes in CI: test_loop's (no evaluation twice), test_kill's, test_resume's
def test_heuristic_run_killed_three_times_ends_as_an_uninterrupted_run(tmp_path):
    _check_kill_and_resume(f"sqlite:///{tmp_path}/runs.db", "heuristic")


@pytest.mark.slow
@pytest.mark.soak  # the same kills as the heuristic's above; a model's answers through kills: test_ensemble's
def test_replayed_run_killed_three_times_ends_as_an_uninterrupted_run(tmp_path, monkeypatch):
    cassette = tmp_path / "cassette.jsonl"
    with FakeGemini() as fake:  # record a model run once (real client, local server) ...
        monkeypatch.setenv("GEMINI_API_KEY", "test-key-not-real")
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", fake.base_url)
        fake.script(reply(answer(TILE)), then=reply(answer(TILE.replace("32", "8"))))
        tune(KERNEL, options(tmp_path, "rec", 10, record=str(cassette)), progress=None)
    monkeypatch.delenv("GOOGLE_GEMINI_BASE_URL")  # ... then replay it offline, nothing listening
    _check_kill_and_resume(f"sqlite:///{tmp_path}/replay.db", f"replay:{cassette}")
