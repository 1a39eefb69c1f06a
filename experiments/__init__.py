"""Experiments for researchers: grids of tuning runs, their analysis, reports, exports and training data.

`neurojit experiment CONFIG.toml` runs a grid (experiments/config.py documents the format), `neurojit report`
analyses it, `neurojit export --experiment` exports the best kernels, `neurojit dataset` writes training data.
The modules read the results store; pandas, scipy.stats and matplotlib do the tables, statistics and plots.
Names are imported on first use: a command pays only for the libraries it needs.
"""

from __future__ import annotations

import importlib

_NAMES = {
    "Cell": "config", "ConfigError": "config", "Experiment": "config", "load_experiment": "config",
    "dataset_records": "dataset", "reward": "dataset", "write_dataset": "dataset",
    "export_experiment": "export", "candidates_frame": "frame", "anytime": "metrics", "run_metrics": "metrics",
    "build_report": "report", "listing": "catalog", "write_report": "report", "run_experiment": "runner",
    "bootstrap_interval": "stats", "compare": "stats", "paired": "stats",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
