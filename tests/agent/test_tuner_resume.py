"""The tuner on its own: its suggestions are a function of the seed and the finished trials, so a tuning
cut short between two trial writes (what a SIGKILL can leave) and called again suggests exactly what an
uninterrupted tuning suggests. The objective here is a fixed function of the knobs, standing in for the
evaluator's measured speedup (the loop tests run the real evaluator)."""

from __future__ import annotations

import dataclasses
import threading
import time

import optuna
import pytest

from neurojit.agent import tuner
from neurojit.agent.proposal import Knob, Proposal
from neurojit.evaluator import Reason, Verdict

PROPOSAL = Proposal.of("// script", "test", "zero-shot", knobs={"a": 8, "b": 4},
                       space=(Knob("a", 1, 64, 1), Knob("b", 1, 16, 1)), schedule="s")


def _speed(knobs: dict) -> Verdict:
    if knobs["a"] % 7 == 0:  # some knob values are rejected, as schedules sometimes are
        return Verdict("reject", Reason.SCHEDULE_ERROR, "no")
    return Verdict("accept", Reason.OK, "ok", speedup=1.0 + knobs["a"] / 64 - abs(knobs["b"] - 5) / 16)


# a provider's next guesses: the defaults again and a repeat are dropped, a value past the space is clamped
SEEDED = dataclasses.replace(PROPOSAL, seeds=({"a": 40, "b": 5}, {"a": 8, "b": 4}, {"a": 99, "b": 6},
                                             {"a": 40, "b": 5}))


def _run(url: str, name: str, log: list, trials: int = 14, batch: int = 3, tag: str = "round 0", proposal=PROPOSAL):
    def evaluate(props):  # (called from the tuner's threads: list.extend is atomic)
        log.extend(tuple(sorted(p.knobs.items())) for p in props)
        return [_speed(p.knobs) for p in props]

    return tuner.tune(proposal, evaluate, url=url, study_name=name, trials=trials, batch=batch, seed=11, tag=tag)


def _params(url: str, name: str) -> list:
    study = optuna.load_study(study_name=name, storage=url)
    return [(t.user_attrs["batch"], t.user_attrs["slot"], t.params) for t in study.trials]


