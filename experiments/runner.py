"""Run an experiment's grid: every cell one resumable tuning run, tagged with its experiment and cell.

A second invocation continues where the first stopped: finished cells are skipped, an unfinished run
resumes from its checkpoint (the loop's own kill-safety), so no finished evaluation is redone. Before a
process works on a cell it claims the cell's run in the store and renews the claim while it works, so two
processes, or two machines on one PostgreSQL store, never run one cell at once: a cell claimed by a live
process is left to it (and waited for at the end); a claim whose holder died (same host, process gone) or
went silent for `STALE_S` seconds is taken over.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from neurojit.agent.budget import Budget
from neurojit.agent.registry import make_strategy
from neurojit.agent.run import TuneOptions, tune
from neurojit.agent.store import ResultStore, RunStatus, RunSummary, default_db_url
from neurojit.agent.tuner import check_sampler

from .config import Cell, Experiment

__all__ = ["CellResult", "STALE_S", "check_names", "run_experiment"]

STALE_S = 120.0  # a claim not renewed for this long belongs to a process that is gone
RENEW_S = 15.0
WAIT_S = 5.0  # how often a process with nothing left to claim looks at the cells others hold


@dataclass(frozen=True)
class CellResult:
    cell: Cell
    run_id: str
    summary: RunSummary


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(holder: str, renewed_at: datetime) -> bool:
    host, _, pid = holder.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True  # killed on this machine: take it over at once
        except PermissionError:
            pass  # alive, another user's
    return datetime.now(timezone.utc) - renewed_at > timedelta(seconds=STALE_S)


def check_names(exp: Experiment) -> None:
    """Fail before any run starts when a strategy or sampler of the grid is unknown or cannot run here."""
    for name in sorted({c.strategy for c in exp.cells}):
        make_strategy(name)
    for name in sorted({c.sampler for c in exp.cells}):
        check_sampler(name)


def _options(exp: Experiment, cell: Cell, db: str) -> TuneOptions:
    budget = Budget(cell.budget, exp.time_limit, exp.max_tokens, exp.max_dollars)
    return TuneOptions(model=cell.model_arg, strategy=cell.strategy, budget=budget, db=db,
                       run_id=cell.run_id(exp.id), seed=cell.seed, sampler=cell.sampler, workers=exp.workers,
                       evaluation=exp.eval_config(cell.seed), experiment=exp.id, cell=cell.key())


class _Renewer:
    """Renews a claim in the background while a cell runs."""

    def __init__(self, store: ResultStore, run_id: str, owner: str):
        self.store, self.run_id, self.owner = store, run_id, owner
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name=f"claim {run_id}")

    def _loop(self) -> None:
        while not self._done.wait(RENEW_S):
            try:
                self.store.renew_claim(self.run_id, self.owner)
            except Exception:  # a database hiccup: the next renewal tries again, well within STALE_S
                pass

    def __enter__(self) -> _Renewer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        self.store.release_claim(self.run_id, self.owner)


def run_experiment(exp: Experiment, db: str | None = None, progress=sys.stderr,
                   base: TuneOptions | None = None) -> list[CellResult]:
    """Run every cell not finished yet (this process's share, with others on the same store); the results of
    all cells, in grid order, once every cell is finished. `base` carries options the config does not set
    (e.g. a stop event)."""
    check_names(exp)
    url = db or exp.db or default_db_url()
    store = ResultStore(url)
    store.put_experiment(exp.id, exp.description, exp.record())
    me = owner_id()
    total = len(exp.cells)
    while True:
        left = [c for c in exp.cells if not _finished(store, c.run_id(exp.id))]
        if not left:
            break
        progressed = False
        for cell in left:
            run_id = cell.run_id(exp.id)
            if _finished(store, run_id) or not store.claim(run_id, me, _gone):
                continue
            progressed = True
            n = exp.cells.index(cell) + 1
            if progress:
                print(f"[{exp.id}] cell {n}/{total} ({cell.arm()}, {cell.kernel}, seed {cell.seed}, budget "
                      f"{cell.budget}): run {run_id}", file=progress, flush=True)
            options = _options(exp, cell, store.url)
            if base is not None and base.stop is not None:
                options = replace(options, stop=base.stop)
            with _Renewer(store, run_id, me):
                s = tune(cell.kernel_path, options, progress=progress)
            if progress:
                best = f"best {s.speedup:.2f}x" if s.speedup else "no accepted candidate"
                print(f"[{exp.id}] cell {n}/{total} {s.status.value}: {s.candidates} candidates, {s.accepted} "
                      f"accepted, {best}", file=progress, flush=True)
            if base is not None and base.stop is not None and base.stop.is_set():
                return []
        if not progressed:  # every unfinished cell is held by another live process: wait for it
            if progress:
                print(f"[{exp.id}] {len(left)} cell(s) run elsewhere; waiting for them", file=progress, flush=True)
            time.sleep(WAIT_S)
    return [CellResult(c, c.run_id(exp.id), store.summary(c.run_id(exp.id))) for c in exp.cells]


def _finished(store: ResultStore, run_id: str) -> bool:
    run = store.get_run(run_id)
    return run is not None and run.status == RunStatus.FINISHED
