"""What a grid will cost before it runs (`neurojit experiment CONFIG --dry-run`): model calls, tokens,
dollars and time, for the cells not finished yet.

Rough by design, and said so: model calls per run are what the loop makes when each answer's schedule is
tuned for its round's share (one call per `1 + TUNE_PER_ROUND` candidates, plus the first); tokens per call
and seconds per model call and per candidate come from earlier runs in the same store when it has any
(same model; same kernel), else from the defaults below. Replayed and heuristic runs cost nothing.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import pandas as pd

from neurojit.agent.graph import TUNE_PER_ROUND
from neurojit.agent.llm.prices import cost_usd
from neurojit.agent.store import ResultStore, RunStatus
from neurojit.agent.suite import kernel_name

from .config import Cell, Experiment

__all__ = ["Estimate", "estimate"]

DEFAULT_TOKENS_IN = 4000  # a prompt with the kernel, the machine and a few earlier candidates
DEFAULT_TOKENS_OUT = 3000  # an answer with one schedule or module (thinking tokens included)
DEFAULT_CALL_S = 30.0  # a thinking model's answer
DEFAULT_CANDIDATE_S = 2.0  # one evaluation of a small kernel on one worker, benchmark included


@dataclass(frozen=True)
class Estimate:
    cells: pd.DataFrame  # one row per cell: its values, run id, status, and the estimates for what is left
    calls: int
    tokens: int
    dollars: float
    seconds: float


def _calls(cell: Cell) -> int:
    if _offline(cell):
        return 0
    return min(cell.budget, math.ceil(cell.budget / (1 + TUNE_PER_ROUND)) + 1)


def _priced_name(model: str) -> str:
    name, _, arg = model.partition(":")
    if name == "gemini":
        from neurojit.agent.llm.gemini import DEFAULT_MODEL

        return arg or DEFAULT_MODEL
    return arg or name


def _offline(cell: Cell) -> bool:
    return cell.model == "heuristic" or cell.model.startswith("replay:")


def estimate(exp: Experiment, store: ResultStore) -> Estimate:
    runs = {r.id: r for r in store.runs()}
    rows = []
    for cell in exp.cells:
        run_id = cell.run_id(exp.id)
        run = runs.get(run_id)
        done = store.summary(run_id).candidates if run else 0
        status = "new" if run is None else ("finished" if run.status == RunStatus.FINISHED else "partial")
        left = 0 if status == "finished" else max(0, cell.budget - done)
        calls = round(_calls(cell) * left / cell.budget) if cell.budget else 0
        tin, tout, call_s = _model_history(store, runs.values(), cell)
        cand_s = _candidate_seconds(store, runs.values(), cell) / max(1, exp.workers or 1)
        rows.append({"run_id": run_id, **cell.key(), "status": status, "candidates_left": left,
                     "model_calls": calls, "tokens": calls * (tin + tout),
                     "usd": calls * cost_usd(_priced_name(cell.model), tin, tout),
                     "seconds": left * cand_s + calls * call_s})
    df = pd.DataFrame(rows)
    return Estimate(df, int(df["model_calls"].sum()), int(df["tokens"].sum()), float(df["usd"].sum()),
                    float(df["seconds"].sum()))


def _model_history(store: ResultStore, runs, cell: Cell) -> tuple[int, int, float]:
    if _offline(cell):
        return 0, 0, 0.0
    seen = [e for r in runs if r.model == cell.model_arg or r.model == cell.model for e in store.exchanges(r.id)]
    if not seen:
        return DEFAULT_TOKENS_IN, DEFAULT_TOKENS_OUT, DEFAULT_CALL_S
    return (round(statistics.mean(e.tokens_in for e in seen)), round(statistics.mean(e.tokens_out for e in seen)),
            statistics.mean(e.latency_s for e in seen))


def _candidate_seconds(store: ResultStore, runs, cell: Cell) -> float:
    times = []
    for r in runs:
        if kernel_name(r.kernel_name) != cell.kernel:
            continue
        for c in store.candidates(r.id):
            if c.verdict is not None and c.verdict.timings:
                times.append(sum(c.verdict.timings.values()))
    return statistics.median(times) if times else DEFAULT_CANDIDATE_S
