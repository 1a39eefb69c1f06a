"""Kernels written as plain `scf.for` loops over memrefs (no linalg, no affine): unroll-and-jam.

Memref payload; for a kernel of `affine.for` loops (PolyBench's style), the "scf" payload: those loops lowered
to the `scf.for` they are (`lower-affine`), so a gemm written as affine loops is jammed too. MLIR cannot raise
`scf.for` to affine or linalg (no upstream pass does), but
`transform.loop.unroll_and_jam` works on scf loops: every loop whose iterations may be interleaved
(`scf_nest.jammable`: one innermost loop inside, each iteration owns the elements it writes) is unrolled by
`jam` and its copies fused into its inner loop. A hand-written matmul's k loop then carries `jam`
independent sums over consecutive columns instead of one dependent chain over strided loads, and LLVM's
SLP vectoriser packs them into vectors (measured on znver4: a 200x170x150 matmul 8x over its naive loops
at jam 10, 12x at 17). `jam` must divide the jammed loops' trip counts (scf's unroll-and-jam has no
cleanup loop), so its choices are the common divisors up to `MAX_JAM` (see `factors`).

Only a loop whose inner loop accumulates (`ScfLoop.accumulates`: a sum in iter_args or in one memref element)
is jammed: that is the one dependent chain jamming splits. An inner loop whose iterations are independent (a
stencil, a map) is vectorised by LLVM along its own index already, and jamming the loop around it only breaks
that up (a 512 x 512 Jacobi stencil: 0.10x of its naive loops at jam 16, 0.94x at 2), so such a nest gets no
jam at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from . import parts
from .base import ON_RAISED_LOOPS, Knob, Schedule, lanes

ANY = parts.ANY
MAX_JAM = 32  # more copies than vector registers' worth of accumulators only spills


def targets(info: KernelInfo) -> list[int]:
    """The scf loops to unroll and jam (indices in program order): those jamming may interleave, around an
    inner loop that accumulates (one dependent chain to split; see the module's note)."""
    loops = info.scf_loops
    return [i for i, loop in enumerate(loops) if loop.jammable and loop.trip > 1
            and any(inner.parent == i and inner.accumulates for inner in loops)]


def factors(info: KernelInfo) -> tuple[int, ...]:
    """The unroll factors that divide every target's trip count (and that of its inner loop where that one
    carries nothing: see scf_nest), from 2 to MAX_JAM."""
    trips = [info.scf_loops[i].trip for i in targets(info)]
    trips += [inner.trip for inner in info.scf_loops if inner.parent in targets(info) and not inner.carried]
    common = math.gcd(*trips) if trips and min(trips) > 0 else 0
    return tuple(d for d in range(2, min(common, MAX_JAM) + 1) if common % d == 0)


@dataclass(frozen=True)
class JamScfLoops(Schedule):
    """Plain scf loops: the loop around each innermost loop unrolled and jammed into it."""
    name = "jam_scf_loops"
    payload = "memref"
    on_loops = True

    jam: int | None = None  # copies of the jammed loop's body fused into its inner loop

    def applies(self, info: KernelInfo) -> bool:
        return info.is_loops and bool(info.scf_loops) and bool(factors(info))

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        return ON_RAISED_LOOPS if info.linalg_raised else 0.2  # (see base.ON_RAISED_LOOPS)

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        return (Knob.of("jam", factors(info)),)

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        # about one host vector of independent sums (SLP packs them: 17 on a 16-lane host ran 12x, 10 8x)
        fs = factors(info)
        vl = lanes(info, host)
        return {"jam": min(fs, key=lambda f: (abs(f - vl), -f))}

    def render(self, info: KernelInfo, host: Host) -> str:
        body = f'  %loops = transform.structured.match ops{{["scf.for"]}} in %root : ({ANY}) -> {ANY}\n'
        text, names = parts.nest_handles("%loops", [loop.parent for loop in info.scf_loops], "l")
        body += text
        for i in targets(info):
            body += f"  transform.loop.unroll_and_jam {names[i]} {{factor = {self.knob('jam')}}} : {ANY}\n"
        return self.module(body, "scf" if info.affine_lowered else None)
