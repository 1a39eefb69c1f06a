"""Warm, sandboxed worker processes, and the host's side of the protocol.

Each worker is a separate process in its own session (process group), with an address-space limit and
no core dumps, pinned to one core where possible. The host enforces a wall-clock deadline per stage the
worker announces; on a deadline, or any abnormal exit, the whole process group is killed, the candidate
gets `timeout`, `memory_limit`, `unsafe_memory` (a runtime bounds check fired) or `crash` with what the
worker printed last and the pair (input set, output state, seed) it was running, and the worker is replaced
before the next job. The pool also owns the trusted reference process (reference.py): every job gets the
baseline's reference outputs, computed there once per kernel and settings.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections import deque
from dataclasses import dataclass

from .allocator import MEMORY_EXIT
from .config import EvalConfig
from .record import Check, Outcome, Reason, Verdict
from .reference import References


class Worker:
    def __init__(self, config: EvalConfig, core: int | None):
        self.config = config
        self.core = core
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue = queue.Queue()
        self.log = None

    def _start(self) -> None:
        self.log = tempfile.TemporaryFile(mode="w+b")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "neurojit.evaluator.worker", str(self.config.memory_limit_bytes)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, start_new_session=True,
            text=True, bufsize=1)
        if self.core is not None and hasattr(os, "sched_setaffinity"):
            try:
                os.sched_setaffinity(self.proc.pid, {self.core})
            except OSError:
                pass
        self.lines = queue.Queue()
        proc, lines = self.proc, self.lines
        threading.Thread(target=self._read, args=(proc, lines), daemon=True).start()
        first = self._next(self.config.compile_timeout_s)
        if first is None or "ready" not in first:
            self.kill()
            raise RuntimeError(f"evaluator worker failed to start: {self._tail()}")

    @staticmethod
    def _read(proc, lines) -> None:
        for line in proc.stdout:
            try:
                lines.put(json.loads(line))
            except ValueError:
                continue
        lines.put(None)

    def _next(self, timeout: float):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return "timeout"

    def _tail(self, n: int = 6) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        text = self.log.read().decode(errors="replace")
        lines = deque((l for l in text.splitlines() if l.strip()), maxlen=n)
        return " | ".join(lines)[-600:]

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        if self.proc is not None:
            self.proc.wait()
        self.proc = None

    def exchange(self, job: dict) -> Reply:
        """Send one job; the worker's result, or how it failed (deadline, death) and where."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.log.seek(0)
        self.log.truncate()
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        stage, budget, context, pairs = "start", self.config.compile_timeout_s, "", []
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
            if "stage" in msg:
                stage, budget, context = msg["stage"], msg["budget_s"], msg.get("context", "")
                if msg.get("pair"):
                    pairs.append(msg["pair"])
            elif "result" in msg:
                return Reply(msg["result"], stage, context, pairs)

    def run(self, job: dict) -> Verdict:
        reply = self.exchange(job)
        if reply.result is not None:
            return Verdict.from_json({k: v for k, v in reply.result.items() if k != "worker_s"})
        return _abnormal(reply.reason, reply.detail)


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
    if "Runtime op verification failed" in tail or "out-of-bounds" in tail.lower():
        return Reason.UNSAFE_MEMORY, "bounds check", f"a runtime bounds check failed during {where}{said}"
    return Reason.CRASH, how, f"the worker died ({how}) during {where}{said}"


class WorkerPool:
    """N workers; `map(jobs)` runs them concurrently and returns one Verdict per job, in order."""

    def __init__(self, config: EvalConfig | None = None):
        self.config = config or EvalConfig()
        n = self.config.pool_size()
        cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(n))
        self.workers = [Worker(self.config, cores[i % len(cores)] if self.config.pin_cores else None)
                        for i in range(n)]
        self._free: queue.Queue = queue.Queue()
        for w in self.workers:
            self._free.put(w)
        self.references = References(self.config, lambda config: Worker(config, None))

    def run(self, job: dict) -> Verdict:
        try:
            job = {**job, "reference": self.references.for_job(job)}
        except Exception as e:  # the baseline failed in the trusted process: no candidate can be judged
            return _abnormal(Reason.CRASH, f"the baseline's reference outputs could not be computed: {e}")
        w = self._free.get()
        try:
            return w.run(job)
        except Exception as e:  # a broken worker costs this candidate, never the run
            w.kill()
            return _abnormal(Reason.CRASH, f"evaluator worker failed: {e}")
        finally:
            self._free.put(w)

    def map(self, jobs: list[dict]) -> list[Verdict]:
        results: list[Verdict | None] = [None] * len(jobs)

        def go(i):
            results[i] = self.run(jobs[i])

        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results  # type: ignore[return-value]

    def close(self) -> None:
        for w in self.workers:
            w.kill()
        self.references.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
