"""`neurojit report --db URL` without an experiment or run: what the store holds."""

from __future__ import annotations

import pandas as pd

from neurojit.agent.store import ResultStore

__all__ = ["listing"]


def listing(store: ResultStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(experiments, runs) of the store: each experiment's cells and how many are finished; each run's status,
    kernel, arm and best speedup, newest first."""
    runs = store.runs()
    status = {r.id: r.status.value for r in runs}
    exps = pd.DataFrame([{"experiment": e.id, "cells": len(cells := e.config.get("cells", [])),
                          "finished": sum(status.get(c["run_id"]) == "finished" for c in cells),
                          "not finished": sum(status.get(c["run_id"]) in ("running", "stopped") for c in cells),
                          "created": e.created_at.strftime("%Y-%m-%d %H:%M"), "description": e.description}
                         for e in store.experiments()])
    rows = []
    for r in runs:
        s = store.summary(r.id)
        rows.append({"run": r.id, "experiment": r.experiment or "-", "status": r.status.value,
                     "kernel": r.kernel_name, "model": r.model, "strategy": r.strategy,
                     "sampler": (r.config or {}).get("sampler", "tpe"), "candidates": s.candidates,
                     "best": f"{s.speedup:.2f}x" if s.speedup else "-"})
    return exps, pd.DataFrame(rows)
