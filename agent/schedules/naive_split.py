"""The kernel's own loops, as the naive lowering runs them, split over the cores: the floor a proposal for a
streaming kernel should not fall below.

Memref payload. Each op that does enough to pay for tasks (`worth_splitting`) has its outermost parallel loop
that indexes the output directly (so each task writes its own rows) and gives every core an iteration cut into
`threads` contiguous chunks, one task each (`parts.distribute`); nothing else changes: inside a chunk the op
lowers to the loops the naive build runs, which LLVM vectorises where it can. The specialised schedules
vectorise and tile, and where they know the kernel's class they win by far; on small or strided streaming
kernels LLVM's own vectorisation of the naive loops is hard to beat on one core (a probe of public-style
kernels, 2 cores, one-off, interleaved against the naive loops: a channels-first 2x2 max pooling 1.17x where the
windows schedules gave 0.83x and 0.60x; a padded channels-last 3x3 pooling 1.42x against 0.94x; a broadcast add
1.61x against 1.14x; an in-place axpy 1.54x against 1.01x; a max reduction 1.29x against 1.05x).
It is proposed after the ranked ones (`for_kernel`), never for a sum of products (a matmul, a convolution),
whose naive loops are tens to hundreds of times behind a register tile: evaluating one would cost the
evaluator the naive build's time on every input set.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo, OpInfo, map_results
from . import parts
from .base import Knob, Schedule, split_at, thread_choices


SMALL_WINDOW = 16  # terms per output of a product reduction whose naive loops LLVM unrolls whole and vectorises


def products(op: OpInfo) -> bool:
    """A reduction whose terms are products (matmul, convolution) and many per output: the naive loops are far
    behind. A small filter (a 3x3 Sobel's 9 terms, its weights constants) is unrolled and vectorised along the
    output row by LLVM: on znver4 a 512x512 Sobel's naive loops beat the register tile and the convolution
    vectoriser on one core (92 us against 101 us and 245 us), so only their split over the cores can gain."""
    if op.reductions < 1 or not any(re.search(r"\.mul[if]\b", b) for b in op.body):
        return False
    terms = math.prod(e for e, kind in zip(op.extents, op.iterators) if kind == "reduction")
    return terms > SMALL_WINDOW


def split_dim(op: OpInfo, info: KernelInfo, cores: int) -> int | None:
    """The loop of `op` cut into chunks: its outermost parallel loop that is a plain index of the output and
    has an iteration for every core; None for an op too small to pay for tasks (or with no such loop)."""
    out = [r.strip() for r in map_results(op.maps[-1])]
    return split_at(op, info, max(2, cores), [d for d, kind in enumerate(op.iterators)
                                              if kind == "parallel" and f"d{d}" in out])


@dataclass(frozen=True)
class NaiveSplit(Schedule):
    """Each op's naive loops, its outermost parallel loop split over the cores."""
    name = "naive_split"
    payload = "memref"

    threads: int | None = None  # tasks each split op runs as

    def applies(self, info: KernelInfo) -> bool:
        # any element type: the loops are the kernel's own (a quantisation to i8 too, whose vectorised tile
        # was 0.6-0.8x its naive loops on one core)
        ops = [op for op in info.ops if op.iterators]
        return (bool(ops) and len(ops) == len(info.ops)
                and not any(products(op) for op in ops) and any(split_dim(op, info, 2) is not None for op in ops))

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        return 0.01  # proposed after the ranked schedules (for_kernel), whatever this says

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        t = self.threads if self.threads is not None else host.cores
        return (Knob.of("threads", thread_choices(t, host)),)

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        return {"threads": max(1, host.cores)}

    def render(self, info: KernelInfo, host: Host) -> str:
        body, names = parts.each_op(len(info.ops))
        body = self.tune_knob("threads", thread_choices(self.threads, host)) + body
        for i, (op, h) in enumerate(zip(info.ops, names)):
            d = split_dim(op, info, host.cores)
            if d is not None:
                body += parts.distribute(h, len(op.iterators), d, "%threads", f"s{i}")
        return self.module(body)
