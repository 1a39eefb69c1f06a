"""The shape every schedule of the library has, and what they read from the host.

A schedule is a small frozen dataclass whose fields are its knobs (xDSL's passes: the fields are the
options). A field left unset (None) takes its starting value for the kernel and host (`start`) when the
schedule is fitted to them (`fitted`); a field set pins that knob's default (the others still start where
`start` puts them, without looking at it). Besides `name` it has `applies(info)`, `space(info, host)` (its
knobs as a search space specialised to the kernel and the host) and `render(info, host)` (the transform
script of a fitted schedule, each knob written as `${name:value}`). `defaults` and `text` are those of the
fitted schedule. The tuner substitutes values; the evaluator receives the text and the knobs.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np

from neurojit.compiler import dtypes  # noqa: F401  (numpy knows bfloat16 by name once it is imported)
from neurojit.compiler.errors import ScheduleError
from neurojit.compiler.host import Host
from neurojit.compiler.schedule import knobs_of

from ..analyze import KernelInfo
from . import model
from ..proposal import Knob
from . import parts

__all__ = ["ELEMENTS", "ON_RAISED_LOOPS", "Caches", "Knob", "Schedule", "caches", "divisor_at_most", "lanes", "register_tile", "register_tile_knobs", "register_tile_seeds",
           "split_at", "thread_choices", "threads_knob", "worth_splitting", "PARALLEL_BYTES", "contraction_worth_splitting"]


@dataclass(frozen=True)
class Caches:
    """Data cache sizes in bytes (per core for L1/L2)."""
    l1: int = 32 * 1024
    l2: int = 512 * 1024
    l3: int = 8 * 1024 * 1024


@functools.cache
def caches(root: str = "/sys/devices/system/cpu/cpu0/cache") -> Caches:
    """Read the data caches of cpu0 from sysfs; conservative defaults where it is not readable."""
    found: dict[int, int] = {}
    try:
        for entry in sorted(os.listdir(root)):
            d = os.path.join(root, entry)
            try:
                kind = open(os.path.join(d, "type")).read().strip()
                level = int(open(os.path.join(d, "level")).read())
                size = open(os.path.join(d, "size")).read().strip()
            except (OSError, ValueError):
                continue
            if kind == "Instruction":
                continue
            mult = {"K": 1024, "M": 1024 * 1024}.get(size[-1:], 1)
            found[level] = int(size.rstrip("KM")) * mult
    except OSError:
        pass
    base = Caches()
    return Caches(found.get(1, base.l1), found.get(2, base.l2), found.get(3, base.l3))


def lanes(info: KernelInfo, host: Host) -> int:
    """Elements of the kernel's element type in one of the host's widest vector registers."""
    return max(1, host.vector_bits // info.element_bits)


def register_tile(info: KernelInfo, host: Host) -> tuple[int, int]:
    """(mr, nr) of a matmul micro-kernel: nr two vectors wide, mr rows so that the mr x 2 accumulators, one
    row of B and one broadcast of A fit the host's vector registers (6 x 16 on AVX2 f32), and at most 14
    accumulators (on AVX-512 znver4, 32 registers: 7 x 32 ran a 1024 matmul 1.6x faster than 14 x 32; on an
    Intel AVX-512 host, rocketlake to LLVM, 12-14 x 32 ran 1.07-1.13x faster than 7 x 32: `register_tile_seeds`
    has the tuner try the larger tiles first)."""
    vl = lanes(info, host)
    return min(_rows_in_registers(host), 14 // NV), NV * vl


NV = 2  # vectors per row; 3 (24 lanes on AVX2) makes LLVM shuffle the accumulators, 10x slower


def _rows_in_registers(host: Host) -> int:
    """The most rows of NV accumulators that fit the vector registers beside a row of B and a broadcast."""
    return max(1, (host.vector_registers - NV - 1) // NV)


def register_tile_knobs(info: KernelInfo, host: Host) -> tuple[Knob, Knob]:
    """The micro-kernel's nr (one or two vectors: three per row make LLVM rebuild the accumulator row element
    by element every k step, 10x slower) and mr (around what register_tile derives, up to the rows the
    registers hold)."""
    vl = lanes(info, host)
    mr, _ = register_tile(info, host)
    return Knob("nr", vl, 2 * vl, step=vl), Knob("mr", 1, max(mr + 2, _rows_in_registers(host), 2))


NEIGHBOURS = 4  # the start's neighbours a schedule without a model of its own offers the tuner first (`seeds`)


def register_tile_seeds(start: dict[str, int], host: Host, m: int, block: str = "mc") -> list[dict[str, int]]:
    """The tuner's first trials after `start` for a schedule with an mr x nr register tile in blocks of `block`
    rows (of m): the tile grown to the rows the vector registers hold, and halfway there, each with the block a
    multiple of its rows near the start's and within m (no remainder rows in a block). Which register tile is
    fastest is the core's (how many FMAs it issues per cycle, how it splits wide vectors): measured 7 x 32 ahead
    on znver4 and 12-14 x 32 ahead on an Intel AVX-512 host, so both are tried before the sampler's random start.
    None where the start's tile already has all m rows."""
    mr, most = start["mr"], min(_rows_in_registers(host), m)
    out = []
    for rows in dict.fromkeys((most, (mr + most + 1) // 2)):
        if rows > mr:
            mc = max(rows, round(start[block] / rows) * rows)
            out.append({**start, "mr": rows, block: mc if mc <= m else max(rows, m // rows * rows)})
    return out


# element types the generic schedules take (their vectors are host bits / element bits wide); the packed matmul
# takes f32, f64, i32 and i64 outputs (i32 sums of i8 and i16 operands too)
ELEMENTS = ("f16", "bf16", "f32", "f64", "i8", "i16", "i32", "i64")
PARALLEL_BYTES = 256 * 1024  # below, the ~2 us of a task's dispatch and wait is a large part of the time


def worth_splitting(points: int, info: KernelInfo) -> bool:
    """Whether a streaming op over `points` elements touches enough memory (PARALLEL_BYTES) to start split
    over the cores (row reductions, elementwise maps). A point is counted at the widest argument's element: an f32
    to i8 requantisation reads 4 bytes a point (counted at its i8 output's 1, a 255 x 513 one stayed serial: 0.9x)."""
    widest = max([info.element_bits // 8] + [np.dtype(d).itemsize for d in info.arg_dtypes])
    return points * max(1, widest) >= PARALLEL_BYTES


SPLIT_VECTOR_FMAS = 65536  # ~11 us at one core's peak: measured on znver4, packed matmul 2 tasks / 1 task over
# naive: 33x45x29 (2.7K vector FMAs) 0.95x / 1.7x, 64^3 (16K) 16x / 18x, 96^3 (55K) level, 128^3 (131K) 2 tasks ahead


def contraction_worth_splitting(info: KernelInfo, host: Host) -> bool:
    """Whether the kernel's contraction does enough vector multiply-adds (SPLIT_VECTOR_FMAS) to start split
    over the cores (packed and fused matmuls): a task costs ~2 us to dispatch and wait for."""
    return host.cores > 1 and model.work(info.matmul or info.batched) / lanes(info, host) >= SPLIT_VECTOR_FMAS


def split_at(op, info: KernelInfo, cores: int, loops) -> int | None:
    """The first of `loops` (loop indices of `op`, in the order a schedule prefers them) whose extent gives
    every core an iteration, where `op` does enough to pay for the tasks (`worth_splitting` of its iteration
    points); None keeps the op serial."""
    if cores < 2 or not worth_splitting(model.work(op), info):
        return None
    return next((d for d in loops if op.extents[d] >= cores), None)


def threads_knob(threads: int | None, host: Host) -> tuple[Knob, ...]:
    """The `threads` knob of a schedule that splits a loop over cores: 1 up to the host's cores (the run's
    --threads), none when the schedule is serial (its script then has no forall to take the value)."""
    t = threads if threads is not None else host.cores
    return (Knob("threads", 1, max(t, host.cores)),) if t > 1 else ()


def thread_choices(threads: int, host: Host) -> tuple[int, ...]:
    """The task counts a split script may take: 1 up to the host's cores (or the count asked, if more)."""
    return tuple(range(1, max(threads, host.cores) + 1))


# The efficiency of a schedule on loops as written where those loops raise to linalg ops: behind every
# structured schedule, kept as a fallback. Measured on znver3 (one-off PolyBench kernels as affine loops, each
# schedule's defaults against the naive loops): atax register tile 1.74x, affine vectoriser 0.89x; bicg 6.41x,
# 0.97x; 2mm register tile 12.0x, unroll-and-jam 2.45x; gesummv row-wise 8.3x, affine 1.94x.
ON_RAISED_LOOPS = 0.01


def divisor_at_most(n: int, cap: int) -> int:
    """Largest divisor of n that is <= cap (1 at worst)."""
    for d in range(min(n, cap), 0, -1):
        if n % d == 0:
            return d
    return 1


class Schedule:
    """Base of the library's schedules (subclasses are frozen dataclasses whose fields are their knobs,
    None while unset)."""

    name: ClassVar[str] = ""
    payload: ClassVar[str] = "memref"  # or "tensor": see neurojit.compiler.schedule
    on_loops: ClassVar[bool] = False  # takes a kernel's loops as written (not their linalg form)
    attributes: ClassVar[str] = ""  # more attributes of the schedule module (neurojit.compiler.schedule reads them)

    def applies(self, info: KernelInfo) -> bool:
        raise NotImplementedError

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        raise NotImplementedError

    def start(self, info: KernelInfo, host: Host) -> dict[str, Any]:
        """The starting value of every field for this kernel and host (the kernel must be one it applies to)."""
        raise NotImplementedError

    def render(self, info: KernelInfo, host: Host) -> str:
        """The transform script of a fitted schedule, its knobs written with `knob`."""
        raise NotImplementedError

    def seeds(self, info: KernelInfo, host: Host) -> list[dict[str, int]]:
        """Knob values (complete, like `start`'s) the tuner tries first after the start, most likely to win first,
        from a cheap model of the host: a short budget then gets most of the gain (TPE's own start is random).
        By default the start's neighbours, one knob at a time in the space's order: twice and half its value where
        the knob allows both, else the choices beside it:
        the start is the model's best guess, and random draws cost short runs a candidate each (a row norm's
        second schedule at width 80 and 6 rows, 0.4-0.7x naive, in six kernels of a sweep with budget 4)."""
        start = self.defaults(info, host)
        out: list[dict[str, int]] = []
        for knob in self.space(info, host):
            if knob.name not in start:
                continue
            at = knob.clamp(start[knob.name])
            if knob.choices:  # twice and half where both are choices (widths), else the choices beside it
                i = knob.choices.index(at)
                near = ([2 * at, at // 2] if at > 1 and {2 * at, at // 2} <= set(knob.choices) else
                        [knob.choices[j] for j in (i + 1, i - 1) if 0 <= j < len(knob.choices)])
            else:  # a range (widths, tiles, rows): twice and half the start, as the range allows
                near = [knob.clamp(2 * at), knob.clamp(max(knob.low, at // 2))]
            for v in dict.fromkeys(near):
                if v != at:
                    out.append({**start, knob.name: v})
        return out[:NEIGHBOURS]

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        """The fraction of the host's vector peak this schedule is expected to reach on the kernel (see
        `model`): the heuristic proposes the library's schedules in this order."""
        return 0.1

    def fitted(self, info: KernelInfo, host: Host) -> Self:
        """This schedule with every unset field given its starting value for this kernel and host."""
        self.require(info)
        unset = [f.name for f in dataclasses.fields(self) if getattr(self, f.name) is None]
        if not unset:
            return self
        start = self.start(info, host)
        return dataclasses.replace(self, **{k: start[k] for k in unset})

    def knobs(self) -> dict[str, int]:
        """The knob values of a fitted schedule, by name (its fields, in order)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def placeholders(self) -> dict[str, str]:
        """Each knob as the script writes it, `${name:value}` (so the tuner can substitute another value)."""
        return {k: f"${{{k}:{v}}}" for k, v in self.knobs().items()}

    def knob(self, name: str) -> str:
        """Knob `name` as the script writes it."""
        return self.placeholders()[name]

    def tune_knob(self, name: str, choices: tuple[int, ...]) -> str:
        """The declaration of knob `name` as MLIR's own tunable, `%name = transform.tune.knob<"name"> = value
        from options = [choices]`: where every op that uses a knob takes a param (tile sizes, vector sizes,
        pass options), the script is valid MLIR as it stands. The script then uses `%name`."""
        value = getattr(self, name)
        if value not in choices:
            raise ScheduleError(f"{self.name}: knob {name} takes one of {list(choices)}, not {value}")
        return (f'  %{name} = transform.tune.knob<"{name}"> = {value} from options = '
                f'[{", ".join(str(c) for c in choices)}] -> {parts.PARAM}\n')

    def defaults(self, info: KernelInfo, host: Host) -> dict[str, int]:
        """The knob values the script starts from (the fitted schedule's fields that its script uses)."""
        fitted = self.fitted(info, host)
        used = knobs_of(fitted.render(info, host))
        return {k: v for k, v in fitted.knobs().items() if k in used}

    def text(self, info: KernelInfo, host: Host) -> str:
        """The transform script, each knob a `${name:default}` placeholder. For a kernel of loops seen as the
        linalg ops they raise to (`KernelInfo.linalg_raised`), a structured schedule asks for that form; for
        one whose f16 sums the analysis saw in f32 (`KernelInfo.sums_widened`), for that."""
        text = self.fitted(info, host).render(info, host)
        if info.linalg_raised and not self.on_loops:
            text = text.replace("module attributes {transform.with_named_sequence",
                                'module attributes {transform.with_named_sequence, neurojit.loops = "linalg"', 1)
        if info.sums_widened and not self.on_loops:  # (f16 sums in f32, as the analysis saw them)
            text = text.replace("module attributes {transform.with_named_sequence",
                                'module attributes {transform.with_named_sequence, neurojit.accumulate = "f32"', 1)
        return text

    def require(self, info: KernelInfo) -> None:
        if not self.applies(info):
            raise ScheduleError(f"schedule {self.name} does not apply to @{info.name}; "
                                "pick one from neurojit.agent.schedules.for_kernel(info, host)")

    def module(self, body: str, payload: str | None = None) -> str:
        """Wrap a named-sequence body in the schedule module (with the payload attribute if needed)."""
        payload = payload or self.payload
        attrs = "transform.with_named_sequence" + (f', neurojit.payload = "{payload}"' if payload != "memref" else "")
        attrs += ', neurojit.collapse = "reductions"'  # (the kernel as the analysis saw it: agent/analyze.py)
        attrs += f", {self.attributes}" if self.attributes else ""
        return (f"// schedule: {self.name}\nmodule attributes {{{attrs}}} {{\n"
                "transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {\n"
                f"{body.rstrip()}\n  transform.yield\n}}\n}}\n")
