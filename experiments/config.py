"""An experiment's configuration: a TOML file that names a grid of runs (`neurojit experiment CONFIG.toml`).

    [experiment]
    id = "offline"                  # 1-40 characters: letters, digits, '-', '_', '.'; tags every run
    description = "..."             # optional, shown in reports
    kernels = ["kernels/", "../../examples/kernels/row_sum.mlir"]  # files or folders, relative to this file
    seeds = [0, 1, 2]               # each seed seeds the tuner, the strategy and the evaluator's inputs
    budgets = [12]                  # candidates per run; several values make the budget an axis
    time_limit = 300                # optional: seconds per run (default 600)
    max_tokens = 200000             # optional: model tokens per run
    max_dollars = 0.50              # optional: model cost per run
    workers = 2                     # optional: evaluator workers per run (default 0: one per core)
    db = "sqlite:///offline.db"     # optional: the results store (--db wins; relative to the working dir)

    [evaluation]                    # optional: evaluator settings for every run (neurojit.evaluator.EvalConfig)
    bench_time_cap_s = 0.3

    [[grid]]                        # one or more; each is the product of its lists, the grid their union
    models = ["heuristic"]          # as --model; a replay cassette's path is relative to this file
    strategies = ["zero-shot"]      # as --strategy (default ["zero-shot"])
    samplers = ["tpe", "random"]    # as --sampler (default ["tpe"])
    # kernels, seeds and budgets may be given here too, replacing the experiment's for this part

A cell is one (model, strategy, sampler, kernel, seed, budget); its run id is the experiment id and a hash
of those values, so the same cell is the same run in every invocation and on every machine.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from neurojit.agent.suite import kernel_name, kernels_of
from neurojit.compiler.errors import NeuroJITError
from neurojit.evaluator import EvalConfig

__all__ = ["Cell", "ConfigError", "Experiment", "load_experiment"]

_ID = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_EXPERIMENT_KEYS = {"id", "description", "kernels", "seeds", "budgets", "time_limit", "max_tokens", "max_dollars",
                    "workers", "db"}
_GRID_KEYS = {"models", "strategies", "samplers", "kernels", "seeds", "budgets"}


class ConfigError(NeuroJITError):
    """An experiment's configuration cannot be read or does not describe a grid."""


@dataclass(frozen=True)
class Cell:
    """One run of the grid. `model` is as the config writes it (the run's label); `model_arg` is what
    --model gets (a replay cassette's path made absolute)."""
    model: str
    strategy: str
    sampler: str
    kernel: str  # the kernel's name (file name without .mlir)
    seed: int
    budget: int
    kernel_path: str = field(compare=False)
    model_arg: str = field(compare=False)

    def key(self) -> dict:
        """The cell's values, as stored with its run (JSON)."""
        return {"model": self.model, "strategy": self.strategy, "sampler": self.sampler, "kernel": self.kernel,
                "seed": self.seed, "budget": self.budget}

    def arm(self) -> str:
        """What the cell compares: model / strategy / sampler."""
        return f"{self.model} / {self.strategy} / {self.sampler}"

    def run_id(self, experiment: str) -> str:
        digest = hashlib.sha256(json.dumps(self.key(), sort_keys=True).encode()).hexdigest()[:12]
        return f"{experiment}-{digest}"


@dataclass(frozen=True)
class Experiment:
    id: str
    description: str
    cells: tuple[Cell, ...]
    time_limit: float | None
    max_tokens: int | None
    max_dollars: float | None
    workers: int
    evaluation: dict  # EvalConfig fields other than workers and seed
    db: str | None
    path: str  # the config file
    source: str  # its text, kept with the experiment in the store

    def eval_config(self, seed: int) -> EvalConfig:
        return EvalConfig(**{**self.evaluation, "workers": self.workers, "seed": seed})

    def record(self) -> dict:
        """What the store keeps of the experiment: its grid (cells with their run ids) and the config text."""
        return {"path": self.path, "source": self.source,
                "cells": [{**c.key(), "run_id": c.run_id(self.id)} for c in self.cells]}


