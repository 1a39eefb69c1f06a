"""The evaluator's public face: `Evaluator(config).evaluate(base, cand)` / `.evaluate_batch(base, cands)`."""

from __future__ import annotations

from dataclasses import asdict

from neurojit.compiler.kernel import load_kernel
from neurojit.compiler.preflight import preflight
from neurojit.compiler.source import read_source

from .config import EvalConfig
from .pool import WorkerPool
from .record import Verdict


class Evaluator:
    """Evaluates untrusted candidates against a trusted baseline in sandboxed workers."""

    def __init__(self, config: EvalConfig | None = None):
        self.config = config or EvalConfig()
        self.pool = WorkerPool(self.config)
        self._checked: set[str] = set()

    def _baseline(self, base) -> tuple[str, str]:
        src = read_source(base)
        if src.text not in self._checked:
            preflight(src)  # the baseline is the user's: a bad one is a usage error (KernelError)
            load_kernel(src)
            self._checked.add(src.text)
        return src.text, src.name

    def evaluate_batch(self, base, candidates: list, knobs: list[dict | None] | None = None) -> list[Verdict]:
        text, origin = self._baseline(base)
        jobs = []
        for i, cand in enumerate(candidates):
            c = read_source(cand)
            jobs.append({"baseline": text, "baseline_origin": origin, "candidate": c.text,
                         "candidate_origin": c.name, "knobs": (knobs or [None] * len(candidates))[i],
                         "config": asdict(self.config)})
        return self.pool.map(jobs)

    def evaluate(self, base, candidate, knobs: dict | None = None) -> Verdict:
        return self.evaluate_batch(base, [candidate], [knobs])[0]

    def close(self) -> None:
        self.pool.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
