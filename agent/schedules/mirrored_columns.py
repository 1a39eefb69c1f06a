"""Plain affine loops reading an array down a column beside a row: the column read from a transposed copy.

PolyBench's nussinov takes, over k, the best of table[i][k] + table[k + 1][j]; LU sums A[i][k] * A[k][j]. The
column's terms are a row apart, so the loop neither loads in vectors nor uses more than one element of each cache
line it touches. The schedule module asks for such arrays mirrored before the script runs (`neurojit.mirror =
"columns"`: compiler/mirror.py; a transposed copy written beside every store to the array, the column read from
it along its rows), after the payload "affine" has made each sum kept in an array element the value its loop
carries; the script is `spread_affine_loops`' on the result: hoisted, spread over cores where a loop is parallel
and worth it, unrolled, vectorised by LLVM (measured on znver3, AVX2: nussinov on 500 x 500 in i32, 7-20x its
naive loops, whose time varies with the load of the machine).
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from .affine_loops import RewrittenAffineLoops, rewritten
from .base import ON_RAISED_LOOPS


@dataclass(frozen=True)
class MirrorColumns(RewrittenAffineLoops):
    """Plain affine loops whose columns are read from a transposed copy, then hoisted, spread and unrolled as
    `spread_affine_loops` does, vectorised by LLVM."""
    name = "mirror_columns"
    attributes = 'neurojit.mirror = "columns"'

    def applies(self, info: KernelInfo) -> bool:
        return info.is_loops and info.affine and info.mirrored > 0

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # behind the structured schedules where the loops raise to linalg ops (a naive i-j-k matrix product);
        # integer kernels (nussinov's max: exact) ahead; float ones behind the jam and the super-vectoriser,
        # whose sums keep their order or are judged as theirs: a reassociated sum on LU's unpivoted random inputs
        # is rejected (its rounding amplified; a PolyBench survey: lu's mirror rejected, its jam 1.7x)
        if info.linalg_raised:
            return ON_RAISED_LOOPS
        return 0.2 if info.element.startswith("f") else 0.3

    def form(self, info: KernelInfo) -> str | None:
        return "affine"  # (its sums kept in array elements carried by their loops first)

    def seen(self, info: KernelInfo) -> KernelInfo:
        return rewritten(info, info.mirror_spread)  # the parallel loops the copy leaves parallel
