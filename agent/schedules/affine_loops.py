"""Kernels written as plain affine loops (PolyBench style, no linalg op): MLIR's affine passes, run from
the schedule with `transform.apply_registered_pass`.

Memref payload; for a kernel of `scf.for` loops of constant bounds, the "affine" payload: those loops raised to
the `affine.for` they are (compiler/raise_loops.py) before the script runs. Loads and stores written as `memref.load`/`memref.store` with affine indices become affine
ones (`affine-raise-from-memref`: the passes below see only those) and loop-invariant loads are hoisted
(`affine-loop-invariant-code-motion`). With `threads` > 1 the outermost loop of each nest that MLIR's
dependence analysis proves parallel (`affine-parallelize`: a stencil's rows inside its time loop, a
triangular syrk's rows, a covariance's columns) becomes an `scf.parallel` marked `neurojit.threads`, whose
iterations the lowering spreads over that many cores (`async-parallel-for`); one inside a sequential loop
only with enough work a dispatch (compiler/tasks.py: it decides on the loops as this script leaves them).
The knob is offered where some loop would be spread (`loops.spread_loops`). Then the
loops whose iterations touch consecutive elements are vectorised by `vw` lanes (`affine-super-vectorize`,
with reductions carried in vectors) where some width is safe, stores forwarded to the loads that follow them
(`affine-scalrep`), and the innermost loops unrolled by `unroll` (independent vector steps: a sum kept in
memory no longer waits on the previous step's store).
The knobs are MLIR's own tunables (`transform.tune.knob`), so the script is valid MLIR as written; `vw`
takes only the widths `loops.vector_widths` found safe (the vectoriser masks by the memref's bounds, not the
loop's) and at which the vectoriser finds a loop to vectorise.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from neurojit.compiler.errors import ScheduleError
from neurojit.compiler.host import Host
from neurojit.compiler.pipeline import THREADS_ATTR

from ..analyze import KernelInfo
from . import parts
from .base import ON_RAISED_LOOPS, Knob, Schedule, lanes, thread_choices, threads_knob
from .scf_loops import factors as jam_factors

ANY = parts.ANY
PARAM = "!transform.param<i64>"
UNROLLS = (1, 2, 4)


def unrolls(info: KernelInfo) -> tuple[int, ...]:
    """The unroll factors: none but 1 where some loop yields one of its iter_args as it came in, which MLIR's
    unrolling gets wrong (`KernelInfo.rotates`)."""
    return (1,) if info.rotates else UNROLLS


@dataclass(frozen=True)
class VectorizeAffineLoops(Schedule):
    """Plain affine loops: hoisted, spread over cores, super-vectorised and unrolled by MLIR's affine passes."""
    name = "vectorize_affine_loops"
    payload = "memref"
    on_loops = True

    vw: int | None = None  # vector lanes (one of the safe widths; none where no width is safe)
    unroll: int | None = None  # unroll factor of the innermost loops
    threads: int | None = None  # cores the parallel loops are spread over (1: serial)

    def applies(self, info: KernelInfo) -> bool:
        return info.is_loops and info.affine and bool(info.loop_widths or info.parallel_loops)

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # scf loops raised: a fallback behind the structured schedules where the loops raise to linalg ops.
        # Where the vectoriser finds a loop to vectorise, ahead of unroll-and-jam (measured on znver4, each
        # schedule's start against the naive loops: a k-innermost matrix product as affine loops 12.4x here,
        # 2.3x jammed; as scf loops 21.7x, 11.0x; PolyBench's symm 5.8x, 1.4x: the vectoriser keeps every
        # lane's sum in a vector, where the jammed copies are scalar sums LLVM cannot pack, their loads of one
        # operand not provably apart from their stores to another); with only parallel loops to spread, behind
        if info.linalg_raised:  # the structured schedules see the same kernel as linalg ops
            return ON_RAISED_LOOPS
        if info.loop_widths:
            return 0.3
        if info.scf_loops and jam_factors(info):  # the jam schedule applies (to the scf loops, raised or lowered)
            return 0.05
        return 0.2

    def widths(self, info: KernelInfo, host: Host) -> tuple[int, ...]:
        return tuple(w for w in info.loop_widths if w <= 2 * lanes(info, host)) or info.loop_widths[:1]

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        t = self.threads if self.threads is not None else self.start(info, host)["threads"]
        return ((Knob.of("vw", self.widths(info, host)),) if self.widths(info, host) else ()) + (
            Knob.of("unroll", self.unrolls(info)), *(threads_knob(t, host) if info.parallel_loops else ()))

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        # one host vector (measured on znver4: a k-innermost matrix product 12x over its naive loops at 16
        # lanes, 0.9x at 8), no unrolling, every core where a loop is parallel
        w = self.widths(info, host)
        vw = max([x for x in w if x <= lanes(info, host)] or w[:1]) if w else None
        return {"vw": vw, "unroll": 1, "threads": host.cores if info.parallel_loops else 1}

    def render(self, info: KernelInfo, host: Host) -> str:
        widths = self.widths(info, host)
        if (self.vw not in widths if widths else self.vw is not None) or self.unroll not in self.unrolls(info):
            raise ScheduleError(f"{self.name} on @{info.name}: vw takes one of {list(widths)} (unroll one of "
                                f"{list(self.unrolls(info))}), not {self.vw} ({self.unroll})")
        split = bool(info.parallel_loops) and self.threads is not None and self.threads > 1
        body = ((self.tune_knob("vw", widths) if widths else "") + self.tune_knob("unroll", self.unrolls(info))
                + (self.tune_knob("threads", thread_choices(self.threads, host)) if split else "")
                + parts.func("%f")
                + f'  %f0 = transform.apply_registered_pass "affine-raise-from-memref" to %f : ({ANY}) -> {ANY}\n'
                + self.jams(info, "%f0")
                + f'  %f1 = transform.apply_registered_pass "affine-loop-invariant-code-motion" to %f0 : ({ANY}) -> {ANY}\n')
        f = "%f1"
        if split:
            body += (f'  %fp = transform.apply_registered_pass "affine-parallelize" with options = '
                     f'{{"max-nested" = 1 : i64}} to {f} : ({ANY}) -> {ANY}\n')
            f = "%fp"
        if widths:
            body += (f'  %f2 = transform.apply_registered_pass "affine-super-vectorize" with options = '
                     f'{{"virtual-vector-size" = %vw, "vectorize-reductions" = true}} to {f} : ({ANY}, {PARAM}) -> {ANY}\n')
            f = "%f2"
        body += (f'  %f3 = transform.apply_registered_pass "affine-scalrep" to {f} : ({ANY}) -> {ANY}\n'
                 f'  %f4 = transform.apply_registered_pass "affine-loop-unroll" with options = '
                 f'{{"unroll-factor" = %unroll}} to %f3 : ({ANY}, {PARAM}) -> {ANY}\n')
        if split:  # the mark goes on scf.parallel, which the lowering reads (affine.parallel would lose it)
            body += (f'  %f5 = transform.apply_registered_pass "lower-affine" to %f4 : ({ANY}) -> {ANY}\n'
                     f'  %par = transform.structured.match ops{{["scf.parallel"]}} in %f5 : ({ANY}) -> {ANY}\n')
            body += f'  transform.annotate %par "{THREADS_ATTR}" = %threads : {ANY}, {PARAM}\n'
        return self.module(body, self.form(info))

    def unrolls(self, info: KernelInfo) -> tuple[int, ...]:
        """The unroll factors of the innermost loops (`unrolls`)."""
        return unrolls(info)

    def form(self, info: KernelInfo) -> str | None:
        """The payload form the script asks for (see KernelInfo.affine_payload)."""
        return "affine" if info.affine_payload else None

    def jams(self, info: KernelInfo, func: str) -> str:
        """The script's unroll-and-jam of the loops in `func` (none here; see SpreadAffineLoops)."""
        return ""


