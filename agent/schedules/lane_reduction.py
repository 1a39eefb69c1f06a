"""Reductions that must keep each output's order of terms (an argmax with its index output, a running
difference, several outputs folded together): many outputs at once, one per vector lane.

Tensor payload. Each such reduction is packed along its lane loop `p` (the innermost dimension of its
outputs) by `lanes`: every operand that p indexes gets an inner tile of `lanes` consecutive outputs (padded
where `lanes` does not divide p), so one vector holds `lanes` independent running results. The packed op is
tiled by 1 everywhere except a block of `block` terms along the loop that its packed input is contiguous
in (the row's reduction loop); the input's pack is fused into that block loop, so the repacking is a
`block` x `lanes` transpose in registers, never a copy of the input in memory. Each block is then stepped
one term at a time (unrolled): unit loops are folded away and every step is a plain vector op on the
running results, which stay in registers (hoisted). Nothing is reassociated: each lane sees its terms in
the kernel's order, so results match the naive loops bit for bit, NaNs and ties included. The outputs'
packs and unpacks are reshapes, tiled a vector at a time (plus a padded copy where `lanes` does not divide
the lane loop). Elementwise maps and fills around the reductions are tiled and vectorised as in
`VectorizeElementwise`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo, OpInfo, map_results
from . import model, parts
from .base import ELEMENTS, Knob, Schedule, divisor_at_most, lanes, threads_knob, worth_splitting
from .elementwise import vector_tile

ANY = parts.ANY
GEN = '!transform.op<"linalg.generic">'


def _dims(m: str) -> list[int | None]:
    """Per result of a map, its loop dim when the result is a plain dim (None for an expression)."""
    return [int(r[1:]) if re.fullmatch(r"d\d+", r) else None for r in map_results(m)]


def lane_plan(op: OpInfo) -> tuple[int, int | None] | None:
    """(lane loop, blocked reduction loop or None) for a reduction that can run one output per lane, else
    None: outputs indexed by plain parallel dims, the lane loop their innermost one, every input indexing it
    only as a plain dim (windows, `oh + kh`, cannot be packed), and at least one input strided along it."""
    if op.reductions == 0 or not op.iterators or min(op.extents) < 1:
        return None
    outs = [_dims(m) for m in op.maps[op.inputs:]]
    if not outs or any(None in o or not o for o in outs):
        return None
    p = outs[0][-1]
    if op.iterators[p] != "parallel" or any(any(op.iterators[d] != "parallel" for d in o) for o in outs):
        return None
    if p in op.index_dims:  # the body reads the lane loop's index, which the packing renumbers
        return None
    block = None
    strided = False
    for m in op.maps[:op.inputs]:
        res = map_results(m)
        uses = [r for r in res if re.search(rf"\bd{p}\b", r)]
        if any(not re.fullmatch(rf"d{p}", r) for r in uses):
            return None
        d = _dims(m)
        if uses and d[-1] != p:
            strided = True
            if block is None and d[-1] is not None and op.iterators[d[-1]] == "reduction":
                block = d[-1]
    return (p, block) if strided else None


def laneable(op: OpInfo) -> bool:
    return lane_plan(op) is not None


@dataclass(frozen=True)
class LaneReduction(Schedule):
    """Order-keeping reductions (argmax, several outputs, any combiner): one output per vector lane."""
    name = "lane_reduction"
    payload = "tensor"

    lanes: int | None = None  # outputs reduced at once, one per lane (a multiple of the host's lanes)
    block: int | None = None  # terms per in-register transpose of the packed input
    ew_width: int | None = None  # elements per tile row of the elementwise ops
    threads: int | None = None  # tasks each reduction's outer parallel loop is split into (1: serial)

    def applies(self, info: KernelInfo) -> bool:
        if not info.straight_line or info.element not in ELEMENTS:
            return False
        red = [op for op in info.ops if op.reductions]
        # reductions that may be reassociated are split per lane elsewhere (VectorizeRowReduction,
        # RegisterTileAny), faster; this one is for those that may not
        return (bool(red) and all(laneable(op) for op in red) and not all(op.reducible for op in red) and all(
            op.reductions or op.is_elementwise or op.name == "linalg.fill" for op in info.ops))

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        op = max((op for op in info.ops if op.reductions), key=model.work)
        return 0.3 * model.fill(op.extents[lane_plan(op)[0]], lanes(info, host))

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        vl = lanes(info, host)
        knobs = (Knob("lanes", vl, 4 * vl, step=vl),)
        if any(lane_plan(op)[1] is not None for op in info.ops if op.reductions):
            knobs += (Knob("block", 1, 16),)
        if any(not op.reductions and op.iterators for op in info.ops):  # (a 0-d fill has no tile)
            knobs += (Knob("ew_width", vl, 8 * vl, step=vl),)
        if _splittable(info):  # only a parallel script has a forall to take the value
            knobs += threads_knob(self.threads if self.threads is not None else _threads(info, host), host)
        return knobs

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        vl = lanes(info, host)
        blocks = [op.extents[b] for op in info.ops if op.reductions and (b := lane_plan(op)[1]) is not None]
        # a block x lanes transpose (8 x 16 measured best on znver4: 15x an argmax's naive loops, 16 x 16 10x);
        # a block that divides the loop leaves no tail
        block = divisor_at_most(min(blocks), 8) if blocks else 1
        return {"lanes": vl, "block": block, "ew_width": 4 * vl, "threads": _threads(info, host)}

    def render(self, info: KernelInfo, host: Host) -> str:
        body, names = parts.each_op(len(info.ops))
        parallel = self.threads is not None and self.threads > 1 and _splittable(info)
        for i, (op, h) in enumerate(zip(info.ops, names)):
            if op.reductions:
                if parallel:
                    body += parts.distribute(h, len(op.iterators), _split_dim(op), self.knob("threads"), f"t{i}")
                    h = f"%t{i}"
                body += _lane_reduction(op, h, self.knob("lanes"), self.knob("block"), f"r{i}")
            else:
                body += parts.tile_vectorize(h, vector_tile(op.iterators, self.knob("ew_width"), None), f"e{i}")
        blocked = any(lane_plan(op)[1] is not None for op in info.ops if op.reductions)
        unroll = UNROLL.replace("@BLOCK", self.knob("block")) if blocked else ""
        body += parts.func("%f") + FINISH.replace("@UNROLL\n", unroll)
        return self.module(body + parts.bufferize_and_lower())


def _split_dim(op: OpInfo) -> int:
    """The loop a reduction's rows are split over tasks along: its outermost parallel loop."""
    return op.iterators.index("parallel")


