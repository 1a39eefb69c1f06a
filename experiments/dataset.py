"""Training data from the results store (`neurojit dataset`): one record per model exchange and candidate.

A model's answer that held k candidates gives k records, each with the prompt and the whole response; an
answer that held none gives one record with no candidate (reward -1: the model produced nothing usable);
candidates that no model wrote (the heuristic's schedules, the tuner's knob settings) give records with no
prompt, so the log of the whole search is there and a fine-tuning tool keeps the records with a prompt.

Reward, for a learner that should write correct code first and fast code second:
    reward = -1                          the candidate was rejected (any reason), or the answer held none
    reward = max(-0.5, ln(speedup))      accepted: 0 at the baseline's speed, ln 2 = 0.69 at twice as fast;
                                          correct but slow is floored at -0.5, above any rejection
    reward = None                        not evaluated (yet)
Records are written as JSON lines (`.jsonl`) or Parquet (`.parquet`), the two formats the common
fine-tuning tools (Hugging Face datasets, TRL, Axolotl) read.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from neurojit.agent.llm.parse import parse_answer
from neurojit.agent.proposal import Candidate
from neurojit.agent.store import ResultStore
from neurojit.compiler.errors import NeuroJITError

from .frame import run_values, runs_of

__all__ = ["DatasetError", "FIELDS", "dataset_records", "reward", "write_dataset"]

FIELDS = ["experiment", "run_id", "kernel", "model", "strategy", "sampler", "seed", "request_hash", "prompt",
          "response", "candidate", "kind", "text", "knobs", "provider", "verdict", "reason", "detail", "speedup",
          "reward"]


class DatasetError(NeuroJITError):
    """The dataset cannot be written (unknown experiment, unsupported file type)."""


def reward(verdict: str | None, speedup: float | None) -> float | None:
    """The documented reward of one candidate (see the module docstring)."""
    if verdict is None:
        return None
    if verdict != "accept":
        return -1.0
    return max(-0.5, math.log(speedup)) if speedup and speedup > 0 else 0.0


def dataset_records(store: ResultStore, experiment: str | None = None) -> list[dict]:
    """Every record of the chosen runs (an experiment's, or the whole store's), run by run, in order."""
    records = []
    for run in runs_of(store, experiment):
        v = run_values(run)
        base = {k: v[k] for k in ("experiment", "run_id", "kernel", "model", "strategy", "sampler", "seed")}
        cands = {c.identity: c for c in store.candidates(run.id)}
        used: set[str] = set()
        for e in store.exchanges(run.id):
            ids = [Candidate(a.code).identity for a in parse_answer(e.response)]
            found = [cands[i] for i in ids if i in cands]
            exchange = {**base, "request_hash": e.request_hash, "prompt": e.prompt, "response": e.response}
            if not found:
                records.append({**exchange, **_candidate(None), "reward": -1.0})
            for c in found:
                used.add(c.identity)
                records.append({**exchange, **_candidate(c)})
        for c in cands.values():
            if c.identity not in used:
                records.append({**base, "request_hash": None, "prompt": None, "response": None, **_candidate(c)})
    return records


def _candidate(c) -> dict:
    if c is None:
        return {"candidate": None, "kind": None, "text": None, "knobs": None, "provider": None, "verdict": None,
                "reason": None, "detail": None, "speedup": None}
    v = c.verdict
    verdict = None if v is None else v.verdict.value
    speedup = c.speedup if c.accepted else None
    return {"candidate": c.identity, "kind": c.kind.value, "text": c.text, "knobs": json.dumps(dict(c.knobs)),
            "provider": c.provider, "verdict": verdict, "reason": c.reason, "detail": None if v is None else v.detail,
            "speedup": speedup, "reward": reward(verdict, speedup)}


def write_dataset(store: ResultStore, out: str | Path, experiment: str | None = None) -> int:
    """Write the records to `out` (.jsonl or .parquet); how many."""
    out = Path(out)
    if out.suffix not in (".jsonl", ".parquet"):
        raise DatasetError(f"--out {out}: give a .jsonl or a .parquet file")
    if experiment is not None and store.experiment(experiment) is None:
        raise DatasetError(f"no experiment {experiment} in this store; neurojit report --db URL lists them")
    records = dataset_records(store, experiment)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".jsonl":
        with out.open("w") as f:
            for r in records:
                f.write(json.dumps({k: r.get(k) for k in FIELDS}) + "\n")
    else:
        pd.DataFrame(records, columns=FIELDS).to_parquet(out, index=False)
    return len(records)
