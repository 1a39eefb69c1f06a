"""Elementwise maps (and fills): tiled into rows of `rows` x (`vw` host vectors) and vectorised.

Memref payload: every tile is read once and written once with the host's widest vectors (`width` is a
number of elements, a multiple of the host's lanes); a partial last tile is masked. One loop nest per op,
in program order.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from . import model, parts
from .base import Knob, Schedule, lanes


@dataclass(frozen=True)
class VectorizeElementwise(Schedule):
    """Elementwise maps (and fills): tiled into rows of `rows` x `width` elements and vectorised."""
    name = "vectorize_elementwise"
    payload = "memref"

    width: int | None = None  # elements per tile row, a multiple of the host's lanes
    rows: int | None = None  # rows per tile (ops of two or more dimensions)

    def applies(self, info: KernelInfo) -> bool:
        return info.straight_line and info.is_elementwise and all(len(op.iterators) >= 1 for op in info.ops)

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        op = model.dominant(info)
        return 0.5 * model.fill(op.extents[-1], lanes(info, host))

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        widths, rows = _choices(info, host)
        return (Knob.of("width", widths),) + ((Knob.of("rows", rows),) if rows else ())

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        return {"width": 4 * lanes(info, host), "rows": 1}

    def render(self, info: KernelInfo, host: Host) -> str:
        # the knobs are MLIR's own tunables (tile_using_for and vectorize take params): valid MLIR as written
        widths, rows = _choices(info, host)
        body = self.tune_knob("width", widths) + (self.tune_knob("rows", rows) if rows else "")
        ops, names = parts.each_op(len(info.ops))
        body += ops
        for i, (op, h) in enumerate(zip(info.ops, names)):
            body += parts.tile_vectorize(h, vector_tile(op.iterators, "%width", "%rows" if rows else None), f"e{i}")
        body += parts.func("%fb") + parts.lower_vectors("%fb")
        return self.module(body)


def _choices(info: KernelInfo, host: Host) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The widths (multiples of the host's lanes) and rows (none when every op is 1-d) a tile may have."""
    vl = lanes(info, host)
    rows = tuple(range(1, 9)) if any(len(op.iterators) >= 2 for op in info.ops) else ()
    return tuple(range(vl, 8 * vl + 1, vl)), rows


def vector_tile(iterators: tuple[str, ...], width: str, rows: str | None) -> list:
    """Tile sizes for an elementwise op: 1 on outer loops, `rows` on the next-to-last (unless None), `width`
    elements on the last (knob placeholders, see `Schedule.knob`)."""
    n = len(iterators)
    sizes: list = [1] * n
    if n >= 2 and rows:
        sizes[-2] = rows
    sizes[-1] = width
    return sizes
