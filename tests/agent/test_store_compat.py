"""A results store written before the Candidate record (commit 1e41adc, by data/make_store_1e41adc.py) keeps
working: it is migrated once with a message, and resume, cached verdicts and `export --db` work on it."""

from __future__ import annotations

import json
import pathlib
import shutil
import sqlite3

import pytest
from support.paths import KERNELS

from neurojit.agent.proposal import Proposal
from neurojit.agent.store import SCHEMA, CandidateKind, ResultStore, RunStatus
from neurojit.evaluator.record import Verdict

DATA = pathlib.Path(__file__).parent / "data"
ROW_SUM = KERNELS / "row_sum.mlir"


@pytest.fixture
def legacy(tmp_path):
    for suffix in ("", ".graph"):
        shutil.copy(DATA / f"store_1e41adc.db{suffix}", tmp_path / f"old.db{suffix}")
    return tmp_path / "old.db"


def test_an_old_store_is_migrated_once_with_a_message(legacy, capfd):
    with sqlite3.connect(legacy) as db:  # as it was written: the model's answer stored under its declared kind
        assert db.execute("select kind from nj_candidates where run_id = 'legacy-llm'").fetchall() == [("schedule",)]
    with ResultStore(f"sqlite:///{legacy}") as store:
        said = capfd.readouterr().err
        assert f"to schema {SCHEMA}" in said and "1 candidate(s) corrected" in said
        [llm] = store.candidates("legacy-llm")
        assert llm.kind is CandidateKind.MODULE and llm.candidate.kind is CandidateKind.MODULE
        tuned = store.candidates("legacy-tune")
        assert len(tuned) == 3 and all(c.kind is CandidateKind.SCHEDULE for c in tuned)
        assert all(isinstance(c.verdict, Verdict) and c.verdict.accepted for c in tuned)
        # identities are computed as before: the stored ones are what the candidate record derives
        for c in tuned + [llm]:
            assert Proposal.of(c.text, c.provider, c.strategy, knobs=c.knobs).identity == c.identity
            assert store.cached_verdict(store.get_run("legacy-tune").kernel_hash, c.identity) == c.verdict
    ResultStore(f"sqlite:///{legacy}").close()
    assert "migrated" not in capfd.readouterr().err  # once


@pytest.mark.slow
def test_export_and_resume_work_on_an_old_store(legacy, cli, tmp_path):
    url = f"sqlite:///{legacy}"
    r = cli("export", "--db", url, "--run-id", "legacy-tune", "--out", tmp_path / "best")
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tmp_path / "best" / "manifest.json").read_text())
    assert manifest["speedup"] > 1 and manifest["verdict"]["verdict"] == "accept"
    with ResultStore(url) as store:
        before = {c.identity: c.verdict for c in store.candidates("legacy-tune")}
        store.finish_run("legacy-tune", RunStatus.RUNNING)  # as if it had been killed
    r = cli("tune", ROW_SUM, "--db", url, "--run-id", "legacy-tune", "--budget", "5", "--workers", "1", "--json")
    assert r.returncode == 0, r.stderr
    assert "resuming: 3 candidates already in the store" in r.stderr
    summary = json.loads(r.stdout)
    assert summary["status"] == "finished" and summary["candidates"] == 5
    with ResultStore(url) as store:
        after = {c.identity: c.verdict for c in store.candidates("legacy-tune")}
    assert {k: after[k] for k in before} == before  # the old verdicts were reused, not redone


def test_migration_recomputes_hashes_identities_and_drops_verdicts_about_the_wrong_kind(legacy, capfd):
    """What version 0 could also have written: a run hashed with the source's sha256 (a Python caller that
    gave no hash), an identity folded inside a string literal, and a module whose comment names a named
    sequence, which version 0's worker evaluated as a schedule (a schedule_error about the wrong kind)."""
    import hashlib

    from neurojit.compiler.kernel import ir_hash

    text = ROW_SUM.read_text()
    commented = text.replace("// out[i]", "// not a transform.named_sequence, a module\n// out[i]")
    stringy = text.replace("module {", 'module attributes {nj.note = "two  spaces"} {')
    old_identity = ir_hash(" ".join(stringy.split()))  # version 0 folded the spaces inside the string too
    verdict = json.dumps({"verdict": "reject", "reason": "schedule_error", "detail": "not a schedule"})
    with sqlite3.connect(legacy) as db:
        db.execute("insert into nj_runs select 'v0-sha', kernel_name, ?, kernel_text, model, strategy, config, host, "
                   "status, stop_reason, baseline_ms, tokens_in, tokens_out, cost_usd, created_at, finished_at "
                   "from nj_runs where id = 'legacy-tune'", (hashlib.sha256(text.encode()).hexdigest(),))
        for ident, body, v in (("c-commented", commented, verdict), (old_identity, stringy, None)):
            db.execute("insert into nj_candidates (run_id, identity, provider, strategy, kind, text, knobs, verdict, "
                       "accepted, reason, created_at) values ('v0-sha', ?, 'gemini:x', 'zero-shot', 'module', ?, "
                       "'{}', ?, ?, ?, '2026-11-30 09:04:00')",
                       (ident, body, v, 0 if v else None, "schedule_error" if v else None))
    with ResultStore(f"sqlite:///{legacy}") as store:
        assert "candidate(s) corrected" in capfd.readouterr().err
        run = store.get_run("v0-sha")
        assert run.kernel_hash == store.get_run("legacy-tune").kernel_hash and len(run.kernel_hash) == 16
        by_text = {c.text: c for c in store.candidates("v0-sha")}
        assert by_text[commented].verdict is None and by_text[commented].kind is CandidateKind.MODULE
        assert by_text[stringy].identity == Proposal.of(stringy, "x", "y").identity != old_identity
