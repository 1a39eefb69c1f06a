"""The loop with a model provider: the real google-genai client against a local server that answers like
generateContent, the repair strategy, cost accounting, recording and replay."""

from __future__ import annotations

import json

import pytest
from support.fake_gemini import FakeGemini, error, reply
from support.loop import BROKEN, KERNEL, TILE, answer, options

from neurojit.agent.budget import Budget
from neurojit.agent.llm.gemini import GeminiModel
from neurojit.agent.registry import make_provider
from neurojit.agent.run import TuneOptions, tune
from neurojit.agent.store import ResultStore

@pytest.fixture
def gemini(monkeypatch):
    with FakeGemini() as fake:
        monkeypatch.setenv("GEMINI_API_KEY", "test-key-not-real")
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", fake.base_url)
        yield fake


def test_repair_strategy_fixes_a_rejected_answer(gemini, tmp_path):
    gemini.script(reply(answer(BROKEN, "module"), tokens_in=1000, tokens_out=500), reply(answer(TILE)),
                  then=reply(answer(TILE)))
    s = tune(KERNEL, options(tmp_path, "r", 4, strategy="repair"), progress=None)
    store = ResultStore(f"sqlite:///{tmp_path}/r.db")
    cands = store.candidates("r")
    assert cands[0].reason == "invalid_ir" and cands[1].accepted
    assert cands[1].parent == cands[0].identity  # the fix derives from the rejected answer
    second = json.dumps(gemini.requests[1].body)
    assert "rejected" in second and "invalid_ir" in second  # the verifier's words went back to the model
    assert s.accepted >= 1 and s.speedup > 1.0
    ex = store.exchanges("r")
    assert len(ex) == len({e.request_hash for e in ex}) >= 2
    assert s.tokens == sum(e.tokens_in + e.tokens_out for e in ex) and s.cost_usd > 0
    # the price table: 1000 in x $2/M + 500 out x $12/M for the first call
    assert ex[0].cost_usd == pytest.approx(1000 * 2e-6 + 500 * 12e-6)


def test_model_failures_end_the_run_cleanly(gemini, tmp_path):
    gemini.script(error(429, retry_delay="0.01s"), reply("```mlir\n" + TILE + "\n```"), then=error(500))
    opts = options(tmp_path, "f", 20)
    # without backoff: the default (1, 2, 4, 8 s) would sleep 15 s through the retries of the 500s
    provider = make_provider(opts.model, store=ResultStore(opts.db), run_id="f", chat=GeminiModel(backoff_s=0))
    s = tune(KERNEL, opts, progress=None, provider=provider)
    store = ResultStore(f"sqlite:///{tmp_path}/r.db")
    run = store.get_run("f")
    assert s.accepted >= 1  # the fenced block after a 429 was used
    assert "model failed" in run.stop_reason and "test-key-not-real" not in run.stop_reason


def test_malformed_answer_gives_no_candidate_and_no_crash(gemini, tmp_path):
    gemini.script(reply('{"candidates": [{"kind": "module", "code": '), then=reply("no code here, sorry"))
    s = tune(KERNEL, options(tmp_path, "m", 3), progress=None)
    assert s.candidates == 0 and "nothing new" in ResultStore(f"sqlite:///{tmp_path}/r.db").get_run("m").stop_reason


def test_token_budget_stops_the_run(gemini, tmp_path):
    gemini.script(then=reply(answer(TILE), tokens_in=400, tokens_out=700))
    opts = options(tmp_path, "t", 50)
    opts = TuneOptions(**{**vars(opts), "budget": Budget(50, 300, tokens=1000)})
    tune(KERNEL, opts, progress=None)
    run = ResultStore(f"sqlite:///{tmp_path}/r.db").get_run("t")
    assert run.stop_reason.startswith("token budget reached")


def test_recorded_run_replays_offline_with_the_same_candidates(gemini, tmp_path):
    gemini.script(reply(answer(BROKEN, "module")), reply(answer(TILE)), then=reply(answer(TILE)))
    cassette = tmp_path / "run.jsonl"
    tune(KERNEL, options(tmp_path, "rec", 4, strategy="repair", record=str(cassette)), progress=None)
    calls = gemini.attempts()
    store = ResultStore(f"sqlite:///{tmp_path}/r.db")
    replayed = tmp_path / "replay"
    replayed.mkdir()
    s = tune(KERNEL, options(replayed, "rep", 4, strategy="repair", model=f"replay:{cassette}"), progress=None)
    assert gemini.attempts() == calls  # nothing asked of the model
    other = ResultStore(f"sqlite:///{replayed}/r.db")
    got = [(c.identity, c.reason) for c in other.candidates("rep")]
    want = [(c.identity, c.reason) for c in store.candidates("rec")]
    assert got == want and s.cost_usd == 0.0


def test_a_module_the_model_calls_a_schedule_is_evaluated_stored_and_exported_as_a_module(gemini, tmp_path, cli):
    """The kind is decided once, from the text: a declared kind that disagrees is noted, never trusted (before,
    the answer was stored as a schedule, evaluated as a module, and then refused by promotion and export)."""
    from neurojit.agent.analyze import analyze
    from neurojit.agent.schedules import for_kernel
    from neurojit.compiler import compile_kernel, host
    from neurojit.compiler.classify import CandidateKind

    sched = for_kernel(analyze(KERNEL), host())[0]
    fast = compile_kernel(KERNEL, schedule=sched.text(analyze(KERNEL), host()),
                          knobs=dict(sched.defaults(analyze(KERNEL), host()))).mlir  # a full module, scheduled
    gemini.script(reply(answer(fast, "schedule")), then=reply("no more ideas"))
    s = tune(KERNEL, options(tmp_path, "k", 2), progress=None)
    store = ResultStore(f"sqlite:///{tmp_path}/r.db")
    [c] = store.candidates("k")
    assert c.kind is CandidateKind.MODULE and c.candidate.kind is CandidateKind.MODULE
    assert "declared a 'schedule'" in c.note and "evaluated as a module" in c.note
    assert c.accepted and "schedule" not in [ch.name for ch in c.verdict.checks], c.verdict.detail
    assert s.speedup and s.speedup > 1.0, s
    out = tmp_path / "out"
    r = cli("export", "--db", f"sqlite:///{tmp_path}/r.db", "--run-id", "k", "--out", out)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["candidate"] == c.identity and manifest["schedule"] is None and manifest["knobs"] == {}
    assert "scf.for" in (out / "kernel.mlir").read_text()  # the model's module itself, not the baseline
