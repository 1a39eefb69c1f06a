"""The offline default provider: rule-based schedules from the library, specialised to kernel and host.

Round 0 proposes the library schedules that apply to the kernel, best first by a cheap model of the host
(`schedules.model`: those it expects far behind the best are not proposed, each would cost an evaluation),
each with starting knob values derived from the kernel's shapes and the host's vector width, registers and
caches, and the knob ranges for the tuner. Later rounds have nothing new (the tuner explores the knobs from
there, the best-measured proposal first), unless the evaluator rejected every proposal of round 0: then a
model's guess that a schedule is far behind no longer matters (there is nothing it would be behind), and
the schedules it left out are proposed, best first, before the run gives up (seen: a matmul + GELU whose
two kept schedules failed, the generic register tile that applied never tried), after the proposals refused
for their results whose math ops were approximated, again with the math library's functions (seen: SiLU
written x / (exp(-x) + y), whose denominator cancels on some inputs and carries the approximated exp's 2 ulp
far past the baseline's error: both proposals refused, nothing else to try). Those come back in any later round,
beside an accepted proposal too, where budget is left (GELU's tanh approximated, 1 + tanh(u) cancelling for
u << 0, refused on 'offset' data on some seeds while the naive loops split over the cores were accepted).
"""

from __future__ import annotations

import dataclasses
import warnings

from neurojit.compiler.host import host as detect_host

from .proposal import Proposal
from .provider import Provider, Request


class HeuristicProvider(Provider):
    name = "heuristic"
    one_shot = True  # proposes once (twice when all of the first were rejected); the tuner may spend the rest

    def __init__(self, strategy: str = "zero-shot"):
        self.strategy = strategy

    def propose(self, request: Request) -> list[Proposal]:
        from .schedules import for_kernel

        # the cores a kernel may use are the run's (--threads), which the request's host carries
        h = dataclasses.replace(detect_host(), cores=int(request.host.get("cores") or detect_host().cores))
        info = request.info
        if request.round == 0:
            return self._proposals(for_kernel(info, h), info, h)
        libm = self._with_libm(request, info, h)  # (also beside an accepted proposal, where budget is left)
        if not self.all_rejected(request):
            return libm
        tried = {c.schedule for c in request.history if c.provider == self.name}
        return libm + self._proposals([s for s in for_kernel(info, h, keep=0.0) if s.name not in tried], info, h)

    def _with_libm(self, request: Request, info, h) -> list[Proposal]:
        """The proposals refused for their results (wrong or non-finite) whose script approximated math ops, each
        again with the math library's functions (once: a variant already in the run is not proposed again)."""
        from .schedules import by_name
        from .schedules.parts import without_approximation

        texts = {c.text for c in request.history}
        out = []
        for c in request.history:
            if c.provider != self.name or c.reason not in ("wrong_result", "nonfinite") or not c.schedule:
                continue
            text = without_approximation(c.text)
            if text == c.text or text in texts:
                continue
            texts.add(text)
            try:
                space = tuple(by_name(c.schedule).space(info, h))
            except Exception:  # (a schedule the library no longer has, or that no longer applies: no knobs)
                space = ()
            out.append(Proposal.of(text, self.name, self.strategy, knobs=dict(c.knobs or {}), space=space,
                                   schedule=f"{c.schedule}+libm", parent=c.identity,
                                   rationale=f"{c.schedule} with the math library's functions: its approximated math "
                                             f"was refused ({c.reason})"))
        return out

    def _proposals(self, chosen, info, h) -> list[Proposal]:
        out = []
        for sched in chosen:
            try:
                space = tuple(sched.space(info, h))
                text, knobs = sched.text(info, h), sched.defaults(info, h)
            except Exception as e:  # a library schedule that cannot render this kernel: the others still run
                warnings.warn(f"schedule {sched.name} could not be written for @{info.name} and is left out "
                              f"({type(e).__name__}: {e}); please report it with the kernel", stacklevel=2)
                continue
            try:  # the knobs the tuner tries next: the schedule stands without them
                seeds = [{k: s.get(k, v) for k, v in knobs.items()} for s in sched.seeds(info, h)]
            except Exception:
                seeds = []
            out.append(Proposal.of(text, self.name, self.strategy, knobs=knobs, space=space, schedule=sched.name,
                                   seeds=tuple(seeds),  # (the tuner drops those equal to the knobs)
                                   rationale=(sched.__doc__ or "").strip().splitlines()[0] if sched.__doc__ else ""))
        return out

    def why_nothing(self, info) -> str:
        """Why no schedule of the library applies to the kernel (the run's stop reason when nothing was proposed)."""
        from .schedules import unscheduled

        return unscheduled(info)

    def all_rejected(self, request: Request) -> bool:
        """This provider has proposed for the run, and the evaluator rejected every one of its proposals."""
        mine = [c for c in request.history if c.provider == self.name]
        return bool(mine) and all(c.accepted is False for c in mine)