def load_experiment(path: str | Path) -> Experiment:
    """Read and check a config; every problem is a `ConfigError` that names the key to fix."""
    p = Path(path)
    try:
        source = p.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read the experiment config {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    where = p.resolve().parent
    exp = data.get("experiment")
    if not isinstance(exp, dict):
        raise ConfigError(f"{path} needs an [experiment] table with id, kernels and seeds")
    _unknown(path, "[experiment]", exp, _EXPERIMENT_KEYS)
    _unknown(path, "the top level", data, {"experiment", "evaluation", "grid"})
    ident = exp.get("id")
    if not isinstance(ident, str) or not _ID.fullmatch(ident):
        raise ConfigError(f"{path}: [experiment] id must be 1-40 letters, digits, '-', '_' or '.'")
    evaluation = data.get("evaluation", {})
    known = {f.name for f in fields(EvalConfig)} - {"workers", "seed"}
    if not isinstance(evaluation, dict):
        raise ConfigError(f"{path}: [evaluation] must be a table of evaluator settings")
    _unknown(path, "[evaluation]", evaluation, known)
    grids = data.get("grid")
    if not isinstance(grids, list) or not grids or not all(isinstance(g, dict) for g in grids):
        raise ConfigError(f"{path} needs at least one [[grid]] table with models (and strategies, samplers)")
    cells: list[Cell] = []
    for n, grid in enumerate(grids, 1):
        _unknown(path, f"[[grid]] #{n}", grid, _GRID_KEYS)
        cells += _cells(path, where, exp, grid, n)
    unique = list(dict.fromkeys(cells))
    # seed first: an experiment stopped part-way has every arm on its first seeds, not some arms complete
    unique.sort(key=lambda c: (c.seed, c.budget, c.kernel, c.model, c.strategy, c.sampler))
    return Experiment(ident, str(exp.get("description", "")), tuple(unique), _number(path, exp, "time_limit", 600.0),
                      _number(path, exp, "max_tokens", None, int), _number(path, exp, "max_dollars", None),
                      int(_number(path, exp, "workers", 0, int)), evaluation, exp.get("db"), str(p), source)


def _unknown(path, table: str, given: dict, known: set[str]) -> None:
    extra = sorted(set(given) - known)
    if extra:
        raise ConfigError(f"{path}: {table} has unknown key(s) {', '.join(extra)}; known: {', '.join(sorted(known))}")


def _number(path, table: dict, key: str, default, kind=float):
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (kind is int and value != int(value)):
        raise ConfigError(f"{path}: [experiment] {key} must be a {'whole ' if kind is int else ''}number >= 0")
    return kind(value)


def _list(path, grid: dict, exp: dict, key: str, n: int, default=None) -> list:
    value = grid.get(key, exp.get(key, default))
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{path}: [[grid]] #{n} needs {key} (a non-empty list, here or in [experiment])")
    return value


def _cells(path, where: Path, exp: dict, grid: dict, n: int) -> list[Cell]:
    models = _list(path, grid, {}, "models", n)
    strategies = _list(path, grid, {}, "strategies", n, ["zero-shot"])
    samplers = _list(path, grid, {}, "samplers", n, ["tpe"])
    seeds = _list(path, grid, exp, "seeds", n)
    budgets = _list(path, grid, exp, "budgets", n)
    given = _list(path, grid, exp, "kernels", n)
    for key, values, kind in (("seeds", seeds, int), ("budgets", budgets, int), ("models", models, str),
                              ("strategies", strategies, str), ("samplers", samplers, str)):
        if not all(isinstance(v, kind) and not isinstance(v, bool) for v in values):
            raise ConfigError(f"{path}: [[grid]] #{n} {key} must all be {'integers' if kind is int else 'strings'}")
    if any(b < 1 for b in budgets):
        raise ConfigError(f"{path}: budgets must be at least 1 candidate")
    try:
        kernels = kernels_of([str(where / k) for k in given])
    except NeuroJITError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    for k in kernels:
        if not Path(k).is_file():
            raise ConfigError(f"{path}: no kernel file {k} (kernel paths are relative to the config file)")
    return [Cell(m, s, smp, kernel_name(k), seed, budget, k, _model_arg(m, where))
            for m, s, smp, k, seed, budget in itertools.product(models, strategies, samplers, kernels, seeds, budgets)]


def _model_arg(model: str, where: Path) -> str:
    name, _, arg = model.partition(":")
    if name == "replay" and arg and (arg.endswith((".jsonl", ".json")) or "/" in arg):
        return f"replay:{(where / arg).resolve()}"
    return model