def test_same_seed_same_trials_and_the_defaults_first(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    a, b = [], []
    ra, rb = _run(url, "a", a), _run(url, "b", b)
    # the trials run side by side (the order of the calls varies); the study holds them in sequence order
    assert _params(url, "a") == _params(url, "b") and sorted(a) == sorted(b)
    assert ra.best_knobs == rb.best_knobs and ra.trials == 14 and len(a) == 14
    assert _params(url, "a")[0][2] == {"a": 8, "b": 4}  # the provider's defaults are tried first
    assert len(set(a)) > 5  # and the sampler explores from there


def test_trials_start_as_workers_free_within_the_room_left(tmp_path):
    # two workers: a trial starts as soon as one frees, not once its batch's slowest ends; the defaults (the
    # proposal, evaluated already) cost nothing and take no worker
    url, left, lock = f"sqlite:///{tmp_path}/s.db", [7], threading.Lock()
    running, most, spans = [0], [0], []

    def evaluate(props):
        (p,) = props
        new = dict(p.knobs) != {"a": 8, "b": 4}
        with lock:
            slow = new and not any(n for *_, n in spans) and running[0] == 0  # the first new trial is slow
            running[0] += new
            most[0] = max(most[0], running[0])
        began = time.monotonic()
        time.sleep(0.8 if slow else 0.05)
        with lock:
            running[0] -= new
            left[0] -= new
            spans.append((began, time.monotonic(), slow, new))
        return [_speed(p.knobs)]

    tuner.tune(PROPOSAL, evaluate, url=url, study_name="s", trials=50, batch=2, seed=11, room=lambda: left[0])
    assert most[0] == 2 and left[0] == 0 and len(spans) == 8  # the defaults and 7 new, never more than 2 at once
    ((s0, s1, *_),) = [s for s in spans if s[2]]
    beside = [s for s in spans if s[3] and not s[2] and s0 < s[0] and s[1] < s1]
    # in batches of two, one trial ran beside the slow one and the next batch waited for it
    assert len(beside) >= 2, spans


def test_a_fresh_study_tries_the_seeds_right_after_the_defaults(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    _run(url, "seeded", [], proposal=SEEDED)
    _run(url, "plain", [])
    seeded, plain = ([p for *_, p in _params(url, n)] for n in ("seeded", "plain"))
    assert seeded[:3] == [{"a": 8, "b": 4}, {"a": 40, "b": 5}, {"a": 64, "b": 6}]
    _run(url, "one", [], batch=1, proposal=SEEDED)  # one worker: the first wave alone would hold two of them
    assert [p for *_, p in _params(url, "one")][:3] == seeded[:3]
    assert plain[0] == {"a": 8, "b": 4} and {"a": 40, "b": 5} not in plain  # (the sampler's own start is random)
    assert len(seeded) == 14 and len({tuple(sorted(p.items())) for p in seeded[3:]}) > 5  # then it explores
    # what tune() will try after the proposal's own, for a caller to evaluate beside it: the seeds first
    ahead = tuner.first_trials(SEEDED, 3, url=url, study_name="fresh", seed=11)
    assert [dict(p.knobs) for p in ahead][:2] == [{"a": 40, "b": 5}, {"a": 64, "b": 6}]


@pytest.mark.parametrize("cut_at, proposal", [(1, PROPOSAL), (4, PROPOSAL), (8, PROPOSAL), (2, SEEDED)])
def test_a_tuning_cut_between_trial_writes_resumes_as_if_never_cut(tmp_path, monkeypatch, cut_at, proposal):
    url = f"sqlite:///{tmp_path}/s.db"
    _run(url, "whole", [], proposal=proposal)
    real, writes = optuna.Study.add_trial, [0]

    def dying_add_trial(self, trial):
        if self.study_name != "cut":  # the tuner's in-memory copies
            return real(self, trial)
        if writes[0] == cut_at:
            raise SystemExit("killed")
        writes[0] += 1
        real(self, trial)

    monkeypatch.setattr(optuna.Study, "add_trial", dying_add_trial)
    with pytest.raises(SystemExit):
        _run(url, "cut", [], proposal=proposal)
    monkeypatch.setattr(optuna.Study, "add_trial", real)
    assert len(optuna.load_study(study_name="cut", storage=url).trials) == cut_at
    again = []
    _run(url, "cut", again, proposal=proposal)
    assert _params(url, "cut") == _params(url, "whole")
    assert len(again) == 14 - cut_at  # only what the cut left undone is evaluated again


def test_the_cap_counts_this_tag_only(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    _run(url, "s", [], trials=5)
    later = []
    _run(url, "s", later, trials=5, tag="round 1")  # a later round tunes the same study further
    assert len(later) == 5 and len(optuna.load_study(study_name="s", storage=url).trials) == 10
    assert _run(url, "s", [], trials=5).trials == 0  # round 0's share is already spent


_INTERRUPTED = r"""
import os, signal, sys, threading
from neurojit.agent import tuner
from neurojit.agent.proposal import Knob, Proposal
from neurojit.evaluator import Reason, Verdict

PROPOSAL = Proposal.of("// script", "test", "zero-shot", knobs={"a": 8, "b": 4},
                       space=(Knob("a", 1, 64, 1), Knob("b", 1, 16, 1)), schedule="s")
release, started, ended = threading.Event(), threading.Event(), []

def evaluate(props):
    (p,) = props
    if dict(p.knobs) != {"a": 8, "b": 4}:
        started.set()
        release.wait(30)  # held until after the interrupt (or 30 s: what a tuner that waits would see)
        ended.append(release.is_set())
    return [Verdict("accept", Reason.OK, "ok", speedup=1.0 + p.knobs["a"] / 64)]

# Python's own SIGINT handler: a process started in the background (CI's) inherits SIGINT ignored, and Python then
# installs none
signal.signal(signal.SIGINT, signal.default_int_handler)
# a real SIGINT, as Ctrl-C sends: it also wakes a main thread blocked on a lock (interrupt_main does not, and the
# interrupt waited for an evaluation to end)
threading.Thread(target=lambda: started.wait(30) and os.kill(os.getpid(), signal.SIGINT), daemon=True).start()
try:
    tuner.tune(PROPOSAL, evaluate, url=sys.argv[1], study_name="s", trials=10, batch=2, seed=11)
except KeyboardInterrupt:
    print("interrupted", "while both ran" if not ended else f"after {len(ended)} ended")
    release.set()
"""


def test_an_interrupt_does_not_wait_for_the_evaluations_running(tmp_path):
    # Ctrl-C in a tune: the tuner gives up at once (the caller then closes the evaluator, which ends the
    # evaluations); a `with ThreadPoolExecutor` waited for them first (a big kernel's: minutes). In a process of
    # its own: an interrupt reaches the main thread, which under pytest-xdist is not the test's.
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _INTERRUPTED, f"sqlite:///{tmp_path}/s.db"], capture_output=True,
                         text=True, timeout=120)
    assert out.stdout.strip() == "interrupted while both ran", (out.stdout, out.stderr[-2000:])
