"""Start or resume one tuning run of a kernel: the code behind `neurojit tune`."""

from __future__ import annotations

import dataclasses

import os
import sqlite3
import threading
import sys
from dataclasses import dataclass

from neurojit.compiler.errors import NeuroJITError
from neurojit.compiler.host import host
from neurojit.compiler.kernel import load_kernel
from neurojit.compiler.preflight import preflight
from neurojit.compiler.source import Source, read_source
from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.static import kernel_writes_inputs

from . import runoff
from .fingerprint import build
from .budget import Budget
from .provider import Provider
from .registry import make_choice, make_model, make_provider, make_strategy, model_label
from .session import Session
from .tuner import check_sampler
from .store import ResultStore, RunStatus, RunSummary, default_db_url


@dataclass(frozen=True)
class TuneOptions:
    model: str | tuple[str, ...] = "heuristic"  # several: an ensemble (agent/registry.py)
    strategy: str = "zero-shot"
    budget: Budget = Budget()
    db: str | None = None
    run_id: str | None = None
    seed: int = 0
    sampler: str = "tpe"  # the tuner's Optuna sampler (agent/tuner.py SAMPLERS)
    workers: int = 0
    threads: int = 0  # cores a parallel kernel may use (the schedules' `threads` knob); 0: all of this process's
    checkpoints: str | None = None  # SQLite file of the graph's checkpoints; default: beside the store
    evaluation: EvalConfig | None = None  # evaluator settings; default EvalConfig(workers): a fresh inputs seed
    prices: dict | None = None  # USD per 1M tokens per model, overriding agent/llm/prices.py
    record: str | None = None  # write the run's exchanges to this cassette file at the end
    stop: threading.Event | None = None  # set it to end the run early (between evaluation batches)
    base_url: str | None = None  # where openai: models without @BASE_URL are served (--base-url)
    ensemble: str = "weights"  # how an ensemble picks its model per request: weights or bandit
    evaluator: object = None  # a Dask scheduler (dask://HOST:PORT) or distributed.Client; None: this machine
    experiment: str | None = None  # the experiment and cell a new run is tagged with (neurojit experiment)
    cell: dict | None = None
    finalists: int = runoff.FINALISTS  # candidates timed against each other before the best is named; < 2: none


