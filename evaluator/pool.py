"""Warm, sandboxed worker processes, and the host's side of the protocol.

Each worker is a separate process, forked from the host's zygote (compiler/zygote.py: the imports are paid once
per host, not per worker), in its own process group (so a terminal's Ctrl-C reaches only the host), killed by
the kernel when the zygote dies, which dies with its host, even while the gate holds it stopped
(`lockdown.die_with`), with an
address-space limit and no core dumps, pinned to one core where possible. The host enforces a wall-clock
deadline per stage the worker announces; on a deadline, or any abnormal exit, the whole process group is
killed, the candidate gets `timeout`, `memory_limit`, `unsafe_memory` (a runtime bounds check fired) or
`crash` with what the worker printed last and the pair (input set, output state, seed) it was running, and the
worker is replaced before the next job. The pool also owns the trusted reference process (reference.py):
every job gets the baseline's reference outputs, computed there once per kernel and settings.

Parallel candidates (a kernel that runs T > 1 tasks on MLIR's async runtime) are timed alone on T cores:
every worker asks for a lease before it times anything (`Session.lease`) and waits for the answer; the
pool's `Gate` grants a serial lease unless a parallel timing runs or waits, and a parallel one once no other
worker is timing; it then stops (SIGSTOP) every other worker for its duration (a worker started meanwhile
too) and widens the timed worker's threads to T cores (its own first); at its next stage everything is put
back. A stopped worker's deadline
does not run while it is stopped. So workers x threads never oversubscribes the cores being timed on.
"""

from __future__ import annotations

import json
import math
import os
import queue
import signal
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from neurojit.compiler import zygote
from neurojit.compiler.kernel import ir_hash

from .allocator import MEMORY_EXIT
from .bench import POOL_KEEP, BaselinePool
from .config import EvalConfig
from .guard import GUARD_EXIT, MARKER as GUARD_MARKER
from .record import Check, EvaluationLost, Outcome, Reason, Verdict
from .reference import References


