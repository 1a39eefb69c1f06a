"""Row reductions (row sum, row max, and the elementwise maps and fills around them, e.g. softmax).

Tensor payload. Each reduction over the innermost loop is tiled into blocks of `rows` rows, then its
reduction loop is split by `width` elements (`tile_reduction_using_for`): the inner loop accumulates
`rows` x `width` partial results with plain vector adds (no horizontal work in the loop), and one
horizontal reduction per row finishes it. Elementwise maps and fills are tiled and vectorised as in
`VectorizeElementwise`. One loop nest per op, in program order.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from . import parts
from .base import Knob, Schedule, lanes
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

    def applies(self, info: KernelInfo) -> bool:
        return info.is_row_reduction and info.element in ("f32", "f64")

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        vl = lanes(info, host)
        knobs = (Knob("width", vl, 8 * vl, step=vl), Knob("rows", 1, 8))
        if any(not op.is_row_reduction for op in info.ops):  # ew_width is in the script only with such ops
            knobs += (Knob("ew_width", vl, 8 * vl, step=vl),)
        return knobs

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        vl = lanes(info, host)
        # rows x (width / vl) accumulators stay in registers
        return {"width": 2 * vl, "rows": 4, "ew_width": 4 * vl}

    def render(self, info: KernelInfo, host: Host) -> str:
        body, names = parts.each_op(len(info.ops))
        for i, (op, h) in enumerate(zip(info.ops, names)):
            if op.is_row_reduction:
                body += _row_reduction(h, len(op.iterators), self.knob("rows"), self.knob("width"), f"r{i}")
            else:
                body += parts.tile_vectorize(h, vector_tile(op.iterators, self.knob("ew_width"), None), f"e{i}")
        body += parts.bufferize_and_lower(reduction="innerreduction")
        return self.module(body)


def _row_reduction(h: str, rank: int, rows: str, width: str, tag: str) -> str:
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
