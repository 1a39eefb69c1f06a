"""Elementwise maps (and fills): tiled into rows of `rows` x (`vw` host vectors) and vectorised.

Memref payload: every tile is read once and written once with the host's widest vectors (`width` is a
number of elements, a multiple of the host's lanes); a row's partial last tile is masked and peeled off, so
the full tiles have no masks (an i8 quantisation 1000 wide, masked every tile: 0.63x its naive loops; peeled
0.90x, on one core). One loop nest per op,
in program order. With `threads` > 1 each op's outer loop is first split into that many contiguous chunks,
one task each on the async runtime (an `scf.forall` marked `neurojit.threads`). A map streams its operands
once, so past one core's bandwidth only more cores help: `threads` starts at the host's cores (the run's
--threads) when the kernel's largest op touches at least base.PARALLEL_BYTES, else at 1 (the serial script, no
knob). Measured on a 2-core znver4 VM (examples/kernels/elementwise_chain.mlir, 3 x 4 MiB): 2 tasks 2.0x one
task with the operands in cache (called again on the same arrays); 0.99x [0.95, 1.05] in the evaluator, whose
timed calls each get buffers of their own, so memory bandwidth (~30 GB/s for both cores here) decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo, OpInfo, map_results
from . import model, parts
from .base import Knob, Schedule, lanes, thread_choices, worth_splitting


GATHERS = ("memref.load", "tensor.extract")


@dataclass(frozen=True)
class VectorizeElementwise(Schedule):
    """Elementwise maps (and fills): tiled into rows of `rows` x `width` elements and vectorised."""
    name = "vectorize_elementwise"
    payload = "memref"

    width: int | None = None  # elements per tile row, a multiple of the host's lanes
    rows: int | None = None  # rows per tile (ops of two or more dimensions)
    threads: int | None = None  # tasks each op's outer loop is split into (1: one task)

    def applies(self, info: KernelInfo) -> bool:
        # a body that loads from a memref by computed indices (a gather: torch-mlir's Embedding, tensor.extract
        # once bufferized) is not a map `structured.vectorize` takes ("Attempted to vectorize, but failed")
        # nor one reading an operand at a constant index (RoPE's pair (x[.., 0], x[.., 1]): not a projected
        # permutation, which the vectoriser refuses the same way)
        return (info.straight_line and info.is_elementwise and all(len(op.iterators) >= 1 for op in info.ops)
                and not any(name in GATHERS for op in info.ops for name in op.body)
                and not any(_constant_index(m) for op in info.ops for m in op.maps))

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        op = model.dominant(info)
        return 0.5 * model.fill(op.extents[-1], lanes(info, host))

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        widths, rows = _choices(info, host)
        t = self.threads if self.threads is not None else self.start(info, host)["threads"]
        # `threads` is a knob of a split script only: at 1 the script is the serial one (the library's convention)
        return ((Knob.of("width", widths),) + ((Knob.of("rows", rows),) if rows else ())
                + ((Knob.of("threads", thread_choices(t, host)),) if t > 1 else ()))

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        big = worth_splitting(model.work(model.dominant(info)), info)
        if any(transposed_dim(op) is not None for op in info.ops):
            # a transpose's tile: one vector along the output's rows, 4 along the input's (each write a whole
            # vector; the 4 x vector block transposed in registers). NCHW to NHWC (permute_nhwc), against rows 8:
            # 3.05x / 5.66x its naive loops at one / two tasks against 2.44x / 5.19x on znver4 (AVX-512), 0.53 /
            # 0.32 ms against 0.58 / 0.31 ms on znver3 (AVX2, whose naive loops are already near the memory's pace)
            return {"width": lanes(info, host), "rows": 4, "threads": host.cores if big else 1}
        return {"width": 4 * lanes(info, host), "rows": 1, "threads": host.cores if big else 1}

    def render(self, info: KernelInfo, host: Host) -> str:
        # the knobs are MLIR's own tunables (tile_using_for and vectorize take params): valid MLIR as written
        widths, rows = _choices(info, host)
        body = self.tune_knob("width", widths) + (self.tune_knob("rows", rows) if rows else "")
        split = self.threads is not None and self.threads > 1
        if split:
            body += self.tune_knob("threads", thread_choices(self.threads, host))
        ops, names = parts.each_op(len(info.ops))
        body += ops
        for i, (op, h) in enumerate(zip(info.ops, names)):
            if split:
                body += parts.distribute(h, len(op.iterators), 0, "%threads", f"s{i}")
                h = f"%s{i}"
            sizes = vector_tile(op.iterators, "%width", "%rows" if rows else None, transposed_dim(op))
            body += parts.tile_vectorize(h, sizes, f"e{i}")
            if sizes:  # the row's partial last tile peeled off: the full ones lose their masks (canonicalized)
                body += parts.peel(f"%e{i}l#{len([s for s in sizes if s != 0]) - 1}", f"pe{i}")
        body += (parts.approximate_math("%root") + parts.func("%fb") + parts.canonicalize("%fb")
                 + parts.lower_vectors("%fb"))
        return self.module(body)


def _choices(info: KernelInfo, host: Host) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The widths (multiples of the host's lanes) and rows (none when every op is 1-d) a tile may have."""
    vl = lanes(info, host)
    rows = tuple(range(1, 9)) if any(len(op.iterators) >= 2 for op in info.ops) else ()
    return tuple(range(vl, 8 * vl + 1, vl)), rows


def vector_tile(iterators: tuple[str, ...], width: str, rows: str | None, across: int | None = None) -> list:
    """Tile sizes for an elementwise op: 1 on outer loops, `rows` on the next-to-last (unless None; on loop
    `across` where given: `transposed_dim`), `width` elements on the last (knob placeholders, see
    `Schedule.knob`)."""
    n = len(iterators)
    sizes: list = [1] * n
    if n >= 2 and rows:
        sizes[-2 if across is None else across] = rows
    if n:  # none for a 0-d op
        sizes[-1] = width
    return sizes


def transposed_dim(op: OpInfo) -> int | None:
    """The loop an input of `op` is read along (its last subscript) where that is not the last loop, along which
    the output is written: a transpose (linalg.transpose, a torch permute made contiguous, NCHW to NHWC). Tiled
    by rows along that loop as well as along the last, each tile reads whole vectors of the input and writes
    whole vectors of the output (the vectoriser's transfer_read with a permutation, lowered to a transpose in
    registers); tiled along the last loop only, every element of the tile came from another cache line
    (a 64x256x192 f32 permute (2, 0, 1): 0.6x its naive loops, 16 x 8 tiles 3.5x; /tmp/tr in stop 41's note).
    Only inputs that read every loop once (a permutation); a broadcast operand (a per-channel scale) is not a
    transpose. None where the output's last subscript is not the last loop."""
    n = len(op.iterators)
    if n < 2 or op.outputs != 1 or any(it != "parallel" for it in op.iterators):
        return None
    last = f"d{n - 1}"
    out = map_results(op.maps[-1])
    if not out or out[-1] != last:
        return None
    for m in op.maps[:op.inputs]:
        res = map_results(m)
        if sorted(res) == sorted(f"d{i}" for i in range(n)) and res[-1] != last:
            return int(res[-1][1:])
    return None


def _constant_index(amap: str) -> bool:
    """Whether an indexing map (as text) has a constant among its results."""
    return any(r.lstrip("-").isdigit() for r in map_results(amap))