def _splittable(info: KernelInfo) -> bool:
    """Whether every reduction has a parallel loop of at least two outputs per host lane... (more than one
    chunk's worth: the lane loop is packed by `lanes` within each chunk)."""
    red = [op for op in info.ops if op.reductions]
    return bool(red) and all(op.extents[_split_dim(op)] >= 2 for op in red)


def _threads(info: KernelInfo, host: Host) -> int:
    """Tasks to start with: the host's cores for a kernel of reductions and fills only that reads
    base.PARALLEL_BYTES or more (the maps around stay serial); else 1."""
    if not _splittable(info) or not all(op.reductions or op.name == "linalg.fill" for op in info.ops):
        return 1
    red = [op for op in info.ops if op.reductions]
    rows = min(op.extents[_split_dim(op)] for op in red)
    return max(1, min(host.cores, rows)) if worth_splitting(sum(model.work(op) for op in red), info) else 1


def _lane_reduction(op: OpInfo, h: str, lanes_: str, block: str, tag: str) -> str:
    p, r = lane_plan(op)
    n = len(op.iterators)
    packed = ["0"] * n
    packed[p] = lanes_
    outer = ["1"] * n + ["0"]
    if r is not None:
        outer[r] = block
    text = f"  %{tag}p = transform.structured.pack {h} packed_sizes = [{', '.join(packed)}] : ({ANY}) -> ({GEN})\n"
    fused = [k for k, m in enumerate(op.maps[:op.inputs]) if p in _dims(m) and _dims(m)[-1] != p]
    for k in fused:
        text += f"  %{tag}x{k} = transform.get_producer_of_operand %{tag}p[{k}] : ({GEN}) -> ({ANY})\n"
    for k, m in enumerate(op.maps[op.inputs:]):
        # the outputs' packs and unpacks, a vector of `lanes` at a time (a whole output as one vector would
        # take minutes to compile)
        rank = len(_dims(m))
        ones = ", ".join(["1"] * rank)
        loops = ", ".join([ANY] * rank)
        text += (f"  %{tag}o{k} = transform.get_producer_of_operand %{tag}p[{op.inputs + k}] : ({GEN}) -> ({ANY})\n"
                 f"  %{tag}ot{k}, %{tag}ol{k}:{rank} = transform.structured.tile_using_for %{tag}o{k} tile_sizes [{ones}]"
                 f" : ({ANY}) -> ({ANY}, {loops})\n"
                 f"  transform.structured.vectorize %{tag}ot{k} vector_sizes [{ones}, {lanes_}] : {ANY}\n"
                 f"  %{tag}u{k} = transform.get_consumers_of_result %{tag}p[{k}] : ({GEN}) -> ({ANY})\n"
                 f"  %{tag}ut{k}, %{tag}ul{k}:{rank} = transform.structured.tile_using_for %{tag}u{k} tile_sizes"
                 f" [{', '.join(['1'] * (rank - 1) + [lanes_])}] : ({ANY}) -> ({ANY}, {loops})\n"
                 f"  transform.structured.vectorize %{tag}ut{k} vector_sizes [{ones}, {lanes_}] : {ANY}\n")
    text += (f"  %{tag}t, %{tag}l:{n} = transform.structured.tile_using_for %{tag}p tile_sizes [{', '.join(outer)}]"
             f" : ({GEN}) -> ({ANY}, {', '.join([ANY] * n)})\n")
    for k in fused:
        # its pack, one block at a time, in registers (masked where the block or the lanes run past the end)
        sizes = [block if d == r else "1" for d in _dims(op.maps[k])] + [lanes_]
        text += (f"  %{tag}xf{k}, %{tag}xl{k} = transform.structured.fuse_into_containing_op %{tag}x{k} into "
                 f"%{tag}l#{n - 1} : ({ANY}, {ANY}) -> ({ANY}, {ANY})\n"
                 f"  transform.structured.vectorize %{tag}xf{k} vector_sizes [{', '.join(sizes)}] : {ANY}\n")
    if r is not None:
        inner = ["0"] * (n + 1)
        inner[r] = "1"
        text += (f"  %{tag}s, %{tag}sl = transform.structured.tile_using_for %{tag}t tile_sizes [{', '.join(inner)}]"
                 f" : ({ANY}) -> ({ANY}, {ANY})\n"
                 f'  transform.annotate %{tag}sl "nj.unroll" : {ANY}\n')
    return text


