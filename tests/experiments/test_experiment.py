"""A small grid of the offline example, run once through the CLI (real evaluator, real SQLite, real Optuna,
the replay provider on the committed cassette), then everything a researcher does with it: the report's
numbers checked against the store, the listing, export of the best kernels, the training data, Optuna's own
API on the studies, and a second invocation that has nothing left to do."""

from __future__ import annotations

import json

import numpy as np
import optuna
import pandas as pd
import pytest
from support.grid import grid_config, neurojit

from neurojit.agent.store import ResultStore, RunStatus
from neurojit.experiments import load_experiment
from neurojit.experiments.dataset import reward

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grid")
    config = grid_config(tmp / "small.toml")
    db = f"sqlite:///{tmp}/grid.db"
    done = neurojit("experiment", config, "--db", db, "--out", tmp / "report", cwd=tmp)
    assert done.returncode == 0, done.stderr[-3000:]
    return db, config, tmp, done


def test_every_cell_is_a_finished_run_tagged_with_its_experiment_and_cell(grid):
    db, config, _, done = grid
    exp = load_experiment(config)
    assert len(exp.cells) == 8  # (heuristic x 2 samplers + replay x 2 strategies) x 2 seeds
    with ResultStore(db) as store:
        for cell in exp.cells:
            run = store.get_run(cell.run_id(exp.id))
            assert run.status == RunStatus.FINISHED and run.experiment == "small" and run.cell == cell.key()
            assert run.config["sampler"] == cell.sampler and run.config["seed"] == cell.seed
            s = store.summary(run.id)
            assert s.candidates == 4, (cell, s.stop_reason)  # the replay never ran out of recorded answers
            cands = store.candidates(run.id)
            if cell.model == "heuristic":
                assert all((c.sampler or "") in ("", cell.sampler) for c in cands) and any(c.sampler for c in cands)
            else:
                ex = store.exchanges(run.id)
                assert ex and run.tokens_in > 0 and run.cost_usd == 0.0  # replayed: tokens kept, nothing billed
                assert cands[0].reason == "invalid_ir"  # the recorded first answer does not parse
            if cell.strategy == "repair" and cell.model != "heuristic":
                assert cands[1].parent == cands[0].identity  # the fix derives from the rejected answer
    assert "cell 8/8" in done.stderr  # progress per cell


def test_the_reports_numbers_are_the_stores(grid):
    db, _, tmp, done = grid
    out = tmp / "report"
    runs = pd.read_csv(out / "runs.csv")
    cands = pd.read_parquet(out / "candidates.parquet")
    assert len(runs) == 8 and len(cands) == 32
    with ResultStore(db) as store:
        for row in runs.itertuples():
            s = store.summary(row.run_id)
            assert row.candidates == s.candidates and row.accepted == s.accepted
            assert row.best_speedup == pytest.approx(max(1.0, s.speedup or 1.0))
            assert row.tokens == s.tokens
            mine = cands[cands["run_id"] == row.run_id].sort_values("index")
            assert list(mine["identity"]) == [c.identity for c in store.candidates(row.run_id)]
    md = (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    for section in ("Arms", "Comparisons at equal budget", "How candidates ended", "Plots"):
        assert f"## {section}" in md and section in html
    assert "pairs)" in md and "not significant" in md or "significant" in md  # each comparison says which
    assert md.count("![") >= 5 and html.count("data:image/png;base64,") == md.count("![")  # self-contained
    for png in ("anytime_evaluations", "anytime_seconds", "reasons", "speedup_by_kernel", "lineage"):
        assert (out / "plots" / f"{png}.png").stat().st_size > 10_000
    assert "Arms" in done.stdout and "8 of 8 cell(s) finished" in done.stdout  # the terminal gets the tables
    assert len(pd.read_csv(out / "candidates.csv")) == 32


def test_listing_and_a_run_report(grid, tmp_path):
    db, _, tmp, _ = grid
    listed = neurojit("report", "--db", db, cwd=tmp)
    assert listed.returncode == 0, listed.stderr
    assert "small" in listed.stdout and "experiments:" in listed.stdout and "runs:" in listed.stdout
    run_id = pd.read_csv(tmp / "report" / "runs.csv")["run_id"].iloc[0]
    one = neurojit("report", "--db", db, "--run-id", run_id, "--out", tmp_path / "run", cwd=tmp)
    assert one.returncode == 0, one.stderr
    assert (tmp_path / "run" / "plots" / "lineage.png").exists() and f"Run {run_id}" in one.stdout
    bad = neurojit("report", "--db", db, "--experiment", "nope", cwd=tmp)
    assert bad.returncode == 2 and "no experiment nope" in bad.stderr and "Traceback" not in bad.stderr


def test_export_of_the_experiments_best_kernels(grid, tmp_path):
    db, _, tmp, _ = grid
    done = neurojit("export", "--db", db, "--experiment", "small", "--out", tmp_path / "best", cwd=tmp)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "best" / "row_sum" / "manifest.json").read_text())
    with ResultStore(db) as store:
        best = max((store.best(r.id) for r in store.runs(experiment="small")), key=lambda c: c.speedup)
    assert manifest["candidate"] == best.identity and manifest["speedup"] == best.speedup
    assert manifest["experiment"] == "small" and manifest["cell"]["kernel"] == "row_sum"
    for key in ("run_id", "provider", "strategy", "sampler", "prompt_hash", "knobs", "verdict", "machine"):
        assert key in manifest
    assert (tmp_path / "best" / "row_sum" / "libkernel.so").exists()


