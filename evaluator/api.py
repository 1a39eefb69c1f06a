"""The evaluator's public face: `Evaluator(config).evaluate(base, cand)` / `.evaluate_batch(base, cands)`."""

from __future__ import annotations

import threading
from dataclasses import asdict

from neurojit.compiler.kernel import Kernel, load_kernel
from neurojit.compiler.preflight import preflight
from neurojit.compiler.source import Source, read_source

from .config import EvalConfig
from .pool import WorkerPool
from .static import kernel_writes_inputs
from .record import Candidate, Verdict


class Evaluator:
    """Evaluates untrusted candidates against a trusted baseline in sandboxed workers.

    The baseline is a `Kernel` (read and hashed once by the caller: the workers get its source, whose
    normalised form is what was hashed), or a path or MLIR text, loaded here. Candidates are `Candidate`
    records (with their own knobs), or a path or text made into one with the matching entry of `knobs`. `pool` runs the jobs: a local `WorkerPool` by
    default, or anything with `map(jobs) -> verdicts` and `close()` (evaluator/dask.py's `DaskPool`)."""

    def __init__(self, config: EvalConfig | None = None, pool=None):
        self.config = config or EvalConfig()
        self.pool = pool if pool is not None else WorkerPool(self.config)
        self._checked: dict[str, Kernel] = {}

    @property
    def remote(self) -> bool:
        """Whether candidates are timed on other machines (a Dask cluster's workers)."""
        return bool(getattr(self.pool, "remote", False))

    def _baseline(self, base: Kernel | Source | str) -> Kernel:
        if isinstance(base, Kernel):
            key, src = base.hash, Source(base.source or base.text, base.origin)
        else:
            src = read_source(base)
            key = src.text
        if key not in self._checked:
            preflight(src)  # the baseline is the user's: a bad one is a usage error (KernelError)
            kernel = base if isinstance(base, Kernel) else load_kernel(src)
            kernel_writes_inputs(kernel)  # a baseline writing its inputs would have every candidate refused
            self._checked[key] = kernel
        return self._checked[key]

    def _job(self, kernel: Kernel) -> dict:
        return {"baseline": kernel.source or kernel.text, "baseline_origin": kernel.origin,
                "config": asdict(self.config)}

    def prepare(self, base) -> None:
        """Start computing `base`'s reference outputs (the trusted reference process) in the background, where the
        pool can (a local one): the first evaluation then finds them under way. A tune starts them before it
        imports LangGraph and proposes (~5 s), of the ~30 s a 1024 matmul's take. A failure is the first
        evaluation's to tell."""
        start = getattr(self.pool, "prepare", None)
        if start is not None:
            threading.Thread(target=start, args=(self._job(self._baseline(base)),), daemon=True,
                             name="neurojit-references").start()

    def evaluate_batch(self, base, candidates: list, knobs: list[dict | None] | None = None) -> list[Verdict]:
        """Verdicts, in order. `knobs` (one per candidate) replace the knobs of candidates given as text."""
        kernel = self._baseline(base)
        jobs = []
        for i, cand in enumerate(candidates):
            if not isinstance(cand, Candidate):
                c = read_source(cand, convert=False)  # judged as written: the worker, not the host, reads it
                cand = Candidate.of(c.text, (knobs or [None] * len(candidates))[i])
                origin = c.name
            else:
                origin = f"candidate {cand.identity}"
            jobs.append({**self._job(kernel), "candidate": cand.text, "candidate_origin": origin,
                         "kind": cand.kind.value, "knobs": dict(cand.knobs) or None})
        return self.pool.map(jobs)

    def evaluate(self, base, candidate, knobs: dict | None = None) -> Verdict:
        return self.evaluate_batch(base, [candidate], [knobs])[0]

    def close(self) -> None:
        self.pool.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
