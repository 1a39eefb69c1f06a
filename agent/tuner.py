"""Optuna tunes a schedule's knobs; one trial is one evaluator call.

The study lives in the same database as the results store, so several processes (or machines, with
PostgreSQL) that tune the same run share its trials. Trials are suggested in batches the size of the worker
pool and evaluated together, so every core is busy. A rejected trial is stored FAIL with its reason kept as
a user attribute; TPE is seeded and starts from the provider's default knobs.

Kill-safe and deterministic: a batch's knobs are a function of the seed and the trials finished before it
(TPE runs on an in-memory copy of them, seeded by their count), and only finished trials are written to the
shared study, each with its batch and slot. A run killed at any point and resumed therefore suggests the
knobs an uninterrupted run would have suggested from the same verdicts: it first completes a batch that the
kill cut short, then goes on from the same history with the same seed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import optuna

from neurojit.evaluator import Verdict

from .proposal import Proposal

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


def study_for(url: str, name: str) -> optuna.Study:
    """The shared study (its sampler is unused: suggestions come from `_suggest_batch`)."""
    return optuna.create_study(storage=storage(url), study_name=name, direction="maximize", load_if_exists=True)


FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.FAIL)


def tune(proposal: Proposal, evaluate: Evaluate, *, url: str, study_name: str, trials: int, batch: int,
         seed: int = 0, room: Callable[[], int] | None = None, tag: str = "") -> TuneResult:
    """Run up to `trials` trials of `proposal.space`, in batches of at most `batch` and at most `room()`
    (how many more evaluations the caller's budget allows; 0 stops the tuning).

    `tag` names this call's share of the study (the loop passes its round): `trials` counts the study's trials
    with this tag and seed, so a call re-run after a kill continues where the killed one stopped. Trials that
    repeat knob values already evaluated cost no evaluation (the caller's store answers them), so callers
    that budget evaluations pass a generous `trials` cap and limit through `room`."""
    with _quiet_optuna():
        return _tune(proposal, evaluate, url, study_name, trials, batch, seed, room, tag)


@contextlib.contextmanager
def _quiet_optuna():
    # Optuna logs every study it creates at INFO (one per batch here: the in-memory TPE copies). Quieted for
    # the call only: a program that imports us keeps its own Optuna logging as it set it.
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)


def _tune(proposal: Proposal, evaluate: Evaluate, url: str, study_name: str, trials: int, batch: int, seed: int,
          room: Callable[[], int] | None, tag: str) -> TuneResult:
    study = study_for(url, study_name)
    if not proposal.space:
        return TuneResult(study_name, 0, None, None)
    done = 0
    while True:
        finished = study.get_trials(deepcopy=False, states=FINISHED)
        mine = [t for t in finished if t.user_attrs.get("tag") == tag and t.user_attrs.get("seed") == seed]
        cut = _cut_short(mine)
        if cut is not None:  # a batch that a kill interrupted: finish it exactly as it was suggested
            h, n, have = cut
            slots = [j for j in range(n) if j not in have]
        else:
            n = min(batch, trials - len(mine), room() if room else batch)
            if n <= 0:
                break
            h, slots = len(finished), list(range(n))
        knobs = _suggest_batch(proposal, finished[:h], seed, n)
        props = [proposal.with_knobs({**proposal.knobs, **knobs[j][0]}, sampler="tpe") for j in slots]
        for j, verdict in zip(slots, evaluate(props)):
            params, dists = knobs[j]
            attrs = {"tag": tag, "seed": seed, "batch": h, "slot": j, "size": n, "reason": verdict.reason.value,
                     "process": f"{socket.gethostname()}:{os.getpid()}"}
            ok = verdict.accepted and verdict.speedup is not None
            study.add_trial(optuna.trial.create_trial(
                params=params, distributions=dists, user_attrs=attrs, value=verdict.speedup if ok else None,
                state=optuna.trial.TrialState.COMPLETE if ok else optuna.trial.TrialState.FAIL))
        done += len(slots)
    try:
        best = study.best_trial
        return TuneResult(study_name, done, dict(best.params), best.value)
    except ValueError:  # no trial completed
        return TuneResult(study_name, done, None, None)


def _cut_short(mine: list[optuna.trial.FrozenTrial]) -> tuple[int, int, set[int]] | None:
    """(history length, batch size, slots present) of a batch with fewer trials than its size, if any."""
    batches: dict[int, tuple[int, set[int]]] = {}
    for t in mine:
        size, slots = batches.setdefault(t.user_attrs["batch"], (t.user_attrs["size"], set()))
        slots.add(t.user_attrs["slot"])
    for h, (size, slots) in sorted(batches.items()):
        if len(slots) < size:
            return h, size, slots
    return None


def _suggest_batch(p: Proposal, history: list[optuna.trial.FrozenTrial], seed: int,
                   n: int) -> list[tuple[dict, dict]]:
    """n (params, distributions) pairs from TPE seeded by (seed, len(history)) over a copy of `history`."""
    sampler = optuna.samplers.TPESampler(seed=(seed * 1_000_003 + len(history)) % 2**31, n_startup_trials=8)
    mem = optuna.create_study(direction="maximize", sampler=sampler)
    mem.add_trials(history)
    if not history:
        mem.enqueue_trial({k.name: k.clamp(v) for k, v in zip(p.space, _defaults(p))})
    out = []
    for _ in range(n):
        t = mem.ask()
        params = _suggest(t, p)
        out.append((params, {k: t.distributions[k] for k in params}))
    return out
def _defaults(p: Proposal) -> list[int]:
    return [p.knobs.get(k.name, k.low) for k in p.space]


def _suggest(trial: optuna.Trial, p: Proposal) -> dict[str, int]:
    return {k.name: trial.suggest_int(k.name, k.low, k.high, step=1 if k.log else k.step, log=k.log)
            for k in p.space}