class Gate:
    """Who may time now: any number of serial timings at once (each worker on its own core), or one parallel
    timing with every other worker stopped. Shared by the workers of one pool.

    Every timing, serial or parallel, starts only once the host has granted it a lease (the worker waits for
    the answer before its first timed call), and the gate's state changes only under its lock: so a worker
    is never stopped while it times, and no parallel lease is granted while another worker times. Parallel
    leases waiting hold back new serial ones, so a stream of serial timings cannot starve them. Bystanders
    (the pool's reference process) never time but are stopped with the workers during a parallel timing."""

    def __init__(self, cores: list[int]):
        self.cores = cores
        self.workers: list[Worker] = []
        self.bystanders: list[Worker] = []
        self._cond = threading.Condition()
        self._holder: Worker | None = None  # the parallel timing, every other worker stopped
        self._serial: set[Worker] = set()  # serial timings in progress
        self._queued = 0  # parallel leases waiting
        self._busy: set[Worker] = set()  # workers with a job
        self._wide: Worker | None = None  # a worker alone with a job, its untimed work widened to every core

    def busy(self, worker: Worker, on: bool) -> None:
        """`worker` starts (`on`) or ends a job. A worker alone with a job runs its untimed work on every core
        (`_place`): the last candidate of a run ran its checks on its one core while the other idled."""
        with self._cond:
            (self._busy.add if on else self._busy.discard)(worker)
            self._place()

    def _place(self) -> None:
        """(lock held) Widen the one busy worker where no lease is held, narrow a widened one back to its core
        otherwise: a timing is on the cores its lease names, and a worker's work never shares another's core."""
        alone = next(iter(self._busy)) if len(self._busy) == 1 else None
        if self._holder is not None or self._serial or (alone is not None and alone.core is None):
            alone = None
        if alone is self._wide:
            return
        if self._wide is not None:
            self._wide.set_affinity({self._wide.core})
        if alone is not None:
            alone.set_affinity(set(self.cores), spread=True)
        self._wide = alone

    def acquire(self, worker: Worker, threads: int) -> list[int]:
        """Wait until `worker` may time on `threads` cores; return those cores. One thread: once no parallel
        timing runs or waits. More: once no other worker times; then stop the others and widen `worker`."""
        own = [worker.core] if worker.core is not None else []
        with self._cond:
            if threads <= 1:
                while self._holder is not None or self._queued:
                    self._cond.wait()
                self._serial.add(worker)
                self._place()  # (a widened worker times on its own core)
                return own
            self._queued += 1
            try:
                while self._holder is not None or self._serial - {worker}:
                    self._cond.wait()
            finally:
                self._queued -= 1
            self._serial.discard(worker)
            self._holder = worker
            self._place()  # (a widened worker back on its core; the holder's cores are the lease's, set below)
            for w in self.workers + self.bystanders:
                if w is not worker:
                    w.pause()
            cores = (own + [c for c in self.cores if c not in own])[:threads]
            worker.set_affinity(set(cores), spread=True)
            return cores

    def release(self, worker: Worker) -> None:
        """End `worker`'s lease, if it holds one (at its next stage, its result or its death)."""
        with self._cond:
            self._serial.discard(worker)
            if self._holder is worker:
                worker.set_affinity({worker.core} if worker.core is not None else set(self.cores))
                for w in self.workers + self.bystanders:
                    if w is not worker:
                        w.resume()
                self._holder = None
            self._place()
            self._cond.notify_all()

    def joined(self, worker: Worker) -> None:
        """A worker process (re)started: stopped at once if another worker is being timed alone."""
        with self._cond:
            if self._holder is not None and self._holder is not worker:
                worker.pause()

    def timing(self, worker: Worker) -> bool:
        """Whether `worker` holds a lease now (tests, diagnostics)."""
        with self._cond:
            return worker in self._serial or self._holder is worker


# workers are forked from the host's zygote (compiler/zygote.py), which imports what they run first
zygote.preload("neurojit.evaluator.checks", "neurojit.evaluator.reference", "neurojit.evaluator.worker")
worker_env = zygote.worker_env  # what a worker's environment keeps (the zygote's, and so its children's)


def _fork_worker(config: EvalConfig, log) -> zygote.Child:
    """A worker process, forked from the zygote in a process group of its own, told to die with the zygote
    (which dies with this process); its stdin and stdout are pipes to us, its stderr `log`."""
    z = zygote.shared()
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    try:
        argv = [str(config.memory_limit_bytes), "--host={zygote}", *([] if config.lockdown else ["--no-lockdown"])]
        child = z.spawn("neurojit.evaluator.worker", argv, (in_r, out_w, log.fileno()), group=True)
        child.stdin, child.stdout = open(in_w, "w", buffering=1), open(out_r, "r")
    except BaseException:
        for fd in (in_w, out_r):
            os.close(fd)
        raise
    finally:
        os.close(in_r)
        os.close(out_w)
    return child


