"""A cheap model of the host: how close to the host's vector peak each schedule is likely to run a kernel,
so that the first proposals are the ones most likely to win and a short budget gets most of the gain.

Each schedule answers `efficiency(info, host)`, a fraction of the host's peak (lanes x FMA units) on the
kernel's dominant op, from what decides it on a CPU: whether its vectors load contiguous data (a strided
vector loop is not vectorised at all), how many of the host's lanes the vector loop fills, whether a
contraction's operands stay in registers and caches (packing, register tiles sized from the host's vector
registers). The constants are this library's own measurements on an AVX-512 and an AVX2 host (the notes and
benchmarks/schedules.py); `estimate_s` turns one into seconds. Schedules far below the best one are not
proposed at all: each costs an evaluation of the budget.
"""

from __future__ import annotations

import math
import re

from neurojit.compiler.host import Host

from ..analyze import KernelInfo, OpInfo, map_results

CLOCK_HZ = 3e9  # only scales `estimate_s`; the ordering does not depend on it
KEEP = 0.25  # propose schedules whose efficiency is at least this fraction of the best one's


def work(op: OpInfo) -> int:
    """Points of the op's iteration space."""
    return math.prod(max(1, e) for e in op.extents) if op.extents else 0


def dominant(info: KernelInfo) -> OpInfo | None:
    """The op with the most work (the one a schedule's speed is decided by)."""
    return max(info.ops, key=work) if info.ops else None


def fill(extent: int, lanes: int) -> float:
    """The fraction of vector lanes a loop of `extent` iterations fills."""
    if extent < 1:
        return 1.0
    return extent / (math.ceil(extent / lanes) * lanes)


def strided(op: OpInfo, loop: int) -> bool:
    """Whether some input indexes `loop` with a stride (`d3 * 2 + d6`): vectors along it would gather."""
    return any(re.search(rf"\bd{loop}\s*\*", r) or re.search(rf"\*\s*d{loop}\b", r)
               for m in op.maps[:op.inputs] for r in map_results(m))


def contiguous_in(op: OpInfo, loop: int) -> bool:
    """Whether every input that `loop` indexes has it as its fastest-varying index."""
    for m in op.maps[:op.inputs]:
        res = map_results(m)
        if any(re.search(rf"\bd{loop}\b", r) for r in res) and not re.fullmatch(rf"d{loop}(\s*\+\s*d\d+)?", res[-1]):
            return False
    return True


def is_contraction_like(op: OpInfo) -> bool:
    """A multiply-accumulate over a reduction with a high reuse of its operands (matmul, batched matmul)."""
    return (op.reductions >= 1 and any("mul" in b for b in op.body) and any("add" in b for b in op.body)
            and all(all(re.fullmatch(r"d\d+", r) for r in map_results(m)) for m in op.maps))


def estimate_s(info: KernelInfo, host: Host, efficiency: float) -> float:
    """Seconds the dominant op would take at `efficiency` of the host's vector peak (2 FMA units)."""
    op = dominant(info)
    lanes = max(1, host.vector_bits // info.element_bits)
    return (work(op) if op else 1) / (max(efficiency, 1e-6) * lanes * 2 * CLOCK_HZ)


def tasks(schedule, info: KernelInfo, host: Host) -> int:
    """How many tasks the schedule's first proposal runs the kernel in: its starting `threads` where its
    script is split over the cores (the knob is in its space), else one."""
    try:
        if "threads" not in {k.name for k in schedule.space(info, host)}:
            return 1
        return max(1, int(schedule.start(info, host).get("threads", 1)))
    except Exception:  # a schedule that cannot say is ranked as serial; proposing it says why
        return 1


def ranked(found: list, info: KernelInfo, host: Host, keep: float | None = None) -> list:
    """`found` (schedules that apply) best first, by the share of the whole host's peak each is expected to
    reach (its efficiency on one core times the cores its first proposal runs on: a schedule split over the
    cores goes before a serial one a little more efficient per core), without those whose efficiency per
    core the model expects far behind the best, below `keep` (default KEEP) times it (a serial schedule stays
    as a fallback for a split one). `keep=0` ranks them all: what the heuristic falls back on when the kept
    ones were all rejected."""
    if not found:
        return []
    keep = KEEP if keep is None else keep
    rated = [(s.efficiency(info, host), tasks(s, info, host), i, s) for i, s in enumerate(found)]
    best = max(e for e, *_ in rated)
    return [s for e, t, i, s in sorted(rated, key=lambda r: (-r[0] * r[1], r[2])) if e >= keep * best]
