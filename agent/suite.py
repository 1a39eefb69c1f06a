"""A suite: several kernels tuned under one overall budget, one run each (`neurojit tune K1 K2 | DIR`).

The split is a fixed rule, so a resumed suite makes the same choices as the first invocation:
- kernels in the order given; a directory stands for its `*.mlir` files sorted by name;
- candidates and tokens: the total divided evenly, the remainder going one each to the first kernels;
  dollars: divided evenly;
- wall time: each kernel gets the time this invocation has left divided by the kernels still to run, so
  time a kernel did not use passes on to the next ones.
Each kernel's run id is `SUITE-NAME` (the suite id from `--run-id`, or a fresh one that progress prints,
and the kernel's file name without `.mlir`); re-running the same command resumes unfinished runs and
skips finished ones.
"""

from __future__ import annotations

import dataclasses
import math
import re
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from neurojit.compiler.errors import NeuroJITError

from .budget import Budget
from .store import RunStatus, RunSummary

__all__ = ["SuiteError", "SuiteResult", "kernel_name", "kernels_of", "shares", "tune_suite"]


class SuiteError(NeuroJITError):
    """The kernels of a suite cannot be found, or its budget is too small for them."""


@dataclass(frozen=True)
class SuiteResult:
    """One kernel's run in a suite."""
    kernel: str  # its name (file name without .mlir)
    path: str
    summary: RunSummary

    def to_json(self) -> dict:
        return {"kernel": self.kernel, **self.summary.to_json()}


def kernel_name(path: str | Path) -> str:
    name = Path(path).name
    for suffix in (".tl.mlir", ".mlir"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def kernels_of(paths: list[str]) -> list[str]:
    """The kernel files a suite's arguments name (directories expanded), in order; names must be unique."""
    found: list[str] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            files = sorted(str(f) for f in p.glob("*.mlir") if f.is_file())
            if not files:
                raise SuiteError(f"{given} holds no *.mlir kernel; give kernel files or a folder of them")
            found += files
        else:
            found.append(str(given))  # a missing file is reported by tune, as for a single kernel
    seen: dict[str, str] = {}
    for f in found:
        name = kernel_name(f)
        if name in seen:
            raise SuiteError(f"two kernels are named {name} ({seen[name]} and {f}); each run id is derived from "
                             "the name, so rename one")
        seen[name] = f
    return found


def shares(total: int, n: int) -> list[int]:
    """`total` split into `n` integer shares, the remainder one each to the first."""
    base, extra = divmod(total, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def _run_id(suite: str, name: str) -> str:
    return f"{suite}-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}"


def tune_suite(paths: list[str], options, progress=sys.stderr) -> list[SuiteResult]:
    """Tune every kernel of the suite under `options.budget` (a `TuneOptions`) as a whole (see the module
    docstring)."""
    from .run import tune  # the loop and its libraries, only when a suite runs (reports read kernel names here)

    kernels = kernels_of(paths)
    n = len(kernels)
    budget = options.budget
    if budget.candidates < n:
        raise SuiteError(f"--budget {budget.candidates} is less than one candidate for each of the {n} kernels; "
                         f"give --budget {n} or more")
    suite = options.run_id or secrets.token_hex(4)
    ids = [_run_id(suite, kernel_name(k)) for k in kernels]
    if any(len(i) > 64 for i in ids):
        raise SuiteError(f"the run ids SUITE-KERNEL of this suite would exceed 64 characters; choose a shorter "
                         f"--run-id than {suite}")
    cands = shares(budget.candidates, n)
    tokens = shares(budget.tokens, n) if budget.tokens is not None else [None] * n
    dollars = budget.dollars / n if budget.dollars is not None else None
    if progress:
        print(f"[suite {suite}] {n} kernels, {budget.candidates} candidates in all ({', '.join(map(str, cands))}); "
              f"resume with --run-id {suite}", file=progress, flush=True)
    started = time.monotonic()
    results = []
    for i, path in enumerate(kernels):
        name = kernel_name(path)
        seconds = None
        if budget.seconds is not None:
            seconds = max(1.0, (budget.seconds - (time.monotonic() - started)) / (n - i))
        share = Budget(cands[i], seconds, tokens[i], dollars)
        run_id = ids[i]
        if progress:
            print(f"[suite {suite}] kernel {i + 1}/{n}: {name} (run {run_id}, {cands[i]} candidates)",
                  file=progress, flush=True)
        summary = tune(path, dataclasses.replace(options, budget=share, run_id=run_id), progress=progress)
        results.append(SuiteResult(name, path, summary))
    return results


def total(results: list[SuiteResult]) -> dict:
    """The suite's totals: the last JSON line of `neurojit tune --json` with several kernels."""
    rejected: dict[str, int] = {}
    for r in results:
        for reason, k in r.summary.rejected.items():
            rejected[reason] = rejected.get(reason, 0) + k
    speedups = [r.summary.speedup for r in results if r.summary.speedup]
    finished = all(r.summary.status == RunStatus.FINISHED for r in results)
    return {"total": True, "kernels": len(results), "runs": [r.summary.run_id for r in results],
            "status": "finished" if finished else "unfinished",
            "candidates": sum(r.summary.candidates for r in results),
            "accepted": sum(r.summary.accepted for r in results),
            "rejected": dict(sorted(rejected.items(), key=lambda kv: -kv[1])),
            "tokens": sum(r.summary.tokens for r in results),
            "cost_usd": sum(r.summary.cost_usd for r in results),
            # over the kernels with an accepted candidate; a suite-wide figure of merit, like SPEC's
            "geomean_speedup": math.exp(sum(map(math.log, speedups)) / len(speedups)) if speedups else None}
