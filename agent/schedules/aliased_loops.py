"""Plain affine loops in which one iteration writes an element every iteration reads: split there first.

Floyd-Warshall's loop over j reads path[i][k], which its iteration j = k writes; its loop over rows reads row k,
which its iteration i = k writes. Neither MLIR's dependence analysis nor LLVM's vectoriser takes such a loop
(LLVM's run-time checks, hoisted out of the row loop, find the rows overlapping row k and run every row scalar).
The schedule module asks for the kernel's loops split at that iteration before the script runs
(`neurojit.split = "aliases"`: compiler/alias_split.py; the element then read once before each piece that does
not write it); the script is `spread_affine_loops`' on the pieces: hoisted, spread over cores where a piece is
parallel and worth it, unrolled, and vectorised by LLVM (measured on znver3, AVX2, Floyd-Warshall on 500 nodes in
i32: 5.9x its naive loops; on 200 nodes 4.5x).
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from .affine_loops import RewrittenAffineLoops, rewritten
from .base import ON_RAISED_LOOPS


@dataclass(frozen=True)
class SplitAliasedLoops(RewrittenAffineLoops):
    """Plain affine loops split where one iteration writes what all of them read, then hoisted, spread and
    unrolled as `spread_affine_loops` does, vectorised by LLVM."""
    name = "split_aliased_loops"
    attributes = 'neurojit.split = "aliases"'

    def applies(self, info: KernelInfo) -> bool:
        return info.is_loops and info.affine and info.alias_splits > 0

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # ahead of the loop schedules that take the loops unsplit, which find nothing to vectorise in the split
        # loops and nothing parallel around them
        return ON_RAISED_LOOPS if info.linalg_raised else 0.3

    def seen(self, info: KernelInfo) -> KernelInfo:
        return rewritten(info, info.alias_spread)  # the parallel loops of the pieces
