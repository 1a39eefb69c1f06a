"""`neurojit tune` with several kernels (a suite) and with `--sampler`; `neurojit experiment` usage errors."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from support.paths import KERNELS, ROOT

from neurojit.agent.store import ResultStore, RunStatus
from neurojit.agent.suite import shares

SMALL = [KERNELS / "row_sum.mlir", ROOT / "tests" / "agent" / "kernels" / "conv_nhwc.mlir"]


def _suite(tmp_path):
    folder = tmp_path / "suite"
    folder.mkdir()
    for k in SMALL:
        shutil.copy(k, folder / k.name)
    return folder


def test_the_budget_split_is_a_fixed_rule():
    assert shares(10, 3) == [4, 3, 3] and shares(6, 2) == [3, 3] and sum(shares(41, 7)) == 41


@pytest.mark.slow
def test_a_suite_is_one_run_per_kernel_under_one_budget(cli, tmp_path):
    folder = _suite(tmp_path)
    db = f"sqlite:///{tmp_path}/s.db"
    p = cli("tune", folder, "--budget", "5", "--db", db, "--run-id", "nightly", "--workers", "1",
            "--sampler", "random", "--json")
    assert p.returncode == 0, p.stderr
    lines = [json.loads(line) for line in p.stdout.strip().splitlines()]
    assert [j.get("kernel") for j in lines[:2]] == ["conv_nhwc", "row_sum"]  # a folder: sorted by name
    assert [j["run_id"] for j in lines[:2]] == ["nightly-conv_nhwc", "nightly-row_sum"]
    assert [j["candidates"] for j in lines[:2]] == [3, 2]  # 5 split evenly, the remainder to the first
    total = lines[2]
    assert total["total"] is True and total["kernels"] == 2 and total["candidates"] == 5
    assert total["status"] == "finished" and total["geomean_speedup"] > 1.0
    assert "kernel 2/2: row_sum" in p.stderr
    with ResultStore(db) as store:
        assert store.get_run("nightly-row_sum").config["sampler"] == "random"
    again = cli("tune", folder, "--budget", "5", "--db", db, "--run-id", "nightly", "--workers", "1",
                "--sampler", "random")
    assert again.returncode == 0 and again.stderr.count("already finished") == 2
    assert "nightly-row_sum" in again.stdout and "geometric mean" in again.stdout  # the final table
    other = cli("tune", KERNELS / "row_sum.mlir", "--db", db, "--run-id", "nightly-row_sum", "--sampler", "tpe")
    assert other.returncode == 2 and "--sampler random" in other.stderr  # a run resumes with its own sampler


@pytest.mark.slow
@pytest.mark.soak  # 35 s; each run of a suite resumes as tune does (test_loop's kill), a grid as test_resume's
def test_a_killed_suite_resumes_as_a_whole(tmp_path):
    folder = _suite(tmp_path)
    db = f"sqlite:///{tmp_path}/s.db"
    args = [sys.executable, "-m", "neurojit", "tune", str(folder), "--budget", "6", "--db", db, "--run-id", "k",
            "--workers", "1"]
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    before, deadline = {}, time.time() + 240
    try:
        while time.time() < deadline and proc.poll() is None:
            if (tmp_path / "s.db").exists():
                with ResultStore(db) as store:
                    if store.get_run("k-conv_nhwc") is not None:
                        before = {c.identity: c.verdict for c in store.candidates("k-conv_nhwc") if c.verdict}
                if len(before) >= 2:
                    break
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert len(before) >= 2
    done = subprocess.run(args + ["--json"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    *runs, total = [json.loads(line) for line in done.stdout.strip().splitlines()]
    assert [r["candidates"] for r in runs] == [3, 3] and total["status"] == "finished"
    with ResultStore(db) as store:
        after = {c.identity: c.verdict for c in store.candidates("k-conv_nhwc")}
        assert all(store.get_run(r["run_id"]).status == RunStatus.FINISHED for r in runs)
    assert {k: after[k] for k in before} == before


@pytest.mark.slow
def test_suite_and_sampler_usage_errors(cli_main, tmp_path):
    db = f"sqlite:///{tmp_path}/s.db"
    k = KERNELS / "row_sum.mlir"
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, words in (((k, "--sampler", "anneal"), "unknown --sampler 'anneal'"),
                        ((k, k.parent / "matmul_256.mlir", "--budget", "1"), "less than one candidate for each of the 2"),
                        ((empty,), "holds no *.mlir kernel")):
        p = cli_main("tune", *args, "--db", db)
        assert p.returncode == 2 and words in p.stderr and "Traceback" not in p.stderr, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1
    if importlib.util.find_spec("torch") is None:  # the gp sampler's optional dependency (not in CI)
        p = cli_main("tune", k, "--sampler", "gp", "--db", db)
        assert p.returncode == 2 and "pip install 'neurojit[gp]'" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.slow
def test_experiment_config_errors_are_one_sentence(cli_main, tmp_path):
    # one CLI case per kind of failure (the config's own checks: tests/experiments/test_config.py)
    cases = {
        "bad toml": ("[experiment\n", "not valid TOML"),
        "bad sampler": (f'[experiment]\nid = "x"\nkernels = ["{KERNELS / "row_sum.mlir"}"]\nseeds = [0]\n'
                        'budgets = [2]\n[[grid]]\nmodels = ["heuristic"]\nsamplers = ["anneal"]\n', "--sampler"),
    }
    for name, (text, words) in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.toml"
        path.write_text(text)
        p = cli_main("experiment", path, "--dry-run", "--db", f"sqlite:///{tmp_path}/e.db")
        assert p.returncode == 2 and words in p.stderr and "Traceback" not in p.stderr, (name, p.stderr)
    p = cli_main("experiment", tmp_path / "missing.toml")
    assert p.returncode == 2 and "cannot read" in p.stderr
