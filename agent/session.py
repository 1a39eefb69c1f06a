"""One tuning run's working parts: the store, the evaluator, the provider, the budget and the progress line.

Every candidate goes through `evaluate`: it is recorded before it is evaluated, a verdict already in the
store (this run, or any run of the same kernel) is reused instead of evaluating again, and each verdict is
stored as soon as it exists. That makes every node of the graph idempotent: re-running one after a kill
re-evaluates at most the candidates that were in flight.

The time limit: an evaluation batch, once started, runs to its end (its verdicts are what the run is for), so
the session starts one only when it is expected to end before the search's deadline (the time limit less the
runoff's reserve). The expectation is the longest a wave of evaluations (up to one per pool worker, side by
side) has taken in this process; before any, the longest one of this run's stored verdicts took in its worker.
The runoff after the search is fitted into the time that is left (see `runoff`).
"""

from __future__ import annotations

import dataclasses
import math
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from neurojit.compiler.kernel import Kernel
from neurojit.evaluator import Evaluator, Verdict
from neurojit.evaluator.record import EvaluationLost

from . import runoff
from .budget import Budget
from .proposal import Proposal
from .provider import Provider
from .store import ResultStore, RunRecord


@dataclass
class Session:
    run: RunRecord
    kernel: Kernel  # read and hashed once, when the run started or resumed; workers get its text
    store: ResultStore
    evaluator: Evaluator
    provider: Provider
    budget: Budget
    db_url: str
    seed: int = 0
    sampler: str = "tpe"  # the tuner's Optuna sampler (agent/tuner.py SAMPLERS)
    threads: int = 0  # cores a kernel may run on (--threads; 0: all of this process's); providers see it as the host's
    progress: object = sys.stderr  # a file, or None for silence
    started: float | None = None  # on `clock`; None: now
    evaluated_here: int = 0  # evaluations this process ran (not cache hits)
    stop_event: object = None  # a threading.Event; once set, the run stops at the next check (resumable)
    finalists: int = runoff.FINALISTS  # candidates in the final runoff (agent/runoff.py); below 2: none
    clock: object = time.monotonic  # seconds, for the time limit and the progress line (tests pass a fake one)
    _waves: list = field(default_factory=list, init=False, repr=False)  # seconds of each wave here (evaluation_s)
    _announced: bool = field(default=False, init=False, repr=False)  # the first wave's line printed (_announce)
    _stored: list | None = field(default=None, init=False, repr=False)  # stored verdicts' worker seconds, read once
    _shown: tuple | None = field(default=None, init=False, repr=False)  # what the last progress line said
    # the tuner evaluates trials from several threads at once: their bookkeeping here takes turns
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.started is None:
            self.started = self.clock()

    @property
    def run_id(self) -> str:
        return self.run.id

    def stop_reason(self) -> str | None:
        if self.stop_event is not None and self.stop_event.is_set():
            return "stopped by the caller"
        s = self.store.summary(self.run_id)
        return self.budget.exhausted(candidates=self.spent(s), started=self.started, tokens=s.tokens,
                                     dollars=s.cost_usd, reserve_s=runoff.reserve(self.budget.seconds, self.finalists),
                                     next_s=self.evaluation_s() or 0.0, now=self.clock())

    def spent(self, summary=None) -> int:
        """Candidates that count against the budget: those evaluated. One recorded and not yet evaluated was
        cut short by a kill (a batch is recorded whole before it runs, and nothing else leaves one pending); the
        resumed run proposes it again and evaluates it then, which it would not if it counted as spent (seen:
        a tuner batch killed mid-evaluation, never finished because it had filled the budget)."""
        s = summary or self.store.summary(self.run_id)
        return s.candidates - s.pending

    def pool_size(self) -> int:
        """Evaluations the evaluator runs side by side."""
        return max(1, int(self.evaluator.config.pool_size()))

    def evaluation_s(self) -> float | None:
        """Seconds a wave of evaluations (up to `pool_size` of them, side by side) is expected to take: the
        longest one has taken in this process, the first left out once there are others (it also started the
        workers and computed the references: alone, it counts as the longest time its verdicts took in their
        workers, where that is less than its wall time); before any, the longest a stored verdict of this run
        took in its worker (a resumed run); None while nothing is known."""
        if self._waves:
            return max(self._waves[1:] or self._waves)
        if self._stored is None:
            self._stored = [s for c in self.store.candidates(self.run_id) if (s := _worker_s(c.verdict))]
        return max(self._stored, default=None)

    def time_left(self) -> float | None:
        """Seconds until the time limit (None without one); negative past it."""
        if self.budget.seconds is None:
            return None
        return self.started + self.budget.seconds - self.clock()

    def time_room(self) -> int | None:
        """How many evaluations may start now and be expected to end before the search's deadline (the time
        limit less the runoff's reserve); None when time sets no bound (no limit, or nothing known yet)."""
        left = self.time_left()
        if left is None:
            return None
        left -= runoff.reserve(self.budget.seconds, self.finalists)
        if left <= 0:
            return 0
        per = self.evaluation_s()
        return None if not per else int(left // per) * self.pool_size()

    def runoff(self) -> None:
        """The final runoff (agent/runoff.py): its winner becomes the run's best. Not after the caller stopped
        the run (it may resume, and then search on)."""
        if self.finalists < 2 or (self.stop_event is not None and self.stop_event.is_set()):
            return
        if getattr(self.evaluator, "remote", False):  # measured on cluster workers: not re-picked on this machine
            if self.progress is not None:
                print(f"[{self.run_id}] no runoff: the candidates were timed on the cluster's workers, not here",
                      file=self.progress, flush=True)
            return
        chosen = runoff.finalists(self.store.candidates(self.run_id), self.finalists)
        if len(chosen) < 2:
            if self.progress is not None and chosen:
                print(f"[{self.run_id}] no runoff: no other accepted candidate recorded above 1x is within "
                      f"{1 - runoff.WITHIN:.0%} of the best's recorded speedup or recorded a lower time",
                      file=self.progress, flush=True)
            return
        cap = runoff.time_cap(self.budget.seconds)
        left = self.time_left()
        if left is not None and left <= 0:
            if self.progress is not None:
                print(f"[{self.run_id}] no runoff: the time limit ({self.budget.seconds:g} s) is reached",
                      file=self.progress, flush=True)
            return
        if left is not None:  # it fits in what is left of the limit: timing, and compiling the finalists here
            cap = min(cap, max(0.2, left / 2))
            fit, spent = [], 0.0
            for c in chosen:
                spent += _compile_s(c)
                if spent > left - cap:
                    break
                fit.append(c)
            if len(fit) < 2:
                if self.progress is not None:
                    print(f"[{self.run_id}] no runoff: compiling its finalists here would take ~"
                          f"{sum(_compile_s(c) for c in chosen[:2]):.0f} s, more than the {left:.0f} s left of the "
                          f"time limit", file=self.progress, flush=True)
                return
            chosen = fit
        if self.progress is not None:
            print(f"[{self.run_id}] runoff: timing the {len(chosen)} best accepted candidates against each other "
                  f"(recorded {', '.join(f'{c.speedup:.3g}x' for c in chosen)})", file=self.progress, flush=True)
        try:
            result = runoff.runoff(self.kernel.source or self.kernel.text, chosen, seed=self.seed, time_cap_s=cap)
        except Exception as exc:  # the search's results stand: the best stays the highest recorded speedup
            if self.progress is not None:
                print(f"[{self.run_id}] runoff failed ({type(exc).__name__}: {exc}); the best stays the highest "
                      "recorded speedup", file=self.progress, flush=True)
            return
        if result is None:
            return
        self.store.set_runoff(self.run_id, result.to_json())
        if self.progress is not None:
            print(f"[{self.run_id}] {result.describe(_describer(chosen))}", file=self.progress, flush=True)

    def remaining(self) -> int:
        return self.budget.remaining_candidates(self.store.summary(self.run_id).candidates)

    def evaluate(self, proposals: list[Proposal]) -> list[Verdict]:
        """Verdicts for `proposals`, in order: from the store when known, else from the evaluator. Callers in
        several threads (the tuner's trials) each get their own; the evaluator runs them side by side."""
        verdicts: list[Verdict | None] = []
        todo: list[tuple[int, Proposal, str]] = []
        # all of the batch is recorded at once: a kill leaves none or all of it, so the budget a resumed run
        # sees is the one an uninterrupted run saw
        recs = self.store.add_candidates(self.run_id, proposals)
        for p, rec in zip(proposals, recs):
            ident = rec.identity
            known = rec.verdict or self.store.cached_verdict(self.run.kernel_hash, ident, self.run.host.get("build"))
            if known is not None and rec.verdict is None:
                self.store.set_verdict(self.run_id, ident, known)
                self._note_baseline(known)  # a run answered wholly from the cache still has a baseline
            verdicts.append(known)
            if known is None and all(ident != t[2] for t in todo):  # the same candidate twice: run it once
                todo.append((len(verdicts) - 1, p, ident))
        if todo:
            self._announce(len(todo))
            began = self.clock()
            try:
                got = self.evaluator.evaluate_batch(self.kernel, [p.candidate for _, p, _ in todo])
            except EvaluationLost as lost:  # keep what finished; the lost ones are evaluated on resume
                for (_, _, ident), v in zip(todo, lost.verdicts):
                    if v is not None:
                        self.store.set_verdict(self.run_id, ident, v)
                        self._note_baseline(v)
                raise
            with self._lock:
                wave_s = (self.clock() - began) / math.ceil(len(todo) / self.pool_size())
                if not self._waves:  # the first also started the workers and computed the baseline's references,
                    # once per kernel (a 1024 matmul, naive 6.5 s a call: ~270 s of a 300 s first wave, whose
                    # candidate took 31 s in its worker); what its evaluations took in their workers is what the
                    # next ones take
                    worked = [s for v in got if (s := _worker_s(v))]
                    wave_s = min(wave_s, max(worked, default=wave_s))
                self._waves.append(wave_s)
                fresh = {}
                for (_, _, ident), v in zip(todo, got):
                    self.store.set_verdict(self.run_id, ident, v)
                    self._note_baseline(v)
                    fresh[ident] = v
                verdicts = [v if v is not None else fresh[rec.identity] for v, rec in zip(verdicts, recs)]
                self.evaluated_here += len(todo)
        self.show()
        return verdicts  # type: ignore[return-value]

    def _announce(self, n: int) -> None:
        """One line before the first evaluation this process runs: it waits on the reference outputs too (a
        naive 1024 matmul: 40 s of silence before the first progress line)."""
        with self._lock:
            if self._announced or self.progress is None:
                return
            self._announced = True
        print(f"[{self.run_id}] evaluating {n} candidate(s); the first wave also starts the sandboxed workers and "
              "runs the kernel's naive lowering on every input set for the reference outputs (the longest wait "
              "where the naive kernel is slow)", file=self.progress, flush=True)

    def _note_baseline(self, v: Verdict) -> None:
        # a benchmarked verdict's baseline only: a rejected one carries the reference process's estimate from a
        # single call (seen 13 ms for a 0.07 ms kernel)
        with self._lock:
            if self.run.baseline_ms is None and v.baseline_ms and v.accepted:
                self.store.set_baseline(self.run_id, v.baseline_ms)
                self.run = dataclasses.replace(self.run, baseline_ms=v.baseline_ms)

    def show(self) -> None:
        """The progress line, when anything in it but the clock changed since the last one (a batch answered
        wholly by verdicts already in the run, as a tuner that re-proposes tried knobs gets, prints nothing)."""
        if self.progress is None:
            return
        with self._lock:
            self._show()

    def _show(self) -> None:
        s = self.store.summary(self.run_id)
        state = (s.candidates, s.accepted, s.best_ms, tuple(sorted(Counter(s.rejected).items())))
        if state == self._shown:
            return
        self._shown = state
        elapsed = self.clock() - self.started
        best = f"best {s.speedup:.2f}x ({s.best_ms:.3f} ms)" if s.speedup else "best -"
        rejects = ", ".join(f"{r} {n}" for r, n in Counter(s.rejected).most_common()) or "none"
        left = []
        if self.budget.candidates:
            left.append(f"{s.candidates}/{self.budget.candidates} candidates")
        if self.budget.seconds:
            left.append(f"{elapsed:.0f}/{self.budget.seconds:.0f} s")
        eta = ""
        if self.evaluated_here and s.candidates < self.budget.candidates:
            per = elapsed / self.evaluated_here
            eta_s = per * (self.budget.candidates - s.candidates)
            if self.budget.seconds:
                eta_s = min(eta_s, max(0.0, self.budget.seconds - elapsed))
            eta = f" | ETA {eta_s:.0f} s"
        print(f"[{self.run_id}] {', '.join(left)} | accepted {s.accepted} | {best} | rejects: {rejects}{eta}",
              file=self.progress, flush=True)


COMPILE_S = 0.5  # seconds to compile a finalist here when its verdict does not say (agent/runoff.py's estimate)


def _compile_s(record) -> float:
    """Seconds compiling this candidate in the runoff may take: what applying its schedule and compiling it took
    in its worker."""
    t = (record.verdict.timings if getattr(record, "verdict", None) is not None else None) or {}
    spent = t.get("schedule", 0.0) + t.get("compile", 0.0)
    return spent or COMPILE_S


def _describer(records):
    """identity -> a few words: the schedule (or "module") and the identity's first characters."""
    by = {r.identity: r for r in records}

    def name(identity: str) -> str:
        r = by.get(identity)
        what = (r.schedule or "module") if r else "?"
        return f"{what} {identity[:8]}"
    return name


def _worker_s(v: Verdict | None) -> float:
    """Seconds `v`'s evaluation took in its worker (its stages' timings); 0 where it says none."""
    return sum(v.timings.values()) if v is not None and v.timings else 0.0
