"""Optuna tunes a schedule's knobs; one trial is one evaluator call.

The study lives in the same database as the results store, so several processes (or machines, with
PostgreSQL) that tune the same run share its trials. As many trials run side by side as the worker pool has
workers, and a trial starts as soon as one frees (not in batches that wait for their slowest), so every core
is busy. A rejected trial is stored FAIL with its reason kept as a user attribute. The sampler is one of
Optuna's own (`SAMPLERS`: TPE by default, random, CMA-ES, NSGA-II and, with PyTorch installed, a Gaussian
process), seeded, and every one starts from the provider's default knobs, then the knob values it ranks next
(`Proposal.seeds`: a model of the host's registers, where the sampler's own start is random draws).

Kill-safe and deterministic: a trial's knobs are a function of the seed and a fixed prefix of the finished
trials (`_tune`: all but the newest few, which may still be running; the sampler runs on an in-memory copy of
them, seeded by their count), and only finished trials are written to the shared study, in sequence order,
each with its sequence number and history length, and with the system attributes the sampler wrote while it
suggested them (CMA-ES keeps its optimizer there, NSGA-II its generations), so the next copy resumes the
sampler's own state from the history alone. A run killed at any point and resumed therefore suggests the
knobs an uninterrupted run would have suggested from the same verdicts: it goes on from the first trial the
kill left unwritten, with the same seed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import optuna

from neurojit.compiler.errors import NeuroJITError
from neurojit.evaluator import Verdict

from .proposal import Proposal

# evaluate(list of proposals with knobs set) -> their verdicts (cached ones included), in order
Evaluate = Callable[[list[Proposal]], list[Verdict]]


class SamplerError(NeuroJITError):
    """An unknown sampler, or one whose optional dependency is not installed."""


def _tpe(seed: int) -> optuna.samplers.BaseSampler:
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=8)


def _cmaes(seed: int) -> optuna.samplers.BaseSampler:
    return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)


def _nsga2(seed: int) -> optuna.samplers.BaseSampler:
    # Optuna's default population (50) is larger than most runs' whole budget: it would never leave the
    # random first generation. Eight is TPE's startup count here.
    return optuna.samplers.NSGAIISampler(seed=seed, population_size=8)


def _gp(seed: int) -> optuna.samplers.BaseSampler:
    return optuna.samplers.GPSampler(seed=seed, n_startup_trials=8, warn_independent_sampling=False)


# name: (factory(seed), the module it needs beyond Optuna, the pip extra that installs it)
SAMPLERS: dict[str, tuple[Callable[[int], optuna.samplers.BaseSampler], str | None, str | None]] = {
    "tpe": (_tpe, None, None),
    "random": (lambda seed: optuna.samplers.RandomSampler(seed=seed), None, None),
    "cmaes": (_cmaes, "cmaes", None),
    "nsga2": (_nsga2, None, None),
    "gp": (_gp, "torch", "gp"),
}


def check_sampler(name: str) -> None:
    """Raise `SamplerError` (a sentence saying what to do) unless `name` is a sampler that can run here."""
    if name not in SAMPLERS:
        raise SamplerError(f"unknown --sampler {name!r}; choose one of {', '.join(SAMPLERS)}")
    _, module, extra = SAMPLERS[name]
    if module is not None:
        import importlib.util

        if importlib.util.find_spec(module) is None:
            hint = f"pip install 'neurojit[{extra}]'" if extra else f"pip install {module}"
            raise SamplerError(f"--sampler {name} needs the {module} package, which is not installed; {hint}, "
                               "or choose another sampler")


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
    # sees a duplicate row, a locked table (SQLite) or a table that already exists (PostgreSQL's DuplicateTable,
    # a ProgrammingError) once, and then finds the schema in place.
    import sqlalchemy.exc

    for attempt in range(5):
        try:
            return optuna.storages.RDBStorage(url)
        except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.OperationalError, sqlalchemy.exc.ProgrammingError):
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def study_for(url: str, name: str) -> optuna.Study:
    """The shared study (its own sampler is unused: suggestions come from `_suggest_batch`)."""
    return optuna.create_study(storage=storage(url), study_name=name, direction="maximize", load_if_exists=True)


FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.FAIL)


def tune(proposal: Proposal, evaluate: Evaluate, *, url: str, study_name: str, trials: int, batch: int,
         seed: int = 0, room: Callable[[], int] | None = None, tag: str = "", sampler: str = "tpe",
         ahead: int = 0) -> TuneResult:
    """Run up to `trials` trials of `proposal.space`, in batches of at most `batch` and at most `room()`
    (how many more evaluations the caller's budget allows; 0 stops the tuning), suggested by `sampler`
    (a name of `SAMPLERS`); the first batch holds the proposal's own knobs (already evaluated: its verdict
    costs nothing), the `ahead` trials `first_trials` gave the caller (evaluated beside the proposal: theirs
    cost nothing either) and `batch` more.

    `tag` names this call's share of the study (the loop passes its round): `trials` counts the study's trials
    with this tag and seed, so a call re-run after a kill continues where the killed one stopped. Trials that
    repeat knob values already evaluated cost no evaluation (the caller's store answers them), so callers
    that budget evaluations pass a generous `trials` cap and limit through `room`."""
    check_sampler(sampler)
    with _quiet_optuna():
        return _tune(proposal, evaluate, url, study_name, trials, batch, seed, room, tag, sampler, ahead)


def first_trials(proposal: Proposal, n: int, *, url: str, study_name: str, seed: int = 0,
                 sampler: str = "tpe") -> list[Proposal]:
    """The first `n` trials `tune` will suggest for `proposal` after its own knobs, from the study as it is now
    (none where the study has trials already: theirs decide), for a caller to evaluate before tuning starts
    (`tune(..., ahead=n)` then finds their verdicts). `tune`'s first trials are drawn one after another from the
    history it starts with and the seed only (`_tune`), so they are these."""
    check_sampler(sampler)
    with _quiet_optuna():
        if n <= 0 or not proposal.space or study_for(url, study_name).get_trials(deepcopy=False, states=FINISHED):
            return []
        skip = 1 if _defaults_evaluated(proposal) else 0
        knobs = _suggest_batch(proposal, [], seed, skip + n, sampler)[skip:]
    return [proposal.with_knobs({**proposal.knobs, **k.params}, sampler=sampler) for k in knobs]


_quiet = {"depth": 0, "before": logging.INFO}
_quiet_lock = threading.Lock()


@contextlib.contextmanager
def _quiet_optuna():
    # Optuna logs every study it creates at INFO (one per batch here: the in-memory TPE copies). Quieted while
    # any tuning runs, and restored when the last one ends (counted, so tunings overlapping in threads cannot
    # leave it quiet): a program that imports us keeps its own Optuna logging as it set it.
    with _quiet_lock:
        if _quiet["depth"] == 0:
            _quiet["before"] = optuna.logging.get_verbosity()
            optuna.logging.set_verbosity(logging.WARNING)
        _quiet["depth"] += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet["depth"] -= 1
            if _quiet["depth"] == 0:
                optuna.logging.set_verbosity(_quiet["before"])


def _lag(batch: int) -> int:
    """How many trials before a trial its suggestion does not wait for: with `batch` evaluations side by side,
    the newest `batch - 1` are still running when a worker frees, and as many again may have ended before an
    older one (evaluations of one kernel take 6-17 s each at 1024: a lag of `batch` alone kept a worker idle
    behind each slow one)."""
    return 2 * batch - 1


def _tune(proposal: Proposal, evaluate: Evaluate, url: str, study_name: str, trials: int, batch: int, seed: int,
          room: Callable[[], int] | None, tag: str, sampler: str, ahead: int = 0) -> TuneResult:
    """Trials run as workers free, `batch` at a time, each trial suggested from a fixed prefix of the history:
    trial r of this call (its sequence number, `seq`) is drawn from the study's finished trials up to this
    call's trial r - lag (`_lag`), in the order they were written, or from the history this call started
    with while r < lag or r is in the first wave (the defaults, the `ahead` trials and `batch` more, drawn one
    after another). Trials are written in sequence order, whenever they end, so the history a trial is drawn
    from is the same in every run with the same seed and verdicts, and a run killed at any point has written
    a prefix of its sequence: it resumes at the first trial not written (its verdict may be in the caller's
    store: then it costs nothing)."""
    study = study_for(url, study_name)
    if not proposal.space:
        return TuneResult(study_name, 0, None, None)
    finished = study.get_trials(deepcopy=False, states=FINISHED)
    mine = _mine(finished, tag, seed)
    if mine and "seq" in mine[0].user_attrs:  # resumed: the plan this call's first trial recorded
        a = mine[0].user_attrs
        h0, wave, lag, free = a["batch"], a["wave"], a["lag"], a["free"]
        first = a.get("first", max(wave, lag))  # (studies written before seeds: no "first")
    else:
        # the defaults are the proposal the tuner was handed, already evaluated in a run (its verdict comes from
        # the store, at no cost), and so are the `ahead` trials (evaluated beside the proposal)
        free = 0 if finished or not _defaults_evaluated(proposal) else 1
        free += 0 if finished else ahead
        h0, wave, lag = len(finished) - len(mine), batch + free, _lag(batch)
        # trials drawn from the starting history, one after another: in a fresh study, every planned one too
        first = max(wave, lag, 0 if h0 else len(_planned(proposal)))
    streams: dict[int, list[_Suggestion]] = {}  # history length -> its draws

    def draw(r: int) -> tuple[int, int, _Suggestion]:
        now = study.get_trials(deepcopy=False, states=FINISHED)
        if r < first:
            h, d = h0, r
        else:
            at = {t.number: i for i, t in enumerate(now)}
            h, d = 1 + at[_mine(now, tag, seed)[r - lag].number], 0
        if len(streams.get(h, ())) <= d:
            streams[h] = _suggest_batch(proposal, now[:h], seed, max(d + 1, first if h == h0 else 1), sampler)
        return h, d, streams[h][d]

    written = len(mine)
    running: dict[int, tuple] = {}  # seq -> (future, history length, draw, suggestion)
    ended: dict[int, tuple] = {}  # seq -> (verdict, history length, draw, suggestion), waiting for its turn
    error: BaseException | None = None
    r = written
    # not a `with`: an interrupt (Ctrl-C) must not wait here for the evaluations running (the caller closes the
    # evaluator, which ends them); an evaluation's own error waits for the others (their verdicts are written)
    pool = ThreadPoolExecutor(max_workers=batch + free, thread_name_prefix="neurojit-trial")
    try:
        while True:
            while written in ended:  # in sequence order
                verdict, h, d, s = ended.pop(written)
                _write(study, s, verdict, {"tag": tag, "seed": seed, "batch": h, "slot": d, "seq": written,
                                           "wave": wave, "lag": lag, "free": free, "first": first,
                                           "sampler": sampler})
                written += 1
            while error is None and _may_start(r, trials, batch, free, first, lag, written, running, room):
                h, d, s = draw(r)
                p = proposal.with_knobs({**proposal.knobs, **s.params}, sampler=sampler)
                same = next((f for f, *_, q in running.values() if q.params == s.params), None)
                running[r] = (pool.submit(_evaluate_one, evaluate, p, same), h, d, s)
                r += 1
            if not running:
                break
            done, _ = wait([f for f, *_ in running.values()], return_when=FIRST_COMPLETED)
            for q in [q for q, (f, *_) in running.items() if f in done]:
                f, h, d, s = running.pop(q)
                try:
                    ended[q] = (f.result(), h, d, s)
                except BaseException as e:  # the others run to their end and are written; then it is raised
                    error = error or e
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    if error is not None:
        raise error
    try:
        best = study.best_trial
        return TuneResult(study_name, written - len(mine), dict(best.params), best.value)
    except ValueError:  # no trial completed
        return TuneResult(study_name, written - len(mine), None, None)


def _mine(trials: list[optuna.trial.FrozenTrial], tag: str, seed: int) -> list[optuna.trial.FrozenTrial]:
    return [t for t in trials if t.user_attrs.get("tag") == tag and t.user_attrs.get("seed") == seed]


def _may_start(r: int, trials: int, batch: int, free: int, first: int, lag: int, written: int, running: dict,
               room: Callable[[], int] | None) -> bool:
    """Whether trial r may start now: within the cap, its history written, and (unless it is one of the first
    `free` trials, whose verdicts are known) a worker free and room in the caller's budget for one more beside
    the ones running (they are not counted in `room` until they end)."""
    if r >= trials or (r >= first and written <= r - lag):
        return False
    if r < free:
        return True
    busy = sum(1 for q in running if q >= free)
    return busy < batch and (room is None or room() - busy > 0)


def _evaluate_one(evaluate: Evaluate, p: Proposal, same: Future | None) -> Verdict:
    if same is not None:  # the same knobs are running: their verdict, once stored, answers this one
        wait([same])
    return evaluate([p])[0]


def _write(study: optuna.Study, s: _Suggestion, verdict: Verdict, attrs: dict) -> None:
    ok = verdict.accepted and verdict.speedup is not None
    attrs = {**attrs, "reason": verdict.reason.value, "process": f"{socket.gethostname()}:{os.getpid()}"}
    study.add_trial(optuna.trial.create_trial(
        params=s.params, distributions=s.distributions, user_attrs=attrs, system_attrs=s.system_attrs,
        value=verdict.speedup if ok else None,
        state=optuna.trial.TrialState.COMPLETE if ok else optuna.trial.TrialState.FAIL))


@dataclass(frozen=True)
class _Suggestion:
    params: dict[str, int]
    distributions: dict
    system_attrs: dict  # what the sampler wrote on the trial (its state, for the next batch's copy)


def _suggest_batch(p: Proposal, history: list[optuna.trial.FrozenTrial], seed: int, n: int,
                   sampler: str = "tpe") -> list[_Suggestion]:
    """n suggestions from `sampler` seeded by (seed, len(history)) over an in-memory copy of `history`."""
    factory = SAMPLERS[sampler][0]
    mem = optuna.create_study(direction="maximize", sampler=factory((seed * 1_000_003 + len(history)) % 2**31))
    mem.add_trials(history)
    if not history:
        for params in _planned(p):
            mem.enqueue_trial(params)
    out = []
    for _ in range(n):
        t = mem.ask()
        params = _suggest(t, p)
        attrs = mem._storage.get_trial_system_attrs(t._trial_id)  # Optuna's samplers write their state there
        out.append(_Suggestion(params, {k: t.distributions[k] for k in params},
                               {k: v for k, v in attrs.items() if k != "fixed_params"}))
    return out


def _planned(p: Proposal) -> list[dict[str, int]]:
    """The trials a fresh study starts with, before its sampler: the proposal's own knobs, then its seeds (a
    provider's next guesses, proposal.py), clamped to the space, each once."""
    out: list[dict[str, int]] = []
    for values in [dict(p.knobs)] + [{**p.knobs, **seed} for seed in p.seeds]:
        params = {k.name: k.clamp(values.get(k.name, k.low)) for k in p.space}
        if params not in out:
            out.append(params)
    return out


def _defaults_evaluated(p: Proposal) -> bool:
    """Whether the first trial (the defaults, clamped to the space) is `p` itself, as it was evaluated."""
    return all(k.name in p.knobs and k.clamp(p.knobs[k.name]) == p.knobs[k.name] for k in p.space)


def _suggest(trial: optuna.Trial, p: Proposal) -> dict[str, int]:
    # a knob with choices (MLIR's tune.knob options, tune.alternatives' regions) is categorical
    return {k.name: (trial.suggest_categorical(k.name, list(k.choices)) if k.choices else
                     trial.suggest_int(k.name, k.low, k.high, step=1 if k.log else k.step, log=k.log))
            for k in p.space}
