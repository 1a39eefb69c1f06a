"""The results store, on SQLite and on a private PostgreSQL server (tests/pg.py)."""

import json
import logging
import subprocess
import sys
import textwrap

import optuna
import pytest
from sqlalchemy import create_engine, inspect

from neurojit.agent.proposal import Proposal
from neurojit.agent.store import CandidateKind, PromotionEvent, ResultStore, RunStatus, StoreError, default_db_url
from neurojit.compiler.errors import NeuroJITError
from neurojit.compiler.kernel import load_kernel
from neurojit.compiler.source import Source
from neurojit.evaluator.record import Check, Reason, Verdict

KERNEL = "func.func @matmul(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) { return }"
OTHER = "func.func @matmul(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %c: memref<4x4xf32>) { return }"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("fresh_postgres_url")


@pytest.fixture
def store(db_url):
    with ResultStore(db_url) as s:
        yield s


def accept(speedup, baseline_ms=10.0):
    return Verdict("accept", Reason.OK, "correct and timed", baseline_ms=baseline_ms,
                   candidate_ms=baseline_ms / speedup, speedup=speedup, max_abs_err=1e-6, max_rel_err=1e-7,
                   checks=(Check("verify", True), Check("equivalence", True)))


def reject(reason):
    return Verdict("reject", reason, "loc(\"k.mlir\":3:5): no", checks=(Check("verify", False, "no"),))


def new_run(store, kernel=KERNEL, **kw):
    return store.create_run(load_kernel(Source(kernel, "matmul")), model="heuristic", strategy="zero-shot", **kw)


def prop(name, knobs=None, provider="heuristic", **kw):
    """A schedule-shaped candidate that `name` tells apart from the others (the store never parses it)."""
    text = f"module attributes {{transform.with_named_sequence}} {{ transform.named_sequence @{name}() }}"
    return Proposal.of(text, provider, "zero-shot", knobs=knobs, **kw)


def ident(name, knobs=None):
    return prop(name, knobs).identity


def add(store, run_id, name, **kw):
    return store.add_candidate(run_id, prop(name, **kw))


def test_run_round_trip(store):
    run = new_run(store, config={"budget": 20}, host={"cpu": "x86"}, baseline_ms=3.5, run_id="r1")
    assert store.get_run("r1") == run
    assert (run.status, run.kernel_hash, run.config, run.host) == (
        RunStatus.RUNNING, load_kernel(KERNEL).hash, {"budget": 20}, {"cpu": "x86"})
    assert len(run.kernel_hash) == 16 and run.kernel_text == KERNEL and run.kernel_name == "matmul"
    assert run.created_at.tzinfo is not None and run.tokens_in == run.tokens_out == 0
    assert store.get_run("nope") is None
    with pytest.raises(StoreError, match="r1 already exists"):
        new_run(store, run_id="r1")
    assert len(new_run(store).id) == 8
    with pytest.raises(StoreError, match="1 to 64 characters"):
        new_run(store, run_id="r" * 65)
    long = "replay:/" + "recorded/" * 40 + "answers.jsonl"  # free text has no length limit, on any database
    assert store.create_run(load_kernel(Source(KERNEL, "k" * 300)), model=long, strategy="few-shot").model == long


def test_add_candidate_is_idempotent(store):
    run = new_run(store)
    first = add(store, run.id, "c1", knobs={"tile": 32}, parent="c0", schedule="tile", rationale="why", sampler="tpe")
    assert (first.kind, first.parent, first.schedule, first.rationale, first.sampler) == (
        CandidateKind.SCHEDULE, "c0", "tile", "why", "tpe")
    c1 = ident("c1", {"tile": 32})
    store.set_verdict(run.id, c1, accept(2.0))
    again = store.add_candidate(run.id, prop("c1", {"tile": 32}, provider="gemini"))
    assert again.provider == "heuristic" and again.knobs == {"tile": 32}
    assert again.verdict == accept(2.0) and isinstance(again.verdict, Verdict)
    assert again.candidate == first.candidate and again.candidate.identity == c1
    assert [c.identity for c in store.candidates(run.id)] == [c1]


def test_add_candidates_records_a_batch_at_once_keeping_the_known_ones(store):
    run = new_run(store)
    add(store, run.id, "c2", knobs={"tile": 8}, rationale="first")
    store.set_verdict(run.id, ident("c2", {"tile": 8}), accept(3.0))
    items = [prop(i, {"tile": n}) for i, n in (("c1", 4), ("c2", 8), ("c3", 16), ("c1", 4))]
    got = store.add_candidates(run.id, items)
    assert [c.identity for c in got] == [p.identity for p in items]
    assert got[1].rationale == "first" and got[1].verdict == accept(3.0)  # kept as it was
    assert [c.identity for c in store.candidates(run.id)] == [items[1].identity, items[0].identity, items[2].identity]
    with pytest.raises(StoreError, match="create_run first"):
        store.add_candidates("no-such-run", items[:1])
    assert store.candidates("no-such-run") == []  # nothing half-written


