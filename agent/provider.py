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
    history: tuple[dict, ...] = field(default_factory=tuple)  # this run's candidates (see graph.history)
    examples: tuple[dict, ...] = field(default_factory=tuple)  # verified candidates of earlier runs, best first


class Provider(Protocol):
    name: str

    def propose(self, request: Request) -> list[Proposal]:
        """Candidates to evaluate next; an empty list means the provider has nothing more to offer."""


class ProviderError(NeuroJITError):
    """A provider cannot be built or used as asked (unknown model, missing key, ...)."""


def make_model(model: str, store=None, *, timeout_s: float = 120.0):
    """The chat model a `--model` value names (None for the offline heuristic); errors are ProviderErrors.

    Built before a run is created, so that a missing key or cassette fails before anything is recorded."""
    name, _, arg = model.partition(":")
    if name == "heuristic":
        if arg:
            raise ProviderError(f"--model {model}: the heuristic takes no argument")
        return None
    if name == "gemini":
        from .llm.gemini import GeminiModel

        return GeminiModel(arg or "gemini-3-pro-preview", timeout_s=timeout_s)
    if name == "replay":
        from .llm.replay import ReplayModel

        if not arg:
            raise ProviderError("--model replay needs a cassette or a run: replay:FILE or replay:RUN_ID")
        if "/" in arg or arg.endswith((".jsonl", ".json")) or store is None:
            return ReplayModel.from_file(arg)
        return ReplayModel.from_run(store, arg)
    raise ProviderError(f"unknown --model {model!r}; choose heuristic, gemini[:NAME] or replay:FILE")


def make_provider(model: str, *, strategy: str = "zero-shot", seed: int = 0, store=None, run_id: str | None = None,
                  chat=None, prices: dict | None = None) -> Provider:
    """The provider for a `--model` value: `heuristic`, `gemini[:NAME]`, `replay:FILE|RUN_ID`."""
    from .strategies import make_strategy

    strat = make_strategy(strategy, seed)
    chat = chat if chat is not None else make_model(model, store)
    if chat is None:
        from .heuristic import HeuristicProvider

        return HeuristicProvider(strategy=strat.name)
    from .llm.provider import LLMProvider

    return LLMProvider(chat, strat, store, run_id, prices)
