"""Any linalg kernel the specialised schedules do not cover (convolutions, pooling, batched or transposed
contractions, column reductions, ...): a register tile per op, vectorised.

Memref payload. For each op the schedule picks, from its indexing maps:
- the vector loop `v`: the parallel loop that is innermost (stride 1) in the most operands, the output
  counted twice, so tiles are read and written with whole vectors;
- the row loop `x`: another parallel loop, the one whose rows cost the fewest loads (see `plan`);
and tiles `v` by `width` elements (a multiple of the host's lanes), `x` by `rows`, every other loop by 1.
(Each other parallel loop has its own rows knob, `r<op>_<loop>`, 1 by default, up to 2, for the tuner.)
- the depth loop `k` (`depth_loop`), where there is one: a reduction loop outside the vector loop (a column
  sum, out[j] += A[i, j]), at whose every step the output's tile would be loaded and stored again; its knob
  `k<op>_<loop>` spans that many terms per step, summed in registers (4 by default where no row loop
  amortises the output's traffic; measured on znver4, a 1024x768 column sum: 1.16x over the naive loops
  with 4 terms, 0.7x with 1).
Full tiles then have static shapes and unit loops elsewhere: partial tiles are peeled off, unit dimensions
are folded away (so a convolution's `oh + kh` becomes a plain index), and every op is vectorised. An op
without parallel loops (a full reduction) is vectorised along its innermost loop instead. An op that does
enough work is first cut into `threads` chunks along its outermost parallel loop other than the vector loop,
one task each (`split_loop`; the rest of the schedule works inside a chunk): an op with a depth loop
and no other parallel loop is cut along its vector loop (the column sum: 1.85x over the naive loops in 2 tasks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from neurojit.compiler.errors import ScheduleError
from neurojit.compiler.host import Host

from ..analyze import KernelInfo, OpInfo, map_results
from . import model, parts
from .base import ELEMENTS, Knob, Schedule, lanes, split_at, threads_knob

ANY = parts.ANY
DEPTH = 4  # terms a depth loop's tile starts with (see the module's docstring)


def _results(m: str) -> list[set[int]]:
    """Per result expression of an affine map's text, the loop dims it uses."""
    return [{int(d) for d in re.findall(r"d(\d+)", e)} for e in map_results(m)]


def _innermost(m: str) -> set[int]:
    """The loop dims an operand is contiguous in: those that appear alone (coefficient 1) as a term of its
    last result (`d3` and, for a convolution's input, `d3 + d6`)."""
    res = map_results(m)
    return {int(t.strip()[1:]) for t in res[-1].split("+") if re.fullmatch(r"d\d+", t.strip())} if res else set()


def plan(op: OpInfo) -> tuple[int, int | None]:
    """(vector loop, row loop or None) for one op."""
    n = len(op.iterators)
    par = [d for d in range(n) if op.iterators[d] == "parallel"]
    last = len(op.maps) - 1  # the output (the op's last operand)
    score = {d: 0 for d in range(n)}
    for i, m in enumerate(op.maps):
        for d in _innermost(m):
            score[d] += 2 if i == last else 1
    pool = par or list(range(n))
    v = max(pool, key=lambda d: (score[d], d))
    inputs = [(v in _innermost(m), _results(m)) for i, m in enumerate(op.maps) if i != last]
    others = row_loops(op, v)
    if not others:
        return v, None

    # Cost of spanning rows along d, per step of the reductions: an input read as vectors (contiguous along
    # v) that d indexes costs a vector load per row; any other input that d indexes costs a strided gather
    # of one element per row (and shuffles), about twice as much; inputs d does not index are loaded once.
    # Measured: a convolution's rows along the output rows (input loads, 7.6x over the naive loops) beat
    # rows along the filters (a gather of filter values, 5.7x); a batched matmul's rows along i (6.7x) beat
    # rows along the batch (5.6x). The tuner can move the rows to any parallel loop (one knob per loop).
    def cost(d: int) -> tuple[int, int]:
        return sum((1 if vec else 2) for vec, res in inputs if any(d in r for r in res)), -d

    return v, min(others, key=cost)


def split_loop(op: OpInfo, info: KernelInfo, cores: int) -> int | None:
    """The loop of `op` a parallel script cuts into chunks, one per task, or None to keep the op serial: only
    an op that does enough to pay for the tasks (`worth_splitting` of its iteration points), and only a
    parallel loop other than the vector loop, the outermost whose extent gives every core an iteration.
    Measured on 2 cores (one-off, warm, interleaved): an NHWC 3x3 convolution 58x58x64 -> 64 split along the
    output rows 2.9x over one task, the NCHW example 1.9x; a column mean split along its only parallel loop,
    the vector loop, 0.5x while each step loaded and stored the output's tile: with a depth loop summing
    terms in registers, such an op is split along its vector loop (a 1024x768 column sum 1.6-1.9x)."""
    v, _ = plan(op)
    loops = [d for d, kind in enumerate(op.iterators) if kind == "parallel" and d != v]
    if depth_loop(op, v) is not None:  # chunks of columns, each summed down its rows (the column sum above)
        loops.append(v)
    return split_at(op, info, cores, loops)