class Worker:
    def __init__(self, config: EvalConfig, core: int | None, gate: Gate | None = None):
        self.config = config
        self.core = core
        self.gate = gate
        self.proc: zygote.Child | None = None
        self.lines: queue.Queue = queue.Queue()
        self.log = None
        self._pause_lock = threading.Lock()
        self._paused_at: float | None = None
        self._paused_s = 0.0  # total time stopped by the gate (deadlines do not count it)

    def _start(self) -> None:
        self.log = tempfile.TemporaryFile(mode="w+b")
        self.proc = _fork_worker(self.config, self.log)
        if self.core is not None and hasattr(os, "sched_setaffinity"):
            try:
                os.sched_setaffinity(self.proc.pid, {self.core})
            except OSError:
                pass
        if self.gate is not None:
            self.gate.joined(self)
        self.lines = queue.Queue()
        proc, lines = self.proc, self.lines
        threading.Thread(target=self._read, args=(proc, lines), daemon=True).start()
        first = self._next(self.config.compile_timeout_s)
        if first is None or "ready" not in first:
            self.kill()
            raise RuntimeError(f"evaluator worker failed to start: {self._tail()}")
        if self.core is not None:  # again, on every thread: the worker widens its mask for a moment at start-up
            self.set_affinity({self.core})  # (the async runtime's pool, runtime.py), which can undo the pin above

    @staticmethod
    def _read(proc, lines) -> None:
        for line in proc.stdout:
            try:
                lines.put(json.loads(line))
            except ValueError:
                continue
        lines.put(None)

    def _next(self, timeout: float):
        """The worker's next message, or "timeout" once `timeout` seconds have passed while it was not stopped."""
        start, paused0 = time.monotonic(), self._paused()
        while True:
            left = timeout - (time.monotonic() - start) + (self._paused() - paused0)
            if left <= 0:
                return "timeout"
            try:
                return self.lines.get(timeout=left)
            except queue.Empty:
                continue

    def _paused(self) -> float:
        with self._pause_lock:
            now = time.monotonic()
            return self._paused_s + (now - self._paused_at if self._paused_at is not None else 0.0)

    def pause(self) -> None:
        """Stop the worker's process group (while another worker is timed alone)."""
        with self._pause_lock:
            if self.proc is None or self._paused_at is not None:
                return
            try:
                os.killpg(self.proc.pid, signal.SIGSTOP)
            except (ProcessLookupError, PermissionError):
                return
            self._paused_at = time.monotonic()

    def resume(self) -> None:
        with self._pause_lock:
            if self._paused_at is None:
                return
            self._paused_s += time.monotonic() - self._paused_at
            self._paused_at = None
            if self.proc is not None:
                try:
                    os.killpg(self.proc.pid, signal.SIGCONT)
                except (ProcessLookupError, PermissionError):
                    pass

    def set_affinity(self, cores: set[int], spread: bool = False) -> None:
        """Every thread of the worker (its runtime's pool threads too) on `cores`; threads started later
        inherit it from the thread that starts them. `spread` (a parallel lease): the main thread stays on its
        own core, the first of `cores` where it is one, and each other thread gets one of the rest in turn, so
        a kernel's tasks run on distinct cores from its first call (left to the scheduler, a woken pool thread
        often shared the caller's core for many calls; the sealed worker may not set its threads' affinity)."""
        if self.proc is None or not cores or not hasattr(os, "sched_setaffinity"):
            return
        order = sorted(cores, key=lambda c: (c != self.core, c))
        try:
            tids = os.listdir(f"/proc/{self.proc.pid}/task")
        except OSError:
            return
        others = order[1:] if spread and len(order) > 1 else []
        k = 0
        for tid in sorted(tids, key=int):
            if int(tid) == self.proc.pid:
                mask = {order[0]} if others else set(cores)
            elif others:
                mask, k = {others[k % len(others)]}, k + 1
            else:
                mask = set(cores)
            try:
                os.sched_setaffinity(int(tid), mask)
            except OSError:
                pass  # a thread that just ended

    def _tail(self, n: int = 6) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        text = self.log.read().decode(errors="replace")
        lines = deque((l for l in text.splitlines() if l.strip()), maxlen=n)
        return " | ".join(lines)[-600:]

    def kill(self) -> None:
        self.resume()  # a stopped process group is killed all the same; its pause is over
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        if self.proc is not None:
            self.proc.wait()
        self.proc = None

    def exchange(self, job: dict, share: Share | None = None) -> Reply:
        """Send one job; the worker's result, or how it failed (deadline, death) and where. `share`: the machine's
        shared timing samples of the job's baseline, passed on with a lease and taken back with the result
        (before the lease ends: the next worker's lease then brings them)."""
        for attempt in (1, 2):
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            self.log.seek(0)
            self.log.truncate()
            stage, budget, context, pairs = "start", self.config.compile_timeout_s, "", []
            try:
                try:
                    self.proc.stdin.write(json.dumps(job) + "\n")
                    self.proc.stdin.flush()
                except OSError:  # it died since its last job (killed from outside): it is told below
                    pass
                reply = self._follow(stage, budget, context, pairs, share)
            finally:
                if self.gate is not None:
                    self.gate.release(self)
                if share is not None:
                    share.release()
            # a worker that died before it began the job died of an earlier one (a heap it was left): nothing of
            # this job ran, so it is sent once more, to a fresh worker
            if reply.result is not None or reply.stage != "start" or reply.reason is Reason.TIMEOUT or attempt == 2:
                break
        if reply.result is not None and reply.result.pop("retire", False):
            self.kill()  # it ends itself after that result (worker.py `_ran_and_failed`); the next job starts another
        return reply

    def _follow(self, stage, budget, context, pairs, share: Share | None = None) -> Reply:
        while True:
            msg = self._next(budget)
            where = f"'{stage}'" + (f" ({context})" if context else "")
            if msg == "timeout":
                self.kill()
                return Reply(None, stage, context, pairs, Reason.TIMEOUT, f"exceeded its {budget:.1f} s deadline",
                             f"stage {where} exceeded its {budget:.1f} s deadline; the worker was killed")
            if msg is None:  # the worker died
                self.proc.wait()
                code = self.proc.returncode
                tail = self._tail()
                self.proc = None
                reason, how, detail = _classify_death(code, where, tail)
                return Reply(None, stage, context, pairs, reason, f"died ({how})", detail)
            if "lease" in msg:  # a kernel is about to be timed (a parallel one alone, on its cores)
                cores = self.gate.acquire(self, int(msg["lease"])) if self.gate is not None else []
                grant = {"granted": cores}
                if share is not None:
                    grant.update(baseline_samples=share.latest(), baseline_refresh=share.claim())
                self.proc.stdin.write(json.dumps(grant) + "\n")
                self.proc.stdin.flush()
                continue
            if "stage" in msg:
                if self.gate is not None:
                    self.gate.release(self)  # a lease lasts one stage
                if share is not None:
                    share.release()
                stage, budget, context = msg["stage"], msg["budget_s"], msg.get("context", "")
                if msg.get("pair"):
                    pairs.append(msg["pair"])
            elif "result" in msg:
                if share is not None and isinstance(msg["result"], dict):
                    share.back(msg["result"].pop("baseline_samples", None))
                return Reply(msg["result"], stage, context, pairs)

    def run(self, job: dict, share: Share | None = None) -> Verdict:
        """The verdict; `share`: see `exchange`."""
        reply = self.exchange(job, share)
        if reply.result is not None:
            extra = ("worker_s", "baseline_samples")
            return Verdict.from_json({k: v for k, v in reply.result.items() if k not in extra})
        return _abnormal(reply.reason, reply.detail)