def checkpoint_path(db_url: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    if db_url.startswith("sqlite:///"):
        return db_url[len("sqlite:///"):] + ".graph"
    return os.path.abspath("neurojit-graph.sqlite")


def clamp_threads(threads: int, progress=None) -> int:
    """The run's thread count: all of this process's cores for 0, at most that many (a parallel kernel is
    timed alone on its cores, evaluator/pool.py: more threads than cores would only time them sharing)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if threads < 0:
        raise NeuroJITError(f"--threads must be 0 (all {cores} cores) or a positive count, not {threads}")
    if threads > cores:
        if progress:
            print(f"--threads {threads} is more than the {cores} cores this process may use; using {cores}",
                  file=progress)
        return cores
    return threads or cores


def tune(kernel_path: str, options: TuneOptions, progress=sys.stderr, provider=None) -> RunSummary:
    """Run (or resume, when `options.run_id` names an unfinished run) the loop; return the run's summary.

    `provider` (a `Provider`) overrides the one `options.model` names (for programs that bring their own)."""
    src = read_source(kernel_path)
    preflight(src)  # the user's kernel: a bad one is a usage error before anything starts
    kernel = load_kernel(src)  # read and hashed once: the run, the prompts and every worker use this text
    kernel_writes_inputs(kernel)  # else every candidate would be refused for what the kernel itself does
    inlined = read_source(kernel_path, inline_helpers=True)
    if inlined.text != src.text:  # work in private helpers: the schedules see it in the public function
        src, kernel = inlined, load_kernel(inlined)
    url = options.db or default_db_url()
    store = ResultStore(url)
    make_strategy(options.strategy, options.seed)  # unknown names fail before a run is created
    make_choice(options.ensemble)
    check_sampler(options.sampler)
    if provider is not None and not isinstance(provider, Provider):
        raise NeuroJITError(f"tune(provider=...) takes a neurojit.agent.provider.Provider, not "
                            f"{type(provider).__name__}; subclass Provider (its optional abilities have defaults)")
    owned = provider is None  # what tune() builds it may cancel; a caller's provider outlives this run
    chat = None if provider else make_model(options.model, store, base_url=options.base_url)
    # the inputs' seed is fresh (EvalConfig): a proposer cannot know the inputs its candidates are checked on
    config = options.evaluation or EvalConfig(workers=options.workers)
    threads = clamp_threads(options.threads, progress)
    run = store.get_run(options.run_id) if options.run_id else None
    if run is not None:  # a resumed run goes on as it started
        threads = int(run.config.get("threads", threads))
    if not config.threads:  # the evaluator refuses a candidate that would run on more threads than the run allows
        config = dataclasses.replace(config, threads=threads)
    if options.evaluator is not None:  # connected before a run is created: an unreachable cluster records nothing
        from neurojit.evaluator.dask import connect

        evaluator = connect(options.evaluator, config)
    else:
        evaluator = Evaluator(config)  # its sandboxes start with the first evaluation
    if run is not None:
        if run.kernel_hash != kernel.hash:
            raise NeuroJITError(f"run {run.id} tuned another kernel ({run.kernel_name}); give that kernel, "
                                "or a new --run-id")
        used = run.config.get("sampler", "tpe")
        if used != options.sampler:  # a resumed run goes on as it started: its trials came from that sampler
            raise NeuroJITError(f"run {run.id} was tuned with --sampler {used}; resume it with --sampler {used}, "
                                "or start a new --run-id")
        if run.status == RunStatus.FINISHED:
            if progress:
                print(f"[{run.id}] already finished ({run.stop_reason}); nothing to resume", file=progress)
            evaluator.close()
            return store.summary(run.id)
        if progress:
            print(f"[{run.id}] resuming: {store.summary(run.id).candidates} candidates already in the store",
                  file=progress)
        store.set_runoff(run.id, None)  # a runoff of an interrupted run is void: it searches on, and ends with one
        # the run goes on with the text it started with (same hash; comments and layout may differ in the
        # file now), so its prompts, request hashes and baseline are the ones it recorded
        kernel = load_kernel(Source(run.kernel_text, src.name))
    else:
        run = store.create_run(kernel, model=model_label(options.model), strategy=options.strategy,
                               run_id=options.run_id, host={**host().to_json(), "build": build()},
                               experiment=options.experiment,
                               cell=options.cell, config={"budget": vars(options.budget), "seed": options.seed,
                                                          "sampler": options.sampler, "threads": threads})
    evaluator.prepare(kernel)  # the baseline's references, while LangGraph loads and the provider proposes
    if provider is None:
        provider = make_provider(options.model, strategy=options.strategy, seed=options.seed, store=store,
                                 run_id=run.id, chat=chat, prices=options.prices, base_url=options.base_url,
                                 ensemble=options.ensemble)
    session = Session(run, kernel, store, evaluator, provider, options.budget, store.url, seed=options.seed,
                      sampler=options.sampler, progress=progress, stop_event=options.stop, threads=threads,
                      finalists=options.finalists)
    conn = sqlite3.connect(checkpoint_path(store.url, options.checkpoints), check_same_thread=False)
    # the time budget also ends a model call in flight (its answer would arrive too late to use)
    # (at the limit less what the search leaves the runoff, so that the run as a whole ends within it)
    timer = (threading.Timer(options.budget.seconds - runoff.reserve(options.budget.seconds, options.finalists),
                             provider.cancel) if options.budget.seconds and owned else None)
    try:
        if timer is not None:
            timer.daemon = True
            timer.start()
        # LangGraph (1.5 s to import) only once the run starts: a usage error is told without it
        from langgraph.checkpoint.sqlite import SqliteSaver

        from . import graph

        app = graph.build(session, SqliteSaver(conn))
        config = {"configurable": {"thread_id": run.id}, "recursion_limit": 10_000}
        saved = app.get_state(config)
        # "sync": each node's checkpoint is on disk before the next node starts. LangGraph's default ("async")
        # writes it while the next node runs, so a kill could lose it and the resumed run would re-run a node
        # that had finished, against a store that already holds later candidates (seen: a replayed run that
        # tuned past its round's share after a kill).
        if saved.next:  # a checkpoint in mid-run: continue from the node that was in flight
            app.invoke(None, config, durability="sync")
        else:
            app.invoke({"round": 0, "proposals": [], "tuned": [], "stop": None}, config, durability="sync")
        final = app.get_state(config).values
        stopped = options.stop is not None and options.stop.is_set()
        store.finish_run(run.id, RunStatus.STOPPED if stopped else RunStatus.FINISHED, final.get("stop") or "done")
        if options.record:
            from .llm.replay import write_cassette

            n = write_cassette(store, run.id, options.record)
            if progress:
                print(f"[{run.id}] recorded {n} exchange(s) to {options.record}", file=progress)
    except KeyboardInterrupt:
        store.finish_run(run.id, RunStatus.STOPPED, "interrupted; resume with --run-id " + run.id)
        raise
    finally:
        if timer is not None:
            timer.cancel()
        evaluator.close()
        conn.close()
    return store.summary(run.id)
