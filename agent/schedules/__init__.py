"""The schedule library the heuristic search draws from: transform scripts with knobs, one per module.

    from neurojit.agent.analyze import analyze
    from neurojit.agent.schedules import for_kernel
    from neurojit.compiler import host
    info = analyze(kernel_text)
    for s in for_kernel(info, host()):
        text, knobs, space = s.text(info, host()), s.defaults(info, host()), s.space(info, host())

`text` carries `${knob:default}` placeholders (or MLIR's own `transform.tune.knob`, where every op that uses
the knob takes a param: the script is then valid MLIR as it stands); the evaluator receives the text and a
knob dict. A schedule's fields are its knobs: `PackedMatmul(mr=4).text(info, host())` starts mr at 4 and the
others where they would.

By kernel class: matmuls, also with transposed operands (PackedMatmul) and with an epilogue
(FusedMatmulEpilogue); elementwise maps (VectorizeElementwise); reductions a vector may reassociate, of any
integer or float type, along rows or whole (a dot product) (VectorizeRowReduction), or along an outer loop (a
column sum) split by rows over the cores (ColumnReduction); row reductions and the maps
around them fused into one pass over the rows (softmax, layer norm; exp, log, tanh, erf as vector
polynomials) (RowwiseFused); reductions that must keep their order of terms, arg-reductions with an index
output (LaneReduction); convolutions and pooling, 1-D or 2-D, any stride (VectorizeWindows), channels-first pooling on
packed channel blocks (PackWindows); plain affine
loops (VectorizeAffineLoops), or their parallel loops only, vectorised by LLVM (SpreadAffineLoops), or where neither
applies their parallel loops around a sum or a stencil's rows unrolled and jammed (JamAffineLoops), or where the
innermost loop carries a value into a sum (a Gauss-Seidel sweep) that value summed last (ReassociateRecurrences), or
where one iteration of a loop writes what all of them read (Floyd-Warshall) the loop split there (SplitAliasedLoops), or
where an innermost loop reads an array down a column beside a row (nussinov, LU) the column read from a transposed
copy (MirrorColumns); plain scf loops (JamScfLoops); anything else (RegisterTileAny); and last, a
streaming kernel's naive loops split over the cores (NaiveSplit). `for_kernel`
ranks those that apply by the host model (`model`).
"""

from __future__ import annotations

import re

from neurojit.compiler.host import Host
from neurojit.compiler.tasks import WORK_PER_DISPATCH

from ..analyze import KernelInfo, map_results
from . import model
from .affine_loops import JamAffineLoops, SpreadAffineLoops, VectorizeAffineLoops
from .aliased_loops import SplitAliasedLoops
from .base import ELEMENTS, Caches, Knob, Schedule, caches, lanes
from .elementwise import VectorizeElementwise
from .fused_matmul import FusedMatmulEpilogue
from .generic import RegisterTileAny
from .lane_reduction import LaneReduction
from .column_blocks import BlockColumns
from .column_reduction import ColumnReduction
from .mirrored_columns import MirrorColumns
from .naive_split import NaiveSplit
from .packed_matmul import PackedMatmul
from .recurrences import ReassociateRecurrences
from .row_reduction import VectorizeRowReduction
from .scf_loops import JamScfLoops
from .rowwise import RowwiseFused
from .windows import PackWindows, VectorizeWindows

LIBRARY: tuple[Schedule, ...] = (PackedMatmul(), FusedMatmulEpilogue(), VectorizeElementwise(), VectorizeRowReduction(),
                                 ColumnReduction(),
                                 RowwiseFused(), LaneReduction(), VectorizeWindows(), PackWindows(), VectorizeAffineLoops(),
                                 SpreadAffineLoops(), JamAffineLoops(), SplitAliasedLoops(), MirrorColumns(),
                                 ReassociateRecurrences(), JamScfLoops())
# (BlockColumns is not proposed: its blocks give the naive loops' bits but ran slower than them in warm calls, a
# 256 trsm 0.38x on one thread and 0.69x on two on znver4, against 1.24x in a tune's partly cold timing)
FALLBACK = RegisterTileAny()  # for kernels none of the specialised ones fits
FLOOR = NaiveSplit()  # the naive loops over the cores: proposed last, where it applies