MAX_NEW_SAMPLES = 5  # a job takes at most its pool's first few (3) and one for the spot checks


class Share:
    """One job's view of its machine's timing samples of a slow baseline (bench.BaselinePool, shared by the
    pool's workers): the latest, for its worker when it is granted a lease to time (what a job that ended since
    this one started took as well: two first evaluations each took their own first three), and the ones its
    worker sends back with the result, kept where `_plausible`. With the lease, whether it may add a sample to
    a stale estimate: one lease at a time may (`claim`, until the lease ends: `release`); two timing at once
    from the same samples each took one, the machine stopped for each (~7 s for a naive 1024 matmul)."""

    def __init__(self, pool: BaselinePool, lock: threading.Lock, call_s: float | None, since: float,
                 key: str, refreshing: set[str]):
        self.pool, self.lock, self.call_s, self.since = pool, lock, call_s, since
        self.key, self.refreshing, self.holds = key, refreshing, False

    def latest(self) -> list:
        with self.lock:
            return self.pool.pairs(POOL_KEEP)

    def claim(self) -> bool:
        with self.lock:
            if not self.holds and self.key not in self.refreshing:
                self.refreshing.add(self.key)
                self.holds = True
            return self.holds

    def release(self) -> None:
        with self.lock:
            if self.holds:
                self.refreshing.discard(self.key)
                self.holds = False

    def back(self, samples) -> None:
        with self.lock:
            self.pool.merge(_plausible(samples or [], self.call_s, self.pool, self.since))
            self.pool.keep_latest(2 * POOL_KEEP)


