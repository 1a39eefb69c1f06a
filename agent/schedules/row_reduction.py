"""Row reductions (row sum, row max, and the elementwise maps and fills around them, e.g. softmax).

Tensor payload. Each reduction over the innermost loop is tiled into blocks of `rows` rows, then its
reduction loop is split by `width` elements (`tile_reduction_using_for`): the inner loop accumulates
`rows` x `width` partial results with plain vector adds (no horizontal work in the loop), and one
horizontal reduction per row finishes it. Elementwise maps and fills are tiled and vectorised as in
`VectorizeElementwise`. One loop nest per op, in program order.
With `threads` > 1 the outer loop of each reduction of two or more dimensions is first split into that many
contiguous chunks of rows, one task each on the async runtime (`parts.distribute`); the maps and fills around
stay serial. A kernel whose reductions are all full (one loop into a 0-d result: a dot product, a tensor's sum) has no
rows: MLIR's `split_reduction` first makes each one a reduction of `threads` contiguous parts into as many partial
results (a split loop outside, one task a part), which a small reduction then combines; `threads` takes the
divisors of the extents from 2 (`split_reduction` takes no factor 1: the serial script has no knob). A row reduction streams its input once: LLVM vectorises the naive loops itself, and they already
stream at one core's bandwidth, so more cores are the only way past that. `threads` starts at the host's cores
(the run's --threads) for a kernel of reductions and fills only that reads at least base.PARALLEL_BYTES, else at 1
(the serial script, no knob): with maps around them, which stay serial, split reductions measured 0.75x (a
softmax of 512x1024 f32) to 1.15x (layer norm) against one task; a row sum of f32 at 2 MiB 1.7x.
Measured on a 2-core znver4 VM, quiet, an i32 row sum, 2 tasks against the naive loops, back to back:
1.15x at 512 KiB, 1.75x at 2 MiB and 4 MiB, 1.9x at 8 MiB, 2.0x at 16 MiB (one task: 0.96-1.01x at every size);
with MLIR's own runtime, whose threads sleep at once, 2 tasks were 0.73x at 2 MiB (compiler/async_runtime.c).
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.errors import ScheduleError
from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from . import model, parts
from .base import ELEMENTS, Knob, Schedule, lanes, threads_knob, worth_splitting
from .elementwise import vector_tile

ANY = parts.ANY


@dataclass(frozen=True)
class VectorizeRowReduction(Schedule):
    """Row reductions (and the elementwise maps and fills around them), with rows x width partial sums."""
    name = "vectorize_row_reduction"
    payload = "tensor"

    width: int | None = None  # elements per partial-sum vector row of a reduction
    rows: int | None = None  # rows reduced at once
    ew_width: int | None = None  # elements per tile row of the elementwise ops
    threads: int | None = None  # tasks the rows of each reduction are split into (1: serial)

    def applies(self, info: KernelInfo) -> bool:
        # partial results per lane reassociate the reduction: only combiners the vectoriser knows (others
        # keep their order of terms in LaneReduction)
        # (nor a body that reads the index of a reduced loop, e.g. a sum of x[i] * i: the partial reductions of
        # tile_reduction_using_for renumber it, and the sums came out wrong)
        return (info.is_row_reduction and info.element in ELEMENTS
                and all(op.reducible and not any(op.iterators[d] == "reduction" for d in op.index_dims)
                        for op in info.ops if op.is_row_reduction))

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        op = max((op for op in info.ops if op.is_row_reduction), key=model.work)
        return 0.5 * model.fill(op.extents[-1], lanes(info, host))

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        vl = lanes(info, host)
        knobs = (Knob("width", vl, 8 * vl, step=vl),)
        if any(op.is_row_reduction and len(op.iterators) >= 2 for op in info.ops):  # rows: only with rows
            knobs += (Knob("rows", 1, 8),)
        if any(not op.is_row_reduction and op.iterators for op in info.ops):  # in the script only with such ops
            knobs += (Knob("ew_width", vl, 8 * vl, step=vl),)
        threads = self.threads if self.threads is not None else _threads(info, host)
        if _rows(info) > 1:  # only a parallel script has a forall to take the value
            knobs += threads_knob(threads, host)
        elif threads > 1 and _splits(info, host):
            # (a split script only: split_reduction takes no factor 1)
            knobs += (Knob.of("threads", _splits(info, host)),)
        return knobs

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        return {**self._start(info, host), "threads": _threads(info, host)}

    def _start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        vl = lanes(info, host)
        if info.element.startswith("i"):
            # integer adds have one cycle of latency: one row, four vectors wide, streams at the speed of
            # memory (measured on znver4, 2 MiB: an i32 row sum 1.0x the naive loops, which LLVM vectorises
            # itself and which already stream at one core's bandwidth; 2 or 4 rows 0.85-0.93x)
            return {"width": 4 * vl, "rows": 1, "ew_width": 4 * vl}
        if all(len(op.iterators) == 1 for op in info.ops if op.is_row_reduction):
            # a full reduction has no rows: four vectors of partial sums (a dot product of 2 x 4 MiB f32 on a
            # rocketlake VM, against the naive loops: 2, 4, 8 vectors 1.8x, 2.0x, 2.1x on one task, 3.1x, 3.7x,
            # 3.6x on two)
            return {"width": 4 * vl, "rows": 4, "ew_width": 4 * vl}
        # rows x (width / vl) accumulators stay in registers
        return {"width": 2 * vl, "rows": 4, "ew_width": 4 * vl}

    def render(self, info: KernelInfo, host: Host) -> str:
        body, names = parts.each_op(len(info.ops))
        parallel = self.threads is not None and self.threads > 1 and (_rows(info) > 1 or bool(_splits(info, host)))
        if parallel and _rows(info) <= 1 and self.threads not in _splits(info, host):
            raise ScheduleError(f"{self.name}: threads = {self.threads} does not divide the extent of every full "
                                f"reduction of @{info.name}; it takes one of {list(_splits(info, host))}")
        for i, (op, h) in enumerate(zip(info.ops, names)):
            if op.is_row_reduction:
                if parallel and len(op.iterators) == 1:  # T partial results, one task each, combined at the end
                    t = self.knob("threads")
                    body += (f"  %s{i}i, %s{i}f, %s{i}s, %s{i}c = transform.structured.split_reduction {h}"
                             f" {{split_factor = {t}, insert_split_dimension = 0}} : ({ANY}) -> ({ANY}, {ANY}, {ANY}, {ANY})\n")
                    body += parts.distribute(f"%s{i}s", 2, 0, t, f"t{i}")
                    body += _row_reduction(f"%t{i}", 2, "1", self.knob("width"), f"r{i}")
                    continue
                if parallel and len(op.iterators) >= 2:
                    body += parts.distribute(h, len(op.iterators), 0, self.knob("threads"), f"t{i}")
                    h = f"%t{i}"
                body += _row_reduction(h, len(op.iterators), self.knob("rows"), self.knob("width"), f"r{i}")
            else:
                body += parts.tile_vectorize(h, vector_tile(op.iterators, self.knob("ew_width"), None), f"e{i}")
        # the partial sums' fill is a full slice of the accumulator until canonicalised; only then does the
        # hoist see one read and one write of the loop's accumulator and keep it in registers (else it is
        # loaded and stored every step, and copied in and out by bufferization every row)
        body += (parts.func("%fh") + parts.canonicalize("%fh") + parts.hoist("%fh")
                 + parts.bufferize_and_lower(reduction="innerreduction"))
        return self.module(body)


def _row_reduction(h: str, rank: int, rows: str, width: str, tag: str) -> str:
    if rank == 1:  # a full reduction (0-d output): `width` partial results, no rows
        return (f"  %{tag}f, %{tag}s, %{tag}c, %{tag}k = transform.structured.tile_reduction_using_for {h}"
                f" by tile_sizes = [{width}] : ({ANY}) -> ({ANY}, {ANY}, {ANY}, {ANY})\n"
                + "".join(f"  transform.structured.vectorize %{tag}{x} vector_sizes [{width}] : {ANY}\n" for x in "fsc")
                + parts.hoist(f"%{tag}k").replace("%hl", f"%{tag}h"))
    outer = ["1"] * (rank - 2) + [rows, "0"]
    inner = ["0"] * (rank - 1) + [width]
    ones = ", ".join(["1"] * (rank - 2))
    pre = ones + ", " if ones else ""
    return (
        f"  %{tag}t, %{tag}l:{rank - 1} = transform.structured.tile_using_for {h} tile_sizes [{', '.join(outer)}]"
        f" : ({ANY}) -> ({ANY}, {', '.join([ANY] * (rank - 1))})\n"
        f"  %{tag}f, %{tag}s, %{tag}c, %{tag}k = transform.structured.tile_reduction_using_for %{tag}t"
        f" by tile_sizes = [{', '.join(inner)}] : ({ANY}) -> ({ANY}, {ANY}, {ANY}, {ANY})\n"
        f"  transform.structured.vectorize %{tag}f vector_sizes [{pre}{rows}, {width}] : {ANY}\n"
        f"  transform.structured.vectorize %{tag}s vector_sizes [{pre}{rows}, {width}] : {ANY}\n"
        f"  transform.structured.vectorize %{tag}c vector_sizes [{pre}{rows}, {width}] : {ANY}\n"
        + parts.hoist(f"%{tag}k").replace("%hl", f"%{tag}h")
    )


def _threads(info: KernelInfo, host: Host) -> int:
    """Tasks to start with: the host's cores (at most the rows; for full reductions, the most that divide their
    extents) for a kernel of reductions (and fills) only that reads base.PARALLEL_BYTES or more; else 1."""
    if not all(op.is_row_reduction or op.name == "linalg.fill" for op in info.ops):
        return 1
    if _splits(info, host):
        work = sum(model.work(op) for op in info.ops if op.is_row_reduction)
        return max(_splits(info, host)) if worth_splitting(work, info) else 1
    ops = [op for op in info.ops if op.is_row_reduction and len(op.iterators) >= 2]
    return max(1, min(host.cores, _rows(info))) if worth_splitting(sum(model.work(op) for op in ops), info) else 1


def _splits(info: KernelInfo, host: Host) -> tuple[int, ...]:
    """For a kernel whose reductions are all full (one loop, a 0-d result: a dot product, a sum of a vector), the
    task counts, 2 up to the host's cores, that divide every one's extent (`split_reduction` needs that): each
    task sums its contiguous part into its own partial result, combined at the end. Else none."""
    full = [op for op in info.ops if op.is_row_reduction]
    if not full or any(len(op.iterators) != 1 for op in full):
        return ()
    return tuple(t for t in range(2, host.cores + 1) if all(op.extents[0] % t == 0 for op in full))


def _rows(info: KernelInfo) -> int:
    """Rows (the outer loop's extent) of the smallest reduction of two or more dimensions; 1 if none."""
    rows = [op.extents[0] for op in info.ops if op.is_row_reduction and len(op.iterators) >= 2]
    return min(rows) if rows and len(rows) == sum(1 for op in info.ops if op.is_row_reduction) else 1

