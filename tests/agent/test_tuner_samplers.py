"""Every sampler of the tuner keeps its properties: suggestions are a function of the seed and the finished
trials (a tuning cut between two trial writes resumes as if never cut), the sampler's own state travels in
the trials (CMA-ES's optimizer, NSGA-II's generations), and a sampler that needs a missing package says so.
The objective is a fixed function of the knobs, as in test_tuner_resume.py."""

from __future__ import annotations

import importlib.util

import optuna
import pytest

from neurojit.agent import tuner
from neurojit.agent.proposal import Knob, Proposal
from neurojit.evaluator import Reason, Verdict

PROPOSAL = Proposal.of("// script", "test", "zero-shot", knobs={"a": 8, "b": 4},
                       space=(Knob("a", 1, 64, 1), Knob("b", 1, 16, 1)), schedule="s")
RUNNABLE = [s for s in tuner.SAMPLERS if s != "gp" or importlib.util.find_spec("torch")]


def _speed(knobs: dict) -> Verdict:
    if knobs["a"] % 7 == 0:
        return Verdict("reject", Reason.SCHEDULE_ERROR, "no")
    return Verdict("accept", Reason.OK, "ok", speedup=1.0 + knobs["a"] / 64 - abs(knobs["b"] - 5) / 16)


def _run(url, name, sampler, log, trials=20, batch=3):
    def evaluate(props):
        assert all(p.sampler == sampler for p in props)
        log.extend(tuple(sorted(p.knobs.items())) for p in props)
        return [_speed(p.knobs) for p in props]

    return tuner.tune(PROPOSAL, evaluate, url=url, study_name=name, trials=trials, batch=batch, seed=5,
                      tag="round 0", sampler=sampler)


def _trials(url, name):
    return [(t.user_attrs["batch"], t.user_attrs["slot"], t.params)
            for t in optuna.load_study(study_name=name, storage=url).trials]


@pytest.mark.parametrize("sampler", RUNNABLE)
def test_each_sampler_is_deterministic_and_starts_from_the_defaults(tmp_path, sampler):
    url = f"sqlite:///{tmp_path}/s.db"
    a, b = [], []
    _run(url, "a", sampler, a)
    _run(url, "b", sampler, b)
    assert _trials(url, "a") == _trials(url, "b") and sorted(a) == sorted(b) and len(a) == 20
    assert _trials(url, "a")[0][2] == {"a": 8, "b": 4}
    assert len(set(a)) > 8
    study = optuna.load_study(study_name="a", storage=url)
    assert {t.user_attrs["sampler"] for t in study.trials} == {sampler}


def test_the_samplers_search_differently(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    logs = {}
    for s in ("tpe", "random", "cmaes", "nsga2"):
        logs[s] = []
        _run(url, s, s, logs[s])
    assert len({tuple(sorted(v)) for v in logs.values()}) == 4


@pytest.mark.parametrize("sampler", ["cmaes", "nsga2"])
def test_the_samplers_state_travels_in_the_stored_trials(tmp_path, sampler):
    url = f"sqlite:///{tmp_path}/s.db"
    _run(url, "s", sampler, [], trials=30)
    attrs = [t.system_attrs for t in optuna.load_study(study_name="s", storage=url).trials]
    key = {"cmaes": "cma:generation", "nsga2": "NSGAIISampler:generation"}[sampler]
    generations = [a[key] for a in attrs if key in a]
    # past the first generation: each batch's in-memory copy resumed the sampler from the stored trials
    assert generations and max(generations) >= 1


@pytest.mark.parametrize("sampler", ["cmaes", "nsga2", "random"])
def test_a_cut_tuning_resumes_as_if_never_cut(tmp_path, monkeypatch, sampler):
    url = f"sqlite:///{tmp_path}/s.db"
    _run(url, "whole", sampler, [])
    real, writes = optuna.Study.add_trial, [0]

    def dying_add_trial(self, trial):
        if self.study_name != "cut":
            return real(self, trial)
        if writes[0] == 10:
            raise SystemExit("killed")
        writes[0] += 1
        real(self, trial)

    monkeypatch.setattr(optuna.Study, "add_trial", dying_add_trial)
    with pytest.raises(SystemExit):
        _run(url, "cut", sampler, [])
    monkeypatch.setattr(optuna.Study, "add_trial", real)
    again = []
    _run(url, "cut", sampler, again)
    assert _trials(url, "cut") == _trials(url, "whole") and len(again) == 10


def test_an_unknown_sampler_or_a_missing_package_is_a_sentence(monkeypatch):
    with pytest.raises(tuner.SamplerError, match="choose one of tpe, random, cmaes, nsga2, gp"):
        tuner.check_sampler("anneal")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    with pytest.raises(tuner.SamplerError, match=r"pip install 'neurojit\[gp\]'"):
        tuner.check_sampler("gp")
