"""The results store as one tidy pandas DataFrame: a row per candidate, with its run's experiment and cell.

Columns (`COLUMNS`): the run's experiment, cell, run_id, status, model, strategy, sampler, kernel,
kernel_hash, seed and budget; the candidate's index (0-based, in the order proposed), identity, kind,
provider, tuned_by (the sampler that set its knobs, "" when the provider chose them), verdict
(accept/reject, None while pending), reason, speedup, eval_s (seconds the evaluator spent on it, from the
verdict's own stage timings, so a verdict reused from the cache counts what it cost when it was measured),
cum_eval_s, elapsed_s (wall time from the run's start to the candidate's proposal: pauses of a resumed run
included), tokens and cost_usd (of the model exchange whose answer held it, on the first candidate of that
answer), cum_tokens and cum_cost_usd (of every exchange of the run up to the candidate), request_hash (that
exchange), parent (the candidate it was derived from: a model's parent, or for a tuned variant the
candidate whose knobs the tuner set), schedule, knobs (JSON).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pandas as pd

from neurojit.agent.llm.parse import parse_answer
from neurojit.agent.proposal import Candidate
from neurojit.agent.store import ResultStore, RunRecord
from neurojit.agent.suite import kernel_name

__all__ = ["COLUMNS", "RUN_COLUMNS", "candidates_frame", "runs_of", "store_best"]

RUN_COLUMNS = ["experiment", "cell", "run_id", "status", "model", "strategy", "sampler", "kernel", "kernel_hash",
               "seed", "budget"]
COLUMNS = RUN_COLUMNS + ["index", "identity", "kind", "provider", "tuned_by", "verdict", "reason", "speedup",
                         "eval_s", "cum_eval_s", "elapsed_s", "tokens", "cost_usd", "cum_tokens", "cum_cost_usd",
                         "request_hash", "parent", "schedule", "knobs"]


def runs_of(store: ResultStore, experiment: str | None = None, run_ids: Iterable[str] | None = None) -> list[RunRecord]:
    """The runs of an experiment, or the given runs, or every run; oldest first."""
    if run_ids is not None:
        runs = [r for r in (store.get_run(i) for i in run_ids) if r is not None]
    else:
        runs = store.runs(experiment=experiment)
    return sorted(runs, key=lambda r: (r.created_at, r.id))


def run_values(run: RunRecord) -> dict:
    cell = run.cell or {}
    config = run.config or {}
    return {"experiment": run.experiment, "cell": json.dumps(cell, sort_keys=True) if cell else None,
            "run_id": run.id, "status": run.status.value, "model": cell.get("model", run.model),
            "strategy": run.strategy, "sampler": config.get("sampler", "tpe"), "kernel": kernel_name(run.kernel_name),
            "kernel_hash": run.kernel_hash, "seed": config.get("seed", 0),
            "budget": (config.get("budget") or {}).get("candidates")}


def candidates_frame(store: ResultStore, experiment: str | None = None,
                     run_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Every candidate of the chosen runs (see `runs_of`) as one row; columns as the module docstring says."""
    rows = []
    for run in runs_of(store, experiment, run_ids):
        rows += _rows(store, run)
    df = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("speedup", "eval_s", "cum_eval_s", "elapsed_s", "cost_usd", "cum_cost_usd"):
        df[col] = df[col].astype("float64")
    for col in ("index", "tokens", "cum_tokens", "seed"):
        df[col] = df[col].astype("int64")
    return df


def _rows(store: ResultStore, run: RunRecord) -> list[dict]:
    base = run_values(run)
    exchanges = store.exchanges(run.id)
    # which exchange's answer held which candidate: the answer's code, as the provider made it a candidate
    source: dict[str, object] = {}
    for e in exchanges:
        for answer in parse_answer(e.response):
            source.setdefault(Candidate(answer.code).identity, e)
    cands = store.candidates(run.id)
    first_of_text: dict[str, str] = {}
    for c in cands:
        if not c.sampler:
            first_of_text.setdefault(c.text, c.identity)
    billed: set[str] = set()
    rows, cum_eval = [], 0.0
    for i, c in enumerate(cands):
        v = c.verdict
        eval_s = float(sum(v.timings.values())) if v is not None and v.timings else 0.0
        cum_eval += eval_s
        e = source.get(c.identity)
        tokens = cost = 0
        if e is not None and e.request_hash not in billed:
            billed.add(e.request_hash)
            tokens, cost = e.tokens_in + e.tokens_out, e.cost_usd
        upto = [x for x in exchanges if x.created_at <= c.created_at]
        parent = c.parent
        if c.sampler and first_of_text.get(c.text) not in (None, c.identity):
            parent = first_of_text[c.text]  # a tuned variant hangs under the candidate whose knobs were tuned
        rows.append({**base, "index": i, "identity": c.identity, "kind": c.kind.value, "provider": c.provider,
                     "tuned_by": c.sampler or "", "verdict": None if v is None else v.verdict.value,
                     "reason": c.reason, "speedup": c.speedup if c.accepted else None, "eval_s": eval_s,
                     "cum_eval_s": cum_eval, "elapsed_s": (c.created_at - run.created_at).total_seconds(),
                     "tokens": tokens, "cost_usd": float(cost),
                     "cum_tokens": sum(x.tokens_in + x.tokens_out for x in upto),
                     "cum_cost_usd": float(sum(x.cost_usd for x in upto)),
                     "request_hash": None if e is None else e.request_hash, "parent": parent,
                     "schedule": c.schedule, "knobs": json.dumps(dict(c.knobs), sort_keys=True)})
    return rows


def store_best(store: ResultStore) -> dict[str, float]:
    """kernel_hash: the best accepted speedup any run of the store has found for that kernel."""
    best: dict[str, float] = {}
    for run in store.runs():
        b = store.best(run.id)
        if b is not None and b.speedup is not None:
            best[run.kernel_hash] = max(best.get(run.kernel_hash, 0.0), b.speedup)
    return best