@dataclass(frozen=True)
class SpreadAffineLoops(VectorizeAffineLoops):
    """Plain affine loops: hoisted and spread over cores by MLIR's affine passes, vectorised by LLVM as the
    naive lowering is.

    Where the super-vectoriser takes only innermost loops that carry nothing (a stencil's, a map's), LLVM's loop
    vectoriser does as well or better: its vector steps need no masks at a row's end, and the loops need not be
    split for a width to divide them (measured on znver4 against the naive loops, one task: jacobi-2d 1.00x
    super-vectorised; PolyBench's heat-3d over 58-wide rows 0.65x super-vectorised, 0.68x with its loops split
    for the vectoriser and left to LLVM, 1.06x unsplit; two tasks: heat-3d 1.16-1.38x here, 0.85-1.01x
    super-vectorised). What is left to gain there is the cores."""
    name = "spread_affine_loops"

    jam: int | None = None  # copies of each row loop (loops.row_jams) fused into its inner loop (1: none)

    def applies(self, info: KernelInfo) -> bool:  # (without a width, VectorizeAffineLoops is this already)
        return info.is_loops and info.affine and info.parallel_loops > 0 and bool(info.loop_widths)

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        if info.linalg_raised or host.cores < 2:  # (on one core: the naive loops, hoisted)
            return ON_RAISED_LOOPS
        return 0.35 if info.inner_widths else 0.1

    def widths(self, info: KernelInfo, host: Host) -> tuple[int, ...]:
        return ()

    def form(self, info: KernelInfo) -> str | None:
        return "affine" if info.scf_raised else None  # raised, not split

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        return super().space(info, host) + ((Knob.of("jam", self.jam_choices(info)),) if jammed(info) else ())

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        # rows: two copies (measured on znver4, PolyBench's Jacobi-2d at 248 rows against its naive loops, two
        # tasks: 2.2x at 2, 1.7x at 4 and 8, 1.8x unjammed); sums: a host vector of them, 8 at most (lu 1.54x at
        # 8 f64 copies, 1.51x at 4, 1.31x at 2; ludcmp 1.60x, 1.52x, 1.31x; a row-wise IIR filter in f32, two
        # tasks: 4.4x at 8, 3.4x at 16, 4.8x at 4)
        choices = self.jam_choices(info)
        jam = (max(j for j in choices if j <= max(2, min(8, lanes(info, host)))) if info.jam_sums
               else min(choices[-1], 2))
        return {**super().start(info, host), "jam": jam if jammed(info) else 1}

    def unrolls(self, info: KernelInfo) -> tuple[int, ...]:
        # none where sums are jammed: the jammed inner loop's copies of an iter_arg all start from one value, which
        # MLIR's unrolling then gets wrong (`loops.rotates`; a red team's: wrong answers at jam 8, unroll 2)
        return (1,) if jammed(info) and info.jam_sums else unrolls(info)

    def jam_choices(self, info: KernelInfo) -> tuple[int, ...]:
        """The jam factors: none past the smallest constant trip count of the loops jammed (MLIR refuses)."""
        return tuple(j for j in JAMS if not info.jam_most or j <= info.jam_most)

    def jams(self, info: KernelInfo, func: str) -> str:
        if not jammed(info):
            return ""
        if self.jam not in self.jam_choices(info):
            raise ScheduleError(f"{self.name} on @{info.name}: jam takes one of {list(self.jam_choices(info))}, "
                                f"not {self.jam}")
        text, names = parts.split("%loops", info.affine_loops, "l")
        body = f'  %loops = transform.structured.match ops{{["affine.for"]}} in {func} : ({ANY}) -> {ANY}\n' + text
        for i in info.row_jams:
            body += f"  transform.loop.unroll_and_jam {names[i]} {{factor = {self.knob('jam')}}} : {ANY}\n"
        return body


