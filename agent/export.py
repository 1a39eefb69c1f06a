"""Which variant of a run gets exported (`neurojit export --db URL --run-id ID`, DESIGN §3).

The run's best accepted candidate, and only if it beats the baseline: a run that found nothing faster has
nothing better to export than the baseline itself, which `neurojit export K.mlir` gives. The candidate's
kind (a schedule applied to the run's kernel, or a replacement module) is read from its text, never from a
stored column, and the manifest records where it came from.
"""

from __future__ import annotations

from neurojit.compiler import export
from neurojit.compiler.errors import NeuroJITError
from neurojit.compiler.preflight import preflight
from neurojit.compiler.source import Source

from .store import ResultStore


class ExportError(NeuroJITError):
    """A run has nothing to export: it is not in the store, or found no accepted variant faster than its baseline."""


def export_run(db: str, run_id: str, out_dir: str) -> dict:
    """Export the best variant of run `run_id` in the results store at `db` into `out_dir`; the manifest.

    Besides `compiler.export`'s fields the manifest gives the measured `speedup`, the `run_id`, the
    `candidate` identity, its `provider`, `strategy`, `schedule_name` and the evaluator's `verdict`."""
    with ResultStore(db) as store:
        run = store.get_run(run_id)
        if run is None:
            raise ExportError(f"no run {run_id} in {db}; `neurojit tune K.mlir --db {db}` creates one")
        best = store.best(run.id)
    if best is None:
        raise ExportError(f"run {run.id} has no accepted candidate yet; nothing better than the baseline to export")
    return export_candidate(run, best, out_dir)


def export_candidate(run, best, out_dir: str, extra: dict | None = None) -> dict:
    """Export candidate `best` (a CandidateRecord) of `run` into `out_dir`, if it beats the baseline; the
    manifest, with `extra` fields added to the provenance."""
    if not best.speedup or best.speedup <= 1.0:
        raise ExportError(f"run {run.id} found no variant faster than the baseline (its best accepted one runs at "
                          f"{best.speedup or 0:.2f}x); to export the baseline itself: neurojit export K.mlir --out DIR")
    cand = best.candidate
    schedule = cand.text if cand.is_schedule else None
    knobs = dict(cand.knobs) or None
    if schedule is not None:
        source = Source(run.kernel_text, run.kernel_name)
    else:
        source = Source(cand.text, f"{run.kernel_name}:{best.identity}")
    preflight(source, schedule, knobs)
    extra = {"speedup": best.speedup, "run_id": run.id, "candidate": best.identity, "provider": best.provider,
             "strategy": best.strategy, "schedule_name": best.schedule,
             "verdict": best.verdict.to_json() if best.verdict is not None else None, **(extra or {})}
    return export(source, out_dir, schedule, knobs, baseline_hash=run.kernel_hash, extra=extra)


__all__ = ["ExportError", "export_candidate", "export_run"]
