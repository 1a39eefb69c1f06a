"""A small grid of the offline example experiment (experiments/configs/offline.toml) for the experiments
tests: one kernel, two seeds, four candidates per run; the heuristic with two samplers and the replayed
model (the example's cassette) with two strategies."""

from __future__ import annotations

import os
import subprocess
import sys

from .paths import ROOT

CONFIGS = ROOT / "experiments" / "configs"
CASSETTE = CONFIGS / "cassettes" / "offline.jsonl"
KERNEL = ROOT / "examples" / "kernels" / "row_sum.mlir"


def grid_config(path, experiment="small", seeds=(0, 1), budget=4, replay=True, samplers=("tpe", "random")):
    """Write a config of the offline example's grid, made small, to `path`; return the path."""
    text = f"""
[experiment]
id = "{experiment}"
description = "the offline example, small"
kernels = ["{KERNEL}"]
seeds = {list(seeds)}
budgets = [{budget}]
time_limit = 300
workers = 1

[evaluation]
random_sets = 1
bench_time_cap_s = 0.2

[[grid]]
models = ["heuristic"]
samplers = {list(samplers)!r}
""".replace("'", '"')
    if replay:
        text += f"""
[[grid]]
models = ["replay:{CASSETTE}"]
strategies = ["zero-shot", "repair"]
"""
    path.write_text(text)
    return path


def neurojit(*args, cwd, timeout=600, **popen):
    """Run the CLI in `cwd` (where a PostgreSQL store's graph checkpoints go); a CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "neurojit", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env={**os.environ, **popen.pop("env", {})}, **popen)
