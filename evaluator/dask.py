"""Evaluations on a Dask cluster (`--evaluator dask://HOST:PORT`, or a `distributed.Client`): DESIGN §7.

Dask only carries jobs and verdicts. Each Dask worker runs the same sandboxed `WorkerPool` as a local
evaluation, one sandbox per worker thread, set up by a worker plugin (so a worker that joins or restarts
later gets one too): the sandbox, its limits and the checks are unchanged. A job is self-contained (the
baseline's text travels with it) and both the baseline and the candidate are timed in one evaluation on
one worker, so a speedup never compares timings from two machines; the verdict says where it was measured
(a passed check named "worker": host, CPU, Dask worker).

A worker lost mid-evaluation costs that evaluation only: Dask's scheduler runs it again on another worker
(up to `distributed.scheduler.allowed-failures` times); past that it is submitted `attempts - 1` more
times, and then `EvaluationLost` is raised. A lost evaluation never becomes a verdict about the candidate.

Dask's default transport is plain TCP, unauthenticated, and carries pickles: anyone who can reach the
scheduler can run code on every worker. Run it on a private network only, or with TLS (`tls://` addresses
and certificates in Dask's configuration); the README has the commands.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import socket
import uuid

from neurojit.compiler.errors import NeuroJITError

try:
    import distributed
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # an optional dependency: say how to get it, in one line
    raise NeuroJITError("evaluating on a Dask cluster needs Dask: pip install 'neurojit[dask]'") from None

from .api import Evaluator
from .config import EvalConfig
from .pool import WorkerPool
from .record import Check, EvaluationLost, Verdict

__all__ = ["DaskPool", "EvaluationLost", "address", "connect"]

log = logging.getLogger(__name__)

SCHEMES = ("dask://", "tcp://", "tls://")


def address(where: str) -> str:
    """The scheduler address Dask takes for a `--evaluator` value: `dask://HOST:PORT` is plain TCP."""
    where = where.strip()
    if not where.startswith(SCHEMES) or not where.split("://", 1)[1]:
        raise NeuroJITError(f"--evaluator {where!r}: give the Dask scheduler as dask://HOST:PORT (or tls://HOST:PORT "
                            "with certificates in Dask's configuration)")
    return "tcp://" + where.removeprefix("dask://") if where.startswith("dask://") else where


def connect(where, config: EvalConfig | None = None, *, attempts: int = 2, wait_s: float = 60.0) -> Evaluator:
    """An `Evaluator` whose jobs run on the Dask cluster `where` (an address, see `address`, or a connected
    `distributed.Client`, which stays open when the evaluator closes). Its `config.workers` is the cluster's
    thread count at connection, so a batch fills the cluster."""
    pool = DaskPool(where, config or EvalConfig(), attempts=attempts, wait_s=wait_s)
    return Evaluator(dataclasses.replace(pool.config, workers=pool.slots), pool=pool)


class _Sandboxes(WorkerPlugin):
    """A sandboxed `WorkerPool` on a Dask worker, one sandbox per worker thread; named after its settings,
    so runs with the same settings share the warm pool and runs with others get their own."""

    idempotent = True  # registering it again (another run, a reconnection) keeps the running pool

    def __init__(self, config: EvalConfig):
        self.config = dataclasses.asdict(config)
        digest = hashlib.sha256(json.dumps(self.config, sort_keys=True, default=str).encode()).hexdigest()[:12]
        self.name = f"neurojit-sandboxes-{digest}"

    def setup(self, worker) -> None:
        from neurojit.compiler.host import host

        # Not pinned: the pools of several Dask workers on one host would all pin their first sandbox to the
        # same core. One sandbox per thread keeps the cores busy without oversubscribing them.
        config = EvalConfig(**{**self.config, "workers": max(1, worker.state.nthreads), "pin_cores": False})
        self.pool = WorkerPool(config)
        self.where = {"host": socket.gethostname(), "cpu": host().cpu, "worker": worker.address}

    def teardown(self, worker) -> None:
        self.pool.close()


def _evaluate(job: dict, plugin: str) -> dict:
    """Runs on a Dask worker: one job in the worker's sandboxed pool."""
    sandboxes = distributed.get_worker().plugins[plugin]
    return {"verdict": sandboxes.pool.run(job).to_json(), "where": sandboxes.where}


