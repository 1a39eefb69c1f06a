"""Warm, sandboxed worker processes, and the host's side of the protocol.

Each worker is a separate process in its own session (process group), with an address-space limit and
no core dumps, pinned to one core where possible. The host enforces a wall-clock deadline per stage the
worker announces; on a deadline, or any abnormal exit, the whole process group is killed, the candidate
gets `timeout`, `memory_limit`, `unsafe_memory` (a runtime bounds check fired) or `crash` with what the
worker printed last, and the worker is replaced before the next job.
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

from .allocator import MEMORY_EXIT
from .config import EvalConfig
from .record import Check, Outcome, Reason, Verdict


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

    def run(self, job: dict) -> Verdict:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.log.seek(0)
        self.log.truncate()
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        stage, budget = "start", self.config.compile_timeout_s
        while True:
            msg = self._next(budget)
            if msg == "timeout":
                self.kill()
                return _abnormal(Reason.TIMEOUT, f"stage '{stage}' exceeded its {budget:.1f} s deadline; "
                                                 "the worker was killed")
            if msg is None:  # the worker died
                self.proc.wait()
                code = self.proc.returncode
                tail = self._tail()
                self.proc = None
                return _classify_death(code, stage, tail)
            if "stage" in msg:
                stage, budget = msg["stage"], msg["budget_s"]
            elif "result" in msg:
                return Verdict.from_json({k: v for k, v in msg["result"].items() if k != "worker_s"})


def _abnormal(reason: Reason, detail: str) -> Verdict:
    return Verdict(Outcome.REJECT, reason, detail, checks=(Check(reason.value, False, detail),))


def _classify_death(code: int, stage: str, tail: str) -> Verdict:
    how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    said = f"; it printed: {tail}" if tail else ""
    if code == MEMORY_EXIT or "neurojit-memory-limit" in tail or "MemoryError" in tail or "bad_alloc" in tail:
        return _abnormal(Reason.MEMORY_LIMIT, f"the candidate exceeded the memory limit during '{stage}'{said}")
    if "Runtime op verification failed" in tail or "out-of-bounds" in tail.lower():
        return _abnormal(Reason.UNSAFE_MEMORY, f"a runtime bounds check failed during '{stage}'{said}")
    return _abnormal(Reason.CRASH, f"the worker died ({how}) during '{stage}'{said}")


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

    def run(self, job: dict) -> Verdict:
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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
