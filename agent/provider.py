"""The provider interface: what the loop asks a model (or a rule book) for.

A provider is one method, `propose(request) -> list[Proposal]`, plus a `name`. The offline heuristic is the
first implementation; LLM providers implement the same method.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from neurojit.compiler.errors import NeuroJITError

from .proposal import Proposal


@dataclass(frozen=True)
class Request:
    """Everything a provider may use to propose: the kernel, the machine, and what was tried so far."""
    kernel_text: str
    kernel_name: str
    info: object  # agent.analyze.KernelInfo
    host: dict  # compiler.host.Host.to_json()
    baseline_ms: float | None
    round: int  # 0 for the first request of a run
    history: tuple[dict, ...] = field(default_factory=tuple)  # earlier candidates: text, knobs, verdict JSON


class Provider(Protocol):
    name: str

    def propose(self, request: Request) -> list[Proposal]:
        """Candidates to evaluate next; an empty list means the provider has nothing more to offer."""


class ProviderError(NeuroJITError):
    """A provider cannot be built or used as asked (unknown model, missing key, ...)."""


def make_provider(model: str, *, strategy: str = "zero-shot", seed: int = 0) -> Provider:
    """The provider for a `--model` value: `heuristic`, `gemini[:NAME]`, `replay:FILE`."""
    name, _, arg = model.partition(":")
    if name == "heuristic":
        from .heuristic import HeuristicProvider

        return HeuristicProvider(strategy=strategy)
    if name in ("gemini", "replay"):
        raise ProviderError(f"--model {model}: the {name} provider is not built yet in this version; "
                            "use --model heuristic (offline)")
    raise ProviderError(f"unknown --model {model!r}; choose heuristic, gemini[:NAME] or replay:FILE")
