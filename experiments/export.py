"""The best verified variant of every kernel of an experiment (`neurojit export --db URL --experiment ID`).

For each kernel, the accepted candidate with the highest speedup over all the experiment's runs of it (the
earliest among equals), exported into OUT/KERNEL/ as `neurojit export --run-id` does, with its provenance
in the manifest: experiment, cell, run, candidate, provider, strategy, sampler (the tuner's, when it set the
knobs), the hash of the prompt whose answer held it (model candidates), knobs, verdict, measured speedup
and machine. A kernel whose best is not faster than its baseline is skipped and said so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neurojit.agent.export import ExportError, export_candidate
from neurojit.agent.llm.parse import parse_answer
from neurojit.agent.proposal import Candidate
from neurojit.agent.store import ResultStore
from neurojit.agent.suite import kernel_name

__all__ = ["KernelExport", "export_experiment"]


@dataclass(frozen=True)
class KernelExport:
    kernel: str
    folder: Path | None  # None: skipped
    manifest: dict | None
    why: str = ""  # why it was skipped


def export_experiment(store: ResultStore, experiment: str, out: str | Path) -> list[KernelExport]:
    if store.experiment(experiment) is None:
        known = ", ".join(e.id for e in store.experiments()) or "none"
        raise ExportError(f"no experiment {experiment} in this store (experiments: {known})")
    best: dict[str, tuple] = {}  # kernel name: (speedup, order, run, candidate)
    for order, run in enumerate(sorted(store.runs(experiment=experiment), key=lambda r: (r.created_at, r.id))):
        b = store.best(run.id)
        name = kernel_name(run.kernel_name)
        if b is not None and b.speedup is not None and (name not in best or b.speedup > best[name][0]):
            best[name] = (b.speedup, order, run, b)
        best.setdefault(name, (0.0, order, run, None))
    if not best:
        raise ExportError(f"experiment {experiment} has no run yet; run it with neurojit experiment CONFIG.toml")
    results = []
    for name in sorted(best):
        speedup, _, run, cand = best[name]
        if cand is None or speedup <= 1.0:
            results.append(KernelExport(name, None, None, "no accepted variant faster than the baseline"))
            continue
        extra = {"experiment": experiment, "cell": run.cell, "sampler": cand.sampler or None,
                 "prompt_hash": _prompt_hash(store, run.id, cand)}
        folder = Path(out) / name
        results.append(KernelExport(name, folder, export_candidate(run, cand, str(folder), extra)))
    if not any(r.folder for r in results):
        raise ExportError(f"experiment {experiment} found no variant faster than the baseline for any kernel; "
                          "nothing to export")
    return results


def _prompt_hash(store: ResultStore, run_id: str, cand) -> str | None:
    """The request hash of the exchange whose answer held the candidate (or the candidate it was tuned from)."""
    exchanges = store.exchanges(run_id)
    for e in exchanges:
        for a in parse_answer(e.response):
            c = Candidate(a.code)
            if c.identity == cand.identity or c.text == cand.text:
                return e.request_hash
    return None
