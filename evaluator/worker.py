"""The sandboxed worker: evaluates one candidate at a time against a baseline, in its own process.

Protocol: one JSON job per line on stdin; on the protocol channel (the original stdout; fd 1 is pointed
at stderr so that anything a kernel prints cannot corrupt it) the worker writes `{"stage", "budget_s"}`
(with `context` and `pair` when the stage runs one pair of the plan) before each stage, so the host can
enforce a deadline per stage and say where it ran out, and `{"result": verdict}` at the end. A job with
`"task": "reference"` computes reference outputs instead (reference.py); the host sends those only to a
worker that never runs candidates.
The checks run cheapest first; the first failure rejects.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

import numpy as np


def _protocol_channel():
    fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(fd, "w", buffering=1)


class Session:
    def __init__(self, out):
        self.out = out
        self.baselines: dict[str, object] = {}  # compiled baselines, by hash of their text
        self.references: dict[str, object] = {}  # RefSets (mapped reference files), by directory
        self.timings: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def _close_stage(self) -> None:
        if self._current is not None:
            name, t0 = self._current
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0
            self._current = None

    def stage(self, name: str, budget_s: float, context: str = "", pair: str = "") -> None:
        """Announce a stage and its deadline; `context` says which pair it runs, for the host's messages."""
        self._close_stage()
        self._current = (name, time.perf_counter())
        msg = {"stage": name, "budget_s": budget_s}
        if context:
            msg["context"] = context
        if pair:
            msg["pair"] = pair
        self.out.write(json.dumps(msg) + "\n")
        self.out.flush()

    def run_job(self, job: dict) -> dict:
        from neurojit.evaluator.checks import evaluate_candidate
        from neurojit.evaluator.reference import compute

        self.timings, self._current = {}, None
        result = compute(self, job) if job.get("task") == "reference" else evaluate_candidate(self, job)
        self._close_stage()
        result["timings"] = {k: round(v, 6) for k, v in self.timings.items()}
        return result


def main() -> int:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    out = _protocol_channel()
    session = Session(out)
    import mlir.ir  # noqa: F401  (warm: MLIR is imported once per worker)

    out.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in sys.stdin:
        job = json.loads(line)
        t0 = time.perf_counter()
        result = session.run_job(job)
        result["worker_s"] = time.perf_counter() - t0
        out.write(json.dumps({"result": result}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
