"""Row-wise fused kernels (softmax, layer norm, any chain of row reductions and maps over the same rows): one
pass over the rows, every op of a row done while the row is in L1, exp and friends as vector polynomials.

Why: run op by op, softmax streams the whole matrix through memory four times and layer norm five; fused per
row, a row is read from memory once and the rest of its sweeps hit L1. Tensor payload. Each op is tiled
into blocks of `rows` rows (1-D ops: `rows` elements), then along the row by `width` elements; a row
reduction keeps `rows` x `width` partial results across the row (`tile_reduction_using_for`) and reduces
them horizontally once per row. Where `width` does not divide the row (1000, 4097), MLIR's
`scf-for-loop-peeling` splits each loop along the row into full steps and one last, shorter step, so every
tile has a static shape and is vectorised without masks: a masked main loop kept the partial results in
memory (masked loads and stores of the accumulator every step) and ran softmax 1000 x 1000 at 1.8x numpy
against 2.8x peeled. Then the accumulators are hoisted into registers and loop-invariant reads (a row's max
or sum, broadcast along the row) out of the row sweeps, the row loops (one per op, same bounds) are fused
into one after bufferization (`transform.loop.fuse_sibling`, in program order). That fusion is legal
because `applies` admits only kernels whose ops touch, at row i, nothing but row i of what they write and
of what the others write (every output is indexed by the row first; inputs are indexed by the row first or
not by it at all, like layer norm's scale and shift). Math ops the lowering can approximate
(`neurojit.compiler.approx`: exp, log, tanh, erf on f32) are marked for it, so the exp of a softmax stays
a vector polynomial instead of a libm call per lane.

Knob `reciprocal` (only where a map over the row divides and reads a value of the row, like softmax's
division by the row's sum): 1 marks those divisions `arcp`, so LLVM hoists one reciprocal per row out of
the sweep and multiplies per element (a vector divide costs about five multiplies on znver4; softmax 64 x
4097 2.50x -> 2.65x numpy, 1000 x 1000 2.59x -> 2.77x). x * (1/s) is within 1 ulp of x / s unless 1/s
leaves the normal range (|s| below 2^-126 or above 2^126), so it starts at 0, the exact division, which
every kernel of the class takes; the tuner may try 1, and the evaluator's value classes (tiny, subnormal,
limit) reject it where a divisor gets there (softmax's cannot: its sum includes exp(0) = 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo, OpInfo, map_results
from . import model, parts
from .base import Knob, Schedule, lanes

ANY = parts.ANY


def _row_fusable(info: KernelInfo) -> bool:
    """Every op (fill, row reduction or map, of 1 or 2 loops) over the same rows, each touching only row i of
    what is written at row i (see the module's docstring)."""
    ops = info.ops
    if len(ops) < 2 or not all(op.iterators and len(op.iterators) <= 2 and op.iterators[0] == "parallel"
                               for op in ops):
        return False
    if len({op.extents[0] for op in ops}) != 1 or min(op.extents[0] for op in ops) < 1:
        return False
    rows = [op for op in ops if len(op.iterators) == 2]
    if len(rows) < 2 or not any(op.reductions for op in rows):  # a row swept once has nothing to fuse
        return False
    for op in ops:
        results = [map_results(m) for m in op.maps]
        if any(not r or r[0] != "d0" for r in results[op.inputs:]):
            return False
        for r in results[:op.inputs]:
            if r and r[0] != "d0" and any(re.search(r"\bd0\b", e) for e in r):
                return False
    return True


@dataclass(frozen=True)
class RowwiseFused(Schedule):
    """Row reductions and the maps and fills around them, fused into one pass over the rows (softmax,
    layer norm), vectorised along the row, transcendental math as vector polynomials."""
    name = "rowwise_fused"
    payload = "tensor"

    width: int | None = None  # elements per vector step along a row (a multiple of the host's lanes)
    rows: int | None = None  # rows per step of the fused loop
    reciprocal: int | None = None  # 1: a division by a row's value as one reciprocal per row (see `_divides`)

    def applies(self, info: KernelInfo) -> bool:
        return (info.is_row_reduction and info.element in ("f16", "bf16", "f32", "f64")
                and all(op.reducible for op in info.ops if op.reductions) and _row_fusable(info))

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # one pass over memory instead of one per op, and no libm call per element: ahead of the op-by-op
        # row reduction schedule (0.5 x fill) on every kernel both apply to (benchmarks/rowwise.py on
        # znver4, under load: softmax 4-6x faster, layer norm 1.1-1.6x faster at each of its four sizes)
        row = max((op for op in info.ops if op.reductions), key=model.work)
        return 0.7 * model.fill(row.extents[-1], lanes(info, host))

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        vl = lanes(info, host)
        # rows divide the row count: a partial block of rows would be peeled into a second row loop per op,
        # which the fusion (one row loop per op) does not expect
        m = info.ops[0].extents[0]
        knobs = Knob("width", vl, 8 * vl, step=vl), Knob.of("rows", tuple(d for d in (1, 2, 3, 4) if m % d == 0))
        return knobs + ((Knob.of("reciprocal", (0, 1)),) if any(_divides(op) for op in info.ops) else ())

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        # four independent vector chains per step (rows x width / lanes = 4) hide the latency of the adds
        # and of the exp polynomial's FMA chain; 2 rows of 2 vectors where 2 divides the row count (see
        # `space`), else 1 row of 4. Measured on znver4 (under load, one process, interleaved, numpy = 1):
        # softmax 1000 x 1000 3.06x at 2 rows x 2 vectors, 2.83x at 4 x 1; 64 x 4097 2.79x and 2.69x;
        # layer norm 512 x 1024 0.116 ms at 2 x 2, 0.137 at 4 x 1, 0.151 op by op (VectorizeRowReduction)
        vl = lanes(info, host)
        rows = 2 if info.ops[0].extents[0] % 2 == 0 else 1
        return {"width": 4 // rows * vl, "rows": rows, "reciprocal": 0}

    def render(self, info: KernelInfo, host: Host) -> str:
        rows, width = self.knob("rows"), self.knob("width")
        body, names = parts.each_op(len(info.ops))
        divs = [h for op, h in zip(info.ops, names) if _divides(op)]
        if divs:
            way = "".join(f'    %dv{k} = transform.structured.match ops{{["arith.divf"]}} in {h} : ({ANY}) -> {ANY}\n'
                          f'    transform.annotate %dv{k} "fastmath" = %arcp : {ANY}, !transform.any_param\n'
                          for k, h in enumerate(divs))
            body += (f'  %arcp = transform.param.constant #arith.fastmath<arcp> -> !transform.any_param\n'
                     f'  transform.tune.alternatives<"reciprocal"> selected_region = {self.reciprocal} {{\n'
                     f"    transform.yield\n  }}, {{\n{way}    transform.yield\n  }}\n")
        for i, (op, h) in enumerate(zip(info.ops, names)):
            body += _row_op(op, h, rows, width, f"o{i}")
        body += (parts.func("%f0")
                 + f'  %f1 = transform.apply_registered_pass "scf-for-loop-peeling" to %f0 : ({ANY}) -> {ANY}\n'
                 + _fold("%f1")
                 + f"  %lo = transform.structured.match interface{{LinalgOp}} in %f1 : ({ANY}) -> {ANY}\n"
                 f"  transform.structured.vectorize %lo {{vectorize_nd_extract}} : {ANY}\n"
                 + _fold("%f1")
                 + f'  %hl = transform.structured.match ops{{["scf.for"]}} in %f1 : ({ANY}) -> {ANY}\n'
                 f"  transform.loop.hoist_loop_invariant_subsets %hl : {ANY}\n"
                 f'  %ll = transform.structured.match ops{{["scf.for"]}} attributes{{nj.sweep}} in %f1 : ({ANY}) -> {ANY}\n'
                 f"  transform.apply_licm to %ll : {ANY}\n")
        body += (parts.approximate_math("%root")
                 + parts.bufferize("%root") + parts.func("%fb", "%bz") + parts.canonicalize("%fb"))
        loops, handles = parts.split("%rl", len(info.ops), "r")
        body += (f'  %rl = transform.structured.match ops{{["scf.for"]}} attributes{{nj.row}} in %fb'
                 f" : ({ANY}) -> {ANY}\n" + loops)
        fused = handles[0]
        for k, h in enumerate(handles[1:]):
            # `target into source` puts the target's body first: the fused loop so far goes into the next
            body += f"  %fs{k} = transform.loop.fuse_sibling {fused} into {h} : ({ANY}, {ANY}) -> {ANY}\n"
            fused = f"%fs{k}"
        body += parts.lower_vectors("%fb", "innerreduction")
        return self.module(body)


def _fold(handle: str) -> str:
    """Canonicalization without CSE: CSE would merge two ops' identical row loops (two fills of the same
    constant into two fresh tensors) into one, and each op's row loop is needed for the fusion."""
    return f"  transform.apply_patterns to {handle} {{\n    transform.apply_patterns.canonicalization\n  }} : {ANY}\n"


def _divides(op: OpInfo) -> bool:
    """A map over the row that divides, with a value of the row (indexed by the row alone) among its inputs:
    the divisor can be a row's value, the same for the whole row."""
    return (len(op.iterators) == 2 and not op.reductions and "arith.divf" in op.body
            and any(map_results(m) == ["d0"] for m in op.maps[:op.inputs]))


def _row_op(op: OpInfo, h: str, rows: str, width: str, tag: str) -> str:
    """One op tiled into blocks of rows (its loop marked `nj.row` for the fusion) and along the row."""
    if len(op.iterators) == 1:
        return (f"  %{tag}t, %{tag}l = transform.structured.tile_using_for {h} tile_sizes [{rows}]"
                f" : ({ANY}) -> ({ANY}, {ANY})\n"
                f'  transform.annotate %{tag}l "nj.row" : {ANY}\n')
    text = (f"  %{tag}t, %{tag}l = transform.structured.tile_using_for {h} tile_sizes [{rows}, 0]"
            f" : ({ANY}) -> ({ANY}, {ANY})\n"
            f'  transform.annotate %{tag}l "nj.row" : {ANY}\n')
    if op.reductions:
        return text + (
            f"  %{tag}f, %{tag}s, %{tag}c, %{tag}k = transform.structured.tile_reduction_using_for %{tag}t"
            f" by tile_sizes = [0, {width}] : ({ANY}) -> ({ANY}, {ANY}, {ANY}, {ANY})\n"
            f'  transform.annotate %{tag}k "nj.sweep" : {ANY}\n')
    return text + (f"  %{tag}v, %{tag}w = transform.structured.tile_using_for %{tag}t tile_sizes [0, {width}]"
                   f" : ({ANY}) -> ({ANY}, {ANY})\n"
                   f'  transform.annotate %{tag}w "nj.sweep" : {ANY}\n')