def depth_loop(op: OpInfo, v: int) -> int | None:
    """The reduction loop whose terms a register tile sums in registers (`k<op>_<loop>`), or None: only for
    an op whose vector loop `v` is its only parallel loop to span (a column sum, a vector-matrix product: no row
    loop amortises the output's loads and stores), the innermost reduction loop that every operand indexes as
    a plain dim, if at all (no window `oh + kh`, which the vectoriser cannot read as a tile), and that no input
    read along `v` is contiguous in (its terms are whole vectors along `v`, added lane by lane). The tile
    loops put it just outside the vector loop (`order`)."""
    if op.iterators[v] != "parallel" or row_loops(op, v):
        return None
    along = [m for m in op.maps[:op.inputs] if any(v in r for r in _results(m))]
    for d in range(len(op.iterators) - 1, -1, -1):
        if op.iterators[d] != "reduction" or op.extents[d] < 2:
            continue
        uses = [r for m in op.maps for r in map_results(m) if re.search(rf"\bd{d}\b", r)]
        if all(r.strip() == f"d{d}" for r in uses) and not any(d in _innermost(m) for m in along):
            return d
        return None
    return None


def order(op: OpInfo, v: int) -> list[int]:
    """The op's loops from the outermost tile loop in: the loops in order, but a depth loop just outside `v`."""
    k = depth_loop(op, v)
    if k is None or k < v:
        return list(range(len(op.iterators)))
    rest = [d for d in range(len(op.iterators)) if d != k]
    return rest[:rest.index(v)] + [k] + rest[rest.index(v):]


def row_loops(op: OpInfo, v: int) -> list[int]:
    """The parallel loops other than `v` that a register tile could span (extent above 1)."""
    return [d for d, kind in enumerate(op.iterators) if kind == "parallel" and d != v and op.extents[d] > 1]