def test_add_candidate_race_returns_the_row_written_by_another_process(store, monkeypatch):
    run = new_run(store)
    written = add(store, run.id, "c1")
    real = store.candidate
    calls = iter([None])  # the first look-up misses it, as if another process wrote it a moment later
    monkeypatch.setattr(store, "candidate", lambda r, i: next(calls, None) or real(r, i))
    assert add(store, run.id, "c1") == written
    assert len(store.candidates(run.id)) == 1


def test_set_verdict_twice_is_harmless(store):
    run = new_run(store)
    add(store, run.id, "c1")
    once = store.set_verdict(run.id, ident("c1"), accept(1.5))
    twice = store.set_verdict(run.id, ident("c1"), Verdict.from_json(accept(1.5).to_json()))
    assert once == twice and twice.accepted and twice.reason == "ok" and twice.speedup == 1.5
    assert store.summary(run.id).accepted == 1
    with pytest.raises(StoreError, match="add_candidate before set_verdict"):
        store.set_verdict(run.id, "missing", accept(1.5))


def test_unknown_run_is_refused(store):
    with pytest.raises(StoreError, match="run nope"):
        add(store, "nope", "c1")
    with pytest.raises(StoreError, match="nope"):
        store.add_promotion("nope", "c1", PromotionEvent.PROMOTE)
    with pytest.raises(StoreError, match="no run nope"):
        store.finish_run("nope", RunStatus.FAILED)


def test_cached_verdict_across_runs(store):
    first, second = new_run(store), new_run(store)
    other_kernel = new_run(store, kernel=OTHER)
    spaced = new_run(store, kernel=KERNEL.replace(" {", "  {") + "  // same kernel, other layout")
    assert spaced.kernel_hash == first.kernel_hash != other_kernel.kernel_hash  # one hash: of the normalised IR
    add(store, first.id, "c1")
    store.set_verdict(first.id, ident("c1"), reject(Reason.WRONG_RESULT))
    add(store, first.id, "pending")
    add(store, other_kernel.id, "c2")
    store.set_verdict(other_kernel.id, ident("c2"), accept(3.0))

    assert store.cached_verdict(second.kernel_hash, ident("c1")) == reject(Reason.WRONG_RESULT)
    assert store.cached_verdict(second.kernel_hash, ident("pending")) is None
    assert store.cached_verdict(second.kernel_hash, ident("c2")) is None  # another kernel's candidate
    assert store.cached_verdict(other_kernel.kernel_hash, ident("c2")) == accept(3.0)
    add(store, second.id, "c1")
    store.set_verdict(second.id, ident("c1"), accept(1.1))  # a later measurement wins
    assert store.cached_verdict(first.kernel_hash, ident("c1")) == accept(1.1)


def test_a_cached_verdict_is_reused_only_from_a_run_of_the_same_build(store):
    """A run records the build (compiler and evaluator source, host) in its host description; a verdict of an
    earlier build (mended since, or timed on another machine) is evaluated again, not reused."""
    from neurojit.agent.fingerprint import build

    old = new_run(store, host={"cpu": "znver4", "build": "0123456789abcdef"})
    legacy = new_run(store, host={"cpu": "znver4"})  # a run from before builds were recorded
    add(store, old.id, "c1")
    store.set_verdict(old.id, ident("c1"), reject(Reason.WRONG_RESULT))
    add(store, legacy.id, "c2")
    store.set_verdict(legacy.id, ident("c2"), accept(2.0))
    assert store.cached_verdict(old.kernel_hash, ident("c1"), build()) is None
    assert store.cached_verdict(old.kernel_hash, ident("c2"), build()) is None
    assert store.cached_verdict(old.kernel_hash, ident("c1"), "0123456789abcdef") == reject(Reason.WRONG_RESULT)
    now = new_run(store, host={"cpu": "znver4", "build": build()})
    add(store, now.id, "c1")
    store.set_verdict(now.id, ident("c1"), accept(1.5))
    assert store.cached_verdict(old.kernel_hash, ident("c1"), build()) == accept(1.5)
    assert build() == build() and len(build()) == 16