def for_kernel(info: KernelInfo, host: Host, keep: float | None = None) -> list[Schedule]:
    """The library's schedules that apply to this kernel (the generic register tile among them), best first
    by the host model (`model.ranked`: those it expects far behind the best are left out; `keep=0`: none),
    then, on a host of more than one core, the naive loops split over the cores (`naive_split`: small or
    strided streaming kernels, where LLVM's vectorisation of the naive loops beats the tiles on one core)."""
    found = [s for s in (*LIBRARY, FALLBACK) if s.applies(info)]
    floor = [FLOOR] if host.cores > 1 and FLOOR.applies(info) else []
    if reversed_maps(info):  # only the schedules of the loops as written (none tiles a linalg op)
        found, floor = [s for s in found if s.on_loops], []
    return model.ranked(found, info, host, keep) + floor


def reversed_maps(info: KernelInfo) -> bool:
    """Whether a linalg op reads or writes along a loop backwards (a map with a negative coefficient: torch.flip's
    `(i, j) -> (i, 1023 - j)`): MLIR's tiling asserts on such a map ("nonpositive multiplying coefficient"), so
    every schedule that tiles the op would crash its worker."""
    return any(re.search(r"-\s*(\d+\s*\*\s*)?d\d|d\d+\s*\*\s*-", r)
               for op in info.ops for m in op.maps for r in map_results(m))


def unscheduled(info: KernelInfo) -> str:
    """Why no schedule of the library applies to a kernel, in one clause (for a run that has nothing to try)."""
    if reversed_maps(info):
        return ("a linalg op with an indexing map that runs a loop backwards (torch.flip's `1023 - j`), which "
                "MLIR's tiling cannot take: its naive loops are what LLVM vectorises")
    if info.element not in ELEMENTS:
        return f"its element type {info.element or '(none)'} has no schedule"
    if info.is_loops and info.affine:
        why = ("none that MLIR's dependence analysis proves parallel" if not info.spread else
               f"{len(info.spread)} that MLIR's dependence analysis proves parallel, each with too little work to "
               f"pay for its tasks (under {WORK_PER_DISPATCH} operations a dispatch)")
        kind = "scf loops of constant bounds (seen as affine loops)" if info.scf_raised else "affine loops"
        return (f"plain {kind}, {why}, and none MLIR's "
                "super-vectoriser vectorises without writing past a loop's end (bounds that depend on other loops, "
                "no vector width of 4 to 64 that divides the trip counts, or iterations that depend on each other)")
    if info.is_loops and info.scf_loops:
        return ("plain scf loops, none of which unroll-and-jam may interleave (an iteration reading what another "
                "writes, a loop carrying values, or one MLIR refuses to jam)")
    if info.is_loops:
        return ("loops of kinds no schedule takes (mixed affine and scf loops, scf.while, scf.forall, other control "
                "flow, or linalg ops inside loops: give a kernel before it is tiled)")
    if info.ops and any(not op.iterators for op in info.ops) and any(op.iterators for op in info.ops):
        return ("an op on a 0-d buffer (a scalar fill or a full reduction's result) beside ops with loops, which no "
                "schedule tiles together (each alone has schedules: a kernel per op does)")
    if info.ops:
        return "linalg ops mixed with other code (loops, loads, calls), which no schedule takes"
    return "no linalg op and no loop to schedule"


def by_name(name: str) -> Schedule:
    for s in (*LIBRARY, FALLBACK, FLOOR):
        if s.name == name:
            return s
    raise KeyError(f"no schedule named {name!r}; the library has: {', '.join(s.name for s in LIBRARY)}")


__all__ = ["FALLBACK", "FLOOR", "BlockColumns", "Caches", "ColumnReduction", "FusedMatmulEpilogue", "JamAffineLoops", "JamScfLoops", "RegisterTileAny", "Knob", "LIBRARY",
           "LaneReduction", "MirrorColumns", "NaiveSplit", "ReassociateRecurrences",
           "PackWindows", "PackedMatmul", "RowwiseFused", "Schedule", "SplitAliasedLoops", "SpreadAffineLoops", "VectorizeAffineLoops", "VectorizeElementwise",
           "VectorizeRowReduction", "VectorizeWindows", "by_name", "caches", "for_kernel", "lanes", "model"]