def _plausible(samples, call_s, pool: BaselinePool, since: float) -> list:
    """The timing samples a worker sent back that the others may rest on: those the pool holds already, and
    new ones that could have been taken during its job, one after another (each of `s` seconds ends at `t`:
    the first cannot start before the job did, nor any before the previous ended), at most a few, each within
    4x of the baseline's time in the trusted reference process (a time that says something from 50 ms a call:
    below it nothing new is shared) and, once the pool has a few, within 2x of their median. A worker runs
    untrusted code: one that forged its samples would otherwise set every worker's speedups for as long as
    its samples were the newest, not only its own verdicts (which the runoff and the promotion gate time
    again in the host); now it can move them by a bounded factor, for as long as honest samples take."""
    now, known, call_s = time.perf_counter(), set(pool.taken), float(call_s or 0.0)
    if not isinstance(samples, list):
        return []
    old, new = [], []
    for pair in samples[:POOL_KEEP + MAX_NEW_SAMPLES]:
        try:
            s, t = (float(x) for x in pair)
        except (TypeError, ValueError, OverflowError):
            continue
        if math.isfinite(s) and s > 0 and math.isfinite(t):
            (old if t in known else new).append((s, t))
    if call_s < 0.05:
        return old
    median = float(np.median(pool.samples[-POOL_KEEP:])) if len(pool.samples) >= 3 else None
    kept, end = [], since
    for s, t in sorted(new, key=lambda x: x[1])[:MAX_NEW_SAMPLES]:
        if not (end - 1e-3 <= t - s and t <= now and call_s / 4 <= s <= call_s * 4):  # (1 ms: the clock's rounding)
            continue
        if median is not None and not median / 2 <= s <= median * 2:
            continue
        kept.append((s, t))
        end = t
    return old + kept


@dataclass(frozen=True)
class Reply:
    """What came back for one job: `result`, or the stage (and pair) it failed in, why and a sentence."""
    result: dict | None
    stage: str
    context: str  # the pair being run, in words ("inputs 'nan', output state 'zeros', seed 0"), or ""
    pairs: list[str]  # ids of the pairs announced, in order
    reason: Reason | None = None
    said: str = ""
    detail: str = ""


def _abnormal(reason: Reason, detail: str) -> Verdict:
    return Verdict(Outcome.REJECT, reason, detail, checks=(Check(reason.value, False, detail),))


def _classify_death(code: int, where: str, tail: str) -> tuple[Reason, str, str]:
    """(reason, how it died in a few words, the sentence for the verdict)."""
    how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    said = f"; it printed: {tail}" if tail else ""
    if code == MEMORY_EXIT or "neurojit-memory-limit" in tail or "MemoryError" in tail or "bad_alloc" in tail:
        return Reason.MEMORY_LIMIT, "memory limit", f"the candidate exceeded the memory limit during {where}{said}"
    if code == GUARD_EXIT and f"{GUARD_MARKER}: " in tail:  # guard.py's handler: the line names the argument
        hit = tail.rpartition(f"{GUARD_MARKER}: ")[2].split(" | ")[0]
        return Reason.UNSAFE_MEMORY, "guard page", f"{hit} during {where}"
    if "Runtime op verification failed" in tail or "out-of-bounds" in tail.lower():
        return Reason.UNSAFE_MEMORY, "bounds check", f"a runtime bounds check failed during {where}{said}"
    return Reason.CRASH, how, f"the worker died ({how}) during {where}{said}"


