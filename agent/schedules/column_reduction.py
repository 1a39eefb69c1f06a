"""Reductions along an outer loop (column sums: a bias gradient, a sum over a batch of rows), the rows split over
the cores, each core with its own row of partial results.

Tensor payload. `out[j] = sum_i x[i, j]` streams its input row after row. Split by columns (as the generic register
tile and the naive split do), each core reads a part of every row, and the hardware prefetchers, which follow a
row past a core's part, fetch the other core's lines too. Here MLIR's `split_reduction` (the split dimension
outermost, one per task) gives each core a contiguous block of rows and its own row of partial results, in
`threads` tasks (`parts.distribute`); each block is tiled `k` rows by `width` columns and vectorised, and the
partial rows are then combined into the output (the naive loops: a few thousand elements). Measured on a 2-core
znver4 against the naive loops, in one process, interleaved (stop 53's note): f32 column sums of 16384x64 1.83x,
split by columns 1.10x; 1024x1000 1.95x against 1.73x; 4096x512 1.61x against 1.49x.

Splitting reassociates the reduction (each core's partial result, combined at the end): only for combiners a
vector may reassociate (`OpInfo.reducible`). `split_reduction` needs the rows to divide by the split: the
`threads` knob takes the divisors of the rows up to the host's cores, and a kernel with odd rows is left to the
other schedules. Fills around the reduction are tiled and vectorised as elementwise ops.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.errors import ScheduleError
from neurojit.compiler.host import Host

from ..analyze import KernelInfo, OpInfo, map_results
from . import model, parts
from .base import ELEMENTS, Knob, Schedule, lanes, worth_splitting
from .elementwise import vector_tile

ANY = parts.ANY


def outer_reduction(op: OpInfo) -> bool:
    """A 2-D reduction over its outer loop into a row: loops (reduction, parallel), every input read at
    (d0, d1), the one output at (d1), folded by a combiner vector code may reassociate."""
    if op.iterators != ("reduction", "parallel") or not op.reducible or min(op.extents) < 1:
        return False
    ins, out = op.maps[:op.inputs], op.maps[op.inputs:]
    return (len(out) == 1 and [r.replace(" ", "") for r in map_results(out[0])] == ["d1"]
            and all([r.replace(" ", "") for r in map_results(m)] == ["d0", "d1"] for m in ins))


def _reduction(info: KernelInfo) -> OpInfo | None:
    """The kernel's one outer reduction, where every other op is a fill."""
    reds = [op for op in info.ops if op.name != "linalg.fill"]
    return reds[0] if len(reds) == 1 and outer_reduction(reds[0]) else None


def _splits(rows: int, host: Host) -> tuple[int, ...]:
    """The task counts that divide the rows, 2 up to the host's cores."""
    return tuple(t for t in range(2, max(2, host.cores) + 1) if rows % t == 0)


@dataclass(frozen=True)
class ColumnReduction(Schedule):
    """An outer-loop reduction split by rows over the cores, partial rows combined at the end."""
    name = "column_reduction"
    payload = "tensor"

    width: int | None = None  # columns per vector tile
    k: int | None = None  # rows added into the partial results per tile
    threads: int | None = None  # tasks, each a contiguous block of rows (a divisor of the rows)

    def applies(self, info: KernelInfo) -> bool:
        op = _reduction(info)
        return info.element in ELEMENTS and op is not None and op.extents[0] % 2 == 0

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # one core's share streams its rows as the naive loops do: a little ahead of the column tiles, which
        # read part of every row. Nothing on one core (the split is the point), nor under base.PARALLEL_BYTES (the
        # tasks would cost more than they give: the generic tile keeps such a kernel on one core)
        op = _reduction(info)
        if host.cores < 2 or op is None or not _splits(op.extents[0], host):
            return 0.0
        return 0.4 if worth_splitting(model.work(op), info) else 0.0

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        vl = lanes(info, host)
        op = _reduction(info)
        return (Knob("width", vl, 8 * vl, step=vl), Knob("k", 1, min(16, op.extents[0] // 2)),
                Knob.of("threads", _splits(op.extents[0], host) or (2,)))

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        op = _reduction(info)
        splits = _splits(op.extents[0], host) or (2,)
        # 8 rows of 4 vectors: the partial results are read and written once per 8 rows, as many loads in flight
        # as the core takes (measured alike from 4 to 16 rows, 64 to 512 columns, in the runs above)
        return {"width": 4 * lanes(info, host), "k": max(1, min(8, op.extents[0] // max(splits))),
                "threads": max(splits)}

    def render(self, info: KernelInfo, host: Host) -> str:
        red = _reduction(info)
        if self.threads is not None and red is not None and red.extents[0] % self.threads:
            raise ScheduleError(f"{self.name}: threads = {self.threads} does not divide the {red.extents[0]} rows of "
                                f"@{info.name}; it takes one of {list(_splits(red.extents[0], host))}")
        body, names = parts.each_op(len(info.ops))
        for i, (op, h) in enumerate(zip(info.ops, names)):
            if op.name == "linalg.fill":
                body += parts.tile_vectorize(h, vector_tile(op.iterators, self.knob("width"), None), f"e{i}")
                continue
            t = self.knob("threads")
            body += (f"  %s{i}i, %s{i}f, %s{i}s, %s{i}c = transform.structured.split_reduction {h}"
                     f" {{split_factor = {t}, insert_split_dimension = 0}} : ({ANY}) -> ({ANY}, {ANY}, {ANY}, {ANY})\n")
            body += parts.distribute(f"%s{i}s", 3, 0, t, f"t{i}")
            body += parts.tile_vectorize(f"%t{i}", [1, self.knob("k"), self.knob("width")], f"r{i}")
        body += parts.func("%fh") + parts.canonicalize("%fh") + parts.bufferize_and_lower()
        return self.module(body)