def _placed(verdict: Verdict, where: dict) -> Verdict:
    detail = (f"evaluated on {where['host']} ({where['cpu']}) by Dask worker {where['worker']}; the speedup "
              "compares timings taken there only")
    return dataclasses.replace(verdict, checks=verdict.checks + (Check("worker", True, detail),),
                               worker={k: where[k] for k in ("host", "cpu", "worker")})


class DaskPool:
    """The pool face (`map(jobs) -> verdicts`, `close()`) on a Dask cluster."""
    remote = True  # candidates are timed on the cluster's workers, not in this process's machine

    def __init__(self, where, config: EvalConfig, *, attempts: int = 2, wait_s: float = 60.0):
        self.config = config
        self.attempts = max(1, attempts)
        if isinstance(where, distributed.Client):
            self.client, self._own = where, False
        else:
            target = address(where)
            try:
                # a scheduler that is not there fails within 10 s; workers may take wait_s to join
                self.client, self._own = distributed.Client(target, timeout=min(10.0, wait_s)), True
            except OSError as exc:
                raise NeuroJITError(f"cannot reach the Dask scheduler at {target} ({exc}); start it with "
                                    "`dask scheduler` and check the address and the network") from None
        try:
            self.client.wait_for_workers(1, timeout=wait_s)
        except TimeoutError:
            self.close()
            raise NeuroJITError(f"no Dask worker joined the scheduler within {wait_s:g} s; start workers with "
                                "`dask worker SCHEDULER_ADDRESS`") from None
        self._plugin = _Sandboxes(config)
        self.client.register_plugin(self._plugin)
        self.slots = max(1, sum(self.client.nthreads().values()))

    def _submit(self, job: dict) -> distributed.Future:
        return self.client.submit(_evaluate, job, self._plugin.name, pure=False,
                                  key=f"neurojit-evaluate-{uuid.uuid4().hex}")

    def map(self, jobs: list[dict]) -> list[Verdict]:
        """One verdict per job, in order; `EvaluationLost` when a job was lost `attempts` times."""
        verdicts: list[Verdict | None] = [None] * len(jobs)
        index = {}
        tries = [1] * len(jobs)
        for i, job in enumerate(jobs):
            index[self._submit(job)] = i
        pending = distributed.as_completed(list(index))
        lost: list[str] = []
        for future in pending:
            i = index.pop(future)
            try:
                out = future.result()
            except (distributed.KilledWorker, distributed.CancelledError, OSError) as exc:
                why = f"{type(exc).__name__}: {exc}"
                if tries[i] < self.attempts:
                    tries[i] += 1
                    log.warning("Dask lost evaluation %d of %d (%s); sending it again", i + 1, len(jobs), why)
                    again = self._submit(jobs[i])
                    index[again] = i
                    pending.add(again)
                else:
                    lost.append(f"candidate {i + 1} ({why})")
                continue
            verdicts[i] = _placed(Verdict.from_json(out["verdict"]), out["where"])
        if lost:
            raise EvaluationLost(f"the Dask cluster lost {len(lost)} evaluation(s) {self.attempts} time(s) each: "
                                 f"{'; '.join(lost)}; check the workers' logs, then resume the run (those "
                                 "candidates have no verdict yet)", verdicts)
        return verdicts  # type: ignore[return-value]

    def close(self) -> None:
        # The workers' sandbox pools stay up (warm for the next run); they close when their worker does.
        if self._own:
            self.client.close()
