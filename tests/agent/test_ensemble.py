"""Model ensembles: `--model` strings with weights and base URLs, the choice of a model per request (fixed
weights, a bandit) as a function of the seed and the finished exchanges, and whole runs on two local
OpenAI-compatible servers (the real `openai` client): every exchange names its model, a failing model hands
the request on, and a run killed and resumed asks the same models as an uninterrupted one."""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from support.fake_openai import FakeOpenAI, error, reply
from support.loop import KERNEL, TILE, answer

from neurojit.agent.budget import Budget
from neurojit.agent.llm.base import ChatModel
from neurojit.agent.llm.ensemble import Bandit, EnsembleProvider, Member, Outcome, Weights
from neurojit.agent.provider import ProviderError
from neurojit.agent.llm.openai import OpenAIModel
from neurojit.agent.registry import make_model, make_provider, make_strategy, model_label, parse_model
from neurojit.agent.run import TuneOptions, tune
from neurojit.agent.store import ResultStore
from neurojit.evaluator import EvalConfig

TILES = list(itertools.product((4, 8, 16, 32), repeat=3))


def tile(sizes) -> str:
    """The tiling schedule with fixed sizes (no knobs: nothing for the tuner, so each round is one candidate)."""
    text = TILE
    for name, size in zip(("ti", "tj", "tk"), sizes):
        text = text.replace(f"${{{name}:32}}", str(size))
    return text


def by_prompt(offset: int):
    """A server whose answer is a function of the prompt, measured times left out: two runs asking the same
    get the same."""
    def respond(received):
        prompt = re.sub(r"\S+ ms per call", "", received.body["messages"][-1]["content"])
        n = int(hashlib.sha256(prompt.encode()).hexdigest(), 16)
        return reply(answer(tile(TILES[(n + offset) % len(TILES)])), tokens_in=100, tokens_out=50)
    return respond


class _Named(ChatModel):
    def __init__(self, name):
        self.name = name

    def complete(self, prompt, *, system=None):
        raise AssertionError("not called")


def members(*weights):
    return tuple(Member(f"m{i}", w, _Named(f"m{i}")) for i, w in enumerate(weights))


# ---- model strings -----------------------------------------------------------------------------------------

def test_model_strings_split_at_the_first_colon_with_weights_and_urls():
    s = parse_model("3*openai:qwen2.5-coder:7b@http://127.0.0.1:11434/v1")
    assert (s.provider, s.name, s.weight, s.base_url) == ("openai", "qwen2.5-coder:7b", 3.0, "http://127.0.0.1:11434/v1")
    s = parse_model("gemini:gemini-3-pro-preview")
    assert (s.provider, s.name, s.weight, s.base_url) == ("gemini", "gemini-3-pro-preview", 1.0, None)
    assert parse_model("0.5 * openai:m").weight == 0.5 and parse_model("heuristic").name == ""
    assert parse_model("replay:runs/a@b.jsonl").name == "runs/a@b.jsonl"  # only models take an @URL
    for bad in ("0*openai:m", "0.0*gemini"):
        with pytest.raises(ProviderError, match="weight"):
            parse_model(bad)
    assert model_label(("2*openai:a", "gemini:b")) == "2*openai:a gemini:b"


