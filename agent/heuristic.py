"""The offline default provider: rule-based schedules from the library, specialised to kernel and host.

Round 0 proposes the library schedules that apply to the kernel, best first by a cheap model of the host
(`schedules.model`: those it expects far behind the best are not proposed, each would cost an evaluation),
each with starting knob values derived from the kernel's shapes and the host's vector width, registers and
caches, and the knob ranges for the tuner. Later rounds have nothing new: the tuner explores the knobs from
there, the best-measured proposal first.
"""

from __future__ import annotations

import dataclasses

from neurojit.compiler.host import host as detect_host

from .proposal import Proposal
from .provider import Provider, Request


class HeuristicProvider(Provider):
    name = "heuristic"
    one_shot = True  # proposes once; the tuner may spend the whole remaining budget

    def __init__(self, strategy: str = "zero-shot"):
        self.strategy = strategy

    def propose(self, request: Request) -> list[Proposal]:
        if request.round > 0:
            return []
        from .schedules import for_kernel

        # the cores a kernel may use are the run's (--threads), which the request's host carries
        h = dataclasses.replace(detect_host(), cores=int(request.host.get("cores") or detect_host().cores))
        out = []
        for sched in for_kernel(request.info, h):
            space = tuple(sched.space(request.info, h))
            out.append(Proposal.of(sched.text(request.info, h), self.name, self.strategy,
                                   knobs=sched.defaults(request.info, h), space=space, schedule=sched.name,
                                   rationale=(sched.__doc__ or "").strip().splitlines()[0] if sched.__doc__ else ""))
        return out
