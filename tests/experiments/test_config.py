"""The experiment config: its grid (products, union, overrides), stable run ids, paths relative to the file;
and the claims that keep two processes off one cell (real SQLite)."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta, timezone

import pytest
from support.grid import CASSETTE, KERNEL, grid_config

from neurojit.agent.store import ResultStore
from neurojit.experiments.config import ConfigError, load_experiment
from neurojit.experiments.runner import STALE_S, _gone


def test_the_grid_is_the_union_of_products_ordered_seed_first(tmp_path):
    exp = load_experiment(grid_config(tmp_path / "g.toml", seeds=(0, 1, 2), samplers=("tpe", "random", "nsga2")))
    assert len(exp.cells) == (3 + 2) * 3
    assert [c.seed for c in exp.cells] == sorted(c.seed for c in exp.cells)  # every arm on seed 0 first
    replay = [c for c in exp.cells if c.model.startswith("replay:")]
    assert {c.strategy for c in replay} == {"zero-shot", "repair"} and {c.sampler for c in replay} == {"tpe"}
    assert replay[0].model_arg == f"replay:{CASSETTE}" and replay[0].kernel == "row_sum"
    assert exp.eval_config(2).seed == 2 and exp.eval_config(2).random_sets == 1 and exp.workers == 1


def test_run_ids_depend_on_the_cell_only(tmp_path):
    a = load_experiment(grid_config(tmp_path / "a.toml", seeds=(0, 1)))
    b = load_experiment(grid_config(tmp_path / "b.toml", seeds=(1, 0, 2)))  # another order, one seed more
    ids_a = {c: c.run_id(a.id) for c in a.cells}
    assert all(ids_a[c] == c.run_id(b.id) for c in b.cells if c in ids_a)
    assert len(set(ids_a.values())) == len(a.cells) and all(len(i) <= 64 for i in ids_a.values())


def test_relative_paths_and_overrides(tmp_path):
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "row_sum.mlir").write_text(KERNEL.read_text())
    (tmp_path / "c.toml").write_text("""
[experiment]
id = "rel"
kernels = ["k/"]
seeds = [0]
budgets = [3]
[[grid]]
models = ["heuristic"]
[[grid]]
models = ["heuristic"]
samplers = ["random"]
seeds = [5, 6]
budgets = [7]
""")
    exp = load_experiment(tmp_path / "c.toml")
    got = sorted((c.sampler, c.seed, c.budget) for c in exp.cells)
    assert got == [("random", 5, 7), ("random", 6, 7), ("tpe", 0, 3)]
    assert exp.cells[0].kernel_path == str(tmp_path / "k" / "row_sum.mlir")


@pytest.mark.parametrize("text, words", [
    ('[experiment]\nid = "has space"\n[[grid]]\nmodels=["heuristic"]\n', "id must be"),
    ('[experiment]\nid = "x"\nkernels = ["k.mlir"]\nseeds = [0]\nbudgets = [0]\n[[grid]]\nmodels=["heuristic"]\n',
     "budgets must be at least 1"),
    ('[experiment]\nid = "x"\nkernels = ["k.mlir"]\nseeds = ["a"]\nbudgets = [1]\n[[grid]]\nmodels=["heuristic"]\n',
     "seeds must all be integers"),
    ('[experiment]\nid = "x"\n[evaluation]\nbench_time = 1\n[[grid]]\nmodels=["heuristic"]\n', "[evaluation] has unknown"),
    ('[experiment]\nid = "x"\nkernels = ["k.mlir"]\nbudgets = [1]\n[[grid]]\nmodels=["heuristic"]\n', "needs seeds"),
])
def test_config_errors_name_what_to_fix(tmp_path, text, words):
    (tmp_path / "c.toml").write_text(text)
    with pytest.raises(ConfigError, match=words.replace("[", r"\[").replace("]", r"\]")):
        load_experiment(tmp_path / "c.toml")


def test_a_claim_is_held_by_one_owner_until_its_holder_is_gone(tmp_path):
    store = ResultStore(f"sqlite:///{tmp_path}/c.db")
    me, other = f"{socket.gethostname()}:{os.getpid()}", "elsewhere:1"
    assert store.claim("r", other, _gone)
    assert not store.claim("r", me, _gone)  # held by a process that renews it
    assert store.renew_claim("r", other) and not store.renew_claim("r", me)
    assert store.claim("r", other, _gone)  # the holder itself may claim again
    store.release_claim("r", other)
    assert store.claim("r", me, _gone) and store.claims()["r"][0] == me
    dead = f"{socket.gethostname()}:{2**22 + 12345}"  # this machine, no such process
    assert _gone(dead, datetime.now(timezone.utc))
    assert not _gone("elsewhere:1", datetime.now(timezone.utc))
    assert _gone("elsewhere:1", datetime.now(timezone.utc) - timedelta(seconds=STALE_S + 1))
    store.release_claim("r", me)
    assert store.claim("r", dead, _gone) and store.claim("r", me, _gone)  # a dead holder's claim is taken over
