"""Elementwise maps (and fills): tiled into rows of `rows` x (`vw` host vectors) and vectorised.

Memref payload: every tile is read once and written once with the host's widest vectors (`width` is a
number of elements, a multiple of the host's lanes); a partial last tile is masked. One loop nest per op,
in program order.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from . import parts
from .base import Knob, Schedule, lanes


@dataclass(frozen=True)
class VectorizeElementwise(Schedule):
    name = "vectorize_elementwise"
    payload = "memref"

    def applies(self, info: KernelInfo) -> bool:
        return info.straight_line and info.is_elementwise and all(len(op.iterators) >= 1 for op in info.ops)

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        vl = lanes(info, host)
        return (Knob("width", vl, 8 * vl, step=vl), Knob("rows", 1, 8))

    def defaults(self, info: KernelInfo, host: Host) -> dict[str, int]:
        self.require(info)
        return {"width": 4 * lanes(info, host), "rows": 1}

    def text(self, info: KernelInfo, host: Host) -> str:
        d = self.defaults(info, host)
        body, names = parts.each_op(len(info.ops))
        for i, (op, h) in enumerate(zip(info.ops, names)):
            body += parts.tile_vectorize(h, vector_tile(op.iterators, d["width"], d["rows"]), f"e{i}")
        body += parts.func("%fb") + parts.lower_vectors("%fb")
        return self.module(body)


def vector_tile(iterators: tuple[str, ...], width: int, rows: int, width_knob: str = "width",
                rows_knob: str | None = "rows") -> list:
    """Tile sizes for an elementwise op: 1 on outer loops, `${rows}` on the next-to-last, `${width}`
    elements on the last (the knobs, with these defaults)."""
    n = len(iterators)
    sizes: list = [1] * n
    if n >= 2 and rows_knob:
        sizes[-2] = f"${{{rows_knob}:{rows}}}"
    sizes[-1] = f"${{{width_knob}:{width}}}"
    return sizes
