"""Metrics of runs, from the candidates frame (experiments/frame.py).

- Anytime curves: the best speedup found so far against evaluations, evaluator seconds or dollars. The
  baseline is always there, so a curve starts at 1.0x and only rises when an accepted candidate beats it.
- Per run (`run_metrics`): best speedup, the area under its anytime curve (mean of log2 best-so-far over
  the budget's evaluations: rewards finding it early), evaluations and evaluator seconds until the run first
  reached 90% of the best speedup seen for its kernel in the whole store (NaN: never), validity (accepted /
  evaluated), reject reasons, tokens, dollars and dollars per accepted candidate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .frame import RUN_COLUMNS

__all__ = ["ARM", "anytime", "kernel_best", "run_metrics", "TARGET"]

ARM = ["model", "strategy", "sampler"]  # what an experiment compares; kernel and seed are what it pairs on
TARGET = 0.9  # "reached": this fraction of the best speedup the store has seen for the kernel


def kernel_best(frame: pd.DataFrame) -> dict[str, float]:
    """kernel_hash: the best accepted speedup in `frame` (pass a frame of the whole store)."""
    ok = frame[frame["verdict"] == "accept"]
    return ok.groupby("kernel_hash")["speedup"].max().to_dict()


def _best_so_far(speedups: pd.Series) -> np.ndarray:
    return np.maximum.accumulate(np.maximum(speedups.fillna(1.0).to_numpy(dtype=float), 1.0))


def anytime(frame: pd.DataFrame, x: str = "index") -> pd.DataFrame:
    """One row per candidate: the run's columns, `x` (evaluations are index + 1) and `best` so far."""
    parts = []
    for _, g in frame.sort_values(["run_id", "index"]).groupby("run_id", sort=False):
        part = g[RUN_COLUMNS].copy()
        part["x"] = g["index"].to_numpy() + 1 if x == "index" else g[x].to_numpy()
        part["best"] = _best_so_far(g["speedup"])
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=RUN_COLUMNS + ["x", "best"])


def run_metrics(frame: pd.DataFrame, best_by_kernel: dict[str, float] | None = None,
                named_best: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per run with its metrics (see the module docstring). `named_best`: run id -> the speedup of the
    variant the store names the run's best (its runoff's winner, agent/runoff.py), which `best_speedup` then is;
    without it, the highest recorded speedup."""
    best_by_kernel = kernel_best(frame) if best_by_kernel is None else best_by_kernel
    rows = []
    for run_id, g in frame.sort_values(["run_id", "index"]).groupby("run_id", sort=False):
        first = g.iloc[0]
        curve = _best_so_far(g["speedup"])
        budget = len(g) if pd.isna(first["budget"]) else int(first["budget"])
        padded = np.concatenate([curve, np.full(max(0, budget - len(curve)), curve[-1] if len(curve) else 1.0)])
        target = TARGET * best_by_kernel.get(first["kernel_hash"], np.nan)
        hit = np.flatnonzero(curve >= target) if np.isfinite(target) and target > 1.0 else np.array([], int)
        evaluated = g["verdict"].notna().sum()
        accepted = (g["verdict"] == "accept").sum()
        cost = float(g["cost_usd"].sum())
        rows.append({**{c: first[c] for c in RUN_COLUMNS}, "candidates": len(g), "evaluated": int(evaluated),
                     "accepted": int(accepted), "validity": accepted / evaluated if evaluated else np.nan,
                     "best_speedup": (max(1.0, named_best[run_id]) if named_best and run_id in named_best
                                      else float(curve[-1]) if len(curve) else 1.0),
                     "anytime_auc": float(np.mean(np.log2(padded[:budget]))) if budget else np.nan,
                     "evals_to_90": float(hit[0] + 1) if len(hit) else np.nan,
                     "seconds_to_90": float(g["cum_eval_s"].iloc[hit[0]]) if len(hit) else np.nan,
                     "eval_s": float(g["eval_s"].sum()), "tokens": int(g["tokens"].sum()), "cost_usd": cost,
                     "usd_per_accepted": cost / accepted if accepted else np.nan})
    return pd.DataFrame(rows)


def reject_reasons(frame: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Counts of each reason (ok for accepted) per group of `by` (default: the arm), reasons as columns."""
    by = by or ARM
    done = frame[frame["verdict"].notna()]
    if done.empty:
        return pd.DataFrame()
    return done.groupby(by + ["reason"]).size().unstack("reason", fill_value=0)
