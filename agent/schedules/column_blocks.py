"""Plain affine loops whose columns no statement mixes, a block of columns at a time, the blocks spread over cores.

A triangular solve with many right-hand sides (BLAS trsm) runs row after row; its column loops are parallel but
sit inside the row loops, each with too little work to pay for the tasks it would be dispatched as, so nothing was
spread (a sweep's 256 x 256 trsm: 0.93x at best). No statement reads one column from another, so the schedule
module asks for the function run a block of columns at a time inside one loop over the blocks (`neurojit.columns =
"blocks"`: compiler/column_blocks.py), which MLIR's dependence analysis proves parallel; the script is
`spread_affine_loops`' on the result: that loop spread over the cores, one dispatch for the whole function, each
block's rows in their order (the same operations in the same order: the naive loops' bits).

Not in the library's proposals yet (schedules/__init__.py): on znver4 the 256 trsm's blocks ran 0.38x its naive
loops on one thread and 0.69x on two in warm interleaved calls (one-off, medians of 30 rounds), though a
tune's partly cold timing recorded 1.24x; the blocked column loops lose what LLVM made of the whole rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from .affine_loops import RewrittenAffineLoops, rewritten
from .base import ON_RAISED_LOOPS


@dataclass(frozen=True)
class BlockColumns(RewrittenAffineLoops):
    """Plain affine loops whose independent columns run a block at a time, the blocks spread over the cores, as
    `spread_affine_loops` spreads a parallel loop; vectorised by LLVM."""
    name = "block_columns"
    attributes = 'neurojit.columns = "blocks"'

    def applies(self, info: KernelInfo) -> bool:
        return info.is_loops and info.affine and info.column_blocks > 0 and info.block_spread > 0

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # the whole function spread once where no other loop is (ahead of the vectoriser, whose loops stay serial
        # inside the rows: the trsm's 0.59-0.93x); behind the structured schedules where the loops raise to linalg
        # where a loop of the kernel is worth spreading as it is (a parallel row loop), far behind: spread whole
        if info.linalg_raised or info.parallel_loops > 0 or host.cores < 2:
            return ON_RAISED_LOOPS
        return 0.3

    def form(self, info: KernelInfo) -> str | None:
        return "affine"

    def seen(self, info: KernelInfo) -> KernelInfo:
        return rewritten(info, info.block_spread)  # the loop over the blocks