def test_training_data_one_record_per_exchange_and_candidate(grid, tmp_path):
    db, _, tmp, _ = grid
    done = neurojit("dataset", "--db", db, "--experiment", "small", "--out", tmp_path / "d.jsonl", cwd=tmp)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert len(records) == 32  # every candidate once: each model answer here held one candidate
    prompted = [r for r in records if r["prompt"]]
    assert prompted and all(r["response"] and r["request_hash"] for r in prompted)
    assert all(r["reward"] == reward(r["verdict"], r["speedup"]) for r in records)
    assert any(r["reward"] == -1.0 and r["reason"] == "invalid_ir" for r in prompted)
    assert neurojit("dataset", "--db", db, "--out", tmp_path / "d.parquet", cwd=tmp).returncode == 0
    assert len(pd.read_parquet(tmp_path / "d.parquet")) == 32
    bad = neurojit("dataset", "--db", db, "--out", tmp_path / "d.csv", cwd=tmp)
    assert bad.returncode == 2 and ".jsonl or a .parquet" in bad.stderr


def test_the_studies_load_with_optunas_own_api(grid):
    db, _, _, _ = grid
    summaries = optuna.study.get_all_study_summaries(storage=db)
    assert summaries
    for s in summaries:
        study = optuna.load_study(study_name=s.study_name, storage=db)
        frame = study.trials_dataframe()
        assert len(frame) == s.n_trials and "user_attrs_sampler" in frame
        # a speedup was recorded (its size is the machine's: a loaded host timed one tuned knob at 0.97x)
        assert np.isfinite(study.best_value) and study.best_value > 0


def test_a_second_invocation_has_nothing_left_to_do(grid):
    db, config, tmp, _ = grid
    with ResultStore(db) as store:
        before = {r.id: [(c.identity, c.verdict) for c in store.candidates(r.id)] for r in store.runs()}
    again = neurojit("experiment", config, "--db", db, cwd=tmp)
    assert again.returncode == 0, again.stderr
    assert "cell 1/8" not in again.stderr and "8 of 8 cell(s) finished" in again.stdout
    with ResultStore(db) as store:
        assert {r.id: [(c.identity, c.verdict) for c in store.candidates(r.id)] for r in store.runs()} == before
    dry = neurojit("experiment", config, "--db", db, "--dry-run", cwd=tmp)
    assert dry.returncode == 0 and "8 cells (8 finished)" in dry.stdout and "0 model calls" in dry.stdout