def test_ensembles_are_built_from_several_models(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-not-real")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    built = make_model(["3*openai:qwen2.5-coder:7b@http://127.0.0.1:9/v1", "gemini:gemini-3-pro-preview"])
    assert [(m.label, m.weight, type(m.model).__name__) for m in built] == [
        ("qwen2.5-coder:7b", 3.0, "OpenAIModel"), ("gemini-3-pro-preview", 1.0, "GeminiModel")]
    assert built[0].model.base_url == "http://127.0.0.1:9/v1"
    # one string of specs (a run's record) is the same ensemble; --base-url serves models without an @URL
    same = make_model("openai:a openai:a@http://127.0.0.1:8/v1", base_url="http://127.0.0.1:7/v1")
    assert [m.label for m in same] == ["a@http://127.0.0.1:7/v1", "a@http://127.0.0.1:8/v1"]
    with pytest.raises(ProviderError, match="given twice"):
        make_model(["openai:a@http://127.0.0.1:8/v1", "2*openai:a@http://127.0.0.1:8/v1"])
    with pytest.raises(ProviderError, match="mixes models of gemini and openai only"):
        make_model(["heuristic", "gemini"])
    with pytest.raises(ProviderError, match="unknown --ensemble 'greedy'"):
        make_provider(["openai:a@http://127.0.0.1:8/v1", "gemini"], ensemble="greedy")
    with pytest.raises(ProviderError, match="openai:NAME"):
        make_model("openai")


# ---- the choice --------------------------------------------------------------------------------------------

def test_weights_choose_in_proportion_and_as_a_function_of_seed_and_history():
    ms = members(3, 1)
    history = [Outcome("m0", 1.0, 0.0)] * 5
    assert Weights().order(ms, 7, history) == Weights().order(ms, 7, list(history))  # no hidden state
    firsts = collections.Counter(Weights().order(ms, 7, [Outcome("m0", 1.0, 0.0)] * n)[0] for n in range(2000))
    assert 0.70 < firsts[0] / 2000 < 0.80
    other = [Weights().order(ms, 8, [Outcome("m0", 1.0, 0.0)] * n)[0] for n in range(50)]
    assert other != [Weights().order(ms, 7, [Outcome("m0", 1.0, 0.0)] * n)[0] for n in range(50)]  # the seed counts
    assert sorted(Weights().order(ms, 0, [])) == [0, 1]  # every member, for a fallback


def test_bandit_tries_each_model_then_favours_speedup_per_second_of_model_time():
    ms = members(1, 1, 1)
    first = Bandit().order(ms, 0, [])[0]
    seen = [Outcome(f"m{first}", 1.0, 0.0)]
    second = Bandit().order(ms, 0, seen)[0]
    assert second != first  # untried models go first
    # m0: 0.5x speedup gain in 10 s of model time; m1: the same gain in 1 s (a fast local model); m2: nothing
    history = [Outcome("m0", 10.0, 0.5), Outcome("m1", 1.0, 0.5), Outcome("m2", 1.0, 0.0)] * 4
    assert Bandit().order(ms, 0, history)[0] == 1
    assert Bandit(exploration=0.0).order(ms, 0, history) == [1, 0, 2]
    # after many requests to m1, exploration brings the others back
    assert Bandit().order(ms, 0, history + [Outcome("m1", 1.0, 0.0)] * 200)[0] != 1


def test_outcomes_credit_each_exchange_with_the_speedups_of_its_candidates(tmp_path):
    from neurojit.agent.proposal import Proposal
    from neurojit.agent.testing import suite_context
    from neurojit.evaluator.record import Reason, Verdict

    ctx = suite_context(tmp_path)
    store, run = ctx.store, ctx.run_id
    fast, slow = tile(TILES[0]).strip(), tile(TILES[1]).strip()  # as a provider reads them out of an answer
    store.add_exchange(run, "h1", model="m0", prompt="p", response=answer(fast), latency_s=2.0)
    store.add_exchange(run, "h2", model="m1", prompt="p", response=answer(slow) + "\n", latency_s=1.0)
    store.add_exchange(run, "h3", model="m1", prompt="p", response=answer(fast), latency_s=1.0)  # nothing new
    for text, knobs, speedup in ((fast, {}, 1.5), (slow, {}, 0.8), (fast, {"x": 1}, 2.5)):
        [rec] = store.add_candidates(run, [Proposal.of(text, "e", "zero-shot", knobs=knobs)])
        store.set_verdict(run, rec.identity, Verdict("accept", Reason.OK, "", baseline_ms=1.0,
                                                     candidate_ms=1.0 / speedup, speedup=speedup))
    provider = EnsembleProvider(members(1, 1), make_strategy("zero-shot"), store, run)
    assert provider.outcomes() == [Outcome("m0", 2.0, 1.5), Outcome("m1", 1.0, 0.0), Outcome("m1", 1.0, 0.0)]


# ---- whole runs on local servers ---------------------------------------------------------------------------

def _options(tmp_path, run_id, models, budget=5, ensemble="weights", seed=3):
    return TuneOptions(model=models, budget=Budget(budget, 300), db=f"sqlite:///{tmp_path}/r.db", run_id=run_id,
                       seed=seed, ensemble=ensemble,
                       evaluation=EvalConfig(workers=1, bench_time_cap_s=0.3, random_sets=1, seed=seed))


@pytest.mark.slow
def test_an_ensemble_run_names_both_models_in_its_exchanges_and_replays_offline(tmp_path):
    cassette = tmp_path / "ensemble.jsonl"
    with FakeOpenAI(respond=by_prompt(0)) as alpha, FakeOpenAI(respond=by_prompt(3)) as beta:
        models = (f"openai:alpha@{alpha.base_url}/v1", f"2*openai:beta@{beta.base_url}/v1")
        opts = dataclasses.replace(_options(tmp_path, "e", models, budget=4, ensemble="bandit"), record=str(cassette))
        s = tune(KERNEL, opts, progress=None)
        assert alpha.attempts() >= 1 and beta.attempts() >= 1  # the bandit tries every model first
    store = ResultStore(f"sqlite:///{tmp_path}/r.db")
    ex = store.exchanges("e")
    assert {e.model for e in ex} == {"alpha", "beta"}
    assert len(ex) == alpha.attempts() + beta.attempts() and s.candidates >= 2
    assert store.get_run("e").model == models[0] + " " + models[1]
    assert {c.provider for c in store.candidates("e")} == {"alpha+beta"}
    assert s.cost_usd == 0.0 and s.tokens == 150 * len(ex)  # local models: tokens counted, nothing billed
    # the servers are gone: the recorded run replays with the same candidates, each answer from its model
    tune(KERNEL, _options(tmp_path, "r", f"replay:{cassette}", budget=4), progress=None)
    assert [(e.request_hash, e.model) for e in store.exchanges("r")] == [(e.request_hash, e.model) for e in ex]
    assert [c.identity for c in store.candidates("r")] == [c.identity for c in store.candidates("e")]


@pytest.mark.slow
def test_a_model_that_fails_hands_the_request_to_the_next(tmp_path):
    with FakeOpenAI(then=error(500)) as down, FakeOpenAI(respond=by_prompt(0)) as up:
        # no waiting between the retries of the 500s (the default backoff would sleep 15 s)
        ms = [Member(name, weight, OpenAIModel(name, base_url=f"{server.base_url}/v1", backoff_s=0.0, env={}))
              for name, weight, server in (("down", 9, down), ("up", 1, up))]
        provider = EnsembleProvider(ms, make_strategy("zero-shot"), ResultStore(f"sqlite:///{tmp_path}/r.db"), "f",
                                    seed=3)
        s = tune(KERNEL, _options(tmp_path, "f", "openai:down openai:up", budget=2), progress=None, provider=provider)
    ex = ResultStore(f"sqlite:///{tmp_path}/r.db").exchanges("f")
    assert s.candidates == 2 and {e.model for e in ex} == {"up"} and down.attempts() >= 5


def _cmd(db, run_id, alpha, beta):
    return [sys.executable, "-m", "neurojit", "tune", KERNEL, "--model", f"openai:alpha@{alpha}/v1", "--model",
            f"openai:beta@{beta}/v1", "--seed", "3", "--budget", "6", "--workers", "1", "--db", db, "--run-id",
            run_id, "--time-limit", "300"]


@pytest.mark.slow
@pytest.mark.soak  # kills through models' answers: test_kill[model_call]; kills and replay: test_deterministic_resume
def test_killed_and_resumed_ensemble_run_asks_the_models_an_uninterrupted_run_asks(tmp_path):
    db = f"sqlite:///{tmp_path}/runs.db"
    env = {**os.environ, "OPENAI_API_KEY": ""}
    with FakeOpenAI(respond=by_prompt(0)) as alpha, FakeOpenAI(respond=by_prompt(5)) as beta:
        store = ResultStore(db)
        proc = subprocess.Popen(_cmd(db, "k", alpha.base_url, beta.base_url), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        end = time.time() + 240
        while time.time() < end and proc.poll() is None:
            try:
                if len(store.exchanges("k")) >= 2 and any(c.verdict is None for c in store.candidates("k")):
                    break
            except Exception:  # the store or the run may not exist yet
                pass
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        answered = {e.request_hash for e in store.exchanges("k")}
        assert len(answered) >= 2, "the run ended or stalled before it was killed"
        asked = alpha.attempts() + beta.attempts()
        done = subprocess.run(_cmd(db, "k", alpha.base_url, beta.base_url) + ["--json"], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout.strip().splitlines()[-1])["status"] == "finished"
        killed = store.exchanges("k")
        # no answered request was sent again
        assert alpha.attempts() + beta.attempts() - asked == len(killed) - len(answered)
        done = subprocess.run(_cmd(db, "u", alpha.base_url, beta.base_url) + ["--json"], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
    fresh = store.exchanges("u")
    assert [(e.request_hash, e.model) for e in fresh] == [(e.request_hash, e.model) for e in killed]
    assert {e.model for e in killed} == {"alpha", "beta"}
    assert [c.identity for c in store.candidates("u")] == [c.identity for c in store.candidates("k")]