# After every op is tiled: unit loops folded (a reduction step becomes a plain op on the running results),
# the steps vectorised (nothing else is left to vectorise: a whole tensor as one vector would take minutes
# to compile), the steps of a block unrolled so that each reads its term straight from the transposed
# block, and the running results hoisted.
FINISH = f"""  transform.apply_patterns to %f {{
    transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices
    transform.apply_patterns.canonicalization
  }} : {ANY}
  %fv = transform.structured.vectorize_children_and_apply_patterns %f : ({ANY}) -> {ANY}
@UNROLL
  transform.apply_patterns to %fv {{
    transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
    transform.apply_patterns.vector.cast_away_vector_leading_one_dim
    transform.apply_patterns.canonicalization
  }} : {ANY}
  transform.apply_cse to %fv : {ANY}
  %hl = transform.structured.match ops{{["scf.for"]}} in %fv : ({ANY}) -> {ANY}
  transform.loop.hoist_loop_invariant_subsets %hl : {ANY}
  transform.apply_patterns to %fv {{
    transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
    transform.apply_patterns.canonicalization
  }} : {ANY}
"""

UNROLL = f"""  %ul = transform.structured.match ops{{["scf.for"]}} attributes{{nj.unroll}} in %fv : ({ANY}) -> {ANY}
  transform.foreach %ul : {ANY} {{
  ^bb0(%v: {ANY}):
    %vc = transform.cast %v : {ANY} to !transform.op<"scf.for">
    transform.loop.unroll %vc {{factor = @BLOCK}} : !transform.op<"scf.for">
  }}
"""
