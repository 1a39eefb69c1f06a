"""Kernels written as plain affine loops (PolyBench style, no linalg op): MLIR's affine passes, run from
the schedule with `transform.apply_registered_pass`.

Memref payload. Loop-invariant loads are hoisted (`affine-loop-invariant-code-motion`), then the loops
whose iterations touch consecutive elements are vectorised by `vw` lanes (`affine-super-vectorize`, with
reductions carried in vectors), stores forwarded to the loads that follow them (`affine-scalrep`), and the
innermost loops unrolled by `unroll` (independent vector steps: a sum kept in memory no longer waits on the
previous step's store). Both are MLIR's own tunables (`transform.tune.knob`), so the script is valid MLIR as
written; `vw` takes only the widths `loops.vector_widths` found safe (the vectoriser masks by the memref's
bounds, not the loop's).
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.errors import ScheduleError
from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from . import parts
from .base import Knob, Schedule, lanes

ANY = parts.ANY
PARAM = "!transform.param<i64>"
UNROLLS = (1, 2, 4)


@dataclass(frozen=True)
class VectorizeAffineLoops(Schedule):
    """Plain affine loops: hoisted, super-vectorised and unrolled by MLIR's affine passes."""
    name = "vectorize_affine_loops"
    payload = "memref"

    vw: int | None = None  # vector lanes (one of the safe widths)
    unroll: int | None = None  # unroll factor of the innermost loops

    def applies(self, info: KernelInfo) -> bool:
        return info.is_loops and info.affine and bool(info.loop_widths)

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        return 0.2

    def widths(self, info: KernelInfo, host: Host) -> tuple[int, ...]:
        return tuple(w for w in info.loop_widths if w <= 2 * lanes(info, host)) or info.loop_widths[:1]

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        return (Knob.of("vw", self.widths(info, host)), Knob.of("unroll", UNROLLS))

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        # one host vector (measured on znver4: a k-innermost matrix product 12x over its naive loops at 16
        # lanes, 0.9x at 8), no unrolling
        w = self.widths(info, host)
        return {"vw": max([x for x in w if x <= lanes(info, host)] or w[:1]), "unroll": 1}

    def render(self, info: KernelInfo, host: Host) -> str:
        widths = self.widths(info, host)
        if self.vw not in widths or self.unroll not in UNROLLS:
            raise ScheduleError(f"{self.name} on @{info.name}: vw takes one of {list(widths)} (unroll one of "
                                f"{list(UNROLLS)}), not {self.vw} ({self.unroll})")
        body = (f'  %vw = transform.tune.knob<"vw"> = {self.vw} from options = [{", ".join(map(str, widths))}] -> {PARAM}\n'
                f'  %unroll = transform.tune.knob<"unroll"> = {self.unroll} from options = [{", ".join(map(str, UNROLLS))}] -> {PARAM}\n'
                + parts.func("%f")
                + f'  %f1 = transform.apply_registered_pass "affine-loop-invariant-code-motion" to %f : ({ANY}) -> {ANY}\n'
                f'  %f2 = transform.apply_registered_pass "affine-super-vectorize" with options = '
                f'{{"virtual-vector-size" = %vw, "vectorize-reductions" = true}} to %f1 : ({ANY}, {PARAM}) -> {ANY}\n'
                f'  %f3 = transform.apply_registered_pass "affine-scalrep" to %f2 : ({ANY}) -> {ANY}\n'
                f'  %f4 = transform.apply_registered_pass "affine-loop-unroll" with options = '
                f'{{"unroll-factor" = %unroll}} to %f3 : ({ANY}, {PARAM}) -> {ANY}\n')
        return self.module(body)
