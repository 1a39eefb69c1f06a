"""The schedule library the heuristic search draws from: transform scripts with knobs, one per module.

    from neurojit.agent.analyze import analyze
    from neurojit.agent.schedules import for_kernel
    from neurojit.compiler import host
    info = analyze(kernel_text)
    for s in for_kernel(info, host()):
        text, knobs, space = s.text(info, host()), s.defaults(info, host()), s.space(info, host())

`text` carries `${knob:default}` placeholders; the evaluator receives the text and a knob dict. A schedule's
fields are its knobs: `PackedMatmul(mr=4).text(info, host())` starts mr at 4 and the others where they would.
"""

from __future__ import annotations

from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from .base import Caches, Knob, Schedule, caches, lanes
from .elementwise import VectorizeElementwise
from .fused_matmul import FusedMatmulEpilogue
from .generic import RegisterTileAny
from .packed_matmul import PackedMatmul
from .row_reduction import VectorizeRowReduction

LIBRARY: tuple[Schedule, ...] = (PackedMatmul(), FusedMatmulEpilogue(), VectorizeElementwise(), VectorizeRowReduction())
FALLBACK = RegisterTileAny()  # for kernels none of the specialised ones fits


def for_kernel(info: KernelInfo, host: Host) -> list[Schedule]:
    """The library's schedules that apply to this kernel, best first (host is for future ranking); the
    generic register tile when none of them does."""
    found = [s for s in LIBRARY if s.applies(info)]
    return found or ([FALLBACK] if FALLBACK.applies(info) else [])


def by_name(name: str) -> Schedule:
    for s in (*LIBRARY, FALLBACK):
        if s.name == name:
            return s
    raise KeyError(f"no schedule named {name!r}; the library has: {', '.join(s.name for s in LIBRARY)}")


__all__ = ["FALLBACK", "Caches", "FusedMatmulEpilogue", "RegisterTileAny", "Knob", "LIBRARY", "PackedMatmul", "Schedule", "VectorizeElementwise",
           "VectorizeRowReduction", "by_name", "caches", "for_kernel", "lanes"]
