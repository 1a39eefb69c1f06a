"""The sandboxed worker: evaluates one candidate at a time against a baseline, in its own process.

Protocol: one JSON job per line on stdin; on the protocol channel (the original stdout; fd 1 is pointed
at stderr so that anything a kernel prints cannot corrupt it) the worker writes `{"stage", "budget_s"}`
(with `context` and `pair` when the stage runs one pair of the plan) before each stage, so the host can
enforce a deadline per stage and say where it ran out, and `{"result": verdict}` at the end. A job with
`"task": "reference"` computes reference outputs instead (reference.py); the host sends those only to a
worker that never runs candidates. `"task": "probe"` (tests) tries what a sealed worker must not do.
Unless started with `--no-lockdown`, the worker locks itself down after its imports and seals itself before
the first candidate (lockdown.py); its ready message says what was applied.
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
    def __init__(self, out, lockdown=None, host: int | None = None):
        self.out = out
        self.lockdown = lockdown  # lockdown.Lockdown, or None when turned off
        self.host = host  # the host's pid, when the worker dies with it (lockdown.die_with)
        self.baselines: dict[str, object] = {}  # compiled baselines, by hash of their text
        self.references: dict[str, object] = {}  # RefSets (mapped reference files), by directory
        self.timings: dict[str, float] = {}
        self._current: tuple[str, float] | None = None
        # with the last lease (pool.Share): the machine's latest timing samples of a slow baseline, and whether
        # this worker may add one to a stale estimate
        self.granted_samples: list = []
        self.granted_refresh = True
        self._spinning = True  # the async runtime's waits spin (while timing) or sleep at once (`spin`)

    def spin(self, on: bool) -> None:
        """Between timings every thread of this worker shares its one core (pool.py pins them), where a thread
        that spins waiting for a parallel kernel's other task only delays it (a 2-task 1024 matmul's untimed calls
        7% longer, and the idle pool thread took its spin from the checks after every call): the waits sleep at
        once. While it times, on the cores the lease gave, they spin as they would in the exported library."""
        if on != self._spinning:
            from neurojit.compiler import runtime

            runtime.set_spin(None if on else 0)
            self._spinning = on

    def _close_stage(self) -> None:
        if self._current is not None:
            name, t0 = self._current
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0
            self._current = None

    def stage(self, name: str, budget_s: float, context: str = "", pair: str = "") -> None:
        """Announce a stage and its deadline; `context` says which pair it runs, for the host's messages."""
        self._close_stage()
        self.spin(False)  # (the host ends a lease at the next stage)
        self._current = (name, time.perf_counter())
        msg = {"stage": name, "budget_s": budget_s}
        if context:
            msg["context"] = context
        if pair:
            msg["pair"] = pair
        self.out.write(json.dumps(msg) + "\n")
        self.out.flush()

    def lease(self, threads: int) -> list[int]:
        """Ask the host for leave to time, on `threads` cores (pool.py `Gate`), and wait for it: nothing is
        timed before the answer. For a parallel kernel the host widens this process's CPU affinity to those
        cores and stops the other workers until the next stage; returns the cores (an old host that does not
        answer leases is not supported)."""
        self.out.write(json.dumps({"lease": threads}) + "\n")
        self.out.flush()
        line = sys.stdin.readline()
        grant = json.loads(line) if line else {}
        self.granted_samples = grant.get("baseline_samples") or []
        self.granted_refresh = bool(grant.get("baseline_refresh", True))
        self.spin(True)
        return grant.get("granted", [])

    def run_job(self, job: dict) -> dict:
        from neurojit.evaluator.checks import evaluate_candidate
        from neurojit.evaluator.reference import compute

        self.timings, self._current = {}, None
        if job.get("task") == "reference":
            result = compute(self, job)
        else:  # untrusted from here on: seal before the candidate is even parsed
            self.seal(job.get("reference", {}).get("dir"))
            if job.get("task") == "probe":
                return self.probe(job)
            result = evaluate_candidate(self, job)
        self._close_stage()
        self.spin(False)
        result["timings"] = {k: round(v, 6) for k, v in self.timings.items()}
        return result

    def seal(self, reference_dir: str | None) -> None:
        from neurojit.evaluator import lockdown

        if self.lockdown is not None and not self.lockdown.sealed:
            self.lockdown = lockdown.seal(self.lockdown, reference_dir, self.host)
            if self.lockdown.missing:
                print(self.lockdown.line(), file=sys.stderr, flush=True)

    def probe(self, job: dict) -> dict:
        from neurojit.evaluator import lockdown

        return {"probe": lockdown.probe(os.getppid(), job.get("exec", True)), "environment": sorted(os.environ),
                "lockdown": self.lockdown.to_json() if self.lockdown else lockdown.off().to_json()}


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    limit = int(args[0]) if args else 0
    host = next((int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--host=")), None)
    if host is not None:
        from neurojit.evaluator.lockdown import die_with

        die_with(host)  # first: nothing must outlive a host killed from here on
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    out = _protocol_channel()
    # warm, and before the lockdown: everything a job imports is read in while the filesystem is whole
    import mlir.ir  # noqa: F401  (MLIR is imported once per worker)

    import neurojit.evaluator.checks  # noqa: F401
    import neurojit.evaluator.reference  # noqa: F401
    from neurojit.compiler import runtime

    # nothing a call leaves in memory it did not initialise is where the next call looks: tasks of parallel kernels
    # run at random stack depths (async_runtime.c; each call's own depth is random too: compiler/jit.py's
    # trampolines, `stack_shift`; heap blocks: evaluator/fresh.py)
    from neurojit.compiler.jit import STACK_SHIFT_BYTES

    os.environ["NEUROJIT_STACK_SHIFT"] = str(STACK_SHIFT_BYTES)
    runtime.preload()  # MLIR's async runtime for parallel kernels: its file and its thread pool, while both may be had
    from neurojit.evaluator import lockdown

    state = None
    if "--no-lockdown" not in sys.argv:
        state = lockdown.start()
        print(state.line(), file=sys.stderr, flush=True)  # the host empties this log before each job
    session = Session(out, state, host)
    session.spin(False)  # (untimed work first)
    ready = state.to_json() if state else lockdown.off().to_json()
    out.write(json.dumps({"ready": os.getpid(), "lockdown": ready}) + "\n")
    for line in sys.stdin:
        job = json.loads(line)
        t0 = time.perf_counter()
        result = session.run_job(job)
        result["worker_s"] = time.perf_counter() - t0
        retire = _ran_and_failed(result)
        if retire:
            result["retire"] = True
        out.write(json.dumps({"result": result}) + "\n")
        out.flush()
        if retire:
            break
    return 0


def _ran_and_failed(result: dict) -> bool:
    """Whether the job ran a candidate's code and rejected it: the worker then ends after its result (the host
    starts another for the next job). What a rejected candidate wrote where no check looked (a heap block's
    header past an allocation of its own) must not be the next job's heap: a CI run's corpus saw a worker die
    of "corrupted double-linked list" before its next job had begun."""
    verdict = result.get("verdict")
    return verdict == "reject" and "checked_run" in result.get("timings", {})


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