JAMS = (1, 2, 4, 8, 16)


@dataclass(frozen=True)
class RewrittenAffineLoops(SpreadAffineLoops):
    """`spread_affine_loops` on loops a compiler rewrite changes before the script runs (the schedule's
    `attributes` ask for it): knobs, start and script are those of the kernel as the script sees it (`seen`)."""

    def seen(self, info: KernelInfo) -> KernelInfo:
        raise NotImplementedError

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        return super().space(self.seen(info), host)

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        return super().start(self.seen(info), host)

    def render(self, info: KernelInfo, host: Host) -> str:
        return super().render(self.seen(info), host)


def rewritten(info: KernelInfo, parallel_loops: int) -> KernelInfo:
    """The kernel as a script sees it after a rewrite of its loops: `parallel_loops` of its loops parallel, no
    loop the super-vectoriser takes (their bounds move with the loops around them), none jammed."""
    return dataclasses.replace(info, parallel_loops=parallel_loops, loop_widths=(), inner_widths=False, row_jams=())


@dataclass(frozen=True)
class JamAffineLoops(SpreadAffineLoops):
    """Plain affine loops with no loop to vectorise or spread: the parallel loops around one inner loop that
    sums or reads neighbouring rows unrolled and jammed into it (loops.row_jams), vectorised by LLVM."""
    name = "jam_affine_loops"

    def applies(self, info: KernelInfo) -> bool:
        return (info.is_loops and info.affine and jammed(info)
                and not SpreadAffineLoops().applies(info) and not info.loop_widths)

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # ahead of vectorize_affine_loops without a width, whose spread and unrolling it does as well (a row-wise
        # IIR filter in f32 on znver4, two tasks: 1.8x its naive loops spread, 4.4x spread and jammed)
        return ON_RAISED_LOOPS if info.linalg_raised else 0.25

    def jam_choices(self, info: KernelInfo) -> tuple[int, ...]:
        return super().jam_choices(info)[1:]  # (unjammed, the script would change nothing where no loop is spread)


def jammed(info: KernelInfo) -> bool:
    """Whether the script jams loops (loops.row_jams, found on the loops this schedule's payload has). Also where
    some loop yields one of its iter_args as it came in (an IIR filter passing y[j - 1] on as y[j - 2]): MLIR's
    unrolling of that loop chains its copies and gets it wrong (`unrolls`), but a jam gives each copy its own
    iter_args, and the rows' recurrences interleaved hide each other's latency (deriche's row filter, 256 x 300
    f32 on znver4: 2.56x its naive loops at 4 copies, bit-identical)."""
    return bool(info.row_jams)