class WorkerPool:
    """N workers; `map(jobs)` runs them concurrently and returns one Verdict per job, in order."""

    def __init__(self, config: EvalConfig | None = None):
        self.config = config or EvalConfig()
        n = self.config.pool_size()
        cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(n))
        self.gate = Gate(cores)
        self.workers = [Worker(self.config, cores[i % len(cores)] if self.config.pin_cores else None, self.gate)
                        for i in range(n)]
        self.gate.workers = self.workers
        self._free: queue.Queue = queue.Queue()
        for w in self.workers:
            self._free.put(w)
        self.references = References(self.config, self._reference_worker)
        self._samples: dict[str, BaselinePool] = {}  # by baseline: the latest samples of a pooled timing
        self._refreshing: set[str] = set()  # baselines a lease holder may add a sample to (Share.claim)
        self._samples_lock = threading.Lock()
        self.closed = False  # once set, what the workers answer is no verdict (close killed them mid-evaluation)

    def _reference_worker(self, config) -> Worker:
        """The trusted reference process's worker: outside the gate's leases, stopped during parallel timings."""
        w = Worker(config, None)
        self.gate.bystanders.append(w)
        return w

    def run(self, job: dict) -> Verdict:
        try:
            job = {**job, "reference": self.references.for_job(job)}
        except Exception as e:  # the baseline failed in the trusted process: no candidate can be judged
            return _abnormal(Reason.CRASH, f"the baseline's reference outputs could not be computed: {e}")
        # a slow baseline's timing samples are a property of this machine: every worker times from the latest any
        # of them took (bench.py; the lease brings them), so each does not take its own first few (~7 s each for
        # a naive 1024 matmul)
        key = ir_hash(job.get("baseline", ""))
        w = self._free.get()
        self.gate.busy(w, True)
        try:
            with self._samples_lock:
                shared = self._samples.setdefault(key, BaselinePool())
                quiet = job["reference"].get("quiet_sample")
                if quiet and not shared.samples:  # the trusted process's first call, timed with the machine idle
                    shared.merge([quiet])
            share = Share(shared, self._samples_lock, job["reference"].get("call_s"), time.perf_counter(), key,
                          self._refreshing)
            return w.run(job, share)
        except Exception as e:  # a broken worker costs this candidate, never the run
            w.kill()
            return _abnormal(Reason.CRASH, f"evaluator worker failed: {e}")
        finally:
            self.gate.busy(w, False)
            self._free.put(w)

    def prepare(self, job: dict) -> None:
        """Compute the references of `job`'s baseline now (Evaluator.prepare runs this in a thread); a failure is
        kept for the jobs that need them (References.for_job), anything else left for them to meet."""
        try:
            self.references.for_job(job)
        except Exception:  # (the first evaluation computes them again and says what failed)
            pass

    def map(self, jobs: list[dict]) -> list[Verdict]:
        """`EvaluationLost` (with the verdicts that came before) when the pool was closed meanwhile: a worker it
        killed answers with a crash, which says nothing about the candidate (the tuner's trials run in threads
        of their own, which a Ctrl-C does not stop: their crashes were stored as verdicts)."""
        results: list[Verdict | None] = [None] * len(jobs)

        def go(i):
            verdict = self.run(jobs[i])
            results[i] = None if self.closed else verdict

        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if any(r is None for r in results):
            raise EvaluationLost("the evaluator was closed while candidates were evaluated", results)
        return results  # type: ignore[return-value]

    def close(self) -> None:
        self.closed = True
        for w in self.workers:
            w.kill()
        self.references.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
