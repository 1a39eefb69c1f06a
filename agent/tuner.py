"""Optuna tunes a schedule's knobs; one trial is one evaluator call.

The study lives in the same database as the results store, so several processes (or machines, with
PostgreSQL) that tune the same run share its trials. Trials are asked in batches the size of the worker
pool and evaluated together, so every core is busy. A rejected trial is told FAIL with its reason kept as a
user attribute; TPE is seeded and starts from the provider's default knobs.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import optuna

from neurojit.evaluator import Verdict

from .proposal import Proposal

optuna.logging.set_verbosity(logging.WARNING)

# evaluate(list of proposals with knobs set) -> their verdicts (cached ones included), in order
Evaluate = Callable[[list[Proposal]], list[Verdict]]


@dataclass(frozen=True)
class TuneResult:
    study: str
    trials: int
    best_knobs: dict[str, int] | None
    best_speedup: float | None


def storage(url: str) -> optuna.storages.RDBStorage:
    # No heartbeat: Optuna records heartbeats only inside Study.optimize, not for ask/tell. A trial left
    # RUNNING by a killed process stays so; its candidate is re-evaluated (or found in the store) on resume.
    # Two processes that open a new database at the same moment race to create Optuna's schema; the loser
    # sees a duplicate row or a locked table once, and then finds the schema in place.
    import sqlalchemy.exc

    for attempt in range(5):
        try:
            return optuna.storages.RDBStorage(url)
        except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.OperationalError):
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def study_for(url: str, name: str, seed: int) -> optuna.Study:
    return optuna.create_study(storage=storage(url), study_name=name, direction="maximize",
                               sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=8),
                               load_if_exists=True)


def tune(proposal: Proposal, evaluate: Evaluate, *, url: str, study_name: str, trials: int, batch: int,
         seed: int = 0, room: Callable[[], int] | None = None) -> TuneResult:
    """Run up to `trials` trials of `proposal.space`, in batches of at most `batch` and at most `room()`
    (how many more evaluations the caller's budget allows; 0 stops the tuning).

    Trials that repeat knob values already evaluated cost no evaluation (the caller's store answers them), so
    callers that budget evaluations pass a generous `trials` cap and limit through `room`."""
    study = study_for(url, study_name, seed)
    if not proposal.space:
        return TuneResult(study_name, 0, None, None)
    if not study.trials:
        study.enqueue_trial({k.name: k.clamp(v) for k, v in zip(proposal.space, _defaults(proposal))})
    done = 0
    while done < trials:
        n = min(batch, trials - done, room() if room else batch)
        if n <= 0:
            break
        asked = [study.ask() for _ in range(n)]
        props = [proposal.with_knobs({**proposal.knobs, **_suggest(t, proposal)}) for t in asked]
        for trial, verdict in zip(asked, evaluate(props)):
            trial.set_user_attr("reason", verdict.reason.value)
            trial.set_user_attr("process", f"{socket.gethostname()}:{os.getpid()}")
            if verdict.accepted and verdict.speedup is not None:
                study.tell(trial, verdict.speedup)
            else:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
        done += len(asked)
    try:
        best = study.best_trial
        return TuneResult(study_name, done, dict(best.params), best.value)
    except ValueError:  # no trial completed
        return TuneResult(study_name, done, None, None)


def _defaults(p: Proposal) -> list[int]:
    return [p.knobs.get(k.name, k.low) for k in p.space]


def _suggest(trial: optuna.Trial, p: Proposal) -> dict[str, int]:
    return {k.name: trial.suggest_int(k.name, k.low, k.high, step=1 if k.log else k.step, log=k.log)
            for k in p.space}