def test_the_summarys_baseline_is_the_one_timed_beside_the_best(store):
    # so that baseline_ms / best_ms is its speedup (the run's first noted baseline was once a rejected
    # verdict's one-call estimate: 62 ms for a 0.85 ms kernel)
    run = new_run(store)
    store.set_baseline(run.id, 62.0)
    assert store.summary(run.id).baseline_ms == 62.0  # nothing timed yet
    add(store, run.id, "i")
    store.set_verdict(run.id, ident("i"), accept(5.0, baseline_ms=0.85))
    summary = store.summary(run.id)
    assert (summary.baseline_ms, summary.best_ms, summary.speedup) == (pytest.approx(0.85), pytest.approx(0.17), 5.0)


def test_best_and_summary(store):
    run = new_run(store)
    store.set_baseline(run.id, 10.0)
    outcomes = {"a": accept(1.5), "b": accept(2.5), "c": accept(0.8), "d": reject(Reason.WRONG_RESULT),
                "e": reject(Reason.WRONG_RESULT), "f": reject(Reason.TIMEOUT), "g": None, "h": accept(2.5)}
    for name, verdict in outcomes.items():
        add(store, run.id, name)
        if verdict:
            store.set_verdict(run.id, ident(name), verdict)
    store.add_exchange(run.id, "q1", model="m", prompt="p", response="r", tokens_in=100, tokens_out=20,
                       cost_usd=0.01)
    store.add_exchange(run.id, "q2", model="m", prompt="p", response="r", tokens_in=50, tokens_out=10,
                       cost_usd=0.02)

    best = store.best(run.id)
    assert (best.identity, best.speedup, best.candidate_ms) == (ident("b"), 2.5, 4.0)  # earliest of the equals
    summary = store.summary(run.id)
    assert summary.to_json() == {
        "run_id": run.id, "status": "running", "baseline_ms": 10.0, "best_ms": 4.0, "speedup": 2.5,
        "candidates": 8, "accepted": 4, "rejected": {"wrong_result": 2, "timeout": 1}, "pending": 1,
        "tokens": 180, "cost_usd": pytest.approx(0.03), "stop_reason": None, "runoff": None}

    # a runoff's winner is the best, whatever its recorded speedup; one naming no accepted candidate is ignored
    entry = {"identity": ident("a"), "recorded_speedup": 1.5, "ms": 3.0, "margin": 1.0, "margin_ci": [1.0, 1.0]}
    store.set_runoff(run.id, {"entries": [entry], "rounds": 10, "inner": 1, "seconds": 1.0})
    assert store.best(run.id).identity == ident("a")
    assert (store.summary(run.id).best_ms, store.summary(run.id).speedup) == (pytest.approx(10 / 1.5), 1.5)
    store.set_runoff(run.id, {"entries": [{**entry, "identity": ident("d")}], "rounds": 10, "inner": 1,
                              "seconds": 1.0})
    assert store.best(run.id).identity == ident("b")
    store.set_runoff(run.id, None)
    assert store.best(run.id).identity == ident("b")
    json.dumps(summary.to_json())

    empty = store.summary(new_run(store).id)
    assert (empty.candidates, empty.best_ms, empty.speedup, empty.rejected) == (0, None, None, {})
    assert store.best(new_run(store).id) is None


def test_exchanges_count_once_and_replay_across_runs(store):
    first, second = new_run(store), new_run(store)
    kw = dict(model="gemini-x", prompt="make it fast", response="```mlir ...```", tokens_in=7, tokens_out=3,
              latency_s=0.5, cost_usd=0.25)
    recorded = store.add_exchange(first.id, "h1", **kw)
    assert store.add_exchange(first.id, "h1", **{**kw, "response": "other"}) == recorded
    assert (store.get_run(first.id).tokens_in, store.get_run(first.id).cost_usd) == (7, 0.25)
    store.add_exchange(second.id, "h1", **{**kw, "response": "second answer"})
    assert store.exchange_by_request("h1") == recorded  # the first answer, from any run
    assert store.exchange_by_request("h1", second.id).response == "second answer"
    assert store.exchange_by_request("h2") is None
    assert [e.request_hash for e in store.exchanges(first.id)] == ["h1"]
    assert store.summary(second.id).tokens == 10


def test_finish_run_and_find_unfinished(store):
    done, killed = new_run(store), new_run(store, kernel=OTHER)
    finished = store.finish_run(done.id, RunStatus.STOPPED, "budget: candidates")
    assert (finished.status, finished.stop_reason) == (RunStatus.STOPPED, "budget: candidates")
    assert finished.finished_at is not None
    assert [r.id for r in store.find_unfinished()] == [killed.id]
    assert store.find_unfinished(kernel_hash=done.kernel_hash) == []
    assert {r.id for r in store.runs()} == {done.id, killed.id}
    assert [r.id for r in store.runs(RunStatus.STOPPED)] == [done.id]