@dataclass(frozen=True)
class RegisterTileAny(Schedule):
    """Any linalg kernel: a register tile per op, `width` elements along its vector loop, vectorised."""
    name = "register_tile_any"
    payload = "memref"

    width: int | None = None  # elements along each op's vector loop, a multiple of the host's lanes
    # rows along the other parallel loops and terms along a depth loop, as (knob, value) pairs; the knobs
    # (`r<op>_<loop>`, `k<op>_<loop>`) depend on the kernel, so they are one field: the pairs given pin those
    # knobs, the others start where `start` says
    rows: tuple[tuple[str, int], ...] = ()
    threads: int | None = None  # tasks the split loop of each big op is cut into (1: serial; see `split_loop`)

    def applies(self, info: KernelInfo) -> bool:
        ops = [op for op in info.ops if op.iterators]
        return (bool(ops) and len(ops) == len(info.ops) and info.element in ELEMENTS
                and all(min(op.extents) >= 1 for op in ops))

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        op = model.dominant(info)
        v, x = plan(op)
        if model.strided(op, v) or not op.iterators:
            return 0.02  # not vectorised (measured 0.67x the naive loops on a stride-2 pooling)
        if x is not None and model.strided(op, x):
            return 0.03  # rows along a strided loop (an NHWC stride-2 pooling: 0.09x)
        if op.iterators[v] == "reduction":
            return 0.05  # no parallel loop: a horizontal reduction every step (a dot product: 1.0x)
        if op.iterators[v] == "parallel" and op.reductions and not model.contiguous_in(op, v):
            return 0.03  # vectors gather along a row another loop is contiguous in (an i32 row sum: 0.04x)
        if model.is_contraction_like(op) and op.name != "linalg.batch_matmul" and model.work(op) > 1 << 20:
            return 0.06  # no packing, no cache blocks (a transposed matmul: 4x, packed: 31x)
        return 0.35 * model.fill(op.extents[v], lanes(info, host))

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        vl = lanes(info, host)
        # rows up to 8 along the row loop, up to 2 along the others: a tile spanning several (6 x 5 x 5 rows of
        # 48 elements on a batch norm, every loop peeled) took over 120 s to compile
        rows = [Knob(f"r{i}_{d}", 1, min(8 if d == plan(op)[1] else 2, op.extents[d])) for i, op in enumerate(info.ops)
                for d in row_loops(op, plan(op)[0])]
        rows += [Knob(f"k{i}_{d}", 1, min(8, op.extents[d])) for i, op in enumerate(info.ops)
                 if (d := depth_loop(op, plan(op)[0])) is not None]
        t = self.threads if self.threads is not None else self.start(info, host)["threads"]
        split = any(split_loop(op, info, host.cores) is not None for op in info.ops)  # else no forall takes it
        return (Knob("width", vl, 4 * vl, step=vl), *rows, *(threads_knob(t, host) if split else ()))

    def start(self, info: KernelInfo, host: Host) -> dict[str, Any]:
        vl = lanes(info, host)
        widest = max(op.extents[plan(op)[0]] for op in info.ops)
        width = 2 * vl if widest >= 2 * vl else vl
        # rows x (width / vl) accumulators, the loaded vectors and a broadcast fit the vector registers
        rows = max(1, min(8, (host.vector_registers - 4) // (width // vl)))
        out: list[tuple[str, int]] = []
        for i, op in enumerate(info.ops):
            v, x = plan(op)
            out += [(f"r{i}_{d}", min(rows, op.extents[d]) if d == x else 1) for d in row_loops(op, v)]
            if (k := depth_loop(op, v)) is not None:  # terms per step, where no row loop amortises the output
                out.append((f"k{i}_{k}", min(DEPTH, op.extents[k]) if x is None else 1))
        split = any(split_loop(op, info, host.cores) is not None for op in info.ops)
        return {"width": width, "rows": tuple(out), "threads": host.cores if split else 1}

    def fitted(self, info: KernelInfo, host: Host) -> RegisterTileAny:
        self.require(info)
        start = self.start(info, host)
        pinned = dict(self.rows)
        unknown = sorted(set(pinned) - {k for k, _ in start["rows"]})
        if unknown:
            raise ScheduleError(f"{self.name} on @{info.name} has no row knob(s) {', '.join(unknown)}; "
                                f"it has: {', '.join(k for k, _ in start['rows']) or 'none'}")
        return replace(self, width=start["width"] if self.width is None else self.width,
                       rows=tuple((k, pinned.get(k, v)) for k, v in start["rows"]),
                       threads=start["threads"] if self.threads is None else self.threads)

    def knobs(self) -> dict[str, int]:
        return {"width": self.width, **dict(self.rows), "threads": self.threads}

    def render(self, info: KernelInfo, host: Host) -> str:
        body, names = parts.each_op(len(info.ops))
        depth = any(depth_loop(op, plan(op)[0]) is not None for op in info.ops)
        for i, (op, h) in enumerate(zip(info.ops, names)):
            v, _ = plan(op)
            d = split_loop(op, info, host.cores) if self.threads and self.threads > 1 else None
            if d is not None:  # chunks of loop d, one task each; the register tile works inside a chunk
                body += parts.distribute(h, len(op.iterators), d, self.knob("threads"), f"s{i}")
                h = f"%s{i}"
            sizes = ["1"] * len(op.iterators)
            sizes[v] = self.knob("width")
            rows = row_loops(op, v)
            for r in rows:
                sizes[r] = self.knob(f"r{i}_{r}")
            if (k := depth_loop(op, v)) is not None:
                sizes[k] = self.knob(f"k{i}_{k}")
                rows = [*rows, k]
            n = len(sizes)
            loops = order(op, v)
            swap = f" interchange = [{', '.join(map(str, loops))}]" if loops != sorted(loops) else ""
            body += (f"  %t{i}, %l{i}:{n} = transform.structured.tile_using_for {h} tile_sizes [{', '.join(sizes)}]"
                     f"{swap} : ({ANY}) -> ({', '.join([ANY] * (n + 1))})\n")
            for r in sorted((v, *rows), key=loops.index, reverse=True):  # inner first: peeling consumes what it holds
                body += parts.peel(f"%l{i}#{loops.index(r)}", f"p{i}_{r}_")
        body += (parts.func("%f")
                 + f"  %all = transform.structured.match interface{{LinalgOp}} in %f : ({ANY}) -> {ANY}\n"
                 + f"  %gen = transform.structured.generalize %all : ({ANY}) -> {ANY}\n"
                 + f"  transform.apply_patterns to %f {{\n"
                   "    transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices\n"
                   "    transform.apply_patterns.canonicalization\n"
                   f"  }} : {ANY}\n"
                 + f"  %fv = transform.structured.vectorize_children_and_apply_patterns %f : ({ANY}) -> {ANY}\n"
                 + parts.approximate_math("%fv")
                 + parts.to_contract("%fv")
                 # a depth loop's terms are summed lane by lane (its multi_reduction's inner dim is parallel)
                 + parts.lower_vectors("%fv", "innerparallel" if depth else "innerreduction"))
        return self.module(body)
