"""The shape every schedule of the library has, and what they read from the host.

A schedule is a small frozen dataclass (its fields would be its options; none need any yet) with a `name`
and four methods: `applies(info)`, `space(info, host)` (its knobs as a search space specialised to the
kernel and the host), `defaults(info, host)` (a sensible starting point) and `text(info, host)` (the
transform script, its integers written as `${knob:default}` placeholders). The tuner substitutes values;
the evaluator receives the text and the knobs.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import ClassVar

from neurojit.compiler.errors import ScheduleError
from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from ..proposal import Knob

__all__ = ["Caches", "Knob", "Schedule", "caches", "divisor_at_most", "lanes", "register_tile", "register_tile_knobs"]


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
    row of B and one broadcast of A fit the host's vector registers (6 x 16 on AVX2 f32)."""
    vl = lanes(info, host)
    nv = 2  # vectors per row; 3 (24 lanes on AVX2) makes LLVM shuffle the accumulators, 10x slower
    mr = (host.vector_registers - nv - 1) // nv
    return min(mr, 14), nv * vl


def register_tile_knobs(info: KernelInfo, host: Host) -> tuple[Knob, Knob]:
    """The micro-kernel's nr (one or two vectors: three per row make LLVM rebuild the accumulator row element
    by element every k step, 10x slower) and mr (around what register_tile derives)."""
    vl = lanes(info, host)
    mr, _ = register_tile(info, host)
    return Knob("nr", vl, 2 * vl, step=vl), Knob("mr", 1, max(mr + 2, 2))


def divisor_at_most(n: int, cap: int) -> int:
    """Largest divisor of n that is <= cap (1 at worst)."""
    for d in range(min(n, cap), 0, -1):
        if n % d == 0:
            return d
    return 1


class Schedule:
    """Base of the library's schedules (subclasses are frozen dataclasses)."""

    name: ClassVar[str] = ""
    payload: ClassVar[str] = "memref"  # or "tensor": see neurojit.compiler.schedule

    def applies(self, info: KernelInfo) -> bool:
        raise NotImplementedError

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        raise NotImplementedError

    def defaults(self, info: KernelInfo, host: Host) -> dict[str, int]:
        raise NotImplementedError

    def text(self, info: KernelInfo, host: Host) -> str:
        raise NotImplementedError

    def require(self, info: KernelInfo) -> None:
        if not self.applies(info):
            raise ScheduleError(f"schedule {self.name} does not apply to @{info.name}; "
                                "pick one from neurojit.agent.schedules.for_kernel(info, host)")

    def module(self, body: str) -> str:
        """Wrap a named-sequence body in the schedule module (with the payload attribute if needed)."""
        attrs = "transform.with_named_sequence" + (', neurojit.payload = "tensor"' if self.payload == "tensor" else "")
        return (f"// schedule: {self.name}\nmodule attributes {{{attrs}}} {{\n"
                "transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {\n"
                f"{body.rstrip()}\n  transform.yield\n}}\n}}\n")