def test_promotions(store):
    run = new_run(store)
    store.add_promotion(run.id, "c1", PromotionEvent.PROMOTE, "beat live by 1.8x")
    store.add_promotion(run.id, "c1", "rollback", "shadow run disagreed")
    assert [(p.event, p.detail) for p in store.promotions(run.id)] == [
        (PromotionEvent.PROMOTE, "beat live by 1.8x"), (PromotionEvent.ROLLBACK, "shadow run disagreed")]


@pytest.mark.parametrize("store_first", [True, False], ids=["store-first", "optuna-first"])
def test_optuna_shares_the_database(db_url, store_first):
    optuna.logging.set_verbosity(logging.WARNING)

    def tune(url):
        storage = optuna.storages.RDBStorage(url)
        study = optuna.create_study(study_name="knobs", storage=storage, load_if_exists=True)
        study.optimize(lambda trial: trial.suggest_int("tile", 1, 64), n_trials=3)
        storage.engine.dispose()

    if store_first:
        ResultStore(db_url).close()
    tune(db_url)
    with ResultStore(db_url) as store:
        run = new_run(store)
        add(store, run.id, "c1")
        assert len(store.candidates(run.id)) == 1
        tune(store.url)  # what the tuner is given
    storage = optuna.storages.RDBStorage(db_url)
    assert len(optuna.load_study(study_name="knobs", storage=storage).trials) == 6
    storage.engine.dispose()
    engine = create_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"nj_runs", "nj_candidates", "nj_exchanges", "nj_promotions", "trials", "studies"} <= tables


WRITER = textwrap.dedent("""
    import pathlib, sys, time
    from neurojit.agent.proposal import Proposal
    from neurojit.agent.store import ResultStore
    from neurojit.evaluator.record import Verdict
    url, run_id, me, folder = sys.argv[1:]
    store = ResultStore(url)
    pathlib.Path(folder, me).touch()
    while len(list(pathlib.Path(folder).iterdir())) < 2:  # start writing together
        time.sleep(0.01)
    for i in range(60):
        p = Proposal.of(f"candidate c{i}", me, "s")  # both processes write the same candidates: inserts race
        store.add_candidate(run_id, p)
        store.set_verdict(run_id, p.identity, Verdict("accept", "ok", "", speedup=1 + i / 100, candidate_ms=1.0))
        store.add_exchange(run_id, f"{me}-{i}", model="m", prompt="p", response="r", tokens_in=1,
                           tokens_out=1, cost_usd=0.5)
""")


def test_two_processes_write_concurrently(db_url, tmp_path):
    with ResultStore(db_url) as store:
        run = new_run(store)
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, db_url, run.id, name, str(barrier)],
                                stderr=subprocess.PIPE, text=True) for name in ("w1", "w2")]
    errors = [w.communicate(timeout=60)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    with ResultStore(db_url) as store:
        summary = store.summary(run.id)
        assert (summary.candidates, summary.accepted, summary.tokens, summary.cost_usd) == (60, 60, 240, 60.0)
        assert summary.speedup == pytest.approx(1.59)
        assert len(store.exchanges(run.id)) == 120


def test_unreachable_or_invalid_url_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError) as unreachable:
        ResultStore("postgresql://neurojit:s3cret@127.0.0.1:1/nodb")
    assert "127.0.0.1:1/nodb" in str(unreachable.value) and "s3cret" not in str(unreachable.value)
    assert isinstance(unreachable.value, NeuroJITError)
    with pytest.raises(StoreError, match="missing"):
        ResultStore(tmp_path / "missing" / "store.db")
    for bad in ("nosuchdb://u:s3cret@host/db", "://u:s3cret@host/db"):
        with pytest.raises(StoreError) as error:
            ResultStore(bad)
        assert "s3cret" not in str(error.value) and "host" in str(error.value)


def test_plain_path_default_url_and_wal(tmp_path, monkeypatch):
    assert default_db_url() == "sqlite:///neurojit.db"
    monkeypatch.chdir(tmp_path)
    ResultStore().close()
    assert (tmp_path / "neurojit.db").exists()
    path = tmp_path / "plain.db"
    with ResultStore(str(path)) as store:
        assert store.url.startswith("sqlite:///")
        new_run(store)
    assert path.read_bytes()[18:20] == b"\x02\x02"  # SQLite's header marks a WAL database so
