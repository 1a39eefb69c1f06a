"""Kill-safe resume with a model provider: `neurojit tune --model gemini` is SIGKILLed during a model call,
during an evaluation and during tuning, then resumed with the same command. Finished evaluations are never
redone, no answered request is asked again, and the run finishes. The default run kills during a model call;
the other two points are `soak` (`pytest -m soak`): a run with models' answers killed after them is
test_ensemble's, and kills during evaluation and tuning are test_deterministic_resume's (the heuristic's; the
replayed gemini run's is `soak` too)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest
from support.fake_gemini import FakeGemini, reply
from support.loop import KERNEL, TILE, answer

from neurojit.agent.store import ResultStore


def _cmd(db):
    return [sys.executable, "-m", "neurojit", "tune", KERNEL, "--model", "gemini:gemini-3-pro-preview", "--budget",
            "9", "--db", db, "--run-id", "k", "--workers", "1", "--time-limit", "240"]


def _wait(cond, timeout=180):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if cond():
                return True
        except Exception:  # the store or study may not exist yet
            pass
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("point", ["model_call", pytest.param("evaluation", marks=pytest.mark.soak),
                                   pytest.param("tuning", marks=pytest.mark.soak)])
def test_sigkill_then_resume(point, tmp_path):
    db = f"sqlite:///{tmp_path}/runs.db"
    with FakeGemini() as fake:
        slow = point == "model_call"
        fake.script(reply(answer(TILE), delay_s=60 if slow else 0), then=reply(answer(TILE.replace("32", "8"))))
        env = {**os.environ, "GEMINI_API_KEY": "test-key-not-real", "GOOGLE_GEMINI_BASE_URL": fake.base_url}
        proc = subprocess.Popen(_cmd(db), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        store = ResultStore(db) if point != "model_call" else None

        def pending():
            return any(c.verdict is None for c in ResultStore(db).candidates("k"))

        def trials():
            return len(optuna.load_study(study_name=[s.study_name for s in optuna.get_all_study_summaries(db)][0],
                                         storage=db).trials) >= 2

        reached = _wait({"model_call": lambda: fake.attempts() >= 1, "evaluation": pending,
                         "tuning": trials}[point])
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert reached, f"the run never reached the {point}"
        store = ResultStore(db)
        before = {c.identity: c.verdict for c in store.candidates("k") if c.verdict}
        answered = {e.request_hash for e in store.exchanges("k")}
        if slow:
            fake.script(then=reply(answer(TILE)))  # the model answers promptly after the restart
        requests_before = fake.attempts()
        done = subprocess.run(_cmd(db) + ["--json"], env=env, capture_output=True, text=True, timeout=400)
        assert done.returncode == 0, done.stderr[-2000:]
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        assert summary["status"] == "finished"
    after = {c.identity: c.verdict for c in store.candidates("k")}
    for ident, verdict in before.items():
        assert after[ident] == verdict, "a finished evaluation was redone"  # timings would differ
    assert all(v is not None for v in after.values())
    ex = store.exchanges("k")
    assert len(ex) == len({e.request_hash for e in ex})  # each request answered and billed once
    assert answered <= {e.request_hash for e in ex}
    # requests asked after the restart are new ones, never one whose answer was already stored
    assert fake.attempts() - requests_before <= len(ex) - len(answered) + 1
