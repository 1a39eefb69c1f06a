"""Plain affine loops whose innermost loop carries a value into a sum or a product (a Gauss-Seidel sweep: each
point from the one just before it in its row; an IIR filter: each output from the previous ones): nothing is
parallel and nothing may be vectorised, and the loop runs at the latency of the chain from what it carries to
what it hands the next iteration. The schedule shortens that chain: the script hoists, unrolls the innermost
loops by `unroll` (`affine-loop-unroll`) and forwards each copy's store to the next copy's load
(`affine-scalrep`), then marks the loops `neurojit.reassociate`; after the script each sum in a marked loop is
rebuilt with the carried term last (compiler/recurrences.py: one addition and the division left on a Seidel
point's chain, not six; measured on znver4, PolyBench's seidel-2d 400 x 400 in f64: 1.8x its naive loops), and
with `reciprocal` each division by a loop-invariant value becomes a multiplication by its reciprocal (3.4x).
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host
from neurojit.compiler.recurrences import MARK, RECIPROCAL

from ..analyze import KernelInfo
from . import parts
from .affine_loops import PARAM, unrolls
from .base import ON_RAISED_LOOPS, Knob, Schedule

ANY = parts.ANY


@dataclass(frozen=True)
class ReassociateRecurrences(Schedule):
    """Plain affine loops carrying a value into a sum: the carried term summed last, the loops unrolled."""
    name = "reassociate_recurrences"
    payload = "memref"
    on_loops = True

    unroll: int | None = None  # unroll factor of the innermost loops (each copy's store forwarded to the next)
    reciprocal: int | None = None  # 1: divide by a loop-invariant value as a multiply by its reciprocal

    def applies(self, info: KernelInfo) -> bool:
        # (where the super-vectoriser takes a loop, it carries reductions in vectors itself)
        return info.is_loops and info.affine and info.recurrences > 0 and not info.loop_widths

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # behind the schedules that vectorise or spread (a loop that carries a value is neither, but another loop
        # of the kernel may be)
        return ON_RAISED_LOOPS if info.linalg_raised else 0.15

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        return Knob.of("unroll", unrolls(info)), Knob.of("reciprocal", (0, 1))

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        return {"unroll": 1, "reciprocal": 1}

    def render(self, info: KernelInfo, host: Host) -> str:
        body = (self.tune_knob("unroll", unrolls(info)) + self.tune_knob("reciprocal", (0, 1)) + parts.func("%f")
                + f'  %f0 = transform.apply_registered_pass "affine-raise-from-memref" to %f : ({ANY}) -> {ANY}\n'
                f'  %f1 = transform.apply_registered_pass "affine-loop-invariant-code-motion" to %f0 : ({ANY}) -> {ANY}\n'
                f'  %f2 = transform.apply_registered_pass "affine-loop-unroll" with options = '
                f'{{"unroll-factor" = %unroll}} to %f1 : ({ANY}, {PARAM}) -> {ANY}\n'
                f'  %f3 = transform.apply_registered_pass "affine-scalrep" to %f2 : ({ANY}) -> {ANY}\n'
                f'  %loops = transform.structured.match ops{{["affine.for"]}} in %f3 : ({ANY}) -> {ANY}\n'
                f'  transform.annotate %loops "{MARK}" : {ANY}\n'
                f'  transform.annotate %loops "{RECIPROCAL}" = %reciprocal : {ANY}, {PARAM}\n')
        return self.module(body, "affine" if info.scf_raised else None)
